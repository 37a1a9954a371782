// Real-window tests of the one-time reveal, copy, revoke (issue 4).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startDriver, stopDriver, launch, byTestId, screenshot, textOf } from './harness.mjs';
import { harvestKeyring, record } from './secrets/lib.mjs';

let session;

before(async () => {
  await startDriver();
  session = await launch();
  const { browser } = session;
  await (await byTestId(browser, 'explore-sandbox')).waitForClickable({ timeout: 30000 });
  await (await byTestId(browser, 'explore-sandbox')).click();
  await (await byTestId(browser, 'tokens-table')).waitForDisplayed({ timeout: 60000 });
});

after(async () => {
  harvestKeyring(); // for the secrets scan (scripts/test.sh), when it keeps a ledger
  await session?.browser.deleteSession();
  stopDriver();
});

const clipboard = () => execFileSync('xclip', ['-o', '-selection', 'clipboard'], { encoding: 'utf8' });
const rowsNamed = async (browser, name) => {
  const rows = await browser.$$('[data-testid="token-row"]');
  const out = [];
  for (const r of rows) {
    const text = (await r.getProperty('textContent')) ?? '';
    if (text.includes(name)) out.push(r);
  }
  return out;
};

test('create with two scopes, reveal once, copy, confirm; the value never stays in the page', async () => {
  const { browser } = session;
  const name = `E2E ingest ${Date.now()}`;
  await (await byTestId(browser, 'token-new')).click();
  await (await byTestId(browser, 'new-token-form')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId(browser, 'new-token-name')).setValue(name);
  await (await byTestId(browser, 'scope-content:write')).click();
  await (await byTestId(browser, 'scope-content:read')).click();
  await (await byTestId(browser, 'new-token-submit')).click();

  const dialog = await byTestId(browser, 'reveal-dialog');
  await dialog.waitForDisplayed({ timeout: 20000 });
  // Masked until revealed: no token characters in the page yet.
  assert.doesNotMatch(await browser.getPageSource(), /vst_live_/);

  // Escape does not close it, and Done waits for the confirmation.
  await browser.keys('Escape');
  assert.ok(await dialog.isDisplayed(), 'Escape closed the reveal dialog');
  assert.equal(await (await byTestId(browser, 'reveal-done')).isEnabled(), false);

  await (await byTestId(browser, 'reveal-toggle')).click();
  await browser.waitUntil(async () => (await textOf(browser, 'reveal-value')).startsWith('vst_live_'), {
    timeout: 10000,
    timeoutMsg: 'the value was never revealed',
  });
  const value = await textOf(browser, 'reveal-value');
  record('revealed_token', value); // the secrets scan looks for it everywhere

  await (await byTestId(browser, 'reveal-copy')).click();
  await browser.waitUntil(async () => clipboard() === value, {
    timeout: 5000,
    timeoutMsg: 'the clipboard does not hold the token',
  });
  await (await byTestId(browser, 'reveal-countdown')).waitForDisplayed({ timeout: 5000 });
  await screenshot(browser, 'token-reveal');

  await (await byTestId(browser, 'reveal-confirm')).click();
  await (await byTestId(browser, 'reveal-done')).click();
  await dialog.waitForDisplayed({ reverse: true, timeout: 10000 });

  // Gone from the DOM, listed without its value, with both scopes.
  assert.ok(!(await browser.getPageSource()).includes(value), 'the token value is still in the DOM');
  await browser.waitUntil(async () => (await rowsNamed(browser, name)).length === 1, { timeout: 10000 });
  const [row] = await rowsNamed(browser, name);
  const rowText = await row.getProperty('textContent');
  assert.match(rowText, /content:write/);
  assert.match(rowText, /content:read/);
  assert.ok(!rowText.includes('vst_live_'));
});

test('revoke removes the token', async () => {
  const { browser } = session;
  const name = `E2E revoke ${Date.now()}`;
  await (await byTestId(browser, 'token-new')).click();
  await (await byTestId(browser, 'new-token-name')).setValue(name);
  await (await byTestId(browser, 'scope-analytics:read')).click();
  await (await byTestId(browser, 'new-token-submit')).click();
  await (await byTestId(browser, 'reveal-dialog')).waitForDisplayed({ timeout: 20000 });
  await (await byTestId(browser, 'reveal-confirm')).click();
  await (await byTestId(browser, 'reveal-done')).click();
  await browser.waitUntil(async () => (await rowsNamed(browser, name)).length === 1, { timeout: 10000 });

  const [row] = await rowsNamed(browser, name);
  await (await row.$('[data-testid="token-revoke"]')).click();
  const dialog = await byTestId(browser, 'revoke-dialog');
  await dialog.waitForDisplayed({ timeout: 10000 });
  assert.match(await dialog.getProperty('textContent'), /60 seconds/);
  await (await byTestId(browser, 'revoke-confirm')).click();
  await browser.waitUntil(async () => (await rowsNamed(browser, name)).length === 0, {
    timeout: 10000,
    timeoutMsg: 'the revoked token is still listed',
  });
  // And after a refresh from the service, too.
  await (await byTestId(browser, 'tokens-refresh')).click();
  await browser.pause(1000);
  assert.equal((await rowsNamed(browser, name)).length, 0);
});

test('no token value is at rest in the data, config, cache or log directories', async () => {
  const { readdirSync, readFileSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const roots = [session.dataDir, process.env.XDG_DATA_HOME, process.env.XDG_CONFIG_HOME, process.env.XDG_CACHE_HOME]
    .filter(Boolean);
  const hits = [];
  let scanned = 0;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(path);
      else if (st.isFile() && st.size < 64 * 1024 * 1024) {
        scanned += 1;
        // Keyrings are the keychain's own (encrypted) store.
        if (path.includes('/keyrings/')) continue;
        const text = readFileSync(path).toString('latin1');
        if (/vst_live_[A-Za-z0-9_-]{20,}/.test(text)) hits.push(path);
      }
    }
  };
  roots.forEach(walk);
  assert.ok(scanned > 0, 'nothing was scanned');
  assert.deepEqual(hits, [], `token values found at rest in: ${hits.join(', ')}`);
});
