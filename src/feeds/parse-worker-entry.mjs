// The parse worker's entry. A worker does not inherit the tsx loader the bot runs under, so it
// registers tsx itself before loading the TypeScript worker (bin/paperboy.js does the same).
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
