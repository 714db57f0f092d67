// The dashboard in a real browser (Debian's Chromium) against a hub listening on HTTP and the
// Xentral sandbox: sign in with a token, the overview with its card and record count after a
// sync, German and English, Recent Activity growing live without a reload, an expired token
// turning the card to error with Reconnect, a viewer who sees no actions, and reconnecting with
// new credentials. Each step leaves a screenshot in test-output/dashboard/.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startXentralSandbox, type XentralSandbox } from '../sandbox/xentral/index.ts';
import { builtDashboardDir } from '../src/api/routes/dashboard.ts';
import { launchChromium, screenshots, signInWithToken, visible } from './support/browser.ts';
import { createIntegration, startSync, syncAndWait, waitForRun } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

const NAME = 'Xentral Hauptmandant';
let hub: TestHub;
let sandbox: XentralSandbox;
let browser: Browser;
let page: Page;
let integrationId: string;
const shoot = screenshots('dashboard');

beforeAll(async () => {
  expect(existsSync(`${builtDashboardDir}/index.html`)).toBe(true);
  [hub, sandbox, browser] = await Promise.all([
    startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' }, { listen: true }),
    startXentralSandbox({ customers: 1230, rateLimit: { limit: 10_000, windowMs: 60_000 } }),
    launchChromium(),
  ]);
  integrationId = await createIntegration(hub, {
    name: NAME,
    connector: 'xentral',
    entities: ['customer', 'product'],
    config: { baseUrl: sandbox.url, lookbackSeconds: 0, customerAddresses: false },
    credentials: { token: sandbox.token },
    schedule: { enabled: false },
    retryPolicy: { maxAttempts: 1, initialDelayMs: 20, maxDelayMs: 100 },
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'de-DE' });
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await shoot(page, 'failed').catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await hub?.close();
});

const card = (target: Page = page) => target.getByRole('article', { name: NAME });
/** Set once the page is loaded; still there later proves the page never reloaded. */
async function markPage() {
  await page.evaluate(() => {
    (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
  });
}
const stillSamePage = () =>
  page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded);

describe('the dashboard', () => {
  it('asks for an API token first, in German', async () => {
    await page.goto(hub.hub.url);
    await visible(page.getByRole('heading', { name: 'Anmelden' }));
    await visible(page.getByLabel('API-Token'));
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    await shoot(page, 'sign-in');

    await page.getByLabel('API-Token').fill('hub_not_a_real_token_000000000000');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await visible(page.getByText('Dieses Token ist unbekannt, widerrufen oder abgelaufen.'));
    await shoot(page, 'sign-in-refused');
  });

  it('shows the overview with the integration, the catalog and the role after signing in', async () => {
    await signInWithToken(page, hub.hub.url, hub.adminToken);
    await visible(page.getByText('Aktive Integrationen'));
    await visible(card().getByText('Aktiv', { exact: true }));
    await visible(card().getByText('noch nie'));
    expect(await card().getByTestId('record-count').textContent()).toBe('0');
    await visible(page.getByTestId('principal').getByText('Administrator'));
    await visible(page.getByRole('link', { name: 'Neu hinzufügen' }));
    await visible(page.getByRole('link', { name: 'Xentral ERP hinzufügen' }));
    await visible(page.getByRole('status').getByText('Live'));
    await shoot(page, 'overview-before-sync');
  });

  it('shows the record count and a live activity entry when a sync completes, without reloading', async () => {
    await markPage();
    const run = await syncAndWait(hub, integrationId);
    expect(run.state).toBe('succeeded');
    await visible(page.getByText(`${NAME}: Synchronisation abgeschlossen (1.240 Änderungen)`));
    await expect
      .poll(() => card().getByTestId('record-count').textContent(), { timeout: 15_000 })
      .toBe('1.240');
    await visible(card().getByText('gerade eben'));
    expect(await stillSamePage()).toBe(true);
    await shoot(page, 'after-sync-live');
  });

  it('switches to English and back, and keeps the choice across a reload', async () => {
    await page.getByText('EN', { exact: true }).click();
    await visible(page.getByText('Active integrations'));
    await visible(page.getByText(`${NAME}: sync completed (1,240 changes)`));
    await expect.poll(() => card().getByTestId('record-count').textContent()).toBe('1,240');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.reload();
    await visible(page.getByText('Recent activity'));
    await visible(card().getByText('Active', { exact: true }));
    await shoot(page, 'english');

    await page.getByText('DE', { exact: true }).click();
    await visible(page.getByText('Letzte Aktivitäten'));
    await visible(page.getByText('Verfügbare Integrationen'));
    await shoot(page, 'german-again');
  });

  it('turns the card to error with Reconnect when the source refuses the token', async () => {
    await markPage();
    const expired = await fetch(`${sandbox.url}/__sandbox/tokens/expire`, { method: 'POST' });
    expect(expired.status).toBe(200);
    const run = await waitForRun(hub, await startSync(hub, integrationId));
    expect(run.state).toBe('failed');
    await visible(card().getByText('Fehler', { exact: true }));
    await visible(card().getByText('Zugang abgelaufen oder abgelehnt'));
    await visible(card().getByRole('button', { name: 'Erneut verbinden' }));
    await visible(card().getByRole('button', { name: 'Erneut versuchen' }));
    await visible(page.getByText(`${NAME}: Zugang abgelaufen, bitte erneut verbinden`));
    await expect.poll(() => page.getByTestId('stat-issues').textContent()).toContain('1');
    expect(await stillSamePage()).toBe(true);
    await shoot(page, 'token-expired');
  });

  it('shows a viewer the same state without any action', async () => {
    const created = await hub.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      body: { name: 'Lesezugang', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const viewerPage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await signInWithToken(viewerPage, hub.hub.url, created.body.token);
      await visible(card(viewerPage).getByText('Fehler', { exact: true }));
      await visible(viewerPage.getByTestId('principal').getByText('Betrachter'));
      await visible(viewerPage.getByText('Verfügbare Integrationen'));
      expect(await viewerPage.getByRole('button', { name: 'Erneut verbinden' }).count()).toBe(0);
      expect(await viewerPage.getByRole('button', { name: 'Erneut versuchen' }).count()).toBe(0);
      expect(await viewerPage.getByRole('link', { name: 'Neu hinzufügen' }).count()).toBe(0);
      await shoot(viewerPage, 'viewer-no-actions');
    } finally {
      await viewerPage.close();
    }
  });

  it('reconnects with new credentials and syncs again', async () => {
    await card().getByRole('button', { name: 'Erneut verbinden' }).click();
    await visible(page.getByRole('heading', { name: `Zugangsdaten: ${NAME}` }));
    const tokenField = page.getByLabel('token');
    await tokenField.fill(sandbox.token);
    await shoot(page, 'credentials');
    await page.getByRole('button', { name: 'Speichern' }).click();
    await visible(page.getByText(`Zugangsdaten von ${NAME} gespeichert.`));
    await visible(card().getByText('Aktiv', { exact: true }));
    expect(await card().getByRole('button', { name: 'Erneut verbinden' }).count()).toBe(0);

    const run = await syncAndWait(hub, integrationId);
    expect(run.state).toBe('succeeded');
    await visible(page.getByText(`${NAME}: Synchronisation abgeschlossen, keine Änderungen`));
    await shoot(page, 'reconnected');
  });
});
