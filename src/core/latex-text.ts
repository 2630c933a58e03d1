/**
 * LaTeX markup in paper text (arXiv abstracts are written by hand in TeX-ish text, Hugging Face
 * copies them verbatim) turned into readable plain text: `\citep{…}` removed, `\textbf{x}` → x,
 * `$\mathcal{O}(n^2)$` → O(n^2), `\alpha` → α, `~` → space, `\%` → %, `--` → –.
 *
 * Not a TeX engine: no macros are expanded and unknown commands are dropped (their braced
 * argument, if any, stays as text). The work is linear in the input: one pass, every character
 * read once, groups nested deeper than MAX_DEPTH are flattened instead of recursed into, so a
 * hostile record (100k characters, 10k nested braces) costs milliseconds and no stack.
 */

/** Nesting depth followed by recursion; deeper braces are dropped and their text kept flat. */
const MAX_DEPTH = 24;
/** Longest `[…]` read as an optional argument (`\citep[see][p.~3]{…}`); a longer bracket is text. */
const OPTIONAL_MAX = 200;

/** Commands whose arguments are references or bookkeeping, not text: removed with their arguments. */
const DROPPED_WITH_ARGUMENT = new Set([
  'cite', 'citep', 'citet', 'citealp', 'citealt', 'citeauthor', 'citeyear', 'citeyearpar', 'parencite', 'textcite', 'autocite', 'nocite',
  'ref', 'eqref', 'autoref', 'cref', 'Cref', 'pageref', 'label', 'footnote', 'footnotemark', 'thanks', 'vspace', 'hspace', 'includegraphics',
  'begin', 'end',
]);

/** Math operators TeX prints as upright words. */
const WORD_OPERATORS = new Set([
  'log', 'ln', 'exp', 'max', 'min', 'sup', 'inf', 'lim', 'arg', 'argmax', 'argmin', 'sin', 'cos', 'tan', 'det', 'dim', 'ker', 'deg', 'gcd', 'Pr', 'tanh', 'sigmoid', 'softmax',
]);

const SYMBOLS: Readonly<Record<string, string>> = {
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', varepsilon: 'ε', zeta: 'ζ', eta: 'η', theta: 'θ', vartheta: 'ϑ',
  iota: 'ι', kappa: 'κ', lambda: 'λ', mu: 'μ', nu: 'ν', xi: 'ξ', pi: 'π', varpi: 'ϖ', rho: 'ρ', varrho: 'ϱ', sigma: 'σ', varsigma: 'ς',
  tau: 'τ', upsilon: 'υ', phi: 'φ', varphi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω',
  Gamma: 'Γ', Delta: 'Δ', Theta: 'Θ', Lambda: 'Λ', Xi: 'Ξ', Pi: 'Π', Sigma: 'Σ', Upsilon: 'Υ', Phi: 'Φ', Psi: 'Ψ', Omega: 'Ω',
  times: '×', cdot: '·', div: '÷', pm: '±', mp: '∓', ast: '*', star: '⋆', circ: '∘', bullet: '•',
  leq: '≤', le: '≤', geq: '≥', ge: '≥', neq: '≠', ne: '≠', approx: '≈', sim: '~', simeq: '≃', cong: '≅', equiv: '≡', propto: '∝',
  ll: '≪', gg: '≫', lesssim: '≲', gtrsim: '≳', infty: '∞', partial: '∂', nabla: '∇', forall: '∀', exists: '∃', neg: '¬', lnot: '¬',
  to: '→', rightarrow: '→', leftarrow: '←', gets: '←', Rightarrow: '⇒', Leftarrow: '⇐', leftrightarrow: '↔', Leftrightarrow: '⇔',
  mapsto: '↦', implies: '⇒', iff: '⇔', uparrow: '↑', downarrow: '↓', in: '∈', notin: '∉', ni: '∋', subset: '⊂', subseteq: '⊆',
  supset: '⊃', supseteq: '⊇', cup: '∪', cap: '∩', setminus: '∖', emptyset: '∅', varnothing: '∅', land: '∧', wedge: '∧', lor: '∨',
  vee: '∨', oplus: '⊕', otimes: '⊗', odot: '⊙', sum: '∑', prod: '∏', int: '∫', oint: '∮', sqrt: '√', ell: 'ℓ', hbar: 'ℏ',
  dots: '…', ldots: '…', cdots: '⋯', vdots: '⋮', ddots: '⋱', langle: '⟨', rangle: '⟩', lfloor: '⌊', rfloor: '⌋', lceil: '⌈',
  rceil: '⌉', mid: '|', vert: '|', Vert: '‖', parallel: '∥', perp: '⊥', top: '⊤', prime: '′', degree: '°', dagger: '†',
  textdegree: '°', textasciitilde: '~', textbackslash: '\\', textbar: '|', textless: '<', textgreater: '>', textendash: '–',
  textemdash: '—', textbullet: '•', copyright: '©', textregistered: '®', texttrademark: '™', checkmark: '✓', S: '§', P: '¶',
  ss: 'ß', o: 'ø', O: 'Ø', ae: 'æ', AE: 'Æ', oe: 'œ', OE: 'Œ', aa: 'å', AA: 'Å', l: 'ł', L: 'Ł', i: 'ı', j: 'ȷ',
  LaTeX: 'LaTeX', TeX: 'TeX', lbrace: '{', rbrace: '}', backslash: '\\', colon: ':', '%': '%',
};

