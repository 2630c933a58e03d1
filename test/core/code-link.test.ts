import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findCodeLink, isCodeUrl } from '../../src/core/code-link.js';
import { normalizePaper, type Paper } from '../../src/core/paper.js';
import { parseArxivAtom } from '../../src/core/parsers/arxiv-atom.js';
import { parseHfDailyPapers } from '../../src/core/parsers/hf-daily-papers.js';
import { parsePaperRecord } from '../../src/core/parsers/paper-records.js';
import { buildPaperIndex } from '../../src/core/search/paper-index.js';
import { describeShared, sharedPath } from '../helpers/shared.js';

describe('findCodeLink', () => {
  it.each([
    ['Code is available at https://github.com/THU-KEG/RM-Bench.', 'https://github.com/THU-KEG/RM-Bench'],
    ['Code: github.com/a/b; data elsewhere.', 'https://github.com/a/b'],
    ['Our code is at \\url{https://github.com/mlvlab/CAF}.', 'https://github.com/mlvlab/CAF'],
    ['repo at https: //github.com/a/b', 'https://github.com/a/b'],
    ['Code: https://gitlab.com/group/project', 'https://gitlab.com/group/project'],
    ['Code at codeberg.org/someone/tool.', 'https://codeberg.org/someone/tool'],
    ['See https://bitbucket.org/team/repo/src/main/', 'https://bitbucket.org/team/repo/src/main/'],
    ['Mirror: https://gitee.com/org/repo', 'https://gitee.com/org/repo'],
    ['Anonymous code: https://anonymous.4open.science/r/MoR-DFC6.', 'https://anonymous.4open.science/r/MoR-DFC6'],
    ['Models at https://huggingface.co/org/m and code at https://github.com/org/m', 'https://github.com/org/m'],
  ])('finds the repository in %j', (text, url) => {
    expect(findCodeLink(text)).toBe(url);
  });

  it.each([
    ['Project page: https://rdd-neurips.github.io.'],
    ['Demo: https://huggingface.co/spaces/a/b'],
    ['Weights: https://huggingface.co/org/model and data https://huggingface.co/datasets/org/d'],
    ['We thank GitHub for hosting https://github.com/.'],
    ['no links at all'],
  ])('finds no code repository in %j', (text) => {
    expect(findCodeLink(text)).toBeUndefined();
  });

  it('tells code hosts from other sites', () => {
    expect(isCodeUrl('https://github.com/openai')).toBe(true);
    expect(isCodeUrl('https://openai.github.io/x')).toBe(false);
    expect(isCodeUrl('ftp://github.com/a/b')).toBe(false);
  });
});

describe('normalizePaper derives the code link', () => {
  const base = { id: '2405.17399', title: 'T', sources: ['arxiv' as const] };

  it('given an arXiv comment naming the repository, links it', () => {
    const paper = normalizePaper({ ...base, comment: 'ICLR 2025. Code: https://github.com/mcleish7/arithmetic' });
    expect(paper.links.code).toBe('https://github.com/mcleish7/arithmetic');
  });

  it('given the repository in the abstract, links it', () => {
    const paper = normalizePaper({ ...base, abstract: 'We study x. Code is available at https://github.com/a/b.' });
    expect(paper.links.code).toBe('https://github.com/a/b');
  });

  it('prefers the comment to the abstract, and the source’s own link to both', () => {
    const text = { comment: 'Code: https://github.com/a/from-comment', abstract: 'See https://github.com/a/from-abstract' };
    expect(normalizePaper({ ...base, ...text }).links.code).toBe('https://github.com/a/from-comment');
    expect(normalizePaper({ ...base, ...text, links: { code: 'https://github.com/a/given' } }).links.code).toBe('https://github.com/a/given');
  });

  it('adds no code key when the text names no repository', () => {
    expect(Object.keys(normalizePaper({ ...base, abstract: 'Project page: https://x.github.io/p' }).links)).toEqual(['arxiv', 'pdf']);
  });
});

function readSample(): Paper[] {
  return readFileSync(sharedPath('corpus', 'papers.sample-2k.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parsePaperRecord(JSON.parse(line)));
}

describeShared('code links on real records', () => {
  it('given the 2k JSONL sample (no link fields), has:code finds every paper whose abstract links a GitHub repository', async () => {
    const sample = readSample();
    const linkingGithub = sample.filter((p) => /github\.com\/[\w.-]/i.test(p.abstract)).map((p) => p.id);
    expect(linkingGithub.length).toBeGreaterThan(200);
    const index = await buildPaperIndex(async function* () {
      yield sample;
    });
    const page = index.search('has:code', { limit: 100 });
    // 221 on GitHub, plus anonymous.4open.science and GitLab repositories.
    expect(page.total).toBeGreaterThanOrEqual(linkingGithub.length);
    expect(page.total).toBeLessThan(240);
    const withCode = new Set(sample.filter((p) => p.links.code).map((p) => p.id));
    for (const id of linkingGithub) expect(withCode.has(id), id).toBe(true);
    expect(index.search('has:code arithmetic embeddings digit').hits.map((h) => h.id)).not.toContain('2405.17399');
    expect(index.search('has:code omnidocbench').hits[0]?.id).toBe('2412.07626');
  });

  it('given a Hugging Face day whose items have no githubRepo, takes the repositories from the abstracts', () => {
    const { papers } = parseHfDailyPapers(readFileSync(sharedPath('fixtures/hf/daily_papers_2024-10-25.json'), 'utf8'));
    const withCode = papers.filter((p) => p.links.code);
    expect(withCode.length).toBeGreaterThanOrEqual(4);
    for (const p of withCode) expect(p.abstract).toContain(p.links.code!.replace(/^https:\/\//, ''));
  });

  it('given a Hugging Face day with githubRepo, keeps that field as the link', () => {
    const text = readFileSync(sharedPath('fixtures/hf/daily_papers_2025-10-02.json'), 'utf8');
    const repos = new Map((JSON.parse(text) as { paper: { id: string; githubRepo?: string } }[]).map((i) => [i.paper.id, i.paper.githubRepo]));
    for (const p of parseHfDailyPapers(text).papers) {
      if (repos.get(p.id)) expect(p.links.code).toBe(repos.get(p.id));
    }
  });

  it('given arXiv API entries that name their repository in the abstract, links it', () => {
    const { papers } = parseArxivAtom(readFileSync(sharedPath('fixtures/arxiv/api_query_newformat_2026-04-05.xml'), 'utf8'));
    expect(Object.fromEntries(papers.filter((p) => p.links.code).map((p) => [p.id, p.links.code]))).toEqual({
      '2201.00978': 'https://github.com/huawei-noah/CV-Backbones/tree/master/tnt_pytorch',
      '2404.05657': 'https://github.com/sihaoevery/lambda_vit',
    });
  });
});
