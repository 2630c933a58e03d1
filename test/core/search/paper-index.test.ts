import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizePaper, type Paper, type PaperInput } from '../../../src/core/paper.js';
import { internals } from '../../../src/core/search/minisearch-internals.js';
import {
  buildPaperIndex,
  createPaperIndex,
  TITLE_FIELD_ID,
  type PaperIndex,
  type SearchHit,
} from '../../../src/core/search/paper-index.js';
import { tokenize } from '../../../src/core/search/tokenize.js';
import { parsePaperRecord } from '../../../src/core/parsers/paper-records.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

function paper(input: Omit<PaperInput, 'sources'> & { code?: string }): Paper {
  const { code, ...rest } = input;
  return normalizePaper({ sources: ['arxiv'], ...rest, links: code ? { code } : {} });
}

// A small library with known overlaps: two preference-optimisation papers, two audio
// super-resolution papers, two diffusion papers, two LoRA papers, two papers by Manning.
const library: Paper[] = [
  paper({
    id: '2405.17399',
    title: 'Transformers Can Do Arithmetic with the Right Embeddings',
    abstract:
      'The poor performance of transformers on arithmetic tasks stems from their inability to keep track of the position of each digit. ' +
      'We add an embedding to each digit that encodes its position relative to the start of the number, and study logical extrapolation.',
    authors: ['Sean McLeish', 'Arpit Bansal', 'Jonas Geiping', 'Avi Schwarzschild', 'Tom Goldstein'],
    published: '2024-05-27',
    categories: ['cs.LG', 'cs.AI'],
    upvotes: 52,
    code: 'https://github.com/mcleish7/arithmetic',
  }),
  paper({
    id: '2501.10045',
    title: 'HiFi-SR: A Unified Generative Transformer-Convolutional Adversarial Network for High-Fidelity Speech Super-Resolution',
    abstract:
      'Speech super-resolution restores high-frequency content of low-resolution audio. ' +
      'We propose a unified adversarial network for high-fidelity speech bandwidth extension.',
    authors: ['Shengkui Zhao', 'Kun Zhou', 'Zexu Pan', 'Bin Ma'],
    published: '2025-01-17',
    categories: ['eess.AS', 'cs.SD'],
    upvotes: 3,
  }),
  paper({
    id: '2309.07314',
    title: 'AudioSR: Versatile Audio Super-Resolution at Scale',
    abstract:
      'Audio super-resolution predicts the high-frequency content of low-resolution audio, for speech, music and sound effects, ' +
      'with latent diffusion and bandwidth extension to 48 kHz.',
    authors: ['Haohe Liu', 'Ke Chen', 'Qiao Tian', 'Wenwu Wang', 'Mark D. Plumbley'],
    published: '2023-09-13',
    categories: ['eess.AS', 'cs.SD'],
    upvotes: 12,
    code: 'https://github.com/haoheliu/versatile_audio_super_resolution',
  }),
  paper({
    id: '2305.18290',
    title: 'Direct Preference Optimization: Your Language Model is Secretly a Reward Model',
    abstract:
      'We fine-tune language models to align with human preferences without reinforcement learning. ' +
      'Direct preference optimization solves the reward maximisation problem with a classification loss on preference pairs.',
    authors: ['Rafael Rafailov', 'Archit Sharma', 'Eric Mitchell', 'Stefano Ermon', 'Christopher D. Manning', 'Chelsea Finn'],
    published: '2023-05-29',
    categories: ['cs.LG', 'cs.AI', 'cs.CL'],
    upvotes: 60,
    code: 'https://github.com/eric-mitchell/direct-preference-optimization',
  }),
  paper({
    id: '2404.19733',
    title: 'Iterative Reasoning Preference Optimization',
    abstract:
      'Iterative preference optimization aligns language models with human preferences. ' +
      'We optimise preference pairs of chain-of-thought reasoning with a modified DPO loss and reinforcement learning.',
    authors: ['Richard Yuanzhe Pang', 'Weizhe Yuan', 'Kyunghyun Cho', 'He He', 'Sainbayar Sukhbaatar', 'Jason Weston'],
    published: '2024-04-30',
    categories: ['cs.CL', 'cs.AI'],
    upvotes: 40,
  }),
  paper({
    id: '2502.13923',
    title: 'Qwen2.5-VL Technical Report',
    abstract: 'A vision-language model with dynamic resolution for images and video, document parsing and agents.',
    authors: ['Shuai Bai', 'Keqin Chen', 'Junyang Lin'],
    published: '2025-02-19',
    categories: ['cs.CV', 'cs.CL'],
    upvotes: 180,
    code: 'https://github.com/QwenLM/Qwen2.5-VL',
  }),
  paper({
    id: '2303.08774',
    title: 'GPT-4 Technical Report',
    abstract: 'A large multimodal model that accepts image and text inputs and produces text outputs.',
    authors: ['OpenAI'],
    published: '2023-03-15',
    categories: ['cs.CL', 'cs.AI'],
    upvotes: 20,
  }),
  paper({
    id: '1706.03762',
    title: 'Attention Is All You Need',
    abstract:
      'The dominant sequence transduction models are based on recurrent networks. ' +
      'We propose the Transformer, based solely on attention, for machine translation of language.',
    authors: ['Ashish Vaswani', 'Noam Shazeer', 'Niki Parmar', 'Jakob Uszkoreit', 'Llion Jones'],
    published: '2017-06-12',
    categories: ['cs.CL', 'cs.LG'],
    upvotes: 100,
  }),
  paper({
    id: '2007.14435',
    title: 'Towards Ecologically Valid Research on Language User Interfaces',
    abstract: 'Language user interfaces are evaluated on benchmarks that lack ecological validity; we list ways to fix that.',
    authors: ['Harm de Vries', 'Dzmitry Bahdanau', 'Christopher Manning'],
    published: '2020-07-28',
    categories: ['cs.CL'],
  }),
  paper({
    id: '2006.11239',
    title: 'Denoising Diffusion Probabilistic Models',
    abstract: 'High quality image synthesis with diffusion probabilistic models, latent variable models inspired by nonequilibrium thermodynamics.',
    authors: ['Jonathan Ho', 'Ajay Jain', 'Pieter Abbeel'],
    published: '2020-06-19',
    categories: ['cs.LG', 'stat.ML'],
    upvotes: 30,
    code: 'https://github.com/hojonathanho/diffusion',
  }),
  paper({
    id: '2112.10752',
    title: 'High-Resolution Image Synthesis with Latent Diffusion Models',
    abstract: 'Diffusion models in the latent space of pretrained autoencoders reach high-resolution image synthesis at a fraction of the compute.',
    authors: ['Robin Rombach', 'Andreas Blattmann', 'Dominik Lorenz', 'Patrick Esser', 'Björn Ommer'],
    published: '2021-12-20',
    categories: ['cs.CV'],
    upvotes: 70,
    code: 'https://github.com/CompVis/latent-diffusion',
  }),
  paper({
    id: '2106.09685',
    title: 'LoRA: Low-Rank Adaptation of Large Language Models',
    abstract: 'We freeze pretrained weights and inject trainable low-rank decomposition matrices, reducing trainable parameters for fine-tuning.',
    authors: ['Edward J. Hu', 'Yelong Shen', 'Phillip Wallis', 'Weizhu Chen'],
    published: '2021-06-17',
    categories: ['cs.CL', 'cs.AI', 'cs.LG'],
    upvotes: 90,
    code: 'https://github.com/microsoft/LoRA',
  }),
  paper({
    id: '2305.14314',
    title: 'QLoRA: Efficient Finetuning of Quantized LLMs',
    abstract: 'We backpropagate through a frozen 4-bit quantized model into low-rank adapters, fine-tuning a 65B model on one GPU.',
    authors: ['Tim Dettmers', 'Artidoro Pagnoni', 'Ari Holtzman', 'Luke Zettlemoyer'],
    published: '2023-05-23',
    categories: ['cs.LG'],
    upvotes: 80,
    code: 'https://github.com/artidoro/qlora',
  }),
  paper({
    id: '2501.12948',
    title: 'DeepSeek-R1: Incentivizing Reasoning Capability in LLMs via Reinforcement Learning',
    abstract: 'Large-scale reinforcement learning without supervised fine-tuning brings out reasoning behaviours in language models.',
    authors: ['DeepSeek-AI'],
    published: '2025-01-22',
    categories: ['cs.CL', 'cs.AI', 'cs.LG'],
    upvotes: 300,
  }),
  paper({
    id: '2406.04321',
    title: 'Spectral Gaps of Random Schrödinger Operators',
    abstract: 'We bound spectral gaps of random Schrödinger operators on lattices.',
    authors: ['Anna Kowalská', 'Jürgen Müller'],
    published: '2024-06-11',
    categories: ['math.SP', 'math-ph'],
  }),
  paper({
    id: '2403.01234',
    title: 'Logical Qubits on a Neutral Atom Processor',
    abstract: 'Error-corrected logical qubits with neutral atoms in optical tweezers.',
    authors: ['Dolev Bluvstein', 'Mikhail Lukin'],
    published: '2024-03-10',
    categories: ['quant-ph', 'cond-mat.quant-gas'],
  }),
  paper({
    id: '2001.08361',
    title: 'Scaling Laws for Neural Language Models',
    abstract: 'Language model loss scales as a power law with model size, dataset size and compute.',
    authors: ['Jared Kaplan', 'Sam McCandlish'],
    categories: [],
  }),
];

