import { ClusterClient, getInfo } from 'discord-hybrid-sharding';
import { createLogger } from '../logger.js';
import { clusterClaimOwner, clusterHeartbeatMs, HEARTBEAT_ENV, RUN_ID_ENV, sendHeartbeats } from './cluster-manager.js';
import { loadBotConfigOrExit, runUntilStopped } from './process-lifecycle.js';
import { startBot } from './start-bot.js';

/**
 * One cluster: the process src/app/cluster-manager.ts forks. discord-hybrid-sharding hands it its
 * shard ids and the total in the environment (SHARD_LIST, TOTAL_SHARDS, CLUSTER), its run id
 * (PAPERBOY_RUN_ID), and points its REST at the manager's proxy (DISCORD_API_URL). It runs a whole bot on those shards: commands
 * and reactions arrive only for their servers, and its topic schedule posts only for them.
 * It stops on SIGTERM/SIGINT from the manager, and by itself when the manager goes away (its
 * IPC channel closes), so a killed manager leaves no cluster behind. Once ready it sends the
 * manager a heartbeat at the interval in PAPERBOY_HEARTBEAT_MS; one that stops is killed and restarted.
 */
async function main(): Promise<void> {
  const info = getInfo();
  // Set by the manager like getInfo()'s keys: the cluster's process plumbing, not a setting.
  const postClaimOwner = clusterClaimOwner(process.env[RUN_ID_ENV], info.CLUSTER);
  const heartbeatMs = clusterHeartbeatMs(process.env[HEARTBEAT_ENV], info.CLUSTER);
  const config = loadBotConfigOrExit();
  const logger = createLogger(config.logLevel).child({ cluster: info.CLUSTER });
  await runUntilStopped({
    logger,
    start: async () => {
      const bot = await startBot({
        config,
        logger,
        shards: { ids: info.SHARD_LIST, count: info.TOTAL_SHARDS },
        // One name per cluster slot of this manager start (its random run id): the manager runs a
        // slot's next process only after the last one exited, so a restart may take that one's
        // claims over; another deployment has another run id, and its claims still guard.
        postClaimOwner,
      });
      // Tells the manager this cluster is up (its 'ready' event; the spawn queue may wait for it).
      new ClusterClient(bot.client).triggerReady();
      // The manager requires heartbeats from 'ready' on. A send after the manager went away fails
      // into the callback: 'disconnect' below stops this process.
      sendHeartbeats(heartbeatMs, (message) => process.send?.(message, undefined, undefined, () => undefined));
      return bot;
    },
    stopOn: (stop) => process.once('disconnect', () => stop('manager gone')),
  });
}

await main();
