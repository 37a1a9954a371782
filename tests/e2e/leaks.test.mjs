// Real-window test of the Leak check page (issue 15 §1): a live token saved
// from the app is planted in a folder; the sweep finds it, shows it masked
// (never the value) and names the token; Revoke… confirms through the Tokens
// page's own dialog. The folder is typed: the native dialog cannot be driven.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopDriver, byTestId, screenshot, textOf } from './harness.mjs';
import { createSavedToken, openSandbox, tokenRow } from './flows.mjs';
import { harvestKeyring } from './secrets/lib.mjs';

let session;
// Outside the run's scanned directories; removed at the end.
const folder = mkdtempSync(join(tmpdir(), 'portal-leaks-'));

before(async () => {
  session = await openSandbox();
});

after(async () => {
  rmSync(folder, { recursive: true, force: true });
  harvestKeyring(); // for the secrets scan (scripts/test.sh), when it keeps a ledger
  await session?.browser.deleteSession();
  stopDriver();
});

test('finds a planted token masked, names it, and Revoke… revokes it through the Tokens dialog', async () => {
  const { browser } = session;
  const name = `E2E leaked ${Date.now()}`;
  const { id, value } = await createSavedToken(browser, name);

  mkdirSync(join(folder, 'deploy'));
  writeFileSync(join(folder, 'deploy', '.env'), `# staging\nVAULTSTREAM_TOKEN=${value}\n`);
  writeFileSync(join(folder, 'README.md'), '# nothing to see\n');

  await (await byTestId(browser, 'nav-leaks')).click();
  await (await byTestId(browser, 'leaks-page')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId(browser, 'leaks-root')).setValue(folder);
  await (await byTestId(browser, 'leaks-start')).click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="leak-row"]')).length > 0, {
    timeout: 60000,
    timeoutMsg: 'no finding',
  });

  const rows = await browser.$$('[data-testid="leak-row"]');
  assert.equal(rows.length, 1, `expected one finding, got ${rows.length}`);
  const row = rows[0];
  assert.equal(await (await row.$('[data-testid="leak-location"]')).getProperty('textContent'), 'deploy/.env:2:19');
  const masked = ((await (await row.$('[data-testid="leak-masked"]')).getProperty('textContent')) ?? '').trim();
  assert.ok(masked.startsWith('vst_live_'), 'the masked form keeps the prefix');
  assert.ok(masked.endsWith(value.slice(-4)), 'the masked form keeps the last 4 characters');
  assert.ok(masked.length < value.length, 'the masked form is shorter than the value');
  const matches = (await (await row.$('[data-testid="leak-matches"]')).getProperty('textContent')) ?? '';
  assert.ok(matches.includes(name) && matches.includes(id), `the finding names the token: ${matches}`);
  assert.match(await textOf(browser, 'leaks-summary'), /1 finding in 2 files/);
  // Never the value: not in the page, not in any attribute.
  assert.ok(!(await browser.getPageSource()).includes(value), 'the token value is in the page');
  await screenshot(browser, 'leaks-finding');

  await (await row.$('[data-testid="leak-revoke"]')).click();
  const dialog = await byTestId(browser, 'revoke-dialog');
  await dialog.waitForDisplayed({ timeout: 20000 });
  assert.equal(await textOf(browser, 'revoke-token-name'), name);
  assert.equal(await (await byTestId(browser, 'nav-tokens')).getAttribute('aria-current'), 'page');
  await (await byTestId(browser, 'revoke-confirm')).click();
  await dialog.waitForDisplayed({ reverse: true, timeout: 10000 });
  await browser.waitUntil(async () => (await tokenRow(browser, name)) === null, {
    timeout: 20000,
    timeoutMsg: 'the revoked token is still listed',
  });
  // And the service refuses it now: a token check through the sandbox.
  await (await byTestId(browser, 'tokens-refresh')).click();
  await browser.pause(1000);
  assert.equal(await tokenRow(browser, name), null);
});

test('Cancel stops a sweep of a large folder and keeps what was found', async () => {
  const { browser } = session;
  // Enough files that the sweep is still running when Cancel is pressed.
  const big = join(folder, 'big');
  mkdirSync(big);
  const line = 'lorem ipsum dolor sit amet '.repeat(40) + '\n';
  for (let i = 0; i < 4000; i++) writeFileSync(join(big, `f${i}.txt`), line.repeat(20));
  await (await byTestId(browser, 'nav-leaks')).click();
  const root = await byTestId(browser, 'leaks-root');
  await root.waitForDisplayed({ timeout: 10000 });
  await root.clearValue();
  await root.setValue(big);
  await (await byTestId(browser, 'leaks-start')).click();
  const cancel = await byTestId(browser, 'leaks-cancel');
  const result = await browser.waitUntil(
    async () => {
      if (await cancel.isDisplayed().catch(() => false)) return 'running';
      if ((await browser.$$('[data-testid="leaks-empty"]')).length) return 'done';
      return false;
    },
    { timeout: 30000, interval: 20 },
  );
  assert.equal(result, 'running', 'the sweep ended before Cancel could be pressed');
  await cancel.click();
  await (await byTestId(browser, 'leaks-progress')).waitForDisplayed({ reverse: true, timeout: 30000 });
  await (await byTestId(browser, 'leaks-cancelled')).waitForDisplayed({ timeout: 10000 });
  assert.match(await textOf(browser, 'leaks-cancelled'), /^Cancelled: .*no leaks found in [\d,]+ files/);
  assert.equal((await browser.$$('[data-testid="leaks-error"]')).length, 0);
});