const byId = new Map(library.map((p) => [p.id, p]));
const paperOf = (hit: SearchHit): Paper => byId.get(hit.id)!;
const ids = (hits: readonly { id: string }[]) => hits.map((h) => h.id);
const dayOf = (hit: SearchHit) => hit.published ?? '';

function libraryIndex(papers: readonly Paper[] = library): PaperIndex {
  const index = createPaperIndex();
  index.addAll(papers);
  return index;
}

describe('PaperIndex on a hand-written library', () => {
  let index: PaperIndex;
  beforeAll(() => {
    index = libraryIndex();
  });

  it('holds every paper it was given', () => {
    expect(index.size).toBe(library.length);
    expect(index.has('2405.17399')).toBe(true);
    expect(index.has('9999.99999')).toBe(false);
  });

  it('finds a paper by its exact title first', () => {
    for (const p of library) expect(index.search(p.title).hits[0]?.id, p.title).toBe(p.id);
  });

  it('finds a paper by its title in another case and without punctuation', () => {
    expect(index.search('direct preference optimization your language model is secretly a reward model').hits[0]?.id).toBe(
      '2305.18290',
    );
  });

  it('finds a paper by part of its title in shuffled order', () => {
    expect(index.search('embeddings arithmetic transformers').hits[0]?.id).toBe('2405.17399');
    expect(index.search('models probabilistic denoising').hits[0]?.id).toBe('2006.11239');
  });

  it('finds a paper by an author surname and a topic word', () => {
    expect(index.search('McLeish arithmetic').hits[0]?.id).toBe('2405.17399');
    expect(index.search('rombach diffusion').hits[0]?.id).toBe('2112.10752');
  });

  it('finds a paper by an author surname with accents typed or not', () => {
    expect(index.search('ommer').hits[0]?.id).toBe('2112.10752');
    expect(index.search('Müller spectral').hits[0]?.id).toBe('2406.04321');
    expect(index.search('muller spectral').hits[0]?.id).toBe('2406.04321');
  });

  it('finds papers by a word only their abstracts hold', () => {
    // "bandwidth" is in two abstracts and no title.
    expect(new Set(ids(index.search('bandwidth').hits))).toEqual(new Set(['2501.10045', '2309.07314']));
  });

  it('finds "HiFi-SR: …" when typed "hifi sr", "hifisr" or "HiFi-SR"', () => {
    for (const query of ['hifi sr', 'hifisr', 'HiFi-SR', 'hifi-sr speech']) {
      expect(index.search(query).hits[0]?.id, query).toBe('2501.10045');
    }
  });

  it('finds "Qwen2.5-VL" however the name is typed', () => {
    for (const query of ['Qwen2.5-VL', 'qwen2.5 vl', 'qwen25vl', 'qwen vl']) {
      expect(index.search(query).hits[0]?.id, query).toBe('2502.13923');
    }
  });

  it('finds "GPT-4" when typed "gpt4"', () => {
    expect(index.search('gpt4').hits[0]?.id).toBe('2303.08774');
  });

  it.each([
    ['2305.18290', 'a bare id'],
    ['2305.18290v3', 'a versioned id'],
    ['arXiv:2305.18290', 'an arXiv: id'],
    ['https://arxiv.org/abs/2305.18290', 'an arXiv URL'],
    ['https://huggingface.co/papers/2305.18290', 'a Hugging Face URL'],
  ])('returns the paper named by %s (%s) first, even with other words', (named) => {
    const page = index.search(`diffusion models ${named}`);
    expect(page.hits[0]?.id).toBe('2305.18290');
    expect(ids(page.hits)).toContain('2006.11239');
    expect(ids(page.hits).filter((id) => id === '2305.18290')).toHaveLength(1);
  });

  it('returns nothing for the id of a paper it does not hold', () => {
    const page = index.search('2412.99999');
    expect(page.hits).toEqual([]);
    expect(page.total).toBe(0);
  });

  it('returns nothing for an empty query', () => {
    expect(index.search('').hits).toEqual([]);
    expect(index.search('   ').total).toBe(0);
  });

  it('keeps only papers of a category, or of any category of an archive', () => {
    const cl = index.search('language models cat:cs.CL').hits;
    expect(cl.length).toBeGreaterThan(0);
    for (const hit of cl) expect(paperOf(hit).categories).toContain('cs.CL');
    expect(ids(cl)).not.toContain('2305.14314'); // QLoRA is cs.LG only

    const condMat = index.search('cat:cond-mat').hits;
    expect(ids(condMat)).toEqual(['2403.01234']);
  });

  it('does not take cat:cs to mean every category starting with "cs"', () => {
    const extra = paper({ id: '2410.00001', title: 'A Csound Synthesiser', abstract: '', authors: ['X Y'], categories: ['csound'] });
    const local = libraryIndex([...library, extra]);
    expect(ids(local.search('cat:cs').hits)).not.toContain('2410.00001');
  });

  it('keeps only papers published on or after the after: date', () => {
    const hits = index.search('models after:2023-05-29').hits;
    expect(hits.length).toBeGreaterThan(0);
    for (const hit of hits) expect(dayOf(hit) >= '2023-05-29').toBe(true);
    expect(ids(hits)).toContain('2305.18290'); // published that very day
  });

  it('keeps only papers published before the before: date, which is exclusive', () => {
    const hits = index.search('reasoning before:2025-01-22').hits;
    for (const hit of hits) expect(dayOf(hit) < '2025-01-22' && dayOf(hit) !== '').toBe(true);
    expect(ids(hits)).toContain('2404.19733');
    expect(ids(hits)).not.toContain('2501.12948'); // published on 2025-01-22
  });

  it('leaves out papers without a date when a date filter is given', () => {
    expect(ids(index.search('scaling laws').hits)).toContain('2001.08361');
    expect(ids(index.search('scaling laws before:2030').hits)).not.toContain('2001.08361');
    expect(ids(index.search('scaling laws after:2000').hits)).not.toContain('2001.08361');
  });

  it('keeps only papers of that year with year:', () => {
    const hits = index.search('year:2025').hits;
    expect(new Set(ids(hits))).toEqual(new Set(['2501.10045', '2502.13923', '2501.12948']));
  });

  it('keeps only papers linking code with has:code', () => {
    const hits = index.search('language models has:code').hits;
    expect(hits.length).toBeGreaterThan(0);
    for (const hit of hits) expect(paperOf(hit).links.code).toBeDefined();
    expect(ids(hits)).not.toContain('2001.08361');
  });

  it('drops a named paper that fails the filters', () => {
    expect(ids(index.search('2305.18290 diffusion cat:cs.CV').hits)).not.toContain('2305.18290');
  });

  it('lists every paper passing the filters, newest first, when the query is filters alone', () => {
    const page = index.search('cat:cs.CL', { limit: 100 });
    const expected = library.filter((p) => p.categories.includes('cs.CL'));
    expect(page.total).toBe(expected.length);
    expect(new Set(ids(page.hits))).toEqual(new Set(expected.map((p) => p.id)));
    const days = page.hits.map(dayOf);
    expect(days).toEqual([...days].sort().reverse());
  });

  it('keeps only papers by that author with author:', () => {
    expect(new Set(ids(index.search('author:manning').hits))).toEqual(new Set(['2305.18290', '2007.14435']));
    const ranked = index.search('author:manning preference').hits;
    expect(ranked[0]?.id).toBe('2305.18290');
    for (const hit of ranked) expect(paperOf(hit).authors.some((a) => a.endsWith('Manning'))).toBe(true);
    // Free words rank the author's papers; they do not bring in other authors' papers.
    expect(ids(index.search('author:vaswani diffusion').hits)).toEqual(['1706.03762']);
  });

  it('matches an author: surname only against authors, not titles', () => {
    // "Language" is in titles; nobody is called Language.
    expect(index.search('author:language').hits).toEqual([]);
  });

  // The index keeps only each author's last name ("Harm de Vries" → "vries"), but
  // author:"de vries" requires "de" as well, so the documented example finds nothing.
  it('finds "Harm de Vries" with author:"de vries"', () => {
    expect(ids(index.search('author:"de vries"').hits)).toEqual(['2007.14435']);
  });

  // "He" is a stopword, so the surname of "He He" is never indexed and author:he is
  // rejected as having "no name in it". 5,730 papers of the 122,860-paper corpus have an
  // author whose last name is a stopword (He 4,462 authors, An 599, You 542, Do 166, …).
  it('finds papers by an author whose surname is a stopword (He He) with author:he', () => {
    expect(ids(index.search('author:he').hits)).toEqual(['2404.19733']);
  });

  it('requires every word of a quoted phrase', () => {
    const free = ids(index.search('reward learning').hits);
    const quoted = index.search('"reward learning"').hits;
    expect(quoted.length).toBeGreaterThan(0);
    expect(quoted.length).toBeLessThan(free.length);
    for (const hit of quoted) {
      const p = paperOf(hit);
      const terms = new Set(tokenize([p.title, p.abstract, p.keywords.join(' ')].join(' ')));
      expect(terms.has('reward') && terms.has('learning'), p.title).toBe(true);
    }
  });

  it('orders the relevant hits newest first with sort: newest', () => {
    const hits = index.search('preference optimization', { sort: 'newest' }).hits;
    expect(new Set(ids(hits))).toEqual(new Set(['2305.18290', '2404.19733']));
    expect(ids(hits)).toEqual(['2404.19733', '2305.18290']);
  });

  it('orders the relevant hits by upvotes with sort: upvotes', () => {
    const hits = index.search('diffusion models', { sort: 'upvotes' }).hits;
    expect(ids(hits).slice(0, 2)).toEqual(['2112.10752', '2006.11239']);
    const upvotes = hits.map((h) => h.upvotes ?? 0);
    expect(upvotes).toEqual([...upvotes].sort((a, b) => b - a));
  });

  it('keeps a named paper first whatever the sort', () => {
    expect(index.search('2303.08774 reasoning', { sort: 'newest' }).hits[0]?.id).toBe('2303.08774');
    expect(index.search('2303.08774 reasoning', { sort: 'upvotes' }).hits[0]?.id).toBe('2303.08774');
  });

  it('reports a hit with its title, date and upvotes', () => {
    const hit = index.search('Attention Is All You Need').hits[0]!;
    expect(hit).toMatchObject({ id: '1706.03762', title: 'Attention Is All You Need', published: '2017-06-12', upvotes: 100 });
    expect(hit.score).toBeGreaterThan(0);
  });

  it('echoes the parsed query', () => {
    expect(index.search('author:ho diffusion').query.authors).toEqual([['ho']]);
  });

  it('suggests titles completing the last word as a prefix: "direct pref" → DPO', () => {
    const suggestions = index.suggest('direct pref');
    expect(suggestions[0]).toEqual({
      id: '2305.18290',
      title: 'Direct Preference Optimization: Your Language Model is Secretly a Reward Model',
    });
    for (const s of suggestions) expect(Object.keys(s).sort()).toEqual(['id', 'title']);
  });

  it('suggests by a prefix of a single word', () => {
    expect(ids(index.suggest('schrö'))).toEqual(['2406.04321']);
    expect(ids(index.suggest('qlor'))[0]).toBe('2305.14314');
  });

  it.each(['after:20', 'year:20', 'has:co', 'cat:cs.', 'author:', 'author:"de', 'before:2024-1', '"unclosed phrase', ':', '""'])(
    'never throws on the half-typed query %s',
    (typed) => {
      expect(() => index.suggest(typed)).not.toThrow();
      expect(index.suggest(typed).length).toBeLessThanOrEqual(25);
    },
  );

  it('suggests nothing for blank input', () => {
    expect(index.suggest('')).toEqual([]);
    expect(index.suggest('   ')).toEqual([]);
  });

  it('finds papers like a paper, leaving that paper out', () => {
    const dpo = byId.get('2305.18290')!;
    const similar = index.similar(dpo, 5);
    expect(ids(similar)).not.toContain(dpo.id);
    expect(similar[0]?.id).toBe('2404.19733');
    expect(similar.length).toBeLessThanOrEqual(5);

    const hifi = byId.get('2501.10045')!;
    expect(index.similar(hifi)[0]?.id).toBe('2309.07314');
  });

  it('finds papers like a paper it does not hold yet', () => {
    const fresh = paper({
      id: '2410.05555',
      title: 'Latent Diffusion for Speech Super-Resolution',
      abstract: 'Diffusion in the latent space restores high-frequency speech content.',
      authors: ['A B'],
      categories: ['eess.AS'],
    });
    const similar = ids(index.similar(fresh, 3));
    expect(similar).not.toContain(fresh.id);
    expect(similar).toEqual(expect.arrayContaining(['2309.07314']));
  });

  it('summarises a paper it holds, and nothing for one it does not', () => {
    expect(index.summary('2405.17399')).toEqual({
      id: '2405.17399',
      title: 'Transformers Can Do Arithmetic with the Right Embeddings',
      score: 0,
      published: '2024-05-27',
      upvotes: 52,
    });
    expect(index.summary('2001.08361')).toEqual({ id: '2001.08361', title: 'Scaling Laws for Neural Language Models', score: 0 });
    expect(index.summary('9999.99999')).toBeUndefined();
  });

  it('uses the title as field 0 of MiniSearch, as TITLE_FIELD_ID says', () => {
    expect(internals(index.miniSearch)._fieldIds).toEqual({ title: 0, abstract: 1, authors: 2, categories: 3, keywords: 4 });
    expect(TITLE_FIELD_ID).toBe(0);
  });
});

