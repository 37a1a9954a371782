// Real-window test of the Assets screen (issue 5) against the embedded
// sandbox: identity and role, the windowed list, details, legal-hold
// refusal, quota, logout and login.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDriver, stopDriver, launch, byTestId, screenshot, textOf } from './harness.mjs';
import { harvestKeyring } from './secrets/lib.mjs';

let session;

before(async () => {
  // The file the upload test "picks" (the native dialog cannot be driven).
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const file = join(mkdtempSync(join(tmpdir(), 'portal-upload-')), 'keynote.mp4');
  writeFileSync(file, Buffer.alloc(6 * 1024 * 1024, 7));
  process.env.PORTAL_E2E_PICK_FILES = file;
  await startDriver();
  session = await launch();
  const { browser } = session;
  await (await byTestId(browser, 'explore-sandbox')).waitForClickable({ timeout: 30000 });
  await (await byTestId(browser, 'explore-sandbox')).click();
  await (await byTestId(browser, 'nav-assets')).waitForClickable({ timeout: 60000 });
});

after(async () => {
  harvestKeyring(); // for the secrets scan (scripts/test.sh), when it keeps a ledger
  await session?.browser.deleteSession();
  stopDriver();
});

test('session, windowed list, details, legal-hold refusal, logout and login', async () => {
  const { browser } = session;
  await (await byTestId(browser, 'nav-assets')).click();
  await (await byTestId(browser, 'assets-page')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId(browser, 'vault-identity')).waitForDisplayed({ timeout: 30000 });
  assert.equal(await textOf(browser, 'vault-role'), 'Admin');
  await browser.waitUntil(async () => (await browser.$$('[data-testid="asset-row"]')).length > 0, { timeout: 20000 });
  assert.match(await textOf(browser, 'assets-total'), /^\d+ assets?$/);
  const level = await (await byTestId(browser, 'quota-bar')).getAttribute('data-level');
  assert.ok(['ok', 'warn', 'critical'].includes(level), level);
  await screenshot(browser, 'assets-table');

  // Load all: every asset in memory, far fewer rows in the DOM.
  await (await byTestId(browser, 'assets-load-all')).click();
  await browser.waitUntil(async () => /loaded$/.test(await textOf(browser, 'assets-loaded')), { timeout: 30000 });
  const loaded = Number((await textOf(browser, 'assets-loaded')).split(' ')[0]);
  const rendered = (await browser.$$('[data-testid="asset-row"]')).length;
  assert.ok(loaded >= 100, `loaded ${loaded}`);
  assert.ok(rendered < loaded / 2, `rendered ${rendered} of ${loaded}`);

  // Details, hold, refusal, clear.
  const first = (await browser.$$('[data-testid="asset-row"]'))[0];
  const id = await first.getAttribute('data-asset-id');
  await (await first.$('[data-testid="asset-open"]')).click();
  await (await byTestId(browser, 'asset-details')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId(browser, 'legal-hold-reason')).waitForEnabled({ timeout: 10000 });
  await (await byTestId(browser, 'legal-hold-reason')).setValue('E2E litigation');
  await (await byTestId(browser, 'legal-hold-set')).click();
  await (await byTestId(browser, 'legal-hold-clear')).waitForDisplayed({ timeout: 10000 });
  const row = await browser.$(`[data-testid="asset-row"][data-asset-id="${id}"]`);
  assert.equal(await row.getAttribute('data-legal-hold'), 'true');
  await (await byTestId(browser, 'asset-delete')).click();
  await (await byTestId(browser, 'legal-hold-refusal')).waitForDisplayed({ timeout: 5000 });
  assert.match(await textOf(browser, 'legal-hold-refusal'), /E2E litigation/);
  await screenshot(browser, 'assets-legal-hold-refusal');
  await browser.keys('Escape');
  await (await byTestId(browser, 'legal-hold-clear')).click();
  await (await byTestId(browser, 'legal-hold-set')).waitForDisplayed({ timeout: 10000 });

  // Log out, then log in again as the organizer: delete is disabled.
  await (await byTestId(browser, 'vault-logout')).click();
  await (await byTestId(browser, 'vault-login-form')).waitForDisplayed({ timeout: 10000 });
  assert.notEqual(await (await byTestId(browser, 'vault-email')).getValue(), '');
  await (await byTestId(browser, 'vault-email')).clearValue();
  await (await byTestId(browser, 'vault-email')).setValue('organizer@eventzr.com');
  // The embedded sandbox's users do not have the documented public password:
  // theirs is random and only the app knows it (an empty password uses it).
  await (await byTestId(browser, 'vault-password')).setValue('Password123!');
  await (await byTestId(browser, 'vault-login-submit')).click();
  await (await byTestId(browser, 'vault-login-error')).waitForDisplayed({ timeout: 10000 });
  assert.equal(await (await byTestId(browser, 'vault-identity')).isExisting(), false);
  // Empty it by typing (clearValue fires no input event for the form's state).
  await (await byTestId(browser, 'vault-password')).setValue('x');
  await browser.keys('Backspace');
  assert.equal(await (await byTestId(browser, 'vault-password')).getValue(), '');
  await (await byTestId(browser, 'vault-login-submit')).click();
  await (await byTestId(browser, 'vault-identity')).waitForDisplayed({ timeout: 20000 });
  assert.equal(await textOf(browser, 'vault-role'), 'Organizer');
  const bulk = await byTestId(browser, 'bulk-delete');
  assert.equal(await bulk.isEnabled(), false);
  assert.match(await bulk.getAttribute('title'), /admin/);
  assert.doesNotMatch(await browser.getPageSource(), /eyJ[A-Za-z0-9_-]{10,}\./);
  await screenshot(browser, 'assets-organizer');
});

