// monday.com's board webhooks (VENDORS.md): create_webhook first POSTs {"challenge": "…"} to the
// url and keeps the webhook only when the answer's JSON body echoes it; events of the board then
// arrive as {"event": {…}} with a JWT signed HS256 with the app's signing secret in Authorization
// (the raw token, no "Bearer"). monday retries a failed delivery once a minute for 30 minutes;
// this imitation sends each event once and records the answer.
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';

/** The subscribable events (WebhookEventType) and the `type` their payloads carry. */
export const mondayWebhookEvents = {
  change_column_value: 'update_column_value',
  change_specific_column_value: 'update_column_value',
  change_name: 'update_name',
  create_item: 'create_pulse',
  item_archived: 'archive_pulse',
  item_deleted: 'delete_pulse',
} as const;
export type MondayWebhookEvent = keyof typeof mondayWebhookEvents;

export const isMondayWebhookEvent = (value: unknown): value is MondayWebhookEvent =>
  typeof value === 'string' && Object.hasOwn(mondayWebhookEvents, value);

export interface MondayWebhook {
  id: string;
  boardId: string;
  url: string;
  event: MondayWebhookEvent;
  /** change_specific_column_value's `{"columnId": …}`. */
  config: { columnId?: string };
}

export interface WebhookDelivery {
  webhookId: string;
  url: string;
  /** "challenge", or the payload's event type. */
  type: string;
  /** The receiver's HTTP status; null when it could not be reached. */
  status: number | null;
}

/** How a test makes the sandbox sign badly: another secret (a wrong app), an old JWT (expired). */
export interface SigningOptions {
  secret?: string;
  issuedAt?: Date;
}

/** A change on the board, before the webhook's subscription fields are added. */
export interface BoardChange {
  event: MondayWebhookEvent;
  boardId: string;
  columnId?: string;
  payload: Record<string, unknown>;
}

const ACCOUNT_ID = 1;
const USER_ID = 9_603_417;
const JWT_LIFETIME_SECONDS = 60;

export class MondayWebhooks {
  readonly signingSecret: string;
  readonly deliveries: WebhookDelivery[] = [];
  readonly #hooks = new Map<string, MondayWebhook>();
  #nextId = 58_000_001;

  constructor(signingSecret = randomBytes(24).toString('hex')) {
    this.signingSecret = signingSecret;
  }

  list(): MondayWebhook[] {
    return [...this.#hooks.values()].map((hook) => structuredClone(hook));
  }

  /** The challenge, then the webhook; undefined when the url did not echo the challenge. */
  async create(hook: Omit<MondayWebhook, 'id'>): Promise<MondayWebhook | undefined> {
    const id = String(this.#nextId++);
    const challenge = randomBytes(38).toString('base64url');
    const answer = await this.#post(hook.url, { challenge });
    this.deliveries.push({ webhookId: id, url: hook.url, type: 'challenge', status: answer.status });
    if (answer.status === null || answer.status >= 300) return undefined;
    let echoed: unknown;
    try {
      echoed = (JSON.parse(answer.body) as { challenge?: unknown }).challenge;
    } catch {
      return undefined;
    }
    if (echoed !== challenge) return undefined;
    const created = { id, ...hook };
    this.#hooks.set(id, created);
    return structuredClone(created);
  }

  delete(id: string): MondayWebhook | undefined {
    const hook = this.#hooks.get(id);
    this.#hooks.delete(id);
    return hook;
  }

  /** Posts the change to every webhook of its board subscribed to it, one after another. */
  async emit(change: BoardChange, signing: SigningOptions = {}): Promise<WebhookDelivery[]> {
    const triggerTime = new Date();
    const sent: WebhookDelivery[] = [];
    for (const hook of this.#hooks.values()) {
      if (!subscribed(hook, change)) continue;
      const event = {
        userId: USER_ID,
        originalTriggerUuid: null,
        boardId: Number(change.boardId),
        ...change.payload,
        app: 'monday',
        type: mondayWebhookEvents[change.event],
        triggerTime: triggerTime.toISOString(),
        subscriptionId: Number(hook.id),
        triggerUuid: randomBytes(16).toString('hex'),
      };
      const answer = await this.#post(hook.url, { event }, signing);
      const delivery = { webhookId: hook.id, url: hook.url, type: event.type, status: answer.status };
      this.deliveries.push(delivery);
      sent.push(delivery);
    }
    return sent;
  }

  async #post(url: string, payload: unknown, signing: SigningOptions = {}) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: await this.#sign(url, signing) },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(10_000),
      });
      return { status: response.status as number | null, body: await response.text() };
    } catch {
      return { status: null, body: '' };
    }
  }

  // Whether the challenge carries the JWT as well is unconfirmed; here it does. The claims are
  // those of monday's app JWTs; the lifetime is unconfirmed.
  #sign(url: string, signing: SigningOptions): Promise<string> {
    const issuedAt = Math.floor((signing.issuedAt ?? new Date()).getTime() / 1000);
    return new SignJWT({ accountId: ACCOUNT_ID, userId: USER_ID })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setAudience(url)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + JWT_LIFETIME_SECONDS)
      .sign(new TextEncoder().encode(signing.secret ?? this.signingSecret));
  }
}

function subscribed(hook: MondayWebhook, change: BoardChange): boolean {
  if (hook.boardId !== change.boardId) return false;
  if (hook.event === 'change_specific_column_value') {
    return change.event === 'change_column_value' && hook.config.columnId === change.columnId;
  }
  return hook.event === change.event;
}
