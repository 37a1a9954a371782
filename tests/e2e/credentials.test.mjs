// Real-window test of the paths where credentials come from the user, so the
// secrets scan (scripts/test.sh, tests/e2e/secrets/) sees them used: connect
// an account by typing its token, API key and vault password; import an
// encrypted private key (pasted PEM and passphrase) and keep it; save a
// revealed token to the keychain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startDriver, stopDriver, launch, byTestId, textOf, screenshot, TARGET } from './harness.mjs';
import { harvestKeyring, record } from './secrets/lib.mjs';

const PORTAL = process.env.PORTAL_CLI_BIN ?? join(TARGET, 'debug/portal');
let session;
let sandbox;
let info;

/** A standalone sandbox (`portal sandbox`), its URLs and credentials. */
async function startSandbox() {
  const child = spawn(PORTAL, ['sandbox', '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const parsed = await new Promise((ok, fail) => {
    let buf = '';
    const timer = setTimeout(() => fail(new Error('the sandbox did not start')), 30000);
    child.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) {
        clearTimeout(timer);
        ok(JSON.parse(buf.slice(0, buf.indexOf('\n'))));
      }
    });
    child.once('exit', (code) => fail(new Error(`the sandbox exited (${code})`)));
  });
  return { child, parsed };
}

/** Sets an input's value as typing would (fast, for long PEMs). */
async function fill(browser, id, value) {
  const el = await byTestId(browser, id);
  await el.waitForDisplayed({ timeout: 10000 });
  await browser.execute(
    (node, v) => {
      node.value = v;
      node.dispatchEvent(new Event('input', { bubbles: true }));
    },
    el,
    value,
  );
}

before(async () => {
  ({ child: sandbox, parsed: info } = await startSandbox());
  await startDriver();
  session = await launch();
});

after(async () => {
  harvestKeyring(); // for the secrets scan, when it keeps a ledger
  await session?.browser.deleteSession();
  stopDriver();
  sandbox?.kill('SIGINT');
});

test('connect an account with typed credentials', async () => {
  const { browser } = session;
  const creds = info.credentials;
  const admin = creds.vault_users.find((u) => u.role === 'admin');
  await (await byTestId(browser, 'connect-account')).waitForClickable({ timeout: 30000 });
  await (await byTestId(browser, 'connect-account')).click();
  await (await byTestId(browser, 'connect-form')).waitForDisplayed({ timeout: 10000 });
  await fill(browser, 'connect-name', 'Typed');
  await (await byTestId(browser, 'connect-environment')).selectByAttribute('value', 'staging');
  await fill(browser, 'connect-url-vaultstream', info.vaultstream_url);
  await fill(browser, 'connect-url-jwt-keys', info.jwt_keys_url);
  await fill(browser, 'connect-url-vault', info.vault_url);
  await fill(browser, 'connect-vaultstream-token', creds.vaultstream_admin_token);
  await fill(browser, 'connect-jwt-keys-api-key', creds.jwt_keys_api_key);
  await fill(browser, 'connect-vault-email', admin.email);
  await fill(browser, 'connect-vault-password', admin.password);
  await (await byTestId(browser, 'connect-submit')).click();
  await browser
    .waitUntil(
      async () =>
        (await (await byTestId(browser, 'tokens-table')).isDisplayed()) ||
        (await (await byTestId(browser, 'connect-error')).isDisplayed()),
      { timeout: 20000, timeoutMsg: 'neither the tokens page nor an error' },
    )
    .catch(async (e) => {
      await screenshot(browser, 'connect-failed');
      throw e;
    });
  if (await (await byTestId(browser, 'connect-error')).isDisplayed()) {
    assert.fail(`connect failed: ${await textOf(browser, 'connect-error')}`);
  }
  await (await byTestId(browser, 'tokens-table')).waitForDisplayed({ timeout: 60000 });
  await browser.waitUntil(async () => (await textOf(browser, 'profile-name')) === 'Typed', {
    timeout: 10000,
    timeoutMsg: 'the connected profile is not active',
  });
  const html = await browser.getPageSource();
  for (const v of [creds.vaultstream_admin_token, creds.jwt_keys_api_key, admin.password]) {
    assert.ok(!html.includes(v), 'a typed credential stayed in the page');
  }
});