test('upload a multi-megabyte file with a progress bar to the end', async () => {
  const { browser } = session;
  // Organizers may upload (the previous test logged in as one).
  assert.equal(await textOf(browser, 'vault-role'), 'Organizer');
  const before = Number((await textOf(browser, 'assets-total')).replace(/\D/g, ''));
  await (await byTestId(browser, 'asset-upload')).click();
  const row = await byTestId(browser, 'upload-row');
  await row.waitForDisplayed({ timeout: 20000 });
  assert.ok(await (await byTestId(browser, 'upload-progress')).isExisting(), 'no progress bar');
  // Waits for the upload to end, then says how it ended (a failed upload
  // fails the test at once, with the row's error).
  let state;
  await browser.waitUntil(
    async () => {
      state = await row.getAttribute('data-state');
      return state !== 'starting' && state !== 'uploading';
    },
    { timeout: 60000, timeoutMsg: 'the upload did not end within 60 s' },
  );
  assert.equal(state, 'done', `the upload ended as ${state}: ${(await row.getProperty('textContent')).trim()}`);
  assert.equal(await (await byTestId(browser, 'upload-progress')).getAttribute('value'), '100');
  await browser.waitUntil(
    async () => Number((await textOf(browser, 'assets-total')).replace(/\D/g, '')) === before + 1,
    { timeout: 20000, timeoutMsg: 'the uploaded asset is not counted' },
  );
  await screenshot(browser, 'assets-upload');
});

test('the seeded developer (user role) reads only: every write action is disabled', async () => {
  const { browser } = session;
  await (await byTestId(browser, 'vault-logout')).click();
  await (await byTestId(browser, 'vault-login-form')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId(browser, 'vault-email')).clearValue();
  await (await byTestId(browser, 'vault-email')).setValue('dev@eventzr.com');
  await (await byTestId(browser, 'vault-login-submit')).click();
  await (await byTestId(browser, 'vault-identity')).waitForDisplayed({ timeout: 20000 });
  assert.equal(await textOf(browser, 'vault-role'), 'User');
  await browser.waitUntil(async () => (await browser.$$('[data-testid="asset-row"]')).length > 0, { timeout: 20000 });
  for (const id of ['asset-upload', 'folder-new', 'bulk-delete']) {
    const el = await byTestId(browser, id);
    assert.equal(await el.isEnabled(), false, `${id} is enabled for a user`);
    assert.match(await el.getAttribute('title'), /organizer|admin/, `${id} does not name the role it needs`);
  }
});

test('the seeded admin logs in through the form (empty password: the app knows it) and may write', async () => {
  const { browser } = session;
  await (await byTestId(browser, 'vault-logout')).click();
  await (await byTestId(browser, 'vault-login-form')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId(browser, 'vault-email')).clearValue();
  await (await byTestId(browser, 'vault-email')).setValue('admin@eventzr.com');
  await (await byTestId(browser, 'vault-login-submit')).click();
  await (await byTestId(browser, 'vault-identity')).waitForDisplayed({ timeout: 20000 });
  assert.equal(await textOf(browser, 'vault-role'), 'Admin');
  for (const id of ['asset-upload', 'folder-new']) {
    assert.equal(await (await byTestId(browser, id)).isEnabled(), true, `${id} is disabled for an admin`);
  }
});
