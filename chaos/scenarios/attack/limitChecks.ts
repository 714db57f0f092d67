// The attack scenario's limits, against two hub processes on one database: HUB_BODY_LIMIT on
// every route with a body (413 problem+json), the webhook route's own 1 MiB, HUB_API_RATE_LIMIT
// on every authenticated route shared by both processes (429 with Retry-After), and the limit on
// refused attempts from one address, which must never refuse a valid webhook.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { request } from 'undici';
import type { RawResponse } from '../../../test/support/attack/fuzzCheck.ts';
import type { WebhookTarget } from '../../../test/support/attack/fuzzFixtures.ts';
import { sendOverSocket } from '../../../test/support/attack/rawHttp.ts';
import { concrete, publicRoutes, type Route } from '../../../test/support/authorizationMatrix.ts';
import type { Figure } from '../../figures.ts';
import type { ChaosHub } from '../../support/chaosHub.ts';

export const LIMITS = { body: 65_536, rate: 30, failures: 20 };

type Found = Omit<Figure, 'scenario'>;

type Answer = RawResponse;

async function send(
  hub: ChaosHub,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
) {
  const answer = await request(`${hub.url}${url}`, {
    method: method as 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await answer.body.text();
  return { status: answer.statusCode, headers: answer.headers, text } satisfies Answer;
}

const isProblem = (answer: Answer, status: number) =>
  answer.status === status && String(answer.headers['content-type']).startsWith('application/problem+json');

/** Admin tokens made through a hub without limits, handed out so no one spends its minute. */
export function tokenSupply(maker: ChaosHub, perToken: number, plant: (token: string) => void) {
  let current: { token: string; used: number } | undefined;
  return async (): Promise<string> => {
    if (!current || current.used >= perToken) {
      const created = await maker.api(
        'POST',
        '/api/v1/api-keys',
        { name: `attack ${randomBytes(4).toString('hex')}`, role: 'admin' },
        undefined,
        { shownOnce: true },
      );
      plant(created.body.token);
      current = { token: created.body.token, used: 0 };
    }
    current.used++;
    return current.token;
  };
}

export async function checkBodyLimits(
  hub: ChaosHub,
  routes: Route[],
  nextToken: () => Promise<string>,
  shop: WebhookTarget,
): Promise<Found[]> {
  const withBodies = routes.filter(
    (route) =>
      ['POST', 'PUT', 'PATCH'].includes(route.method) &&
      !route.path.startsWith('/webhooks/') &&
      route.path !== '/api/v1/integrations/{id}/messages',
  );
  const oversized = JSON.stringify({ name: 'x'.repeat(LIMITS.body) });
  let refused = 0;
  for (const route of withBodies) {
    const answer = await send(
      hub,
      route.method,
      concrete(route.path),
      { authorization: `Bearer ${await nextToken()}`, 'content-type': 'application/json', 'if-match': '*' },
      oversized,
    );
    if (isProblem(answer, 413)) refused++;
  }
  // Messages with attachments have 30 MiB of their own: refused from the Content-Length alone.
  const messages = await sendOverSocket(
    hub.url,
    Buffer.from(
      `POST /api/v1/integrations/${crypto.randomUUID()}/messages HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: ${30 * 1024 * 1024 + 1}\r\n\r\n{}`,
    ),
    `Bearer ${await nextToken()}`,
  );
  const webhookBody = (size: number) =>
    JSON.stringify({ data: [{ orderNo: 'L-1', note: 'x'.repeat(size) }] });
  const large = webhookBody(512 * 1024);
  const accepted = await send(
    hub,
    'POST',
    `/webhooks/${shop.integrationId}`,
    signedHeaders(shop.secret, large),
    large,
  );
  const tooLarge = webhookBody(1024 * 1024);
  const refusedWebhook = await send(
    hub,
    'POST',
    `/webhooks/${shop.integrationId}`,
    signedHeaders(shop.secret, tooLarge),
    tooLarge,
  );
  const webhookLimitHolds = accepted.status === 202 && isProblem(refusedWebhook, 413);
  return [
    {
      figure: `routes refusing a body over HUB_BODY_LIMIT (${LIMITS.body} B) with 413 problem+json`,
      value: `${refused + (isProblem(messages, 413) ? 1 : 0)}/${withBodies.length + 1}`,
      goal: 'all',
      pass: refused === withBodies.length && isProblem(messages, 413),
    },
    {
      figure: 'webhook route: 512 KiB accepted, over 1 MiB refused with 413',
      value: webhookLimitHolds ? 'yes' : `no (${accepted.status}, ${refusedWebhook.status})`,
      goal: 'yes',
      pass: webhookLimitHolds,
    },
  ];
}

export async function checkRateLimit(
  hubs: [ChaosHub, ChaosHub],
  routes: Route[],
  token: string,
): Promise<Found[]> {
  const auth = { authorization: `Bearer ${token}` };
  let allowed = 0;
  for (let i = 0; i < LIMITS.rate; i++) {
    if ((await send(hubs[i % 2]!, 'GET', '/api/v1/connectors', auth)).status === 200) allowed++;
  }
  const authenticated = routes.filter((route) => !publicRoutes.has(`${route.method} ${route.path}`));
  let limited = 0;
  for (const [index, route] of authenticated.entries()) {
    const hasBody = !['GET', 'DELETE'].includes(route.method);
    const answer = await send(
      hubs[index % 2]!,
      route.method,
      concrete(route.path),
      { ...auth, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      hasBody ? '{}' : undefined,
    );
    if (isProblem(answer, 429) && Number(answer.headers['retry-after']) > 0) limited++;
  }
  return [
    {
      figure: `requests within HUB_API_RATE_LIMIT (${LIMITS.rate}/min) across 2 processes answered`,
      value: `${allowed}/${LIMITS.rate}`,
      goal: 'all',
      pass: allowed === LIMITS.rate,
    },
    {
      figure: 'routes answering 429 with Retry-After past the limit, across 2 processes',
      value: `${limited}/${authenticated.length}`,
      goal: 'all',
      pass: limited === authenticated.length,
    },
  ];
}

export async function checkFailureLimits(
  hub: ChaosHub,
  trustedToken: string,
  shop: WebhookTarget,
): Promise<Found[]> {
  // The trusted token authenticates first, as a client behind the same address would have.
  const trustedBefore = await send(hub, 'GET', '/api/v1/connectors', {
    authorization: `Bearer ${trustedToken}`,
  });
  let refusedTokens = 0;
  for (let i = 0; i < LIMITS.failures; i++) {
    const answer = await send(hub, 'GET', '/api/v1/integrations', {
      authorization: `Bearer hub_guess_${randomBytes(16).toString('hex')}`,
    });
    if (isProblem(answer, 401)) refusedTokens++;
  }
  const blocked = await send(hub, 'GET', '/api/v1/integrations', { authorization: 'Bearer hub_guess_again' });
  const trustedAfter = await send(hub, 'GET', '/api/v1/connectors', {
    authorization: `Bearer ${trustedToken}`,
  });
  const body = JSON.stringify({ data: [{ orderNo: 'F-1' }] });
  const forged = await send(
    hub,
    'POST',
    `/webhooks/${shop.integrationId}`,
    { ...signedHeaders(shop.secret, body), 'webhook-signature': 'v1,AAAA' },
    body,
  );
  const valid = 20;
  let accepted = 0;
  for (let i = 0; i < valid; i++) {
    const payload = JSON.stringify({ data: [{ orderNo: `F-${i}` }] });
    if (
      (
        await send(
          hub,
          'POST',
          `/webhooks/${shop.integrationId}`,
          signedHeaders(shop.secret, payload),
          payload,
        )
      ).status === 202
    )
      accepted++;
  }
  const holds =
    trustedBefore.status === 200 &&
    refusedTokens === LIMITS.failures &&
    isProblem(blocked, 429) &&
    Number(blocked.headers['retry-after']) > 0 &&
    trustedAfter.status === 200 &&
    isProblem(forged, 429);
  return [
    {
      figure: `refused attempts from one address: ${LIMITS.failures} answered 401, then 429 (recent tokens still pass)`,
      value: holds
        ? 'yes'
        : `no (${refusedTokens} × 401, then ${blocked.status}; trusted ${trustedAfter.status}; forged ${forged.status})`,
      goal: 'yes',
      pass: holds,
    },
    {
      figure: 'valid webhooks refused while their sender was blocked',
      value: valid - accepted,
      unit: `of ${valid}`,
      goal: '0',
      pass: accepted === valid,
    },
  ];
}

function signedHeaders(secret: string, body: string): Record<string, string> {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const at = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}
