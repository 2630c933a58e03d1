import { alertMatches, planAlertMessages, type Alert, type AlertDelivery, type AlertRecords, type Alerts, type AlertUser } from '../core/alerts.js';
import type { Clock } from '../core/search-sessions.js';
import type { Candidate } from '../core/topic-posts.js';
import type { Logger } from '../logger.js';

/**
 * Personal alerts, run by the topic runner after its topics with the same recently seen papers:
 * for every member whose alerts are not paused, each alert's DMs (pending ones resent first, then
 * new matches: at once, or in the daily digest when it is due). Talks to Discord only through the
 * AlertDelivery port. A DM Discord refuses with 50007 pauses that member's alerts and leaves a
 * notice for their next command; any other failure leaves the DM pending for the next run.
 */

export type AlertRunReport = { sent: number; papers: number; paused: number };

export type AlertRunnerDeps = {
  alerts: Alerts;
  records: AlertRecords;
  delivery: AlertDelivery;
  clock: Clock;
  logger: Logger;
};

export type AlertRunner = { run(candidates: readonly Candidate[], now: number, signal?: AbortSignal): Promise<AlertRunReport> };

export function createAlertRunner(deps: AlertRunnerDeps): AlertRunner {
  const { alerts, records, delivery, clock } = deps;
  const logger = deps.logger.child({ job: 'alerts' });

  /** Returns false when the member's DMs turned out closed (their alerts are paused now). */
  async function runAlert(user: AlertUser, alert: Alert, candidates: readonly Candidate[], now: number, report: AlertRunReport, signal?: AbortSignal): Promise<boolean> {
    const log = logger.child({ userId: user.userId, alertId: alert.id });
    const matching = alertMatches(alert, candidates);
    const recorded = await records.getMany(
      user.userId,
      alert.id,
      matching.map((c) => c.paper.id),
    );
    const plan = planAlertMessages(user, alert, matching, recorded, now);
    for (const message of plan.messages) {
      if (signal?.aborted) return true;
      const ids = message.papers.map((p) => p.id);
      // Recorded before the send: a crash after Discord accepted the DM resends it with the same nonce.
      // Each write checks, in its transaction, that the member still has the alert: one who removed
      // it or ran /bookmarks forget-me (on another process) meanwhile gets no DM and no record back
      // (a resend writes nothing new: its pending records keep their time, only the check runs).
      const fresh = message.resend ? [] : ids.map((paperId) => ({ paperId, record: { state: 'pending' as const, nonce: message.nonce, at: now } }));
      if (!(await records.setMany(user.userId, alert, fresh))) {
        log.info('alert removed before its DM went out; not sent');
        return true;
      }
      let result;
      try {
        result = await delivery.send(user, alert, message.papers, message.nonce, message.pendingSince);
      } catch (error) {
        log.warn({ papers: ids.length, err: error }, 'alert DM failed; it stays pending for the next run');
        return true;
      }
      if (result.kind === 'closed') {
        await alerts.update(user.userId, (current) => (current && current.pausedAt === undefined ? { ...current, pausedAt: clock.now(), noticePending: true } : undefined));
        log.info('DMs closed: alerts paused until /alert resume');
        report.paused++;
        return false;
      }
      const at = clock.now();
      report.sent++;
      report.papers += ids.length;
      if (!(await records.setMany(user.userId, alert, ids.map((paperId) => ({ paperId, record: { state: 'sent', nonce: message.nonce, at, messageId: result.messageId } }))))) {
        log.info('alert removed while its DM was sent; nothing recorded');
        return true;
      }
    }
    if (plan.digestDay !== undefined) {
      const day = plan.digestDay;
      // Written on the alert as stored now: the member may have removed it or added another meanwhile.
      await alerts.update(user.userId, (current) => {
        if (!current?.alerts.some((a) => a.id === alert.id)) return undefined;
        return { ...current, alerts: current.alerts.map((a) => (a.id === alert.id ? { ...a, lastDigestDay: day } : a)) };
      });
    }
    return true;
  }

  return {
    async run(candidates, now, signal) {
      const report: AlertRunReport = { sent: 0, papers: 0, paused: 0 };
      for await (const users of alerts.all()) {
        for (const user of users) {
          if (signal?.aborted) return report;
          if (user.pausedAt !== undefined) continue;
          try {
            for (const alert of user.alerts) if (!(await runAlert(user, alert, candidates, now, report, signal))) break;
          } catch (error) {
            // A storage failure for one member: their pending DMs retry next run; the others go on.
            logger.error({ userId: user.userId, err: error }, 'alerts of a member failed this run');
          }
        }
      }
      if (report.sent + report.paused > 0) logger.info(report, 'alerts delivered');
      return report;
    },
  };
}
