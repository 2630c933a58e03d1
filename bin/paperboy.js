#!/usr/bin/env node
// The `paperboy` command. tsx compiles the TypeScript sources on the fly, so a fresh clone runs
// `npx paperboy …` with no build step. Registered before the import: static imports would be
// resolved before register() runs.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
await main();
