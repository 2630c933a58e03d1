import { finalizeMessage, type RenderedMessage } from './limits.js';
import { neutralizeMentions } from './text.js';

/**
 * A short answer, usually ephemeral: an expected user error or a confirmation. `text` and `hint`
 * are the bot's own words (they may use markdown) but can quote user input, so mentions are made
 * inert. Embeds and components are set empty so the notice can also replace a message
 * (`interaction.update`). The caller adds `flags: MessageFlags.Ephemeral` (or `ephemeral(…)`)
 * where it replies: `update`/`editReply` refuse the flag.
 */
export function renderNotice(text: string, hint?: string): RenderedMessage {
  const body = hint ? `${text}\n-# ${hint.replace(/\s*\n\s*/g, ' ')}` : text;
  return finalizeMessage({
    content: neutralizeMentions(body),
    embeds: [],
    components: [],
  });
}

/**
 * `message` with a short note above it, e.g. why an answer asked for in public is shown only to
 * the asker. The note is the bot's own words; mentions are made inert all the same.
 */
export function withNote(message: RenderedMessage, note: string): RenderedMessage {
  return finalizeMessage({ ...message, content: neutralizeMentions(note) });
}

/**
 * The answer to an unexpected failure: a reference id to find the details in the log, never the
 * error's own text. The id is ours, but only [A-Za-z0-9_-] is kept so it cannot break the code span.
 */
export function renderFailure(referenceId: string): RenderedMessage {
  const ref = referenceId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32) || 'unknown';
  return renderNotice(`Something went wrong (ref \`${ref}\`). It has been logged.`);
}