describe('PaperIndex paging', () => {
  const many: Paper[] = Array.from({ length: 45 }, (_, i) =>
    paper({
      id: `2501.${String(10_000 + i)}`,
      title: `Graph Neural Networks for Task ${i + 1}`,
      abstract: '',
      authors: ['Ada Lovelace'],
      published: `2025-01-${String((i % 28) + 1).padStart(2, '0')}`,
      categories: ['cs.LG'],
      upvotes: i,
    }),
  );
  const index = libraryIndex(many);

  it('gives disjoint pages with a stable total', () => {
    const pages = [0, 10, 20, 30, 40].map((offset) => index.search('graph neural networks', { offset, limit: 10 }));
    for (const page of pages) expect(page.total).toBe(45);
    const seen = pages.flatMap((p) => ids(p.hits));
    expect(seen).toHaveLength(45);
    expect(new Set(seen).size).toBe(45);
    expect(pages.at(-1)!.hits).toHaveLength(5);
  });

  it('pages through the same order as one long page', () => {
    const long = ids(index.search('graph networks', { limit: 30 }).hits);
    const paged = [0, 10, 20].flatMap((offset) => ids(index.search('graph networks', { offset, limit: 10 }).hits));
    expect(paged).toEqual(long);
  });

  it('pages through filter-only results', () => {
    const first = ids(index.search('cat:cs.LG', { limit: 20 }).hits);
    const second = ids(index.search('cat:cs.LG', { offset: 20, limit: 20 }).hits);
    expect(first).toHaveLength(20);
    expect(second).toHaveLength(20);
    expect(first.filter((id) => second.includes(id))).toEqual([]);
  });

  it('keeps limit between 1 and 100', () => {
    expect(index.search('graph', { limit: 0 }).hits).toHaveLength(1);
    expect(index.search('cat:cs.LG', { limit: 1000 }).hits).toHaveLength(45);
    expect(index.search('graph', { offset: -5, limit: 3 }).hits).toHaveLength(3);
  });

  it('caps suggestions at 25', () => {
    expect(index.suggest('graph')).toHaveLength(25);
    expect(index.suggest('graph', 100)).toHaveLength(25);
    expect(index.suggest('graph', 5)).toHaveLength(5);
  });
});

