// Debian's Chromium driven by playwright-core (its own browser downloads cannot be fetched here),
// and numbered screenshots of each step for a person to look at afterwards.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
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
