// The setup wizard for a generic connector, whose endpoints, auth and headers are objects: they are
// edited as JSON beside the plain fields. A new user connects the generic REST connector to a
// paged source: JSON that does not parse is refused, naming the field, before anything is stored;
// then the connection test passes, the integration's entities are the ones its endpoints describe,
// and the mapping step shows sample records read through the configured endpoint. The step with
// its JSON fields is audited with axe-core.
// Screenshots: test-output/dashboard/json-settings-NN-*.png.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RecordSource, startRecordSource } from '../sandbox/recordSource/index.ts';
import { seriousViolations } from './support/accessibility.ts';
import { launchChromium, screenshots, visible } from './support/browser.ts';
import { SOURCE_TOKEN } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let source: RecordSource;
let browser: Browser;
let page: Page;
const shoot = screenshots('dashboard', 'json-settings-');

beforeAll(async () => {
  [hub, source, browser] = await Promise.all([
    startTestHub({}, { listen: true }),
    startRecordSource({ count: 40, seed: 5, token: SOURCE_TOKEN }),
    launchChromium(),
  ]);
  // A page of its own context: axe-core's audit needs one.
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'de-DE' });
  page = await context.newPage();
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await shoot(page, 'failed').catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await source?.close();
  await hub?.close();
});

const resources = {
  customer: {
    path: '/customers',
    recordsPath: 'data',
    pagination: { style: 'cursor', pageSize: 100, nextCursorPath: 'next_cursor' },
  },
};

async function storedIntegrations() {
  const listed = await hub.request({ method: 'GET', url: '/api/v1/integrations?connector=rest' });
  return listed.body.items as { id: string; entities: string[]; config: Record<string, unknown> }[];
}

describe('the setup wizard for a generic connector', () => {
  it('edits endpoints and auth as JSON, refuses JSON that does not parse, and reads samples through them', async () => {
    await page.goto(hub.hub.url);
    await page.getByLabel('API-Token').fill(hub.adminToken);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('link', { name: 'Neu hinzufügen' }).click();
    await page.getByRole('button', { name: 'Generic REST API wählen' }).click();

    await visible(page.getByLabel('Name der Integration'));
    await page.getByLabel('Name der Integration').fill('Lieferanten-ERP');
    await page.getByRole('textbox', { name: 'baseUrl' }).fill(source.url);
    await page.getByRole('textbox', { name: 'healthCheckPath' }).fill('/health');
    // The schema's defaults stand in the JSON fields to start from.
    expect(JSON.parse(await page.getByLabel('auth', { exact: true }).inputValue())).toMatchObject({
      kind: 'none',
    });
    await page.getByLabel('auth', { exact: true }).fill('{"kind": "bearer"}');
    await page.getByLabel('token', { exact: true }).fill(SOURCE_TOKEN);
    await page.getByLabel('resources', { exact: true }).fill('{"customer": {"path": "/customers",');
    // Leaving the field checks it at once (the message appears under it), as a person tabbing on.
    await page.keyboard.press('Tab');
    await visible(page.getByText('resources: kein gültiges JSON'));
    await page.getByRole('button', { name: 'Verbindung testen' }).click();
    await visible(page.getByRole('alert').filter({ hasText: 'resources: kein gültiges JSON' }));
    expect(await storedIntegrations()).toEqual([]);
    await shoot(page, 'invalid-json');
    // The JSON fields, their messages included, meet WCAG 2.1 AA like the rest of the wizard.
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('resources', { exact: true }).fill(JSON.stringify(resources));
    await page.keyboard.press('Tab');
    await page.getByRole('button', { name: 'Verbindung testen' }).click();
    await visible(page.getByText(/Verbindung erfolgreich/));
    await shoot(page, 'connection-tested');
    const [stored] = await storedIntegrations();
    expect(stored).toMatchObject({
      entities: ['customer'],
      config: { auth: { kind: 'bearer' }, resources: { customer: { path: '/customers' } } },
    });

    await page.getByRole('button', { name: 'Weiter' }).click();
    await visible(page.getByRole('table', { name: 'Feldzuordnung customer' }));
    await visible(page.getByText('5 Beispieldatensätze aus dem Quellsystem'));
    // Only the entity the endpoints describe gets a tab.
    expect(await page.getByRole('tab').allTextContents()).toEqual(['customer']);
    // The first sample's company, read through the configured endpoint.
    await visible(page.getByText(source.records()[0]!.firma));
    await shoot(page, 'mapping-with-samples');
  });
});
