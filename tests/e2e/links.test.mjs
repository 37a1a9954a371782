// Real-window tests of portal:// links (issue 17 §4): a second instance of
// the app started with a link hands it to the running one over D-Bus
// (tauri-plugin-single-instance, keyed on the app's identifier: one app of
// this suite runs at a time, in the private session bus of
// scripts/lib.sh's in_keyring) and exits 0; the first window opens the
// token's row, and refuses a secret-shaped link with a warning.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { APP, byTestId, screenshot, stopDriver } from './harness.mjs';
import { openSandbox } from './flows.mjs';
import { record } from './secrets/lib.mjs';

let session;

before(async () => {
  session = await openSandbox();
});

after(async () => {
  await session?.browser.deleteSession();
  stopDriver();
});

/** Starts the app again with `link` as its only argument (as the desktop does); its exit. */
function secondInstance(link) {
  return new Promise((resolve, reject) => {
    const child = spawn(APP, [link], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    // A guard, not a measurement: a second instance that stays up is the failure.
    const guard = setTimeout(() => {
      child.kill();
      reject(new Error(`the second instance did not exit; its output:\n${output}`));
    }, 60000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, output });
    });
  });
}

test('a second instance hands its link over and exits 0; the first window selects the token', async () => {
  const { browser } = session;
  const rows = await browser.$$('[data-testid="token-row"]');
  assert.ok(rows.length > 0, 'the sandbox lists no token');
  const id = await rows[rows.length - 1].getAttribute('data-token-id');

  // Elsewhere first, so the link has to open the Tokens page itself.
  await (await byTestId(browser, 'nav-activity')).click();
  await (await byTestId(browser, 'activity-page')).waitForDisplayed({ timeout: 30000 });

  const second = await secondInstance(`portal://tokens/${id}`);
  assert.equal(second.code, 0, `the second instance exited with ${second.code ?? second.signal}:\n${second.output}`);

  await (await byTestId(browser, 'tokens-page')).waitForDisplayed({ timeout: 20000 });
  const row = await browser.$(`[data-token-id="${id}"]`);
  await browser.waitUntil(async () => (await row.isExisting()) && (await row.getAttribute('data-highlight')) === 'link', {
    timeout: 20000,
    timeoutMsg: `the token ${id} was not selected`,
  });
  assert.equal(await row.getAttribute('aria-current'), 'true');
  const focused = await browser.execute(() => document.activeElement?.getAttribute('data-token-id') ?? null);
  assert.equal(focused, id, 'the selected row does not have the focus');
  await screenshot(browser, 'link-token');
});

test('a link carrying a token is refused with a warning and never acted on', async () => {
  const { browser } = session;
  await (await byTestId(browser, 'nav-activity')).click();
  await (await byTestId(browser, 'activity-page')).waitForDisplayed({ timeout: 30000 });
  // Shaped like a VaultStream token (never issued by any service).
  const fake = `vst_live_${randomBytes(24).toString('base64url')}`;
  record('other', fake); // the secrets scan: never logged or kept by either instance

  const second = await secondInstance(`portal://tokens/${fake}`);
  assert.equal(second.code, 0, `the second instance exited with ${second.code ?? second.signal}:\n${second.output}`);

  const toast = await browser.$('[data-testid="toast"][data-severity="warning"]');
  await toast.waitForExist({ timeout: 20000, timeoutMsg: 'no warning about the refused link' });
  const text = (await toast.getProperty('textContent')) ?? '';
  assert.match(text, /Link refused: it carries a secret/);
  assert.ok(!(await browser.getPageSource()).includes(fake), 'the link’s token is in the page');
  // Not acted on: still on the page it was on.
  assert.ok(await (await byTestId(browser, 'activity-page')).isDisplayed(), 'the refused link changed the page');
  await screenshot(browser, 'link-refused');
});
