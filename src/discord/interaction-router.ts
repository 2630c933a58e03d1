import type { Interaction } from 'discord.js';
import { createRateLimiter, INTERACTION_RATE_LIMITS, type InteractionRateLimits } from '../core/rate-limit.js';
import type { Clock } from '../core/search-sessions.js';
import type { BotContext, Command, ComponentHandler } from './bot-context.js';
import { tellPausedAlerts } from './alert-notice.js';
import { answerEphemeral, classifyError } from './interaction-errors.js';
import { renderNotice } from './render/notices.js';

/**
 * Elapsed time for rate limits: monotonic, and separate from ctx.clock, which is the calendar
 * (paper dates, topic windows) and is frozen in tests.
 */
const monotonicClock: Clock = { now: () => performance.now() };

/**
 * The interaction handler: finds the command or component handler, runs it, and does all the
 * catching, logging and timing in one place so handlers stay thin. Returns a promise the bot
 * tracks, so shutdown can let the reply in flight finish.
 *
 * Each user is rate-limited here, before any handler runs (INTERACTION_RATE_LIMITS): one
 * person pressing a button in a loop must not keep the bot busy for everyone else.
 */
export function createInteractionRouter(
  commands: readonly Command[],
  components: readonly ComponentHandler[],
  ctx: BotContext,
  { clock = monotonicClock, limits = INTERACTION_RATE_LIMITS }: { clock?: Clock; limits?: InteractionRateLimits } = {},
) {
  const byName = new Map(commands.map((c) => [c.data.name, c]));
  const byPrefix = new Map(components.map((c) => [c.prefix, c]));
  const limiters = {
    actions: createRateLimiter(limits.actions, clock),
    autocomplete: createRateLimiter(limits.autocomplete, clock),
  } as const;

  return async function route(interaction: Interaction): Promise<void> {
    const started = performance.now();
    const fields = {
      interactionId: interaction.id,
      guildId: interaction.guildId,
      userId: interaction.user.id,
      ...describe(interaction),
    };
    const log = ctx.logger.child(fields);
    try {
      const decision = (interaction.isAutocomplete() ? limiters.autocomplete : limiters.actions).take(interaction.user.id);
      if (!decision.allowed) {
        log.debug({ retryAfterMs: decision.retryAfterMs }, 'rate limited');
        // Autocomplete cannot carry a message: the suggestions just stay empty until tokens return.
        if (interaction.isAutocomplete()) await interaction.respond([]);
        else await answerEphemeral(interaction, renderNotice(`You're going a bit fast — try again in ${Math.ceil(decision.retryAfterMs / 1000)} s.`));
        return;
      }
      if (interaction.isChatInputCommand()) {
        const command = byName.get(interaction.commandName);
        if (!command) {
          await answerEphemeral(interaction, renderNotice('This command is not known to this version of Paperboy.', 'Commands may still be updating; try again in a minute.'));
          return;
        }
        await command.execute(interaction, ctx);
        await tellPausedAlerts(interaction, ctx, log);
      } else if (interaction.isAutocomplete()) {
        const command = byName.get(interaction.commandName);
        if (command?.autocomplete) await command.autocomplete(interaction, ctx);
        else await interaction.respond([]);
      } else if (interaction.isMessageComponent()) {
        const [prefix = '', ...args] = interaction.customId.split(':');
        const handler = byPrefix.get(prefix);
        if (!handler) {
          await answerEphemeral(interaction, renderNotice('This button belongs to an older version of Paperboy.', 'Run the command again.'));
          return;
        }
        await handler.handle(interaction, ctx, args);
        await tellPausedAlerts(interaction, ctx, log);
      }
      log.info({ durationMs: Math.round(performance.now() - started) }, 'interaction done');
    } catch (error) {
      const answer = classifyError(error, interaction, log);
      if (interaction.isAutocomplete()) {
        if (!interaction.responded) await interaction.respond([]).catch(() => undefined);
        return;
      }
      if (answer.payload) {
        await answerEphemeral(interaction, answer.payload).catch((e: unknown) => log.warn({ err: e }, 'could not answer with the error'));
      }
      log.info({ durationMs: Math.round(performance.now() - started), outcome: answer.kind }, 'interaction failed');
    }
  };
}

function describe(interaction: Interaction): Record<string, string> {
  if (interaction.isChatInputCommand() || interaction.isAutocomplete()) {
    const sub = interaction.options.getSubcommand(false);
    return { kind: interaction.isAutocomplete() ? 'autocomplete' : 'command', command: sub ? `${interaction.commandName} ${sub}` : interaction.commandName };
  }
  if (interaction.isMessageComponent()) return { kind: 'component', customId: interaction.customId.split(':').slice(0, 2).join(':') };
  return { kind: String(interaction.type) };
}
