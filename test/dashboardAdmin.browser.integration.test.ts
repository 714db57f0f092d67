// The conflicts, events and administration pages in a real browser (Debian's Chromium) against a
// hub listening on HTTP, the Xentral sandbox and a local subscriber endpoint: a manual two-way
// conflict decided per field, a dead delivery delivered again once the endpoint answers, an API
// token shown once and listed in the audit log, a data key rotation, and a viewer without the
// administration link.
// Each step leaves a screenshot in test-output/dashboard/admin-NN-*.png.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startXentralSandbox, type XentralSandbox } from '../sandbox/xentral/index.ts';
import { launchChromium, screenshots, signInWithToken, visible } from './support/browser.ts';
import { type EventSink, startEventSink, waitUntil } from './support/eventSink.ts';
import { createIntegration, syncAndWait, waitForRun } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let erp: XentralSandbox;
let sink: EventSink;
let browser: Browser;
let page: Page;
let subscriptionId: string;
const shoot = screenshots('dashboard', 'admin-');
beforeAll(async () => {
  [hub, erp, sink, browser] = await Promise.all([
    startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200', HUB_RELAY_POLL_MS: '200' }, { listen: true }),
    startXentralSandbox({ customers: 20, rateLimit: { limit: 1_000, windowMs: 60_000 } }),
    startEventSink(),
    launchChromium(),
  ]);
  sink.answer = () => ({ status: 503 });
  const subscribed = await hub.request({
    method: 'POST',
    url: '/api/v1/subscriptions',
    body: { name: 'CRM-Empfänger', kind: 'http', types: ['customer.*'], url: sink.url, retrySchedule: [0] },
  });
  expect(subscribed.status, subscribed.raw).toBe(201);
  subscriptionId = subscribed.body.id;

  const id = await createIntegration(hub, {
    name: 'Xentral zweiseitig',
    connector: 'xentral',
    entities: ['customer'],
    config: { baseUrl: erp.url, lookbackSeconds: 0 },
    credentials: { token: erp.token },
    schedule: { enabled: false },
    retryPolicy: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 50 },
    twoWay: { enabled: true, conflictPolicy: 'manual' },
  });
  expect((await syncAndWait(hub, id)).counts).toMatchObject({ created: 20 });
  erp.updateCustomer('1008', { name: 'Bäckerei Müller (ERP)' });
  const changed = await hub.request({
    method: 'PATCH',
    url: `/api/v1/integrations/${id}/records/customer/1008`,
    body: { name: 'Bäckerei Müller (Hub)', email: 'bestellung@baeckerei-mueller.de' },
  });
  expect(changed.status, changed.raw).toBe(202);
  await waitForRun(hub, changed.body.runId);
  const open = await hub.request({ method: 'GET', url: '/api/v1/conflicts?state=open' });
  expect(open.body.items).toHaveLength(1);

  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'de-DE' });
}, 180_000);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await shoot(page, 'failed').catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await sink?.close();
  await erp?.close();
  await hub?.close();
});

const nav = (target: Page) => target.getByRole('navigation', { name: 'Hauptnavigation' });

async function deliveryCounts() {
  return (await hub.request({ method: 'GET', url: `/api/v1/subscriptions/${subscriptionId}` })).body
    .deliveries;
}

