import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Paper } from '../../../src/core/paper.js';
import { parsePaperRecord } from '../../../src/core/parsers/paper-records.js';
import { buildPaperIndex, type PaperIndex } from '../../../src/core/search/paper-index.js';
import { queryWords, tokenize } from '../../../src/core/search/tokenize.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

describe('tokenize on camel-case names', () => {
  it('adds the segments of a camel-case name to the whole: "OmniDocBench" → omnidocbench, omni, doc, bench', () => {
    expect(queryWords('OmniDocBench:').flatMap((w) => w.terms)).toEqual(['omnidocbench', 'omni', 'doc', 'bench']);
    // The index also holds the runs of its pieces (see the name-runs tests below).
    expect(tokenize('OmniDocBench:')).toEqual(['omnidocbench', 'omni', 'doc', 'bench', 'omnidoc', 'docbench']);
    expect(tokenize('FastVLM')).toEqual(['fastvlm', 'fast', 'vlm']);
    expect(tokenize('SignDPO')).toEqual(['signdpo', 'sign', 'dpo']);
    expect(tokenize('BERTScore')).toEqual(['bertscore', 'bert', 'score']);
  });

  it('splits camel case inside a hyphenated name and keeps the digits of a version', () => {
    expect(queryWords('DeepSeek-V3').flatMap((w) => w.terms)).toEqual(['deepseek', 'deep', 'seek', 'v3', 'deepseekv3']);
    expect(tokenize('DeepSeek-V3')).toEqual(['deepseek', 'deep', 'seek', 'v3', 'deepseekv3', 'seekv3']);
  });

  it('leaves acronym-like names, plural acronyms and versions whole in a query: LLaMA, QLoRA, HiFi, LLMs, YOLOv8, iPhone', () => {
    expect(queryWords('LLaMA QLoRA LLMs iPhone').flatMap((w) => w.terms)).toEqual(['llama', 'qlora', 'llm', 'iphone']);
    expect(queryWords('HiFi-SR').flatMap((w) => w.terms)).toEqual(['hifi', 'sr', 'hifisr']);
    expect(tokenize('YOLOv8')).toEqual(['yolov8', 'yolov']);
  });

  it('indexes the runs of a name\'s pieces of three letters or more, never a two-letter piece alone', () => {
    expect(tokenize('MuChoMusic')).toEqual(['muchomusic', 'mucho', 'music', 'cho', 'chomusic']);
    expect(tokenize('UniViTAR')).toEqual(['univitar', 'uni', 'vitar', 'univi', 'tar']);
    expect(tokenize('SHeaP')).toEqual(['sheap', 'shea', 'hea', 'heap']);
    expect(tokenize('NFoV')).toEqual(['nfov', 'nfo', 'fov']);
    expect(tokenize('LLaMA QLoRA LLMs iPhone')).toEqual(['llama', 'lla', 'lama', 'qlora', 'qlo', 'lora', 'llm', 'iphone', 'phone']);
    // Across the parts of a hyphenated name: "seg sam" of BiSeg-SAM, "topia xl" of 3DTopia-XL.
    expect(tokenize('BiSeg-SAM')).toEqual(['biseg', 'sam', 'bisegsam', 'seg', 'segsam']);
    expect(tokenize('3DTopia-XL')).toContain('topiaxl');
  });

  it('adds no runs to words without a capital inside a part: hyphenated phrases, plural acronyms, versions', () => {
    expect(tokenize('state-of-the-art Qwen2.5-VL LLMs YOLOv8')).toEqual(['state', 'art', 'stateoftheart', 'qwen2', 'qwen', 'vl', 'qwen25vl', 'llm', 'yolov8', 'yolov']);
  });

  it('gives a query word typed in camel case the same terms as the title', () => {
    expect(queryWords('BioTamperNet')).toEqual([{ word: 'biotampernet', terms: ['biotampernet', 'bio', 'tamper', 'net'] }]);
  });

  it('splits camel case after folding accents', () => {
    expect(tokenize('ÉquationNet')).toEqual(['equationnet', 'equation', 'net']);
  });
});

function readSample(): Paper[] {
  return readFileSync(sharedPath('corpus', 'papers.sample-2k.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parsePaperRecord(JSON.parse(line)));
}

describeShared('names typed apart, together and inside other names, on the 2k-paper sample', () => {
  let index: PaperIndex;
  beforeAll(async () => {
    const sample = readSample();
    index = await buildPaperIndex(async function* () {
      yield sample;
    });
  });
  const rankOf = (query: string, id: string) => index.search(query, { limit: 10 }).hits.findIndex((h) => h.id === id) + 1;

  it.each([
    ['OmniDocBench', '2412.07626'],
    ['omnidocbench', '2412.07626'],
    ['omni doc bench', '2412.07626'],
    ['omnidoc bench', '2412.07626'],
    ['omni docbench', '2412.07626'],
    ['FastVLM', '2412.13303'],
    ['fastvlm', '2412.13303'],
    ['fast vlm', '2412.13303'],
    ['fast-vlm', '2412.13303'],
    ['human dreamer', '2503.24026'],
    ['cage net', '2505.18772'],
    ['weed net', '2505.18930'],
    ['llama seg', '2505.19422'],
    ['green factory', '2505.09344'],
  ])('given %j, then its paper is first', (query, id) => {
    expect(rankOf(query, id)).toBe(1);
  });

  it.each([
    ['tc bench', '2406.08656'],
    ['tcbench', '2406.08656'],
    ['chronomagic bench', '2406.18522'],
    ['chrono magic bench', '2406.18522'],
    ['rs rag', '2504.04988'],
    ['rsrag', '2504.04988'],
    ['hal nerf', '2504.08901'],
    ['halnerf', '2504.08901'],
    ['vr fusenet', '2504.21464'],
    ['vr fuse net', '2504.21464'],
    ['neusym rag', '2505.19754'],
  ])('given the hyphenated name %j typed apart or together, then its paper is first', (query, id) => {
    expect(rankOf(query, id)).toBe(1);
  });

  it.each([
    ['tailor 3d', '2407.06191'],
    ['tailor3d', '2407.06191'],
    ['dynam 3d', '2505.11383'],
    ['select 2 reason', '2505.17266'],
    ['invert2restore', '2503.21486'],
    ['invert 2 restore', '2503.21486'],
  ])('given %j with the digits attached or apart, then its paper is first', (query, id) => {
    expect(rankOf(query, id)).toBe(1);
  });

  it.each([
    ['dpo sign language', '2604.18034'],
    ['signdpo', '2604.18034'],
    ['sign dpo', '2604.18034'],
    ['doc bench', '2412.07626'],
    ['vlm efficient vision encoding', '2412.13303'],
  ])('given a name inside a name, %j, then the paper is first', (query, id) => {
    expect(rankOf(query, id)).toBe(1);
  });

  it('given "dpo" alone, then SignDPO is among the DPO papers of the first page', () => {
    expect(rankOf('dpo', '2604.18034')).toBeGreaterThan(0);
  });
});
