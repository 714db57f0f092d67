// Schemas of the events the hub writes about integrations themselves (status, runs, conflicts,
// webhooks, reports) and of email.sent. Their data is what the hub's own code writes; a change
// there is a new version here.
import type { JsonSchema } from '../readability.ts';
import {
  boolean,
  dateTime,
  eventData,
  integer,
  list,
  number,
  object,
  oneOf,
  orNull,
  text,
  uuid,
} from './jsonSchemaBuilders.ts';

const integrationId = uuid('the integration');
const runId = uuid('the sync run');
const count = (what: string) => integer(what, { minimum: 0 });
const failure = object(
  {
    integrationId,
    kind: text('the failure kind: auth, rate_limited, transient, permanent or config'),
    reason: text('what went wrong, as the source or the hub said it'),
    needsAttention: boolean(
      'true when a person has to act (auth, config, permanent); false while it may heal',
    ),
  },
  ['integrationId', 'kind', 'reason', 'needsAttention'],
);
const recordCounts = object(
  {
    fetched: count('records read from the source'),
    created: count('records new to the hub'),
    updated: count('records changed'),
    unchanged: count('records read but unchanged'),
    deleted: count('records deleted'),
    failed: count('records that could not be mapped'),
  },
  ['fetched', 'created', 'updated', 'unchanged', 'deleted', 'failed'],
);

export const integrationEventSchemas: Record<string, JsonSchema> = {
  'integration.connected': eventData(
    'Integration connected',
    'The integration works again, or was connected through OAuth.',
    object(
      {
        integrationId,
        via: text('how it was connected, e.g. "oauth"'),
        reconnected: boolean('an OAuth connection that replaced a failing one'),
        recovered: boolean('the integration healed by itself after an error'),
        previousError: orNull(text('the error it recovered from')),
      },
      ['integrationId'],
    ),
  ),
  'integration.disconnected': eventData(
    'Integration disconnected',
    'An active integration failed and left the active state; integration.error follows.',
    failure,
  ),
  'integration.error': eventData('Integration error', 'The integration is in error.', failure),
  'integration.sync_started': eventData(
    'Sync started',
    'A sync run began (its first attempt).',
    object(
      {
        integrationId,
        runId,
        trigger: oneOf('what started the run', ['schedule', 'manual', 'webhook', 'recovery']),
        mode: oneOf('full pass or changes only', ['full', 'incremental']),
        entities: list('the entities the run syncs', text('entity')),
      },
      ['integrationId', 'runId', 'trigger', 'mode', 'entities'],
    ),
  ),
  'integration.sync_completed': eventData(
    'Sync completed',
    'A sync run ended.',
    object(
      {
        integrationId,
        runId,
        state: oneOf('how it ended', ['succeeded', 'partial', 'failed']),
        counts: recordCounts,
        durationMs: orNull(integer('run time in milliseconds', { minimum: 0 })),
        error: orNull(text('the first error, when something failed')),
      },
      ['integrationId', 'runId', 'state', 'counts'],
    ),
  ),
  'integration.rate_limited': eventData(
    'Rate limited',
    'The source asked the hub to slow down, or the daily quota is spent (at most one a half-minute).',
    object(
      {
        integrationId,
        retryAfterMs: orNull(number('how long the source asked to wait', { minimum: 0 })),
        quotaSpent: boolean('the daily request quota is used up'),
      },
      ['integrationId', 'retryAfterMs', 'quotaSpent'],
    ),
  ),
  'integration.daily_report': eventData(
    'Daily sync report',
    'One integration’s runs of one day.',
    object(
      {
        integrationId,
        day: text('the calendar day in the report time zone', { format: 'date' }),
        runs: count('runs finished that day'),
        succeeded: count('runs that succeeded'),
        failed: count('runs that failed'),
        successRate: orNull(number('succeeded / runs, null without runs', { minimum: 0, maximum: 1 })),
        records: recordCounts,
        errors: list(
          'errors by message',
          object({ message: text('error'), count: count('how often') }, ['message', 'count']),
        ),
        generatedAt: dateTime('when the report was made'),
      },
      ['integrationId', 'day', 'runs', 'succeeded', 'failed', 'successRate', 'records', 'errors'],
    ),
  ),
  'integration.conflict_detected': eventData(
    'Conflict detected',
    'A record changed both in the hub and at the source; a person decides.',
    object(
      {
        conflictId: uuid('the conflict'),
        entity: text('the integration’s entity'),
        externalId: text('the record id at the source'),
        contested: list('fields changed on both sides', text('field')),
        policy: text('the integration’s conflict policy'),
      },
      ['conflictId', 'entity', 'externalId', 'contested', 'policy'],
    ),
  ),
  'integration.conflict_resolved': eventData(
    'Conflict resolved',
    'A conflict was decided; the record holds the result.',
    object(
      {
        conflictId: uuid('the conflict'),
        winner: oneOf('whose version won', ['hub', 'external', 'merged']),
        record: object({}, [], 'the record as stored after the decision'),
      },
      ['conflictId', 'winner', 'record'],
    ),
  ),
  'integration.webhook_failed': eventData(
    'Webhook failed',
    'An inbound webhook could not be processed after its retries (dead letter).',
    object(
      {
        integrationId,
        webhookId: text('the stored webhook'),
        messageId: text('the sender’s message id'),
        attempts: count('processing attempts'),
        error: text('why it failed'),
      },
      ['integrationId', 'webhookId', 'attempts', 'error'],
    ),
  ),
  'email.sent': eventData(
    'Email sent',
    'An email was sent through an integration’s mail server.',
    object(
      {
        messageId: text('Message-ID'),
        to: list('recipients', text('address')),
        cc: list('copies', text('address')),
        subject: text('subject'),
        attachments: list('attachment file names', text('file name')),
        accepted: list('addresses the server accepted', text('address')),
        rejected: list('addresses the server refused', text('address')),
      },
      ['messageId', 'to', 'subject'],
    ),
  ),
};