describe('the conflicts, events and administration pages', () => {
  it('resolves a manual conflict field by field', async () => {
    await signInWithToken(page, hub.hub.url, hub.adminToken);
    await nav(page).getByRole('link', { name: 'Konflikte' }).click();
    await visible(page.getByRole('heading', { name: 'Konflikte', level: 1 }));
    await page.getByRole('button', { name: 'Öffnen: customer 1008' }).click();
    const detail = page.getByRole('region', { name: 'Konflikt: customer 1008' });
    await visible(detail.getByText('Bäckerei Müller (Hub)'));
    await visible(detail.getByText('Bäckerei Müller (ERP)'));
    await visible(detail.getByText('Gemeinsame Basis'));
    const name = detail.getByTestId('conflict-field-name');
    await visible(name.getByText('(unterschiedlich)'));
    expect(await detail.getByRole('button', { name: 'Anwenden' }).isDisabled()).toBe(true);
    await shoot(page, 'conflict-open');

    await detail
      .getByRole('radiogroup', { name: 'Wahl für name' })
      .getByRole('radio', { name: 'Extern' })
      .check();
    await detail.getByRole('button', { name: 'Anwenden' }).click();
    await visible(page.getByText('Keine offenen Konflikte.'));
    expect(erp.data.customers.find((customer) => customer.id === '1008')).toMatchObject({
      name: 'Bäckerei Müller (ERP)',
      email: 'bestellung@baeckerei-mueller.de',
    });
    await shoot(page, 'conflict-resolved');
  });

  it('shows a dead delivery and delivers it again once the endpoint answers', async () => {
    await waitUntil(
      async () => {
        const counts = await deliveryCounts();
        return counts.dead > 0 && counts.pending === 0;
      },
      30_000,
      'dead letters',
    );
    const { dead } = await deliveryCounts();
    await nav(page).getByRole('link', { name: 'Ereignisse' }).click();
    const row = page.getByTestId('subscription-CRM-Empfänger');
    await expect
      .poll(() => row.getByTestId('count-dead').textContent(), { timeout: 15_000 })
      .toBe(String(dead));
    await visible(row.getByText('Aktiv', { exact: true }));
    await row.getByRole('button', { name: 'Zustellungen' }).click();
    const log = page.getByRole('region', { name: 'Zustellungen: CRM-Empfänger' });
    await visible(log.getByText('Unzustellbar', { exact: true }));
    await visible(log.getByText('503'));
    await shoot(page, 'events-dead-letters');

    sink.answer = () => ({ status: 204 });
    await row.getByRole('button', { name: 'Erneut zustellen' }).click();
    await visible(page.getByText(`${dead} Zustellungen erneut eingereiht.`));
    await expect.poll(() => row.getByTestId('count-dead').textContent(), { timeout: 20_000 }).toBe('0');
    await expect
      .poll(() => row.getByTestId('count-delivered').textContent(), { timeout: 20_000 })
      .not.toBe('0');
    expect(sink.received.length).toBeGreaterThanOrEqual(dead);
    await shoot(page, 'events-replayed');

    await page.getByRole('button', { name: 'Anzeigen: credit.checked' }).click();
    await page
      .getByRole('button', { name: /^Version 1/ })
      .first()
      .click();
    await visible(page.getByLabel('JSON Schema von credit.checked Version 1'));
    await shoot(page, 'events-schema');
  });

  it('creates an API token shown once, lists it in the audit log and rotates the data key', async () => {
    await nav(page).getByRole('link', { name: 'Administration' }).click();
    await visible(page.getByRole('heading', { name: 'Administration', level: 1 }));
    await page.getByLabel('Name').fill('CI-Pipeline');
    await page.getByRole('button', { name: 'Token anlegen' }).click();
    const dialog = page.getByRole('dialog', { name: 'Neues API-Token' });
    await visible(dialog.getByText('Dieses Token wird nur jetzt angezeigt.', { exact: false }));
    expect(await dialog.getByTestId('new-token').textContent()).toMatch(/^hub_/);
    await visible(dialog.getByRole('button', { name: 'Kopieren' }));
    await shoot(page, 'token-created');
    await dialog.getByRole('button', { name: 'Schließen' }).click();
    await visible(page.getByTestId('token-CI-Pipeline'));
    await page.getByTestId('new-token').waitFor({ state: 'detached' });

    await page.getByLabel('Aktion').fill('api_token.*');
    await page.getByRole('button', { name: 'Filtern' }).click();
    const audit = page.getByTestId('audit-log');
    await visible(audit.getByText('api_token.create'));
    expect(await audit.getByText('subscription.created').count()).toBe(0);
    await visible(page.getByText('Hauptschlüssel:', { exact: false }));
    await shoot(page, 'audit');

    const keys = page.getByRole('region', { name: 'Verschlüsselungsschlüssel' });
    const before = await keys.getByRole('cell', { name: /^dk_/ }).first().textContent();
    await keys.getByRole('button', { name: 'Schlüssel rotieren' }).click();
    await page
      .getByRole('dialog', { name: 'Datenschlüssel rotieren' })
      .getByRole('button', { name: 'Bestätigen' })
      .click();
    await visible(keys.getByText('Schlüssel rotiert.'));
    await expect.poll(() => keys.getByRole('cell', { name: /^dk_/ }).first().textContent()).not.toBe(before);
    await shoot(page, 'keys-rotated');
  });

  it('shows a viewer no administration link and no replay', async () => {
    const created = await hub.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      body: { name: 'Lesezugang', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const viewerPage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await signInWithToken(viewerPage, hub.hub.url, created.body.token);
      await visible(nav(viewerPage).getByRole('link', { name: 'Konflikte' }));
      await visible(nav(viewerPage).getByRole('link', { name: 'Ereignisse' }));
      expect(await viewerPage.getByRole('link', { name: 'Administration' }).count()).toBe(0);
      await nav(viewerPage).getByRole('link', { name: 'Ereignisse' }).click();
      await visible(viewerPage.getByTestId('subscription-CRM-Empfänger'));
      expect(await viewerPage.getByRole('button', { name: 'Erneut zustellen' }).count()).toBe(0);
      await shoot(viewerPage, 'viewer');
    } finally {
      await viewerPage.close();
    }
  });
});