describe('PaperIndex updates', () => {
  const zebra = paper({
    id: '2411.00042',
    title: 'Zebra Stripes Confuse Biting Flies',
    abstract: '',
    authors: ['Tim Caro'],
    published: '2024-11-01',
    categories: ['q-bio.PE'],
  });

  it('replaces a paper added again with a changed title', () => {
    const index = libraryIndex([...library, zebra]);
    index.addAll([{ ...zebra, title: 'Penguin Huddles in Antarctic Winters' }]);

    expect(index.size).toBe(library.length + 1);
    expect(index.search('zebra stripes').hits).toEqual([]);
    expect(index.search('Zebra Stripes Confuse Biting Flies').total).toBe(0);
    expect(ids(index.search('penguin huddles').hits)).toEqual(['2411.00042']);
    expect(index.summary('2411.00042')?.title).toBe('Penguin Huddles in Antarctic Winters');
  });

  it('keeps one copy of a paper replaced many times', () => {
    const index = libraryIndex([zebra]);
    for (let i = 0; i < 5; i++) index.addAll([{ ...zebra, upvotes: i + 1 }]);
    expect(index.size).toBe(1);
    const page = index.search('zebra');
    expect(page.total).toBe(1);
    expect(page.hits).toMatchObject([{ id: '2411.00042', upvotes: 5 }]);
  });

  it('keeps the later record when one batch holds a paper twice', () => {
    const index = createPaperIndex();
    index.addAll([zebra, { ...zebra, title: 'Zebra Stripes Deter Horseflies' }]);
    expect(index.size).toBe(1);
    expect(index.summary(zebra.id)?.title).toBe('Zebra Stripes Deter Horseflies');
  });

  it('removes papers by id, and ignores ids it does not hold', () => {
    const index = libraryIndex([...library, zebra]);
    index.remove(['2411.00042', '2006.11239', '9999.99999']);

    expect(index.size).toBe(library.length - 1);
    expect(index.has('2411.00042')).toBe(false);
    expect(index.summary('2006.11239')).toBeUndefined();
    expect(index.search('zebra').hits).toEqual([]);
    expect(ids(index.search('Denoising Diffusion Probabilistic Models').hits)).not.toContain('2006.11239');
    expect(ids(index.search('2006.11239').hits)).toEqual([]);
    expect(ids(index.search('cat:stat.ML').hits)).toEqual([]);
  });

  it('finds a removed paper again once it is added back', () => {
    const index = libraryIndex();
    index.remove(['1706.03762']);
    index.addAll([byId.get('1706.03762')!]);
    expect(index.search('Attention Is All You Need').hits[0]?.id).toBe('1706.03762');
    expect(index.size).toBe(library.length);
  });

  it('finds papers added in a later batch', () => {
    const index = libraryIndex(library.slice(0, 8));
    index.addAll(library.slice(8));
    expect(index.size).toBe(library.length);
    for (const p of library) expect(index.search(p.title).hits[0]?.id, p.title).toBe(p.id);
  });
});

