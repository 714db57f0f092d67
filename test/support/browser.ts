// Debian's Chromium driven by playwright-core (its own browser downloads cannot be fetched here),
// and numbered screenshots of each step for a person to look at afterwards.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { ensureDebianPackages } from './debianPackages.ts';

const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  ensureDebianPackages(CHROMIUM, ['chromium']);
  return chromium.launch({
    executablePath: CHROMIUM,
    // The machine has no network but the loopback: Chromium's own background calls would only fail.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves test-output/<folder>/<prefix>NN-<step>.png, numbered in the order taken. */
export function screenshots(folder: string, prefix = '') {
  const directory = path.resolve('test-output', folder);
  let taken = 0;
  return async (page: Page, step: string): Promise<string> => {
    await mkdir(directory, { recursive: true });
    taken += 1;
    const file = path.join(directory, `${prefix}${String(taken).padStart(2, '0')}-${step}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  };
}

/** Waits until the first element the locator finds is visible. */
export const visible = (target: Locator, timeout = 15_000) =>
  target.first().waitFor({ state: 'visible', timeout });

/**
 * Signs in on the hub's sign-in page with an API token. Signed in is when the sign-in form is
 * gone: the sign-in page has the same "Integration Hub" heading as the overview behind it.
 */
export async function signInWithToken(page: Page, hubUrl: string, token: string): Promise<void> {
  await page.goto(hubUrl);
  await page.getByLabel('API-Token').fill(token);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByLabel('API-Token').waitFor({ state: 'detached', timeout: 15_000 });
  await visible(page.getByRole('heading', { name: 'Integration Hub', level: 1 }));
}
