import { redactStoreUrl } from '../config.js';
import { EXIT, write, type Command } from './command.js';
import { formatAge, formatBytes, formatCount } from './format.js';

export const statsCommand: Command = {
  args: '',
  summary: 'library size and revision, search index snapshot, store',
  options: {},
  positionals: { min: 0, max: 0 },
  async run(_args, ctx) {
    const service = await ctx.openService();
    const [papers, revision, index] = await Promise.all([
      service.library.count(),
      service.library.revision(),
      service.indexStatus(),
    ]);
    let indexLine: string;
    if (index.problem === 'missing') indexLine = `no snapshot at ${index.file} (built by the next search)`;
    else {
      const saved = index.createdAt ? Date.parse(index.createdAt) : index.modifiedAt?.getTime();
      const age = saved === undefined ? '' : `, saved ${formatAge(Date.now() - saved)}`;
      const file = `snapshot ${index.file}, ${formatBytes(index.bytes ?? 0)}${age}`;
      indexLine = index.problem
        ? `${file}: not usable (${index.problem}); rebuilt by the next search`
        : `${formatCount(index.documents ?? 0)} papers (${file})`;
    }
    const rows: [string, string][] = [
      ['papers', formatCount(papers)],
      ['revision', String(revision)],
      ['index', indexLine],
      ['store', redactStoreUrl(ctx.config().storeUrl)],
    ];
    await write(ctx.io.stdout, rows.map(([k, v]) => `${k.padEnd(10)}${v}\n`).join(''));
    return EXIT.ok;
  },
};
