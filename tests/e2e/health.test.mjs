// Real-window test of the Health panel (issue 15 §3): a token saved to the
// keychain and then revoked elsewhere (straight at the service, as from its
// web dashboard: a revoke in this app forgets the saved copy itself) shows up
// as a saved value that no longer works, with its fix; Forget… (confirmed)
// removes the value, and Refresh shows the finding gone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stopDriver, byTestId, screenshot, textOf } from './harness.mjs';
import { createSavedToken, openSandbox } from './flows.mjs';
import { spawnSync } from 'node:child_process';
import { harvestKeyring, keyringSecrets, SERVICE } from './secrets/lib.mjs';

let session;

before(async () => {
  session = await openSandbox();
});

after(async () => {
  harvestKeyring(); // for the secrets scan (scripts/test.sh), when it keeps a ledger
  await session?.browser.deleteSession();
  stopDriver();
});

const findingOf = (browser, id) => browser.$(`[data-testid="health-finding"][data-id="${id}"]`);

/** Waits until the check has answered (findings or All healthy) and is not running. */
async function checked(browser) {
  await browser.waitUntil(
    async () =>
      (await browser.$$('[data-testid="health-group"], [data-testid="health-empty"]')).length > 0 &&
      (await (await byTestId(browser, 'health-page')).getAttribute('aria-busy')) === 'false',
    { timeout: 30000, timeoutMsg: 'the health check did not answer' },
  );
}

/** Every value stored for the accounts of `entries`, each item of each account. */
function* candidatesOf(entries) {
  for (const { account, value } of entries) {
    yield value.trim();
    const all = spawnSync('secret-tool', ['search', '--all', '--unlock', 'service', SERVICE, 'username', account], {
      encoding: 'utf8',
    });
    for (const m of (all.stdout ?? '').matchAll(/^secret = (.*)$/gm)) yield m[1].trim();
  }
}

/** Revokes token `id` at the embedded sandbox with the profile's own admin token (from the test keyring). */
async function revokeElsewhere(browser, id) {
  await (await byTestId(browser, 'nav-settings')).click();
  const base = (await textOf(browser, 'settings-url-vaultstream')).replace(/\/+$/, '');
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+/);
  // Every VaultStream credential of the run's keyring: the suites before
  // this one kept theirs under the same account, so try each (one is this
  // app's sandbox's own admin token).
  const admins = keyringSecrets().filter((s) => s.account.endsWith('/vaultstream-token'));
  assert.ok(admins.length > 0, 'no VaultStream credential in the test keyring');
  const statuses = [];
  for (const candidate of [...candidatesOf(admins)]) {
    const answer = await fetch(`${base}/v1/auth/tokens/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${candidate}` },
    });
    if (answer.ok) return;
    statuses.push(answer.status);
  }
  assert.fail(`revoking at the sandbox failed: ${statuses.join(', ')}`);
}

test('a revoked saved token appears with its fix; Forget… fixes it; Refresh shows it gone', async () => {
  const { browser } = session;
  const name = `E2E stale ${Date.now()}`;
  const { id } = await createSavedToken(browser, name);

  // Healthy so far: the saved token's token is live.
  await (await byTestId(browser, 'nav-health')).click();
  await (await byTestId(browser, 'health-page')).waitForDisplayed({ timeout: 10000 });
  await checked(browser);
  assert.equal(await (await findingOf(browser, id)).isExisting(), false);

  // Revoked elsewhere: the value kept in the keychain goes stale.
  await revokeElsewhere(browser, id);

  await (await byTestId(browser, 'nav-health')).click();
  const finding = await findingOf(browser, id);
  await finding.waitForDisplayed({ timeout: 30000 });
  assert.equal(await finding.getAttribute('data-kind'), 'saved_token_gone');
  const text = (await finding.getProperty('textContent')) ?? '';
  assert.ok(text.includes(name), `the finding names the token: ${text}`);
  assert.ok(text.includes(`portal tokens forget ${id}`), `the finding shows its command: ${text}`);
  const count = await byTestId(browser, 'nav-health-count');
  assert.ok(Number.parseInt(await count.getProperty('textContent'), 10) >= 1, 'the sidebar counts it');
  await screenshot(browser, 'health-stale-saved-token');

  const fix = await finding.$('[data-testid="health-fix"]');
  assert.equal(((await fix.getProperty('textContent')) ?? '').trim(), 'Forget…');
  await fix.click();
  const dialog = await byTestId(browser, 'forget-dialog');
  await dialog.waitForDisplayed({ timeout: 10000 });
  assert.match(await textOf(browser, 'forget-dialog'), new RegExp(id));
  await (await byTestId(browser, 'forget-dialog-confirm')).click();
  await dialog.waitForDisplayed({ reverse: true, timeout: 20000 });

  await checked(browser);
  await (await byTestId(browser, 'health-refresh')).click();
  await checked(browser);
  assert.equal(await (await findingOf(browser, id)).isExisting(), false, 'the finding is still listed');
});
