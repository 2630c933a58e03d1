// A stand-in for src/app/cluster-process.ts in the cluster manager's tests: it appends what the
// manager gave it (cluster id, shards, run id) to CLUSTER_STUB_LOG, then exits 1 at once
// (CLUSTER_STUB_DIES set) or lives until the manager stops it or goes away.
// With CLUSTER_STUB_READY set it reports ready and sends heartbeats as cluster-process.ts does
// (HEARTBEAT_MESSAGE, every PAPERBOY_HEARTBEAT_MS); the first process of the cluster whose id is
// CLUSTER_STUB_HANGS then blocks its event loop for good after 2 heartbeats (a restart does not).
const { appendFileSync, readFileSync } = require('node:fs');
const { messageType } = require('discord-hybrid-sharding');

const cluster = Number(process.env.CLUSTER);
const runId = process.env.PAPERBOY_RUN_ID;
const earlier = (() => {
  try {
    return readFileSync(process.env.CLUSTER_STUB_LOG, 'utf8');
  } catch {
    return '';
  }
})()
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line))
  .filter((start) => start.runId === runId && start.cluster === cluster);
appendFileSync(
  process.env.CLUSTER_STUB_LOG,
  `${JSON.stringify({ pid: process.pid, cluster, shards: process.env.SHARD_LIST.split(',').map(Number), totalShards: Number(process.env.TOTAL_SHARDS), runId, at: Date.now() })}\n`,
);
if (process.env.CLUSTER_STUB_DIES) process.exit(1);
const alive = setInterval(() => {}, 60_000);
const stop = () => {
  clearInterval(alive);
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('disconnect', stop);

if (process.env.CLUSTER_STUB_READY) {
  const hangs = process.env.CLUSTER_STUB_HANGS === String(cluster) && earlier.length === 0;
  let sent = 0;
  process.send({ _type: messageType.CLIENT_READY }); // what ClusterClient#triggerReady sends
  setInterval(() => {
    process.send({ paperboy: 'heartbeat' }, undefined, undefined, () => undefined);
    sent += 1;
    // Blocks the event loop without burning a core: no timer, no IPC and no SIGTERM handler runs again.
    if (hangs && sent === 2) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }, Number(process.env.PAPERBOY_HEARTBEAT_MS));
}