test('import an encrypted private key, keep it, upload its public half', async () => {
  const { browser } = session;
  const passphrase = `pp-${randomBytes(12).toString('hex')}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  record('private_key', privateKey.export({ type: 'pkcs8', format: 'pem' }));
  record('passphrase', passphrase);
  const encrypted = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase });

  await (await byTestId(browser, 'nav-keys')).click();
  await (await byTestId(browser, 'key-new')).waitForClickable({ timeout: 30000 });
  await (await byTestId(browser, 'key-new')).click();
  await (await byTestId(browser, 'key-wizard')).waitForDisplayed({ timeout: 10000 });
  await fill(browser, 'wizard-name', `E2E imported ${Date.now()}`);
  await (await byTestId(browser, 'wizard-source-import')).click();
  await fill(browser, 'wizard-import-pem', encrypted);
  await fill(browser, 'wizard-import-passphrase', passphrase);
  const keep = await byTestId(browser, 'wizard-import-keep');
  if (!(await keep.isSelected())) await keep.click();
  await (await byTestId(browser, 'wizard-next')).click();
  await (await byTestId(browser, 'wizard-stored')).waitForDisplayed({ timeout: 30000 });
  harvestKeyring();
  assert.doesNotMatch(await browser.getPageSource(), /PRIVATE KEY/);
  await (await byTestId(browser, 'wizard-next')).click();
  await (await byTestId(browser, 'wizard-upload')).waitForClickable({ timeout: 20000 });
  await (await byTestId(browser, 'wizard-upload')).click();
  const verdict = await byTestId(browser, 'wizard-verdict');
  await verdict.waitForDisplayed({ timeout: 30000 });
  assert.equal(await verdict.getAttribute('data-ok'), 'true', await textOf(browser, 'wizard-verdict'));
  await (await byTestId(browser, 'wizard-done')).click();
});

test('a revealed token saved to the keychain', async () => {
  const { browser } = session;
  await (await byTestId(browser, 'nav-tokens')).click();
  await (await byTestId(browser, 'token-new')).waitForClickable({ timeout: 20000 });
  await (await byTestId(browser, 'token-new')).click();
  await (await byTestId(browser, 'new-token-form')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId(browser, 'new-token-name')).setValue(`E2E saved ${Date.now()}`);
  await (await byTestId(browser, 'scope-content:read')).click();
  await (await byTestId(browser, 'new-token-submit')).click();
  await (await byTestId(browser, 'reveal-dialog')).waitForDisplayed({ timeout: 20000 });
  await (await byTestId(browser, 'reveal-save')).click();
  await (await byTestId(browser, 'reveal-saved')).waitForDisplayed({ timeout: 10000 });
  harvestKeyring();
  await (await byTestId(browser, 'reveal-confirm')).click();
  await (await byTestId(browser, 'reveal-done')).click();
  await (await byTestId(browser, 'reveal-dialog')).waitForDisplayed({ reverse: true, timeout: 10000 });
});

test('a credential replaced in Settings: a refused one is not kept, an accepted one is', async () => {
  const { browser } = session;
  const creds = info.credentials;
  await (await byTestId(browser, 'nav-settings')).click();
  const row = await browser.$('[data-testid="credential-row"][data-service="vault_stream"]');
  await row.waitForDisplayed({ timeout: 10000 });
  await (await row.$('[data-testid="credential-replace"]')).click();

  await fill(browser, 'credential-value', `vst_live_${randomBytes(16).toString('hex')}`);
  await (await byTestId(browser, 'credential-save')).click();
  const error = await byTestId(browser, 'credential-error');
  await error.waitForDisplayed({ timeout: 20000 });
  assert.match(await textOf(browser, 'credential-error'), /Checking the new VaultStream credential/);
  // The stored token is unchanged and still works: the sidebar says so.
  const status = await byTestId(browser, 'service-status-vault_stream');
  assert.equal(await status.getAttribute('data-state'), 'connected');
  await screenshot(browser, 'settings-credential-refused');

  await fill(browser, 'credential-value', creds.vaultstream_admin_token);
  await (await byTestId(browser, 'credential-save')).click();
  await (await byTestId(browser, 'credential-form')).waitForDisplayed({ reverse: true, timeout: 20000 });
  harvestKeyring();
  assert.ok(!(await browser.getPageSource()).includes(creds.vaultstream_admin_token), 'the token stayed in the page');

  // The kept token works: the tokens list loads with it.
  await (await byTestId(browser, 'nav-tokens')).click();
  await (await byTestId(browser, 'tokens-table')).waitForDisplayed({ timeout: 20000 });
});
