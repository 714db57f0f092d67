// An integration's detail page and the monitoring page in a real browser (Debian's Chromium)
// against a hub listening on HTTP and the Xentral sandbox: the run of a sync with its counts, the
// per-entity status, the request log with the token redacted, testing the connection, pausing and
// resuming, syncing again, a viewer without actions, the monitoring charts with data, and deleting
// after confirming. Each step leaves test-output/dashboard/detail-NN-<step>.png.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startXentralSandbox, type XentralSandbox } from '../sandbox/xentral/index.ts';
import { launchChromium, screenshots, signInWithToken, visible } from './support/browser.ts';
import { createIntegration, syncAndWait } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

const NAME = 'Xentral Detailmandant';
let hub: TestHub;
let sandbox: XentralSandbox;
let browser: Browser;
let page: Page;
let integrationId: string;
const shoot = screenshots('dashboard', 'detail-');

beforeAll(async () => {
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
  const run = await syncAndWait(hub, integrationId);
  expect(run.state).toBe('succeeded');
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'de-DE' });
}, 180_000);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await shoot(page, 'failed').catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await hub?.close();
});

const heading = (target: Page = page) => target.getByRole('heading', { name: NAME, level: 1 });
const runs = (target: Page = page) => target.getByTestId('sync-run');

async function status(): Promise<string> {
  const response = await hub.request({ method: 'GET', url: `/api/v1/integrations/${integrationId}` });
  return response.body.status;
}

