/**
 * `npm run sandbox [-- --port N]`: starts the sandbox (start-sandbox.ts) and prints its URL.
 * Ctrl-C stops the bot (letting the answer in flight finish), the feed and the fake Discord.
 */
import { startSandbox } from './start-sandbox.js';

function portArgument(args: readonly string[]): number | undefined {
  const at = args.indexOf('--port');
  if (at === -1) return undefined;
  const port = Number(args[at + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write('sandbox: --port takes a port number (0 picks a free one)\n');
    process.exit(2);
  }
  return port;
}

const port = portArgument(process.argv.slice(2));
process.stdout.write('Starting the Paperboy sandbox (fake Discord, local Hugging Face feed, the bot)…\n');
const sandbox = await startSandbox(port === undefined ? {} : { port }).catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  if (code === 'EADDRINUSE') process.stderr.write(`sandbox: port ${port ?? 8787} is taken; try npm run sandbox -- --port 0\n`);
  else process.stderr.write(`sandbox: could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
process.stdout.write(`\n  Paperboy sandbox: ${sandbox.url}\n\n  Open it in a browser; Ctrl-C stops it. Bookmarks and topics are kept in data/sandbox.sqlite (delete data/sandbox.* to start over).\n\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void sandbox.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
