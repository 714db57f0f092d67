// The dashboard's accessibility, audited with axe-core in a real browser (Debian's Chromium): every
// page a person meets (sign-in, overview, each wizard step, integration detail and its tabs, the
// credentials form, monitoring, conflicts, events, administration, a page that does not exist)
// has no serious or critical violation of the WCAG 2.0/2.1 A and AA rules; and the sign-in and
// the wizard's first step work with the keyboard alone. A screenshot per page in
// test-output/dashboard-a11y/.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startXentralSandbox, type XentralSandbox } from '../sandbox/xentral/index.ts';
import { seriousViolations, tabTo } from './support/accessibility.ts';
import { launchChromium, screenshots, visible } from './support/browser.ts';
import { createIntegration, syncAndWait } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

const NAME = 'Xentral Prüfmandant';
let hub: TestHub;
let sandbox: XentralSandbox;
let browser: Browser;
let page: Page;
let integrationId: string;
const shoot = screenshots('dashboard-a11y');

beforeAll(async () => {
  [hub, sandbox, browser] = await Promise.all([
    startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' }, { listen: true }),
    startXentralSandbox({ customers: 30, rateLimit: { limit: 100_000, windowMs: 60_000 } }),
    launchChromium(),
  ]);
  integrationId = await createIntegration(hub, {
    name: NAME,
    connector: 'xentral',
    entities: ['customer', 'product'],
    config: { baseUrl: sandbox.url, lookbackSeconds: 0, customerAddresses: false },
    credentials: { token: sandbox.token },
    schedule: { enabled: false },
  });
  expect((await syncAndWait(hub, integrationId)).state).toBe('succeeded');
  const subscription = await hub.request({
    method: 'POST',
    url: '/api/v1/subscriptions',
    body: { name: 'CRM Kunden', kind: 'http', types: ['customer.*'], url: 'http://127.0.0.1:9/hooks' },
  });
  expect(subscription.status).toBe(201);
  // axe finishes its run in a page of its own, which needs a context that may open one.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'de-DE' });
  page = await context.newPage();
}, 120_000);

afterEach(async (test) => {
  if (test.task.result?.state === 'fail') await shoot(page, 'failed').catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await hub?.close();
});

async function audit(step: string) {
  await shoot(page, step);
  // Soft: one run reports every page that fails, not only the first.
  expect.soft(await seriousViolations(page), step).toEqual([]);
}

// axe takes a few seconds a page on a busy machine.
describe('accessibility of every page', { timeout: 90_000 }, () => {
  it('sign-in', async () => {
    await page.goto(hub.hub.url);
    await visible(page.getByLabel('API-Token'));
    await audit('sign-in');
    await page.getByLabel('API-Token').fill('hub_wrong_token_000000000000000000');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await visible(page.getByText('Dieses Token ist unbekannt, widerrufen oder abgelaufen.'));
    await audit('sign-in-refused');
  });

  it('overview', async () => {
    await page.getByLabel('API-Token').fill(hub.adminToken);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await visible(page.getByRole('article', { name: NAME }));
    await visible(page.getByRole('status').getByText('Live'));
    await audit('overview');
  });

  it('every step of the setup wizard', async () => {
    await page.getByRole('link', { name: 'Neu hinzufügen' }).click();
    await visible(page.getByRole('button', { name: 'Xentral ERP wählen' }));
    await audit('wizard-choose');
    await page.getByRole('button', { name: 'Xentral ERP wählen' }).click();
    await page.getByLabel('Name der Integration').fill('Xentral Zweitmandant');
    await page.getByRole('textbox', { name: 'baseUrl' }).fill(sandbox.url);
    await page.getByLabel('token').fill(sandbox.token);
    await page.getByRole('switch', { name: 'customerAddresses' }).uncheck();
    await page.getByRole('button', { name: 'Verbindung testen' }).click();
    await visible(page.getByText(/Verbindung erfolgreich/));
    await audit('wizard-connection');
    await page.getByRole('button', { name: 'Weiter' }).click();
    await visible(page.getByRole('table', { name: 'Vorschau der zugeordneten Datensätze' }));
    await audit('wizard-mapping');
    await page.getByRole('button', { name: 'Weiter' }).click();
    await visible(page.getByLabel('Zeitplan (Cron)'));
    await audit('wizard-schedule');
    await page.getByRole('button', { name: 'Aktivieren' }).click();
    await visible(page.getByText('Erste Synchronisation abgeschlossen'), 50_000);
    await audit('wizard-first-sync');
  }, 90_000);

  it('integration detail with each tab, and the credentials form', async () => {
    await page.goto(`${hub.hub.url}/integrations/${integrationId}`);
    await visible(page.getByRole('heading', { name: NAME, level: 1 }));
    await visible(page.getByRole('tab', { name: 'Verlauf' }));
    await audit('detail-history');
    for (const [tab, step] of [
      ['Entitäten', 'detail-entities'],
      ['Protokoll', 'detail-log'],
      ['Webhooks', 'detail-webhooks'],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click();
      await visible(page.getByRole('tabpanel'));
      await audit(step);
    }
    await page.goto(`${hub.hub.url}/integrations/${integrationId}/credentials`);
    await visible(page.getByRole('heading', { name: `Zugangsdaten: ${NAME}` }));
    await audit('credentials');
  });

  const pages: [step: string, path: string, shown: (target: Page) => ReturnType<Page['getByText']>][] = [
    ['monitoring', '/monitoring', (target) => target.getByRole('heading', { name: 'Monitoring', level: 1 })],
    ['conflicts', '/conflicts', (target) => target.getByRole('heading', { name: 'Konflikte', level: 1 })],
    ['events', '/events', (target) => target.getByText('CRM Kunden')],
    [
      'administration',
      '/admin',
      (target) => target.getByRole('heading', { name: 'Administration', level: 1 }),
    ],
    ['not-found', '/nothing-here', (target) => target.getByText('Diese Seite gibt es nicht.')],
  ];
  for (const [step, path, shown] of pages) {
    it(step, async () => {
      await page.goto(`${hub.hub.url}${path}`);
      await visible(shown(page));
      await audit(step);
    });
  }
});

describe('the keyboard alone', { timeout: 60_000 }, () => {
  it('signs in and chooses a system in the wizard', async () => {
    const keyboardPage = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'de-DE' });
    try {
      await keyboardPage.goto(hub.hub.url);
      await visible(keyboardPage.getByLabel('API-Token'));
      await tabTo(keyboardPage, /^API-Token/);
      await keyboardPage.keyboard.type(hub.adminToken);
      await keyboardPage.keyboard.press('Enter');
      await visible(keyboardPage.getByRole('article', { name: NAME }));

      await tabTo(keyboardPage, 'Neu hinzufügen');
      await keyboardPage.keyboard.press('Enter');
      await visible(keyboardPage.getByRole('heading', { name: 'Neue Integration' }));
      await tabTo(keyboardPage, 'Xentral ERP wählen');
      await keyboardPage.keyboard.press('Enter');
      await visible(keyboardPage.getByLabel('Name der Integration'));
      await tabTo(keyboardPage, /^Name der Integration/);
      await keyboardPage.keyboard.type('Per Tastatur');
      expect(await keyboardPage.getByLabel('Name der Integration').inputValue()).toBe('Per Tastatur');
      await shoot(keyboardPage, 'keyboard-wizard-step-two');
    } finally {
      await keyboardPage.close();
    }
  });
});
