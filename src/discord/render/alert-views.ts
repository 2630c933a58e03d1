import type { Alert, AlertUser } from '../../core/alerts.js';
import { ALERT_LIMITS } from '../../core/alerts.js';
import type { Paper } from '../../core/paper.js';
import { DISCORD_LIMITS, finalizeMessage, type RenderedMessage } from './limits.js';
import { renderNotice } from './notices.js';
import { PAPER_COLOR } from './paper-card.js';
import { listDescription } from './search-results.js';
import { safeText } from './text.js';

/**
 * What personal alerts show: the DM listing an alert's new papers, /alert list, and the notices
 * about paused alerts. A DM lists at most ALERT_LIMITS.perMessage papers, which always fit one
 * embed's description (listDescription would otherwise leave lines out).
 */

export function alertLabel(alert: Alert): string {
  const when = alert.mode === 'daily' ? `daily at ${String(alert.hour ?? 0).padStart(2, '0')}:00` : 'as papers appear';
  return `#${alert.id} · ${alert.query} · ${when}`;
}

/** One DM: "3 new papers for your alert", the query, then a numbered, linked line per paper. */
export function renderAlertMessage(alert: Alert, papers: readonly Paper[], timezone?: string): RenderedMessage {
  const shown = papers.slice(0, ALERT_LIMITS.perMessage);
  const title = `${shown.length} new ${shown.length === 1 ? 'paper' : 'papers'} for your alert #${alert.id}`;
  const header = `Query: **${safeText(alert.query, ALERT_LIMITS.queryMax)}**`;
  const listed = shown.map((p) => ({ id: p.id, title: p.title, ...(p.published ? { published: p.published } : {}), ...(p.upvotes ? { upvotes: p.upvotes } : {}) }));
  const footer = alert.mode === 'daily' ? `Daily digest at ${String(alert.hour ?? 0).padStart(2, '0')}:00 ${timezone ?? 'UTC'} · /alert list to change it` : '/alert list to change or remove it';
  return finalizeMessage({
    embeds: [{ title: safeText(title, DISCORD_LIMITS.embedTitle), description: listDescription(header, listed, 1), color: PAPER_COLOR, footer: { text: footer } }],
    components: [],
  });
}

export function renderAlertList(user: AlertUser | undefined): RenderedMessage {
  const alerts = user?.alerts ?? [];
  if (alerts.length === 0) return renderNotice('You have no alerts.', 'Add one with /alert add query:… — new matching papers come to you by DM.');
  const lines = alerts.map((a) => `• ${safeText(alertLabel(a), 400)}`);
  const zone = `Time zone: ${user?.timezone ?? 'UTC'} (/alert timezone to change it).`;
  const paused = user?.pausedAt !== undefined ? '\n**Paused:** I could not send you a DM. Allow DMs from this server’s members, then run /alert resume.' : '';
  return renderNotice(`**Your alerts (${alerts.length}/${ALERT_LIMITS.perUser})**\n${lines.join('\n')}${paused}`, zone);
}

export function renderAlertsPausedNotice(): RenderedMessage {
  return renderNotice(
    'I paused your alerts: Discord did not let me send you a direct message.',
    'Allow direct messages from members of this server (Privacy Settings), then run /alert resume.',
  );
}

export function renderAlertsResumedDm(): RenderedMessage {
  return renderNotice('Your Paperboy alerts are on again: new matching papers will arrive here.');
}