describe('buildPaperIndex', () => {
  it('builds the same answers as createPaperIndex + addAll, reporting both passes', async () => {
    const progress: string[] = [];
    const index = await buildPaperIndex(
      async function* () {
        yield library.slice(0, 10);
        yield library.slice(10);
      },
      (done, pass) => progress.push(`${pass} ${done}`),
    );
    expect(index.size).toBe(library.length);
    expect(progress).toEqual(['count 10', `count ${library.length}`, 'index 10', `index ${library.length}`]);
    for (const p of library) expect(index.search(p.title).hits[0]?.id, p.title).toBe(p.id);
    expect(ids(index.search('bandwidth').hits).sort()).toEqual(['2309.07314', '2501.10045']);
  });

  it('builds an empty index from no papers', async () => {
    const index = await buildPaperIndex(async function* () {});
    expect(index.size).toBe(0);
    expect(index.search('anything').hits).toEqual([]);
    expect(index.suggest('any')).toEqual([]);
  });
});

function readSample(): Paper[] {
  return readFileSync(sharedPath('corpus', 'papers.sample-2k.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parsePaperRecord(JSON.parse(line)));
}

describeShared('PaperIndex on the 2k-paper corpus sample', () => {
  let sample: Paper[];
  let sampleById: Map<string, Paper>;
  let index: PaperIndex;
  beforeAll(async () => {
    sample = readSample();
    sampleById = new Map(sample.map((p) => [p.id, p]));
    index = await buildPaperIndex(async function* () {
      yield sample;
    });
  });
  const sampleOf = (hit: SearchHit) => sampleById.get(hit.id)!;

  it('finds at least 98% of 200 papers at rank 1 by their exact title', () => {
    let first = 0;
    for (let i = 0; i < sample.length; i += 10) {
      const p = sample[i]!;
      if (index.search(p.title, { limit: 1 }).hits[0]?.id === p.id) first++;
    }
    expect(first / 200).toBeGreaterThanOrEqual(0.98);
  });

  it('finds a title with typos in several words in the top 3', () => {
    const hits = index.search('Transfromers Cna Do Arithmetci with the Rigth Embedings', { limit: 3 }).hits;
    expect(ids(hits)).toContain('2405.17399');
  });

  it('finds most titles with a typo in every long word in the top 3', () => {
    // Swap two inner letters of every word of 6+ letters: "embeddings" → "embdedings".
    const typo = (title: string) => title.replace(/\p{L}{6,}/gu, (w) => w.slice(0, 3) + w[4] + w[3] + w.slice(5));
    let found = 0;
    let tried = 0;
    for (let i = 5; i < sample.length; i += 40) {
      const p = sample[i]!;
      if (typo(p.title) === p.title) continue;
      tried++;
      if (ids(index.search(typo(p.title), { limit: 3 }).hits).includes(p.id)) found++;
    }
    expect(tried).toBeGreaterThan(40);
    expect(found / tried).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps every hit inside cat:, after: and before:', () => {
    const hits = index.search('language models cat:cs.CL after:2025-06 before:2026-01-01', { limit: 100 }).hits;
    expect(hits.length).toBeGreaterThan(10);
    for (const hit of hits) {
      expect(sampleOf(hit).categories.map((c) => c.toLowerCase())).toContain('cs.cl');
      expect(dayOf(hit) >= '2025-06-01' && dayOf(hit) < '2026-01-01').toBe(true);
    }
  });

  it('keeps every hit inside year:, and misses none of that year that the words match', () => {
    const page = index.search('quantum year:2025', { limit: 100 });
    expect(page.hits.length).toBeGreaterThan(0);
    for (const hit of page.hits) expect(hit.published?.startsWith('2025-')).toBe(true);
    const unfiltered = index.search('quantum', { limit: 100 }).hits.filter((h) => h.published?.startsWith('2025-'));
    expect(ids(page.hits)).toEqual(expect.arrayContaining(ids(unfiltered)));
  });

  it('lists a whole archive newest first for cat: alone', () => {
    const page = index.search('cat:cond-mat', { limit: 100 });
    const expected = sample.filter((p) => p.categories.some((c) => c.startsWith('cond-mat.')));
    expect(page.total).toBe(expected.length);
    const days = page.hits.map(dayOf);
    expect(days).toEqual([...days].sort().reverse());
  });

  it('orders relevant hits newest first with sort: newest', () => {
    const hits = index.search('sign language', { sort: 'newest' }).hits;
    expect(hits.length).toBeGreaterThan(2);
    const days = hits.map(dayOf);
    expect(days).toEqual([...days].sort().reverse());
    // Whole abstracts are indexed: a paper about sign language whose title does not say so is relevant too.
    for (const hit of hits) expect(tokenize(`${hit.title} ${sampleOf(hit).abstract}`)).toEqual(expect.arrayContaining(['sign']));
  });

  it('gives disjoint pages with a stable total', () => {
    const pages = [0, 10, 20].map((offset) => index.search('language model', { offset, limit: 10 }));
    const all = pages.flatMap((p) => ids(p.hits));
    expect(new Set(all).size).toBe(30);
    expect(new Set(pages.map((p) => p.total)).size).toBe(1);
    expect(all).toEqual(ids(index.search('language model', { limit: 30 }).hits));
  });

  it('suggests at most 25 titles, the DPO paper first for "direct pref"', () => {
    const suggestions = index.suggest('direct pref');
    expect(suggestions.length).toBeLessThanOrEqual(25);
    expect(suggestions[0]?.title).toMatch(/Direct Preference Optimi[sz]ation/);
    expect(index.suggest('lan')).toHaveLength(25);
  });

  it('finds papers like a paper, sharing its topic', () => {
    const arithmetic = sampleById.get('2405.17399')!;
    const similar = index.similar(arithmetic, 5);
    expect(ids(similar)).not.toContain(arithmetic.id);
    expect(similar).toHaveLength(5);
    const topic = ['arithmetic', 'embedding', 'digit', 'number', 'transformer'];
    const related = similar.filter((h) => {
      const p = sampleOf(h);
      const terms = new Set(tokenize(`${p.title} ${p.abstract}`));
      return topic.some((t) => terms.has(t));
    });
    expect(related).toHaveLength(5);
  });
});

describe('autocomplete of a title whose last word is still being typed', () => {
  it('given 13 commoner "com…" words in other titles and rivals holding every other word, then "PanoPlane: Plane-Aware Panoramic Com" suggests PanoPlane first', () => {
    const paper = (id: string, title: string) =>
      normalizePaper({ id, title, abstract: 'We study scenes.', authors: ['A B'], categories: ['cs.CV'], sources: ['arxiv'] });
    // "com" completes to the dozen commonest title words starting with it; "Completion" is not one.
    const common = ['computing', 'compare', 'complex', 'common', 'combined', 'compact', 'compound', 'comment', 'commerce', 'comfort', 'compass', 'comedy', 'compile'];
    const fillers = common.flatMap((word, k) => [0, 1, 2].map((j) => paper(`2601.${String(k * 3 + j).padStart(5, '0')}`, `Notes on ${word} ${j}`)));
    // Rivals hold a piece of every word typed, the last one by a completion.
    const rivals = [0, 1, 2].map((j) => paper(`2602.${String(j).padStart(5, '0')}`, `Pano Plane-Aware Panoramic Computing ${j}`));
    const target = paper('2605.14135', 'PanoPlane: Plane-Aware Panoramic Completion for Sparse-View Indoor 3D Gaussian Splatting');
    // "com" is also a word of its own somewhere (as in the corpus), so the typed "com" is a known word.
    const dotCom = paper('2603.00001', 'Lessons of the dot com era');
    const index = createPaperIndex();
    index.addAll([...fillers, ...rivals, dotCom, target]);
    expect(index.suggest('PanoPlane: Plane-Aware Panoramic Com')[0]?.id).toBe('2605.14135');
  });
});

describe('autocomplete of the start of a long title among many short ones holding its words', () => {
  it('given 150 short titles with "Governance" and one long title starting "From Governance", then "From Gover" suggests the long one first', () => {
    // BM25 ranks the long title below the 150 short ones for "governance", so it was not among
    // the 100 candidates; titles that start with what has been typed are now looked up by their letters.
    const paper = (id: string, title: string) =>
      normalizePaper({ id, title, abstract: 'On rules.', authors: ['A B'], categories: ['cs.CY'], sources: ['arxiv'] });
    const crowd = Array.from({ length: 150 }, (_, i) => paper(`2601.${String(i).padStart(5, '0')}`, `Governance ${i}`));
    const target = paper(
      '2604.05229',
      'From Governance Norms to Enforceable Controls: A Layered Translation Method for Runtime Guardrails in Agentic Systems',
    );
    const index = createPaperIndex();
    index.addAll([...crowd, target]);
    expect(index.suggest('From Gover')[0]?.id).toBe('2604.05229');
    expect(index.suggest('from governance no')[0]?.id).toBe('2604.05229');
    // Under a filter the paper does not pass, it is not suggested.
    expect(index.suggest('From Gover cat:cs.CV')).toEqual([]);
  });
});

describe('review: a misspelt last word and a typed space', () => {
  const paper = (id: string, title: string, abstract: string) =>
    normalizePaper({ id, title, abstract, authors: ['A B'], categories: ['cs.LG'], sources: ['arxiv'] });

  it('given a search whose last word is misspelt, then the paper whose title holds it misspelt still comes before papers holding only the other words', () => {
    const target = paper('2501.00001', 'Sparse Graph Thresholding Networks', 'We threshold sparse graphs with networks.');
    const decoys = ['for proteins', 'of molecules', 'in vision', 'with priors', 'at scale', 'under noise'].map((tail, i) =>
      paper(`2501.0010${i}`, `Sparse graph learning ${tail}`, 'Sparse graph learning with neural networks.'),
    );
    const index = createPaperIndex();
    index.addAll([target, ...decoys]);
    expect(index.search('sparse graph learning networks thresholdng').hits[0]?.id).toBe('2501.00001');
    expect(index.suggest('sparse graph learning networks thresholdng')[0]?.id).toBe('2501.00001');
  });

  it('given "Towards a " with a space typed, then titles starting with the word "a" come before "Towards Accurate…"', () => {
    const titles = ['Towards Accurate Emotion Captions', 'Towards Actionable Feedback', 'Towards a Unified Foundation Model', 'Towards a Personal Health Model'];
    const index = createPaperIndex();
    index.addAll(titles.map((title, i) => paper(`2502.0000${i}`, title, 'Towards better models.')));
    const after = index.suggest('Towards a ').slice(0, 2).map((h) => h.title);
    expect(after.sort()).toEqual(['Towards a Personal Health Model', 'Towards a Unified Foundation Model']);
    // Without the space the word may still grow: "Towards Accurate…" starts with "towards a" too.
    expect(index.suggest('Towards Accur')[0]?.title).toBe('Towards Accurate Emotion Captions');
  });
});
