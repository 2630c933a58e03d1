import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { latexToText } from '../../src/core/latex-text.js';
import { describeShared, hasShared, sharedPath } from '../helpers/shared.js';

describe('latexToText', () => {
  it('removes citations and references with their optional arguments, and the space before them', () => {
    expect(latexToText('trade-off certain objectives~\\cite{dpo}. In this work')).toBe('trade-off certain objectives. In this work');
    expect(latexToText('results \\citep[see][p.~3]{liu2024, wang2023} and (\\citet{a}) hold, see Fig.~\\ref{fig:main}.')).toBe(
      'results and hold, see Fig.',
    );
  });

  it('keeps the text of style commands: \\textbf, \\emph, \\textit, \\text, and unknown commands’ arguments', () => {
    expect(latexToText('\\textbf{We will open-source} \\emph{all} \\textit{data}, \\texttt{code} and \\newterm{Mamba}.')).toBe(
      'We will open-source all data, code and Mamba.',
    );
  });

  it('drops unknown commands without arguments', () => {
    expect(latexToText('Unlike end-to-end approaches, \\hydra processes raw images')).toBe('Unlike end-to-end approaches, processes raw images');
  });

  it('keeps math readable: \\mathcal{O}(n^2), Greek letters, relations, fractions and scripts', () => {
    expect(latexToText('in $\\mathcal{O}(n^2)$ time, not $\\mathcal{O}(n \\log n)$')).toBe('in O(n^2) time, not O(n log n)');
    expect(latexToText('$(\\log n)$, $n\\log n$, $\\max_i x$')).toBe('(log n), n log n, max_i x');
    expect(latexToText('GAE ($\\lambda=1$, $\\gamma=1$), $\\alpha \\leq \\beta \\geq \\epsilon$, $x \\sim \\mathcal{N}(0, I)$')).toBe(
      'GAE (λ=1, γ=1), α ≤ β ≥ ε, x ~ N(0, I)',
    );
    expect(latexToText('ImageNet 256$\\times$256 and 2.9$\\times$ faster')).toBe('ImageNet 256×256 and 2.9× faster');
    expect(latexToText('$\\frac{1}{2}$, $\\frac{a+b}{c}$, $\\sqrt{d}$, $x_{i+1}$, $n^{k}$, $W_{q}$, F$^3$Set')).toBe('1/2, (a+b)/c, √d, x_(i+1), n^k, W_q, F^3Set');
    expect(latexToText('from $0.4 \\sim 2.5 \\, \\mu\\text{m}$ and \\(\\Omega(1)\\) and \\[E = mc^2\\]')).toBe('from 0.4 ~ 2.5 μm and Ω(1) and E = mc^2');
  });

  it('turns escapes, ties, dashes, quotes and accents into characters', () => {
    expect(latexToText('95\\% of \\$5 \\& more~text, pages 10--20 --- really ``quoted\'\' \\_x \\#1')).toBe(
      '95% of $5 & more text, pages 10–20 — really “quoted” _x #1',
    );
    expect(latexToText('Schr\\"odinger, G\\"{o}del, \\c{c}a, Erd\\H{o}s, na\\"{\\i}ve, \\ss, Sto\\ss, \\o')).toBe('Schrödinger, Gödel, ça, Erdős, naïve, ß, Stoß, ø');
  });

  it('keeps URLs verbatim and a link’s text', () => {
    expect(latexToText('at \\url{https://example.org/~u/a%20b} or \\href{https://github.com/x}{our repo}')).toBe(
      'at https://example.org/~u/a%20b or our repo',
    );
  });

  it('leaves plain text alone, including a lone dollar, percent signs and apostrophes', () => {
    const plain = "We reach 99% accuracy at a cost of $5 per run; it's 2x faster (e.g. on 8 GPUs).";
    expect(latexToText(plain)).toBe(plain);
    expect(latexToText('  two\n  lines  ')).toBe('two lines');
  });

  it('survives malformed markup: unclosed groups, stray braces and a trailing backslash', () => {
    expect(latexToText('an \\textbf{unclosed group')).toBe('an unclosed group');
    expect(latexToText('stray } brace { here')).toBe('stray brace here');
    expect(latexToText('ends with \\')).toBe('ends with');
    expect(latexToText('$unclosed math')).toBe('$unclosed math');
    expect(latexToText('\\cite{unclosed and the rest')).toBe('');
  });

  it('does bounded work on hostile input: 100k characters and deep nesting, in well under a second', () => {
    const hostile = [
      `${'{'.repeat(50_000)}x${'}'.repeat(50_000)}`,
      '\\frac'.repeat(20_000),
      `$${'\\sqrt'.repeat(20_000)}$`,
      '\\('.repeat(50_000),
      '$'.repeat(100_001),
      '\\sqrt['.repeat(20_000),
      '\\textbf{'.repeat(30_000),
      `$${'^{'.repeat(50_000)}$`,
      '\\cite{'.repeat(20_000),
      `${"\\'{".repeat(30_000)}e`,
      '\\citep['.repeat(15_000),
      'a'.repeat(100_000),
    ];
    for (const input of hostile) {
      const started = performance.now();
      const out = latexToText(input);
      expect(performance.now() - started, input.slice(0, 12)).toBeLessThan(500);
      expect(out.length).toBeLessThanOrEqual(input.length);
    }
    expect(latexToText(hostile[0]!)).toBe('x');
  });
});

describeShared('latexToText on real abstracts', () => {
  const records = hasShared
    ? readFileSync(sharedPath('corpus', 'papers.sample-2k.jsonl'), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as { id: string; abstract: string })
    : [];

  it('leaves no citation, style command or math delimiter in any of the 2,000 sample abstracts', () => {
    const withMarkup = records.filter((r) => /\\[A-Za-z]+|\$/.test(r.abstract));
    expect(withMarkup.length).toBeGreaterThan(100);
    for (const { id, abstract } of withMarkup) {
      const text = latexToText(abstract);
      expect(text, id).not.toMatch(/\\(cite|citep|textbf|emph|textit|mathcal|times|href)\b/);
      expect(text, id).not.toMatch(/\$[^$\d\s]/);
      // Cleaning shortens markup, it never loses the prose around it.
      expect(text.length, id).toBeGreaterThan(abstract.length * 0.5);
    }
  });

  it('changes abstracts without markup only in whitespace', () => {
    for (const { id, abstract } of records.filter((r) => !/[\\$~{}`]|--|''/.test(r.abstract))) {
      expect(latexToText(abstract), id).toBe(abstract.replace(/\s+/g, ' ').trim());
    }
  });

  it('reads the real abstracts that carry LaTeX as people would write them', () => {
    const byId = new Map(records.map((r) => [r.id, r.abstract]));
    expect(latexToText(byId.get('2504.09606')!)).toContain('2.9× to 5.8× speedup');
    expect(latexToText(byId.get('2503.21819')!)).toContain('trade-off certain objectives. In this work');
    expect(latexToText(byId.get('2504.13500')!)).toContain('a new process prejudge strategy');
  });
});

describe('hostile markup', () => {
  // Not a timing target: quadratic clean-up of 300,000 backslashes or spaces takes ~20 s, a
  // linear one milliseconds, so a 2 s bound tells them apart on any machine.
  it('cleans 300,000 backslashes, or a long run of spaces before a citation, in linear time', () => {
    const started = performance.now();
    latexToText('\\'.repeat(300_000));
    latexToText(`${' '.repeat(300_000)}\\cite{a}.`);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
