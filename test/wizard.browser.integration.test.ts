// The setup wizard in a real browser (Debian's Chromium) against a hub listening on HTTP and the
// Xentral sandbox: a new user adds Xentral from the overview, tests the connection, accepts the
// suggested mapping with its preview, sets the schedule, activates, and watches the first sync
// finish; the overview then shows the card with its record count. Then the sandbox expires its
// token: a sync started from the integration's page is refused, the card turns to error with
// Reconnect, the admin enters the sandbox's new token and a retried sync brings the card back.
// Each step leaves a screenshot in test-output/dashboard/wizard-NN-*.png.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startXentralSandbox, type XentralSandbox } from '../sandbox/xentral/index.ts';
import { launchChromium, screenshots, signInWithToken, visible } from './support/browser.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

const NAME = 'Xentral Testmandant';
let hub: TestHub;
let sandbox: XentralSandbox;
let browser: Browser;
let page: Page;
const shoot = screenshots('dashboard', 'wizard-');

beforeAll(async () => {
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

const german = new Intl.NumberFormat('de-DE');
let refusedToken = '';
const card = () => page.getByRole('article', { name: NAME });
const total = () => {
  const { customers, products, salesOrders, invoices } = sandbox.data;
  return customers.length + products.length + salesOrders.length + invoices.length;
};

describe('the setup wizard', () => {
  it('takes a new user from "+ Neu hinzufügen" to synced Xentral records in under a minute', async () => {
    await signInWithToken(page, hub.hub.url, hub.adminToken);

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
      await signInWithToken(viewer, hub.hub.url, created.body.token);
      await viewer.goto(`${hub.hub.url}/integrations/new?connector=xentral`);
      await visible(viewer.getByText('Nur Administratoren können Integrationen einrichten.'));
      expect(await viewer.getByRole('button', { name: 'Verbindung testen' }).count()).toBe(0);
      await shoot(viewer, 'viewer-refused');
    } finally {
      await viewer.close();
    }
  });

  // The same page and the integration the wizard just created, carried on: the sandbox rotates
  // its token, the next sync is refused, and the admin restores access from the card.
  it('turns the wizard-created card to error with Reconnect when the sandbox expires the token', async () => {
    refusedToken = sandbox.token;
    const expired = await fetch(`${sandbox.url}/__sandbox/tokens/expire`, { method: 'POST' });
    expect(expired.status).toBe(200);

    // A sync the way a user starts one: from the integration's page, then back to the overview.
    await card().getByRole('link', { name: NAME }).click();
    await visible(page.getByRole('heading', { name: NAME, level: 1 }));
    await page.getByRole('button', { name: 'Jetzt synchronisieren' }).click();
    await visible(page.getByText(/Synchronisation gestartet\.|Eine Synchronisation läuft bereits\./));
    await page.getByRole('link', { name: 'Zurück zur Übersicht' }).click();

    await visible(card().getByText('Fehler', { exact: true }), 30_000);
    await visible(card().getByText('Zugang abgelaufen oder abgelehnt'));
    // The reason: the refused request, in full on hover (the card clamps long URLs).
    const reason = card().getByText(`GET ${sandbox.url}/api/v1/customers`, { exact: false });
    await visible(reason);
    expect(await reason.getAttribute('title')).toContain('HTTP 401 (the access token is invalid or expired)');
    await expect.poll(() => page.getByTestId('stat-issues').textContent()).toContain('1 mit Fehler');
    await visible(card().getByRole('button', { name: 'Erneut verbinden' }));
    await visible(card().getByRole('button', { name: 'Erneut versuchen' }));
    await visible(page.getByText(`${NAME}: Zugang abgelaufen, bitte erneut verbinden`));
    expect(await card().getByTestId('record-count').textContent()).toBe(german.format(total()));
    await shoot(page, 'token-expired');
  });

  it('reconnects the card with the new token from the form', async () => {
    await card().getByRole('button', { name: 'Erneut verbinden' }).click();
    await visible(page.getByRole('heading', { name: `Zugangsdaten: ${NAME}` }));
    // The stored token is only hinted at (its last characters), and it is the refused one.
    await visible(page.getByText(`Gespeichert: ••••${refusedToken.slice(-4)}`, { exact: true }));
    expect(sandbox.token).not.toBe(refusedToken);
    await page.getByLabel('token').fill(sandbox.token);
    expect(await page.getByLabel('token').inputValue()).toBe(sandbox.token);
    await visible(page.getByRole('button', { name: 'Speichern' }));
    await shoot(page, 'credentials');

    await page.getByRole('button', { name: 'Speichern' }).click();
    await visible(page.getByText(`Zugangsdaten von ${NAME} gespeichert.`));
    await visible(card().getByText('Aktiv', { exact: true }));
    expect(await card().getByRole('button', { name: 'Erneut verbinden' }).count()).toBe(0);
  });

  it('recovers: the retried sync succeeds and the card is active again', async () => {
    // The refused run is still the card's last one; retrying it is the user's way to a new sync.
    await visible(card().getByText(/Letzter Lauf fehlgeschlagen/));
    await card().getByRole('button', { name: 'Erneut versuchen' }).click();
    await visible(page.getByText(`Synchronisation von ${NAME} gestartet.`));
    await visible(page.getByText(`${NAME}: Synchronisation abgeschlossen, keine Änderungen`), 30_000);
    // The card has caught up with the finished run: no spinner, nothing left to retry.
    await expect.poll(() => card().getByText('Synchronisiert …').count(), { timeout: 15_000 }).toBe(0);
    expect(await card().getByRole('button', { name: 'Erneut versuchen' }).count()).toBe(0);
    await visible(card().getByText('Aktiv', { exact: true }));
    expect(
      await card()
        .getByText(/Letzter Lauf fehlgeschlagen/)
        .count(),
    ).toBe(0);
    expect(await card().getByRole('button', { name: 'Erneut verbinden' }).count()).toBe(0);
    expect(await card().getByTestId('record-count').textContent()).toBe(german.format(total()));
    await visible(card().getByText('gerade eben'));
    await expect.poll(() => page.getByTestId('stat-issues').textContent()).toContain('0 mit Fehler');

    const listed = await hub.request({ method: 'GET', url: '/api/v1/integrations' });
    const id = listed.body.items.find((item: { name: string }) => item.name === NAME).id;
    const runs = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/sync-runs?limit=5` });
    const [retried, refused] = runs.body.items;
    expect(refused).toMatchObject({ trigger: 'manual', state: 'failed', errorKind: 'auth' });
    expect(retried).toMatchObject({ trigger: 'manual', state: 'succeeded', counts: { failed: 0 } });
    await shoot(page, 'reconnected');
  });
});
