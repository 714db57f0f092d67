// Single sign-on in the dashboard, the whole way in a real browser (Debian's Chromium) against a
// real OpenID provider (oidc-provider on loopback): "Mit SSO anmelden", the provider's login page,
// back in the dashboard with the right name and role, the overview read with the provider's
// token, its renewal with the refresh token, signing out at the provider too; a viewer who sees no
// admin actions and is sent back to the sign-in with a notice when the token expires without a
// refresh token; and a tampered state on the callback refused. A screenshot per step in
// test-output/dashboard-sso/.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations, tabTo } from './support/accessibility.ts';
import { launchChromium, screenshots, visible } from './support/browser.ts';
import { freePort } from './support/hubProcess.ts';
import {
  DASHBOARD_CLIENT,
  HUB_AUDIENCE,
  startOidcProvider,
  type TestOidcProvider,
} from './support/oidcProvider.ts';
import { createIntegration } from './support/syncSupport.ts';
import { restIntegration, startTestHub, type TestHub } from './support/testHub.ts';

const INTEGRATION = 'ERP Hauptmandant';
let provider: TestOidcProvider;
let hub: TestHub;
let hubUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const shoot = screenshots('dashboard-sso');

beforeAll(async () => {
  const port = await freePort();
  hubUrl = `http://127.0.0.1:${port}`;
  [provider, browser] = await Promise.all([
    startOidcProvider({
      hubUrl,
      users: { anna: ['hub-admin'], otto: ['hub-operator'], vera: ['hub-viewer'] },
    }),
    launchChromium(),
  ]);
  hub = await startTestHub(
    {
      PORT: String(port),
      HUB_PUBLIC_URL: hubUrl,
      HUB_OIDC_ISSUER: provider.issuer,
      HUB_OIDC_AUDIENCE: HUB_AUDIENCE,
      HUB_OIDC_CLIENT_ID: DASHBOARD_CLIENT,
      HUB_OIDC_RESOURCE: provider.resource,
    },
    { listen: true },
  );
  await createIntegration(hub, restIntegration({ name: INTEGRATION, schedule: { enabled: false } }));
  ({ context, page } = await newVisitor());
}, 120_000);

afterEach(async (test) => {
  if (test.task.result?.state === 'fail') await shoot(page, 'failed').catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  await provider?.close();
});

/** A browser of its own: no cookies at the provider, nothing in sessionStorage. */
async function newVisitor() {
  const visitor = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'de-DE' });
  return { context: visitor, page: await visitor.newPage() };
}

const ssoButton = (target: Page) => target.getByRole('button', { name: 'Mit SSO anmelden', exact: true });
const storedSession = (target: Page) =>
  target.evaluate(() => JSON.parse(sessionStorage.getItem('hub.session') ?? 'null'));

/** At the provider's own login page: any password, the login name picks the account. */
async function logInAtProvider(target: Page, login: string) {
  await target.waitForURL((url) => url.href.startsWith(`${provider.issuer}/interaction/`));
  await target.getByPlaceholder('Enter any login').fill(login);
  await target.getByPlaceholder('and password').fill('any-password');
  await target.getByRole('button', { name: 'Sign-in' }).click();
}

