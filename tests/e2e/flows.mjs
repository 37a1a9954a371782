// Steps several real-window tests share: a fresh app on the embedded
// sandbox, and a token created and saved to the keychain through the app.
import { startDriver, launch, byTestId, textOf } from './harness.mjs';
import { record } from './secrets/lib.mjs';

/** Starts the driver and a fresh app, and opens the embedded sandbox's Tokens page. */
export async function openSandbox() {
  await startDriver();
  const session = await launch();
  const { browser } = session;
  await (await byTestId(browser, 'explore-sandbox')).waitForClickable({ timeout: 30000 });
  await (await byTestId(browser, 'explore-sandbox')).click();
  await (await byTestId(browser, 'tokens-table')).waitForDisplayed({ timeout: 60000 });
  return session;
}

/** The Tokens page's row of the token `name`, or null. */
export async function tokenRow(browser, name) {
  for (const r of await browser.$$('[data-testid="token-row"]')) {
    if (((await r.getProperty('textContent')) ?? '').includes(name)) return r;
  }
  return null;
}

/**
 * Creates a token on the Tokens page, reveals it once and saves it to the
 * keychain from the reveal dialog (as a user keeps one for a script).
 * Returns its id and value; the value goes to the secrets scan's ledger.
 */
export async function createSavedToken(browser, name) {
  await (await byTestId(browser, 'nav-tokens')).click();
  await (await byTestId(browser, 'token-new')).waitForClickable({ timeout: 30000 });
  await (await byTestId(browser, 'token-new')).click();
  await (await byTestId(browser, 'new-token-name')).setValue(name);
  await (await byTestId(browser, 'scope-analytics:read')).click();
  await (await byTestId(browser, 'new-token-submit')).click();
  await (await byTestId(browser, 'reveal-dialog')).waitForDisplayed({ timeout: 20000 });
  const id = await textOf(browser, 'reveal-id');
  await (await byTestId(browser, 'reveal-toggle')).click();
  await browser.waitUntil(async () => (await textOf(browser, 'reveal-value')).startsWith('vst_live_'), {
    timeout: 10000,
    timeoutMsg: 'the value was never revealed',
  });
  const value = await textOf(browser, 'reveal-value');
  record('revealed_token', value); // the secrets scan looks for it everywhere
  await (await byTestId(browser, 'reveal-save')).click();
  await (await byTestId(browser, 'reveal-saved')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId(browser, 'reveal-confirm')).click();
  await (await byTestId(browser, 'reveal-done')).click();
  await (await byTestId(browser, 'reveal-dialog')).waitForDisplayed({ reverse: true, timeout: 10000 });
  await browser.waitUntil(async () => (await tokenRow(browser, name)) !== null, { timeout: 10000 });
  return { id, value };
}
