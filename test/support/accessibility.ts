// Accessibility checks for the dashboard's browser tests: axe-core (Deque's engine, injected with
// @axe-core/playwright) against the WCAG 2.0/2.1 A and AA rules, failing on serious or critical
// violations with each rule, its help text and the elements it found; and moving by keyboard.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The serious and critical violations on the page as it is now, one readable line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_AA).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes
          .slice(0, 5)
          .map((node) => node.target.join(' '))
          .join(', ')}`,
    );
}

/** The accessible name of the focused element, roughly as a screen reader would say it. */
const focusedName = `(() => {
  const element = document.activeElement;
  if (!element) return '';
  const labelledBy = element.getAttribute('aria-labelledby');
  const label = labelledBy && document.getElementById(labelledBy.split(' ')[0]);
  const name = element.getAttribute('aria-label') ?? label?.textContent ?? element.labels?.[0]?.textContent ?? element.textContent;
  return (name ?? '').trim();
})()`;

/** Presses Tab until the focused element has this accessible name (or gives up after `limit`). */
export async function tabTo(page: Page, name: string | RegExp, limit = 40): Promise<void> {
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press('Tab');
    const focused = String(await page.evaluate(focusedName));
    if (typeof name === 'string' ? focused === name : name.test(focused)) return;
  }
  throw new Error(`pressed Tab ${limit} times without reaching ${name}`);
}