/** Spacing commands: a space (or nothing for the negative one). */
const SPACES: Readonly<Record<string, string>> = {
  ',': ' ', ';': ' ', ':': ' ', '>': ' ', ' ': ' ', '\\': ' ', '!': '', quad: ' ', qquad: ' ', enspace: ' ', thinspace: ' ',
  medspace: ' ', thickspace: ' ', newline: ' ', par: ' ', noindent: '', item: ' • ', centering: '', small: '', large: '',
  left: '', right: '', big: '', Big: '', bigg: '', Bigg: '', bigl: '', bigr: '', Bigl: '', Bigr: '', displaystyle: '',
  textstyle: '', limits: '', nolimits: '', xspace: '', relax: '', protect: '', ignorespaces: '', bf: '', it: '', em: '', rm: '', tt: '', sf: '',
};

/** `\x` where x is punctuation: the character itself. */
const ESCAPED = new Set(['%', '&', '_', '#', '$', '{', '}']);

/** Accents as combining marks, composed afterwards (NFC): `\'e` → é, `\"o` → ö, `\c{c}` → ç. */
const ACCENTS: Readonly<Record<string, string>> = {
  "'": '\u0301', '`': '\u0300', '^': '\u0302', '"': '\u0308', '~': '\u0303', '=': '\u0304', '.': '\u0307',
  u: '\u0306', v: '\u030c', H: '\u030b', c: '\u0327', k: '\u0328', r: '\u030a', d: '\u0323', b: '\u0331',
};

/** Marks where a citation or reference was removed, so tidy() mends the punctuation there and only there. */
const REMOVED = '\u0000';

/** Where a word operator starts: a space when it follows a letter or digit, else nothing. */
const SPACE_AFTER_WORD = '\u0001';

type Close = '}' | '$' | '$$' | '\\)' | '\\]' | 'eof';

