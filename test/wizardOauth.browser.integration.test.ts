// The setup wizard with an OAuth connector in a real browser (Debian's Chromium): Outlook
// (Microsoft Graph) against its sandbox's authorization server. "Verbinden" stores the draft and
// opens the provider's consent in the same tab; the hub's callback sends the browser back to the
// wizard, which resumes at the mapping step of the same draft with sample records read with the
// new tokens, and goes on to activate it and finish the first sync. Screenshots in
// test-output/dashboard/wizard-oauth-NN-*.png.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GraphSandbox, startGraphSandbox } from '../sandbox/graph/server.ts';
import { seriousViolations } from './support/accessibility.ts';
import { launchChromium, screenshots, visible } from './support/browser.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

const NAME = 'Outlook Einkauf';
let hub: TestHub;
let graph: GraphSandbox;
let browser: Browser;
let page: Page;
const shoot = screenshots('dashboard', 'wizard-oauth-');

beforeAll(async () => {
  [hub, graph, browser] = await Promise.all([
    startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' }, { listen: true }),
    startGraphSandbox({ events: 12, messages: 8 }),
    launchChromium(),
  ]);
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'de-DE' });
  page = await context.newPage();
}, 120_000);

afterEach(async (test) => {
  if (test.task.result?.state === 'fail') await shoot(page, 'failed').catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await graph?.close();
  await hub?.close();
});

async function integrationsNamed(name: string) {
  const listed = await hub.request({ method: 'GET', url: '/api/v1/integrations' });
  return listed.body.items.filter((item: { name: string }) => item.name === name);
}

describe('the setup wizard with an OAuth connector', { timeout: 90_000 }, () => {
  it('resumes at the mapping step of the same draft after the provider sends the browser back', async () => {
    await page.goto(hub.hub.url);
    await page.getByLabel('API-Token').fill(hub.adminToken);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('link', { name: 'Neu hinzufügen' }).click();
    await page.getByRole('button', { name: 'Outlook (Microsoft Graph) wählen' }).click();
    await page.getByLabel('Name der Integration').fill(NAME);
    await page.getByRole('textbox', { name: 'clientId', exact: true }).fill(graph.client.clientId);
    await page.getByRole('textbox', { name: 'apiBaseUrl', exact: true }).fill(graph.url);
    await page.getByRole('textbox', { name: 'loginUrl', exact: true }).fill(graph.url);
    await page.getByLabel(/^clientSecret/).fill(graph.client.clientSecret);
    await shoot(page, 'connection');

    await page.getByRole('button', { name: 'Verbinden', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/integrations/new' && url.searchParams.has('draft'), {
      timeout: 20_000,
    });
    const [draft] = await integrationsNamed(NAME);
    expect(new URL(page.url()).searchParams.get('draft')).toBe(draft.id);
    expect(graph.oauth.stats.codeExchanges).toBe(1);

    // Back in the wizard: the mapping step, with samples that needed the new tokens.
    await visible(page.getByText('Verbunden. Weiter mit der Feldzuordnung.'));
    await visible(page.getByRole('table', { name: 'Feldzuordnung calendarEvent' }));
    await visible(page.getByText(/Beispieldatensätze aus dem Quellsystem/));
    await visible(page.getByRole('table', { name: 'Vorschau der zugeordneten Datensätze' }));
    await shoot(page, 'resumed-mapping');
    expect(await seriousViolations(page)).toEqual([]);

    const stored = await hub.request({ method: 'GET', url: `/api/v1/integrations/${draft.id}` });
    expect(stored.body.status).toBe('inactive');
    expect(stored.body.credentials.refreshToken).toMatch(/^••••/);

    await page.getByRole('button', { name: 'Weiter' }).click();
    await visible(page.getByLabel('Zeitplan (Cron)'));
    await page.getByRole('button', { name: 'Aktivieren' }).click();
    await visible(page.getByText('Erste Synchronisation abgeschlossen'), 50_000);
    expect(await page.getByTestId('first-run-counts').textContent()).toContain('0 fehlerhaft');
    await shoot(page, 'first-sync-done');

    // One integration: the draft the wizard left for the provider, now active.
    const after = await integrationsNamed(NAME);
    expect(after.map((item: { id: string }) => item.id)).toEqual([draft.id]);
    expect(after[0].status).toBe('active');
  });
});