describe('the integration detail page', () => {
  it('opens from the card and shows the run with its counts', async () => {
    await signInWithToken(page, hub.hub.url, hub.adminToken);
    await page.getByRole('article', { name: NAME }).getByRole('link', { name: NAME }).click();
    await visible(heading());
    expect(new URL(page.url()).pathname).toBe(`/integrations/${integrationId}`);
    await visible(page.getByTestId('detail-status').getByText('Aktiv'));
    await visible(runs().getByText('Erfolgreich'));
    await visible(runs().getByText('Manuell'));
    expect(await runs().first().getByTestId('run-created').textContent()).toBe('1.240');
    expect(await runs().first().getByTestId('run-failed').textContent()).toBe('0');
    await shoot(page, 'runs');
  });

  it('shows each entity with its records', async () => {
    await page.getByRole('tab', { name: 'Entitäten' }).click();
    const table = page.getByRole('table', { name: 'Entitäten' });
    await visible(table.getByText('customer', { exact: true }));
    await visible(table.getByText('product', { exact: true }));
    await visible(table.getByText('1.230'));
    await visible(table.getByText('nicht geplant'));
    await shoot(page, 'entities');
  });

  it('shows the request log with the request and response, and never the token', async () => {
    await page.getByRole('tab', { name: 'Protokoll' }).click();
    await visible(
      page.getByTestId('request-log').getByText(sandbox.url.replace(/\/$/, ''), { exact: false }),
    );
    await page.getByTestId('request-log').first().getByRole('button', { name: 'Details' }).click();
    const details = page.getByTestId('request-log-details');
    await visible(details.getByText('Anfrage', { exact: true }));
    await visible(details.getByText('Antwort', { exact: true }));
    expect(await details.textContent()).toContain('[redacted]');
    expect(await page.content()).not.toContain(sandbox.token);
    await shoot(page, 'logs-redacted');
  });

  it('tests the connection', async () => {
    await page.getByRole('button', { name: 'Verbindung testen' }).click();
    await visible(page.getByText(/Verbindung erfolgreich \(\d+ ms\)/));
    await shoot(page, 'connection-tested');
  });

  it('pauses and resumes the integration', async () => {
    await page.getByRole('button', { name: 'Pausieren' }).click();
    await visible(page.getByTestId('detail-status').getByText('Pausiert'));
    await visible(page.getByText(`${NAME} ist pausiert.`));
    await expect.poll(status).toBe('inactive');
    expect(await page.getByRole('button', { name: 'Jetzt synchronisieren' }).isDisabled()).toBe(true);
    await shoot(page, 'paused');

    await page.getByRole('button', { name: 'Fortsetzen' }).click();
    await visible(page.getByTestId('detail-status').getByText('Aktiv'));
    await visible(page.getByText(`${NAME} läuft wieder.`));
    await expect.poll(status).toBe('active');
    await shoot(page, 'resumed');
  });

  it('syncs now and lists the second run', async () => {
    await page.getByRole('tab', { name: 'Verlauf' }).click();
    await page.getByRole('button', { name: 'Jetzt synchronisieren' }).click();
    await visible(page.getByText('Synchronisation gestartet.'));
    await expect.poll(() => runs().count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(() => runs().first().getByText('Erfolgreich').count(), { timeout: 30_000 }).toBe(1);
    // Nothing changed at the source since the first run.
    expect(await runs().first().getByTestId('run-created').textContent()).toBe('0');
    expect(await runs().nth(1).getByTestId('run-created').textContent()).toBe('1.240');
    await shoot(page, 'synced-again');
  });

  it('shows a viewer the same page without any action', async () => {
    const created = await hub.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      body: { name: 'Detail-Lesezugang', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const viewerPage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await signInWithToken(viewerPage, hub.hub.url, created.body.token);
      await viewerPage.goto(`${hub.hub.url}/integrations/${integrationId}`);
      await visible(heading(viewerPage));
      await visible(runs(viewerPage).getByText('Erfolgreich'));
      for (const name of ['Verbindung testen', 'Jetzt synchronisieren', 'Pausieren', 'Löschen']) {
        expect(await viewerPage.getByRole('button', { name }).count()).toBe(0);
      }
      await shoot(viewerPage, 'viewer-no-actions');
    } finally {
      await viewerPage.close();
    }
  });
});

describe('the monitoring page', () => {
  it('charts the records synced, error rate, latency and rate-limit hits', async () => {
    await page.getByRole('link', { name: 'Monitoring' }).click();
    await visible(page.getByRole('heading', { name: 'Monitoring', level: 1 }));
    await expect
      .poll(() => page.getByTestId('monitoring-totals').textContent(), { timeout: 15_000 })
      .toMatch(/^1\.240 Datensätze · 2 Läufe · \d+ Anfragen · 0 × 429$/);
    for (const title of [
      'Synchronisierte Datensätze',
      'Fehlerquote',
      'Antwortzeit',
      'Ratenlimit-Treffer (HTTP 429)',
    ]) {
      await visible(page.getByRole('region', { name: title }));
    }
    const records = page.getByRole('region', { name: 'Synchronisierte Datensätze' });
    await expect.poll(() => records.locator('.recharts-bar-rectangle path').count()).toBeGreaterThan(0);
    await expect
      .poll(() => page.getByRole('region', { name: 'Antwortzeit' }).locator('.recharts-line-curve').count())
      .toBeGreaterThan(0);
    await shoot(page, 'monitoring');

    await page.getByRole('combobox', { name: 'Integration' }).click();
    await page.getByRole('option', { name: NAME }).click();
    await expect
      .poll(() => page.getByTestId('monitoring-totals').textContent())
      .toMatch(/^1\.240 Datensätze · 2 Läufe/);
    await page.getByText('EN', { exact: true }).click();
    await visible(page.getByRole('region', { name: 'Records synced' }));
    await visible(page.getByText(/^1,240 records · 2 runs/));
    await shoot(page, 'monitoring-english');
    await page.getByText('DE', { exact: true }).click();
    await visible(page.getByRole('region', { name: 'Synchronisierte Datensätze' }));
  });
});

describe('deleting', () => {
  it('asks for confirmation, then deletes and returns to the overview', async () => {
    await page.goto(`${hub.hub.url}/integrations/${integrationId}`);
    await visible(heading());
    await page.getByRole('button', { name: 'Löschen' }).click();
    const dialog = page.getByRole('dialog', { name: `${NAME} löschen?` });
    await visible(dialog.getByText('endgültig entfernt'));
    await shoot(page, 'delete-confirm');
    await dialog.getByRole('button', { name: 'Endgültig löschen' }).click();
    await visible(page.getByText(`${NAME} wurde gelöscht.`));
    await visible(page.getByText('Aktive Integrationen'));
    expect(new URL(page.url()).pathname).toBe('/');
    await expect.poll(() => page.getByRole('article', { name: NAME }).count()).toBe(0);
    const gone = await hub.request({ method: 'GET', url: `/api/v1/integrations/${integrationId}` });
    expect(gone.status).toBe(404);
    await shoot(page, 'deleted');
  });
});