describe('single sign-on in the dashboard', { timeout: 60_000 }, () => {
  it('offers SSO beside the token form', async () => {
    await page.goto(hubUrl);
    await visible(ssoButton(page));
    await visible(page.getByText('Mit Ihrem Konto beim Anmeldedienst (127.0.0.1'));
    await visible(page.getByLabel('API-Token'));
    await shoot(page, 'sign-in-with-sso');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('signs an admin in at the provider and back into the dashboard with name and role', async () => {
    provider.settings.accessTokenTtlSeconds = 12;
    const authorization = page.waitForRequest((request) =>
      request.url().startsWith(`${provider.issuer}/auth?`),
    );
    await ssoButton(page).click();
    const asked = new URL((await authorization).url()).searchParams;
    expect(Object.fromEntries(asked)).toMatchObject({
      client_id: DASHBOARD_CLIENT,
      redirect_uri: `${hubUrl}/signin/callback`,
      response_type: 'code',
      scope: 'openid profile',
      code_challenge_method: 'S256',
      resource: provider.resource,
    });
    expect(asked.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(asked.get('state')).toMatch(/^[\w-]{40,}$/);
    await page.waitForURL((url) => url.href.startsWith(`${provider.issuer}/interaction/`));
    await visible(page.getByPlaceholder('Enter any login'));
    await shoot(page, 'provider-login');
    await logInAtProvider(page, 'anna');

    await page.waitForURL(`${hubUrl}/`);
    await visible(page.getByTestId('principal').getByText('Angemeldet als anna'));
    await visible(page.getByTestId('principal').getByText('Administrator'));
    // The overview is a read that needs the token: its card and the admin's "+ Neu hinzufügen".
    await visible(page.getByRole('article', { name: INTEGRATION }));
    await visible(page.getByRole('link', { name: 'Neu hinzufügen' }));
    const session = await storedSession(page);
    expect(session.kind).toBe('oidc');
    expect(session.refreshToken).toEqual(expect.any(String));
    const claims = JSON.parse(Buffer.from(session.token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ iss: provider.issuer, aud: HUB_AUDIENCE, sub: 'anna' });
    await shoot(page, 'signed-in-admin');
  });

  it('renews the access token with the refresh token before it expires, keeping the page', async () => {
    const before = (await storedSession(page)).token;
    await expect.poll(async () => (await storedSession(page)).token, { timeout: 20_000 }).not.toBe(before);
    // Past the first token's expiry: reads still work, with the new token.
    await page.waitForTimeout(4_000);
    await page.getByRole('link', { name: 'Monitoring' }).click();
    await visible(page.getByRole('heading', { name: 'Monitoring', level: 1 }));
    await page.getByRole('link', { name: 'Integration Hub' }).click();
    await visible(page.getByRole('article', { name: INTEGRATION }));
    await visible(page.getByTestId('principal').getByText('Angemeldet als anna'));
    await shoot(page, 'renewed');
    provider.settings.accessTokenTtlSeconds = 300;
  });

  it('signs out at the provider too', async () => {
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${provider.issuer}/session/end`));
    await shoot(page, 'provider-sign-out');
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();

    await page.waitForURL(`${hubUrl}/`);
    await visible(page.getByText('Sie sind abgemeldet, auch beim Anmeldedienst.'));
    expect(await storedSession(page)).toBeNull();
    await shoot(page, 'signed-out');

    // The provider forgot the person: SSO asks for a login again instead of signing straight in.
    await ssoButton(page).click();
    await page.waitForURL((url) => url.href.startsWith(`${provider.issuer}/interaction/`));
    await visible(page.getByPlaceholder('Enter any login'));
    await shoot(page, 'provider-asks-again');
    await context.close();
  });

  it('signs an operator in by keyboard with the operator role', async () => {
    ({ context, page } = await newVisitor());
    await page.goto(`${hubUrl}/monitoring`);
    await visible(ssoButton(page));
    // By keyboard this time.
    await tabTo(page, 'Mit SSO anmelden');
    await page.keyboard.press('Enter');
    await logInAtProvider(page, 'otto');
    // Back where the sign-in started.
    await page.waitForURL(`${hubUrl}/monitoring`);
    await visible(page.getByTestId('principal').getByText('Operator'));
    await visible(page.getByRole('heading', { name: 'Monitoring', level: 1 }));
    await shoot(page, 'signed-in-operator');
    await context.close();
  });

  it('shows a viewer no admin actions, and sends them back to sign in when the token expires', async () => {
    provider.settings.refreshTokens = false;
    provider.settings.accessTokenTtlSeconds = 15;
    ({ context, page } = await newVisitor());
    try {
      await page.goto(hubUrl);
      await ssoButton(page).click();
      await logInAtProvider(page, 'vera');
      await visible(page.getByTestId('principal').getByText('Betrachter'));
      await visible(page.getByRole('article', { name: INTEGRATION }));
      expect(await page.getByRole('link', { name: 'Neu hinzufügen' }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
      expect((await storedSession(page)).refreshToken).toBeNull();
      await shoot(page, 'signed-in-viewer');
      const card = page.getByRole('article', { name: INTEGRATION });
      await card.getByRole('link', { name: INTEGRATION }).click();
      await visible(page.getByRole('heading', { name: INTEGRATION, level: 1 }));
      for (const name of ['Jetzt synchronisieren', 'Pausieren', 'Löschen', 'Verbindung testen']) {
        expect(await page.getByRole('button', { name }).count(), name).toBe(0);
      }
      await shoot(page, 'viewer-detail-no-actions');

      await visible(
        page.getByText('Ihre SSO-Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an.'),
        20_000,
      );
      await visible(ssoButton(page));
      expect(await storedSession(page)).toBeNull();
      await shoot(page, 'viewer-expired');
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      provider.settings.refreshTokens = true;
      provider.settings.accessTokenTtlSeconds = 300;
      await context.close();
    }
  });

  it('refuses an answer whose state was tampered with, and never uses the same answer twice', async () => {
    ({ context, page } = await newVisitor());
    // Browsers follow the provider's redirects without letting a test stop them, so the login
    // form's answer is taken here and its redirects followed by hand (with the browser's cookies)
    // up to the callback address, which the browser then opens changed.
    let answer: URL | undefined;
    await page.route(`${provider.issuer}/interaction/**`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const login = await route.fetch({ maxRedirects: 0 });
      const resume = await context.request.get(
        new URL(login.headers().location ?? '', provider.issuer).href,
        {
          maxRedirects: 0,
        },
      );
      answer = new URL(resume.headers().location ?? '', provider.issuer);
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<title>held</title>' });
    });
    await page.goto(hubUrl);
    await ssoButton(page).click();
    await logInAtProvider(page, 'anna');
    await expect.poll(() => answer, { timeout: 15_000 }).toBeDefined();
    const genuine = answer as URL;
    expect(genuine.searchParams.get('code')).toEqual(expect.any(String));

    const tampered = new URL(genuine);
    tampered.searchParams.set('state', `${genuine.searchParams.get('state')}x`);
    await page.goto(tampered.href);
    await visible(page.getByText('Die Anmeldung wurde abgewiesen'));
    await page.waitForURL(`${hubUrl}/`);
    expect(await storedSession(page)).toBeNull();
    expect(await page.getByTestId('principal').count()).toBe(0);
    await shoot(page, 'tampered-state-refused');
    expect(await seriousViolations(page)).toEqual([]);

    // The attempt was used up by the refused answer: the genuine one is refused as well.
    await page.goto(genuine.href);
    await visible(page.getByText('Die Anmeldung wurde abgewiesen'));
    expect(await storedSession(page)).toBeNull();
    await context.close();
  });
});
