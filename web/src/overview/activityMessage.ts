// What an integration event says to a person, in a line of Recent Activity.
import type { TFunction } from 'i18next';
import type { HubEvent } from '../api/types.ts';
import { formatNumber } from '../format/relativeTime.ts';

export type Tone = 'success' | 'warning' | 'error' | 'info';

export interface ActivityLine {
  text: string;
  tone: Tone;
}

const integrationSource = /:integrations\/([0-9a-f-]{36})$/;

export function integrationIdOf(event: HubEvent): string | undefined {
  const fromData = event.data.integrationId;
  if (typeof fromData === 'string') return fromData;
  return integrationSource.exec(event.source)?.[1];
}

/** The line for an event, or undefined for events that add nothing a person needs to read. */
export function activityLine(
  event: HubEvent,
  names: ReadonlyMap<string, string>,
  t: TFunction,
  language: string,
): ActivityLine | undefined {
  const data = event.data;
  const id = integrationIdOf(event);
  const name = (id && names.get(id)) || t('activity.unknownIntegration');
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  switch (event.type) {
    case 'integration.sync_completed': {
      const counts = (data.counts ?? {}) as Record<string, number>;
      const changes = (counts.created ?? 0) + (counts.updated ?? 0) + (counts.deleted ?? 0);
      if (data.state === 'failed') {
        return { text: t('activity.syncFailed', { name, error: text(data.error) }), tone: 'error' };
      }
      if (data.state === 'partial') {
        const failed = formatNumber(counts.failed ?? 0, language);
        return { text: t('activity.syncPartial', { name, failed }), tone: 'warning' };
      }
      return changes > 0
        ? {
            text: t('activity.syncCompleted', { name, changes: formatNumber(changes, language) }),
            tone: 'success',
          }
        : { text: t('activity.syncUnchanged', { name }), tone: 'success' };
    }
    case 'integration.error':
      return data.kind === 'auth'
        ? { text: t('activity.authExpired', { name }), tone: 'warning' }
        : { text: t('activity.error', { name, reason: text(data.reason) }), tone: 'error' };
    case 'integration.connected':
      return {
        text: t(data.recovered ? 'activity.recovered' : 'activity.connected', { name }),
        tone: 'success',
      };
    case 'integration.daily_report':
      return { text: t('activity.dailyReport', { name, runs: Number(data.runs ?? 0) }), tone: 'info' };
    case 'integration.webhook_failed':
      return { text: t('activity.webhookFailed', { name, error: text(data.error) }), tone: 'error' };
    case 'integration.rate_limited':
      return { text: t('activity.rateLimited', { name }), tone: 'warning' };
    case 'integration.conflict_detected':
      return {
        text: t('activity.conflictDetected', {
          entity: text(data.entity),
          externalId: text(data.externalId),
        }),
        tone: 'warning',
      };
    case 'integration.conflict_resolved':
      return { text: t('activity.conflictResolved'), tone: 'success' };
    default:
      // sync_started and disconnected are followed by the event that tells the outcome.
      return undefined;
  }
}
