// Real-window tests of the command palette (#17 §3): a token created and
// revealed by keyboard alone, palette first (WebDriver key actions only, no
// clicks after the sandbox is open), and a destructive action that still
// goes through its confirmation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Key } from 'webdriverio';
import { stopDriver, byTestId, screenshot, textOf } from './harness.mjs';
import { openSandbox, tokenRow } from './flows.mjs';
import { harvestKeyring, record } from './secrets/lib.mjs';

let session;

before(async () => {
  session = await openSandbox();
});

after(async () => {
  harvestKeyring(); // for the secrets scan (scripts/test.sh), when it keeps a ledger
  await session?.browser.deleteSession();
  stopDriver();
});

/** The test id of the focused element. */
const focused = (browser) => browser.execute(() => document.activeElement?.getAttribute('data-testid') ?? null);

/** Waits until the element `testid` has focus. */
const focusOn = (browser, testid) =>
  browser.waitUntil(async () => (await focused(browser)) === testid, {
    timeout: 10000,
    timeoutMsg: `focus never reached ${testid}`,
  });

/** Presses Tab until the element `testid` has focus (at most `max` times). */
async function tabTo(browser, testid, max = 60) {
  for (let i = 0; i < max; i++) {
    if ((await focused(browser)) === testid) return;
    await browser.keys(Key.Tab);
  }
  assert.fail(`Tab never reached ${testid}`);
}

/**
 * Types `text` one key press at a time (`browser.keys` presses every key
 * down before releasing any, so a doubled letter would be typed once).
 */
async function type(browser, text) {
  const action = browser.action('key');
  for (const char of text) action.down(char).up(char);
  await action.perform();
}

/** Ctrl+K, as key actions. */
const pressPalette = (browser) => browser.action('key').down(Key.Ctrl).down('k').up('k').up(Key.Ctrl).perform();

/** The action id of the palette's highlighted option (aria-activedescendant). */
const activeAction = (browser) =>
  browser.execute(() => {
    const input = document.querySelector('[data-testid="palette-input"]');
    const id = input?.getAttribute('aria-activedescendant');
    return id ? (document.getElementById(id)?.getAttribute('data-action') ?? null) : null;
  });

async function openPalette(browser) {
  await pressPalette(browser);
  await (await byTestId(browser, 'palette')).waitForDisplayed({ timeout: 10000 });
  await focusOn(browser, 'palette-input');
}

test('creates and reveals a token by keyboard alone, palette first', async () => {
  const { browser } = session;
  const name = `E2E palette ${Date.now()}`;

  await openPalette(browser);
  await type(browser, 'new token');
  await browser.waitUntil(async () => (await activeAction(browser)) === 'tokens.create', {
    timeout: 5000,
    timeoutMsg: '“new token” did not highlight New token',
  });
  await screenshot(browser, 'palette-new-token');
  await browser.keys(Key.Enter);

  // The page's own dialog, focus on its first field.
  await (await byTestId(browser, 'new-token-form')).waitForDisplayed({ timeout: 10000 });
  assert.equal(await (await byTestId(browser, 'palette')).isExisting(), false, 'the palette is still open');
  await focusOn(browser, 'new-token-name');
  await type(browser, name);
  await tabTo(browser, 'scope-content:read');
  await browser.keys(Key.Space);
  assert.equal(await (await byTestId(browser, 'scope-content:read')).isSelected(), true);
  await tabTo(browser, 'new-token-submit');
  await browser.keys(Key.Enter);

  const dialog = await byTestId(browser, 'reveal-dialog');
  await dialog.waitForDisplayed({ timeout: 20000 });
  assert.equal(await textOf(browser, 'reveal-name'), name);
  assert.doesNotMatch(await browser.getPageSource(), /vst_live_/, 'the value showed before Reveal');

  await tabTo(browser, 'reveal-toggle');
  await browser.keys(Key.Enter);
  await browser.waitUntil(async () => (await textOf(browser, 'reveal-value')).startsWith('vst_live_'), {
    timeout: 10000,
    timeoutMsg: 'the value was never revealed',
  });
  const value = await textOf(browser, 'reveal-value');
  record('revealed_token', value); // the secrets scan looks for it everywhere

  await tabTo(browser, 'reveal-confirm');
  await browser.keys(Key.Space);
  await tabTo(browser, 'reveal-done');
  await browser.keys(Key.Enter);
  await dialog.waitForDisplayed({ reverse: true, timeout: 10000 });
  assert.ok(!(await browser.getPageSource()).includes(value), 'the token value is still in the DOM');
  await browser.waitUntil(async () => (await tokenRow(browser, name)) !== null, { timeout: 10000 });

  // Next time, New token is the first (recent) action; Escape closes.
  await openPalette(browser);
  assert.equal(await activeAction(browser), 'tokens.create');
  await browser.keys(Key.Escape);
  await (await byTestId(browser, 'palette')).waitForDisplayed({ reverse: true, timeout: 10000 });
});

test('revoking a named token from the palette still asks first', async () => {
  const { browser } = session;
  await openPalette(browser);
  await type(browser, 'revoke webhook relay');
  await browser.waitUntil(async () => ((await activeAction(browser)) ?? '').startsWith('tokens.revoke:'), {
    timeout: 5000,
    timeoutMsg: 'no revoke action for Webhook relay',
  });
  await browser.keys(Key.Enter);
  const confirm = await byTestId(browser, 'revoke-dialog');
  await confirm.waitForDisplayed({ timeout: 10000 });
  assert.match((await confirm.getProperty('textContent')) ?? '', /Webhook relay/);
  await browser.keys(Key.Escape);
  await confirm.waitForDisplayed({ reverse: true, timeout: 10000 });
  assert.ok(await tokenRow(browser, 'Webhook relay'), 'the token was revoked without confirmation');
});