/** Readable plain text for `text` with its LaTeX markup resolved; whitespace collapsed. */
export function latexToText(text: string): string {
  // A text without backslash, dollar, brace, tilde or double dash has nothing to clean.
  if (!/[\\$~{}`']|--/.test(text)) return text.replace(/\s+/g, ' ').trim();
  // The two markers tidy() reads must not come from the input itself.
  const parser = new Parser(text.replace(/[\u0000\u0001]/g, ''));
  return tidy(parser.sequence('eof', false, 0));
}

class Parser {
  private pos = 0;
  /** Index of the last `$`: a `$` before it has a partner, one at or after it is a literal dollar. */
  private readonly lastDollar: number;

  constructor(private readonly src: string) {
    this.lastDollar = src.lastIndexOf('$');
  }

  /** Text up to `close` (consumed), or to the end of the input. */
  sequence(close: Close, math: boolean, depth: number): string {
    const src = this.src;
    let out = '';
    // Braces seen past MAX_DEPTH: dropped, but counted so their `}` does not end this group.
    let flattened = 0;
    while (this.pos < src.length) {
      const ch = src[this.pos]!;
      if (close === '}' && ch === '}' && flattened === 0) {
        this.pos++;
        return out;
      }
      if ((close === '$' || close === '$$') && ch === '$') {
        this.pos += close === '$$' && src[this.pos + 1] === '$' ? 2 : 1;
        return out;
      }
      if ((close === '\\)' || close === '\\]') && src.startsWith(close, this.pos)) {
        this.pos += 2;
        return out;
      }
      switch (ch) {
        case '\\':
          out += this.command(math, depth);
          break;
        case '{':
          this.pos++;
          if (depth < MAX_DEPTH) out += this.sequence('}', math, depth + 1);
          else flattened++;
          break;
        case '}':
          // A stray or flattened closing brace: not text.
          this.pos++;
          if (flattened > 0) flattened--;
          break;
        case '$':
          out += this.dollar(math, depth);
          break;
        case '~':
          this.pos++;
          out += ' ';
          break;
        case '^':
        case '_':
          this.pos++;
          out += math ? ch + this.script(depth) : ch;
          break;
        case '-':
          if (!math && src.startsWith('---', this.pos)) {
            this.pos += 3;
            out += '—';
          } else if (!math && src[this.pos + 1] === '-') {
            this.pos += 2;
            out += '–';
          } else {
            this.pos++;
            out += '-';
          }
          break;
        case '`':
          if (src[this.pos + 1] === '`') {
            this.pos += 2;
            out += '“';
          } else {
            this.pos++;
            out += '‘';
          }
          break;
        case "'":
          if (!math && src[this.pos + 1] === "'") {
            this.pos += 2;
            out += '”';
          } else {
            this.pos++;
            out += "'";
          }
          break;
        default: {
          // Copy the run of ordinary characters in one slice.
          const start = this.pos;
          this.pos++;
          while (this.pos < src.length && !/[\\{}$~^_`'-]/.test(src[this.pos]!)) this.pos++;
          out += src.slice(start, this.pos);
        }
      }
    }
    return out;
  }

  private dollar(math: boolean, depth: number): string {
    const src = this.src;
    if (math || this.pos >= this.lastDollar) {
      // A lone dollar ("costs $5") or a `$` inside math that closes nothing we opened.
      this.pos++;
      return math ? '' : '$';
    }
    const display = src[this.pos + 1] === '$';
    this.pos += display ? 2 : 1;
    return this.sequence(display ? '$$' : '$', true, depth + 1);
  }

  /** After `^` or `_` in math: `n^2` stays, `x_{ij}` → x_ij, `n^{k+1}` → n^(k+1). */
  private script(depth: number): string {
    this.skipSpaces();
    const src = this.src;
    const ch = src[this.pos];
    if (ch === undefined) return '';
    if (ch === '{') {
      const inner = this.argument(true, depth).trim();
      return /^[\p{L}\p{N}′*]*$/u.test(inner) ? inner : `(${inner})`;
    }
    if (ch === '\\') return this.nestedCommand(true, depth);
    this.pos++;
    return ch;
  }

  /** A command inside an argument (`\frac\alpha\beta`): counted as nesting, so a chain of them stays bounded. */
  private nestedCommand(math: boolean, depth: number): string {
    if (depth < MAX_DEPTH) return this.command(math, depth + 1);
    this.pos++;
    while (this.pos < this.src.length && /[A-Za-z]/.test(this.src[this.pos]!)) this.pos++;
    return '';
  }

  /** A backslash: control word (`\alpha`), control symbol (`\%`, `\,`) or accent (`\'e`). */
  private command(math: boolean, depth: number): string {
    const src = this.src;
    this.pos++;
    const first = src[this.pos];
    if (first === undefined) return '';
    if (!/[A-Za-z]/.test(first)) {
      this.pos++;
      if (ESCAPED.has(first)) return first;
      if (first === '(' || first === '[') return depth < MAX_DEPTH ? this.sequence(first === '(' ? '\\)' : '\\]', true, depth + 1) : '';
      if (first in ACCENTS && !math) return this.accent(ACCENTS[first]!, depth);
      return SPACES[first] ?? '';
    }
    const start = this.pos;
    while (this.pos < src.length && /[A-Za-z]/.test(src[this.pos]!)) this.pos++;
    const name = src.slice(start, this.pos);
    // `\textbf*`-style starred variants read like the plain command.
    if (src[this.pos] === '*') this.pos++;

    if (DROPPED_WITH_ARGUMENT.has(name)) {
      this.skipOptional();
      this.skipOptional();
      if (this.peekNonSpace() === '{') this.skipGroup();
      return REMOVED;
    }
    switch (name) {
      case 'url':
        return this.peekNonSpace() === '{' ? this.rawGroup() : '';
      case 'href': {
        if (this.peekNonSpace() === '{') this.skipGroup();
        return this.argument(math, depth);
      }
      case 'frac':
      case 'dfrac':
      case 'tfrac': {
        const numerator = this.argument(math, depth).trim();
        const denominator = this.argument(math, depth).trim();
        return `${wrap(numerator)}/${wrap(denominator)}`;
      }
      case 'sqrt': {
        this.skipOptional();
        return `√${wrap(this.argument(math, depth).trim())}`;
      }
      case 'not':
        return '¬';
    }
    if (name in ACCENTS && name.length === 1 && !math && !(name in SYMBOLS)) return this.accent(ACCENTS[name]!, depth);
    if (name in SPACES) return SPACES[name]!;
    // `n\log n` reads "n log n", `(\log n)` reads "(log n)": tidy() puts a space after a letter or digit only.
    if (WORD_OPERATORS.has(name)) return `${SPACE_AFTER_WORD}${name}`;
    if (name in SYMBOLS) {
      // A control word eats the spaces after it; `\ss{}` / `\o{}` end with an empty group.
      if (!math && src.startsWith('{}', this.pos)) this.pos += 2;
      return SYMBOLS[name]!;
    }
    // Style commands (\textbf, \emph, \mathcal, \text, …) and unknown ones alike: the command
    // goes, its braced argument (if any) is read as ordinary text by the caller's loop.
    return '';
  }

  private accent(mark: string, depth: number): string {
    const src = this.src;
    const target = this.peekNonSpace() === '{' ? this.argument(false, depth) : (src[this.pos++] ?? '');
    if (!target) return '';
    // The mark goes after the first character; NFC (in tidy) composes é, ö, ç.
    const [head = '', ...rest] = [...target];
    // `\'{\i}` is the dotless i under the accent: í, not ı́.
    return (head === 'ı' ? 'i' : head) + mark + rest.join('');
  }

  /** One argument: a braced group (parsed) or a single token; '' at the end of the input. */
  private argument(math: boolean, depth: number): string {
    this.skipSpaces();
    const src = this.src;
    const ch = src[this.pos];
    if (ch === undefined) return '';
    if (ch === '{') {
      this.pos++;
      if (depth < MAX_DEPTH) return this.sequence('}', math, depth + 1);
      // Too deep to follow: keep the group's letters, drop its markup.
      const start = this.pos - 1;
      this.pos = start;
      this.skipGroup();
      return src.slice(start, this.pos).replace(/\\[A-Za-z]+|[\\{}$^_]/g, '');
    }
    if (ch === '\\') return this.nestedCommand(math, depth);
    this.pos++;
    return ch;
  }

  private skipSpaces(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  private peekNonSpace(): string | undefined {
    this.skipSpaces();
    return this.src[this.pos];
  }

  /** `[…]` after a command (`\citep[see][p.~3]{key}`, `\sqrt[3]{x}`), skipped. */
  private skipOptional(): void {
    if (this.peekNonSpace() !== '[') return;
    // Only a short bracket is an optional argument; looking no further keeps the scan linear.
    const end = this.src.slice(this.pos, this.pos + OPTIONAL_MAX).indexOf(']');
    if (end !== -1) this.pos += end + 1;
  }

  /** A balanced `{…}` at pos, skipped without interpreting it (an unclosed one runs to the end). */
  private skipGroup(): void {
    const src = this.src;
    let open = 0;
    while (this.pos < src.length) {
      const ch = src[this.pos++];
      if (ch === '\\') this.pos++;
      else if (ch === '{') open++;
      else if (ch === '}' && --open === 0) return;
    }
  }

  /** A `{…}` read verbatim (URLs keep their `~` and `%`). */
  private rawGroup(): string {
    const start = this.pos;
    this.skipGroup();
    const end = this.src[this.pos - 1] === '}' ? this.pos - 1 : this.pos;
    return this.src.slice(start + 1, end);
  }
}

/** `a+b` → `(a+b)` when it would read ambiguously next to a slash or root sign. */
function wrap(text: string): string {
  return /^[\p{L}\p{N}.′]*$/u.test(text) ? text : `(${text})`;
}

/**
 * Whitespace and punctuation left where citations were removed: "models \citep{x}." → "models.",
 * "(\cite{a}; \cite{b})" → "", "Fig.~\ref{f}." → "Fig.". Text elsewhere keeps its own spacing.
 */
function tidy(text: string): string {
  return text
    .normalize('NFC')
    // First, so every rule below sees at most one space and one removed piece in a row: their
    // `\s*`/`[\s\u0000]*` runs then stay short, and the whole pass stays linear in the text.
    .replace(/\s+/g, ' ')
    .replace(/\u0000(?: ?\u0000)+/g, '\u0000')
    .replace(/\(\s*(?:\u0000\s*[,;]?\s*)+\)|\[\s*(?:\u0000\s*[,;]?\s*)+\]/g, '\u0000')
    .replace(/\.\s*\u0000[\s\u0000]*\./g, '.')
    .replace(/\s*\u0000[\s\u0000]*(?=[.,;:!?)\]]|$)/g, '')
    .replace(/\u0000/g, '')
    .replace(/(?<=[\p{L}\p{N}])\u0001/gu, ' ')
    .replace(/\u0001/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
