// Subscriptions as the API sees them: create (an HTTP subscriber's signing secret is shown once),
// read, change (re-enable), delete, the delivery log, replays from a time or an event id, and
// dead letters replayed.
import { randomUUID } from 'node:crypto';
import type { Principal } from '../../access/principal.ts';
import { recordAudit } from '../../audit/recordAudit.ts';
import { type Pool, withTransaction } from '../../db/pool.ts';
import { HubError, notFound } from '../../errors.ts';
import type { OutboundNetwork } from '../../network/outboundNetwork.ts';
import { outboundTargets, refusedTargets } from '../../network/outboundTargets.ts';
import type { Vault } from '../../vault/vault.ts';
import { countDeliveries, listDeliveries, replayDeadLetters, replayFrom } from '../relay/deliveriesTable.ts';
import { newSigningSecret, subscriptionSecretAad } from './subscriptionSecret.ts';
import {
  deleteSubscription,
  findSubscription,
  insertSubscription,
  listSubscriptions,
  type SubscriptionChanges,
  type SubscriptionKind,
  type SubscriptionRow,
  updateSubscription,
} from './subscriptionsTable.ts';

/** Standard Webhooks' suggested schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const standardRetrySchedule = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];
/** An endpoint failing without a single success for five days is disabled. */
const DEFAULT_DISABLE_AFTER_SECONDS = 5 * 24 * 3600;

export interface NewSubscriptionInput {
  name: string;
  kind: SubscriptionKind;
  types: string[];
  url?: string | undefined;
  natsSubject?: string | undefined;
  handler?: string | undefined;
  retrySchedule?: number[] | undefined;
  disableAfterSeconds?: number | undefined;
  batchSize?: number | undefined;
}

export interface SubscriptionServiceDependencies {
  pool: Pool;
  vault: Vault;
  natsEnabled: boolean;
  network: OutboundNetwork;
}

export class SubscriptionService {
  readonly #deps: SubscriptionServiceDependencies;

  constructor(deps: SubscriptionServiceDependencies) {
    this.#deps = deps;
  }

