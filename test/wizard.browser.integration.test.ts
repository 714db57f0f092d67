// The setup wizard in a real browser (Debian's Chromium) against a hub listening on HTTP and the
// Xentral sandbox: a new user adds Xentral from the overview, tests the connection, accepts the
// suggested mapping with its preview, sets the schedule, activates, and watches the first sync
// finish; the overview then shows the card with its record count. Each step leaves a screenshot
// in test-output/dashboard/wizard-NN-*.png.
import { execFileSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startXentralSandbox, type XentralSandbox } from '../sandbox/xentral/index.ts';
import { launchChromium, screenshots } from './support/browser.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

const NAME = 'Xentral Testmandant';
let hub: TestHub;
let sandbox: XentralSandbox;
let browser: Browser;
let page: Page;
const shoot = screenshots('dashboard', 'wizard-');

beforeAll(async () => {
  execFileSync('npm', ['run', 'build:web'], { stdio: 'ignore' });
  [hub, sandbox, browser] = await Promise.all([
    startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' }, { listen: true }),
    startXentralSandbox({ customers: 120, rateLimit: { limit: 100_000, windowMs: 60_000 } }),
    launchChromium(),
  ]);
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, locale: 'de-DE' });
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await shoot(page, 'failed').catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await hub?.close();
});

const visible = (target: ReturnType<Page['getByText']>, timeout = 15_000) =>
  target.first().waitFor({ state: 'visible', timeout });
const german = new Intl.NumberFormat('de-DE');

describe('the setup wizard', () => {
  it('takes a new user from "+ Neu hinzufügen" to synced Xentral records in under a minute', async () => {
    await page.goto(hub.hub.url);
    await page.getByLabel('API-Token').fill(hub.adminToken);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await visible(page.getByRole('heading', { name: 'Integration Hub', level: 1 }));

    const started = performance.now();
    await page.getByRole('link', { name: 'Neu hinzufügen' }).click();
    await visible(page.getByRole('heading', { name: 'Neue Integration' }));
    await visible(page.getByRole('button', { name: 'Klenty wählen' }));
    await visible(page.getByRole('button', { name: 'Xentral (legacy API) wählen' }));
    await shoot(page, 'choose-system');

    await page.getByRole('button', { name: 'Xentral ERP wählen' }).click();
    await visible(page.getByLabel('Name der Integration'));
    await page.getByLabel('Name der Integration').fill(NAME);
    await page.getByRole('textbox', { name: 'baseUrl' }).fill(sandbox.url);
    await page.getByLabel('token').fill(sandbox.token);
    // Addresses cost a request per customer against Xentral's 100 a minute; the first sync skips them.
    await page.getByRole('switch', { name: 'customerAddresses' }).uncheck();
    await page.getByRole('button', { name: 'Verbindung testen' }).click();
    await visible(page.getByText(/Verbindung erfolgreich/));
    await shoot(page, 'connection-tested');

    await page.getByRole('button', { name: 'Weiter' }).click();
    const table = page.getByRole('table', { name: 'Feldzuordnung customer' });
    await visible(table);
    await visible(page.getByText('5 Beispieldatensätze aus dem Quellsystem'));
    expect(await table.getByRole('combobox', { name: 'Quellfeld für customerNumber' }).inputValue()).toBe(
      'number',
    );
    expect(await table.getByRole('combobox', { name: 'Quellfeld für email' }).inputValue()).toBe('email');
    const preview = page.getByRole('table', { name: 'Vorschau der zugeordneten Datensätze' });
    await visible(preview);
    const firstNumber = String(sandbox.data.customers[0]?.number);
    await visible(preview.getByText(firstNumber, { exact: true }));
    await shoot(page, 'mapping-suggested');

    await page.getByRole('button', { name: 'Weiter' }).click();
    await visible(page.getByLabel('Zeitplan (Cron)'));
    await page.getByLabel('Zeitplan (Cron)').fill('*/30 * * * *');
    expect(await page.getByRole('combobox', { name: 'Zeitzone' }).inputValue()).toBe('Europe/Berlin');
    await shoot(page, 'schedule');

    await page.getByRole('button', { name: 'Aktivieren' }).click();
    await visible(page.getByText('Erste Synchronisation abgeschlossen'), 50_000);
    const seconds = (performance.now() - started) / 1000;
    console.log(`setup wizard: "+ Neu hinzufügen" to the first synced records in ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(60);
    const { customers, products, salesOrders, invoices } = sandbox.data;
    const total = customers.length + products.length + salesOrders.length + invoices.length;
    const counts = await page.getByTestId('first-run-counts').textContent();
    expect(counts).toContain(`${german.format(total)} neu`);
    expect(counts).toContain('0 fehlerhaft');
    await shoot(page, 'first-sync-done');

    await page.getByRole('link', { name: 'Zur Übersicht', exact: true }).click();
    const card = page.getByRole('article', { name: NAME });
    await visible(card.getByText('Aktiv', { exact: true }));
    await expect
      .poll(() => card.getByTestId('record-count').textContent(), { timeout: 15_000 })
      .toBe(german.format(total));
    await shoot(page, 'overview-card');

    const stored = await hub.request({ method: 'GET', url: '/api/v1/integrations' });
    const integration = stored.body.items.find((item: { name: string }) => item.name === NAME);
    expect(integration.schedule).toEqual({ enabled: true, cron: '*/30 * * * *', timezone: 'Europe/Berlin' });
    expect(integration.mapping.customer.fields.customerNumber.from).toBe('number');
  }, 120_000);

  it('keeps a viewer out of the wizard', async () => {
    const created = await hub.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      body: { name: 'Lesezugang', role: 'viewer' },
    });
    const viewer = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await viewer.goto(hub.hub.url);
      await viewer.getByLabel('API-Token').fill(created.body.token);
      await viewer.getByRole('button', { name: 'Anmelden' }).click();
      await visible(viewer.getByRole('heading', { name: 'Integration Hub', level: 1 }));
      await viewer.goto(`${hub.hub.url}/integrations/new?connector=xentral`);
      await visible(viewer.getByText('Nur Administratoren können Integrationen einrichten.'));
      expect(await viewer.getByRole('button', { name: 'Verbindung testen' }).count()).toBe(0);
      await shoot(viewer, 'viewer-refused');
    } finally {
      await viewer.close();
    }
  });
});
