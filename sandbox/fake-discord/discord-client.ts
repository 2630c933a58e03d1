/**
 * The real discord.js client, pointed at a fake Discord, for end-to-end tests.
 *
 * `loginClient` resolves once `clientReady` fired (all GUILD_CREATEs received), so the guild,
 * channel and role caches are filled. `destroyClient` is bounded: after a malformed READY,
 * discord.js' `destroy()` can wait forever on a shard that never became ready.
 */
import { Client, GatewayIntentBits, Partials, type ClientEvents, type ClientOptions } from 'discord.js';
import type { FakeDiscord } from './fake-discord.js';

/** Any string works: discord.js only puts it in the Authorization header and IDENTIFY. */
export const TEST_TOKEN = 'test-token';

export const DEFAULT_TEST_CLIENT_OPTIONS = {
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions],
  // Reactions on messages sent before the client started arrive only with these partials.
  partials: [Partials.Message, Partials.Reaction, Partials.User],
} as const satisfies Partial<ClientOptions>;

export async function loginClient(
  fake: FakeDiscord,
  options: Partial<ClientOptions> = {},
  timeoutMs = 10_000,
): Promise<Client<true>> {
  const client = new Client({
    ...DEFAULT_TEST_CLIENT_OPTIONS,
    ...options,
    rest: { ...options.rest, api: fake.apiUrl },
  });
  const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`discord.js did not become ready within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.all([client.login(TEST_TOKEN), ready]), timeout]);
  } catch (error) {
    await destroyClient(client);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return client as Client<true>;
}

export async function destroyClient(client: Client | undefined, timeoutMs = 3000): Promise<void> {
  if (!client) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.destroy().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}

/** The arguments of the next `event` the client emits, or a rejection after `timeoutMs`. */
export function nextEvent<E extends keyof ClientEvents>(client: Client, event: E, timeoutMs = 5000): Promise<ClientEvents[E]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: ClientEvents[E]): void => {
      clearTimeout(timer);
      resolve(args);
    };
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`discord.js emitted no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    client.once(event, listener);
  });
}