  async create(input: NewSubscriptionInput, actor: Principal, traceId: string) {
    const missing =
      input.kind === 'http' && !input.url
        ? 'url'
        : input.kind === 'nats' && !input.natsSubject
          ? 'natsSubject'
          : input.kind === 'in-process' && !input.handler
            ? 'handler'
            : undefined;
    if (missing) {
      throw new HubError('validation', 'VALIDATION_FAILED', `${missing}: required for kind "${input.kind}"`, {
        fields: [{ field: missing, message: `required for kind "${input.kind}"` }],
      });
    }
    if (input.kind === 'nats' && !this.#deps.natsEnabled) {
      throw new HubError('config', 'NATS_NOT_CONFIGURED', 'kind: "nats" needs NATS_URL set on the hub', {
        fields: [{ field: 'kind', message: 'NATS_URL is not set on this hub' }],
      });
    }
    checkBatchSize(input.kind, input.batchSize);
    await this.#checkUrl(input.url);
    const id = randomUUID();
    const secret = input.kind === 'http' ? newSigningSecret() : undefined;
    const row = await withTransaction(this.#deps.pool, async (tx) => {
      const sealed = secret ? await this.#deps.vault.seal(tx, secret, subscriptionSecretAad(id)) : undefined;
      const created = await insertSubscription(tx, {
        id,
        name: input.name,
        kind: input.kind,
        types: input.types,
        url: input.url,
        natsSubject: input.natsSubject,
        handler: input.handler,
        secret: sealed,
        retrySchedule: input.retrySchedule ?? standardRetrySchedule,
        disableAfterSeconds: input.disableAfterSeconds ?? DEFAULT_DISABLE_AFTER_SECONDS,
        batchSize: input.batchSize ?? 1,
        createdBy: actor.id,
      });
      await recordAudit(tx, actor, {
        action: 'subscription.created',
        targetType: 'subscription',
        targetId: id,
        changes: { name: input.name, kind: input.kind, types: input.types, url: input.url ?? null },
        traceId,
      });
      return created;
    });
    // The secret is shown this once; reads never carry it.
    return { ...view(row), ...(secret ? { secret } : {}) };
  }

  async list() {
    const rows = await listSubscriptions(this.#deps.pool);
    return rows.map(view);
  }

  async get(id: string) {
    const row = await this.#find(id);
    return { ...view(row), deliveries: await countDeliveries(this.#deps.pool, id) };
  }

  async update(id: string, changes: SubscriptionChanges, actor: Principal, traceId: string) {
    if (changes.batchSize !== undefined) checkBatchSize((await this.#find(id)).kind, changes.batchSize);
    await this.#checkUrl(changes.url);
    return withTransaction(this.#deps.pool, async (tx) => {
      const row = await updateSubscription(tx, id, changes);
      if (!row) throw notFound('subscription', id);
      await recordAudit(tx, actor, {
        action: 'subscription.updated',
        targetType: 'subscription',
        targetId: id,
        changes: { ...changes },
        traceId,
      });
      return view(row);
    });
  }

  async remove(id: string, actor: Principal, traceId: string) {
    await withTransaction(this.#deps.pool, async (tx) => {
      if (!(await deleteSubscription(tx, id))) throw notFound('subscription', id);
      await recordAudit(tx, actor, {
        action: 'subscription.deleted',
        targetType: 'subscription',
        targetId: id,
        changes: {},
        traceId,
      });
    });
  }

  async deliveries(
    id: string,
    filter: { state?: string | undefined; before?: number | undefined; limit: number },
  ) {
    await this.#find(id);
    const rows = await listDeliveries(this.#deps.pool, id, { ...filter, beforeSeq: filter.before });
    return { items: rows, nextBefore: rows.at(-1)?.seq ?? null };
  }

  async replay(
    id: string,
    from: { time?: string | undefined; afterEventId?: string | undefined; deadLetters?: boolean | undefined },
    actor: Principal,
    traceId: string,
  ) {
    await this.#find(id);
    return withTransaction(this.#deps.pool, async (tx) => {
      if (from.afterEventId) {
        const known = await tx.query('SELECT 1 FROM outbox_events WHERE id = $1 AND seq IS NOT NULL', [
          from.afterEventId,
        ]);
        if (known.rowCount === 0) {
          throw new HubError('validation', 'UNKNOWN_EVENT', `afterEventId: no event ${from.afterEventId}`, {
            fields: [{ field: 'afterEventId', message: 'no such event' }],
          });
        }
      }
      const queued = from.deadLetters
        ? await replayDeadLetters(tx, id)
        : await replayFrom(tx, id, {
            time: from.time ? new Date(from.time) : undefined,
            afterEventId: from.afterEventId,
          });
      await recordAudit(tx, actor, {
        action: 'subscription.replayed',
        targetType: 'subscription',
        targetId: id,
        changes: { ...from, queued },
        traceId,
      });
      return { queued };
    });
  }

  /** The subscriber's URL against the address policy: 400 naming `url` when it is refused. */
  async #checkUrl(url: string | undefined): Promise<void> {
    if (url === undefined) return;
    const problems = await refusedTargets(this.#deps.network, outboundTargets(url, 'url'));
    if (problems.length === 0) return;
    const detail = problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
    throw new HubError('validation', 'VALIDATION_FAILED', detail, { fields: problems });
  }

  async #find(id: string): Promise<SubscriptionRow> {
    const row = await findSubscription(this.#deps.pool, id);
    if (!row) throw notFound('subscription', id);
    return row;
  }
}

/** Batches are an HTTP subscriber's choice: a NATS message or a handler call carries one event. */
function checkBatchSize(kind: SubscriptionKind, batchSize: number | undefined): void {
  if (batchSize === undefined || batchSize === 1 || kind === 'http') return;
  throw new HubError('validation', 'VALIDATION_FAILED', `batchSize: only HTTP subscribers take batches`, {
    fields: [{ field: 'batchSize', message: `must be 1 for kind "${kind}"` }],
  });
}

function view(row: SubscriptionRow) {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    types: row.types,
    ...(row.url ? { url: row.url } : {}),
    ...(row.natsSubject ? { natsSubject: row.natsSubject } : {}),
    ...(row.handler ? { handler: row.handler } : {}),
    retrySchedule: row.retrySchedule,
    disableAfterSeconds: row.disableAfterSeconds,
    batchSize: row.batchSize,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    failingSince: row.failingSince?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
