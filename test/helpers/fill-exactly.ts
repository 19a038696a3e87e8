import type { Locator } from 'playwright-core';

/**
 * `fill`, then read the field back and fill again until it holds exactly `value` (5 tries).
 * A page that re-renders while Playwright types (a list the page fetches on load arriving
 * just then) can leave the text doubled: CI once saw "stories260kstories260k" in the chat's
 * model field. The page's behaviour is what the tests check, not this race.
 */
export async function fillExactly(field: Locator, value: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    await field.fill(value);
    if ((await field.inputValue()) === value) return;
  }
  throw new Error(`the field kept a value other than ${JSON.stringify(value)}: ${JSON.stringify(await field.inputValue())}`);
}
