// A stand-in for src/app/cluster-process.ts in the cluster manager's tests: it appends what the
// manager gave it (cluster id, shards, run id) to CLUSTER_STUB_LOG, then exits 1 at once
// (CLUSTER_STUB_DIES set) or lives until the manager stops it or goes away.
const { appendFileSync } = require('node:fs');

appendFileSync(
  process.env.CLUSTER_STUB_LOG,
  `${JSON.stringify({ pid: process.pid, cluster: Number(process.env.CLUSTER), shards: process.env.SHARD_LIST.split(',').map(Number), totalShards: Number(process.env.TOTAL_SHARDS), runId: process.env.PAPERBOY_RUN_ID, at: Date.now() })}\n`,
);
if (process.env.CLUSTER_STUB_DIES) process.exit(1);
const alive = setInterval(() => {}, 60_000);
const stop = () => {
  clearInterval(alive);
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('disconnect', stop);
