// Real-window test of the JWT keys screens (issue 7): generate a key pair in
// the app, upload its public half, verify, sign, test playback, delete.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDriver, stopDriver, launch, byTestId, screenshot, textOf, SANDBOX_CONTROL_SECRET } from './harness.mjs';
import { harvestKeyring } from './secrets/lib.mjs';

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

const rowOf = async (browser, name) => {
  for (const r of await browser.$$('[data-testid="key-row"]')) {
    if (((await r.getProperty('textContent')) ?? '').includes(name)) return r;
  }
  return null;
};

test('generate, store, review, upload, verify, sign for all videos, test playback, delete', async () => {
  const { browser } = session;
  const name = `E2E key ${Date.now()}`;
  await (await byTestId(browser, 'nav-keys')).click();
  await (await byTestId(browser, 'keys-page')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId(browser, 'key-new')).waitForClickable({ timeout: 30000 });
  await (await byTestId(browser, 'key-new')).click();
  await (await byTestId(browser, 'key-wizard')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId(browser, 'wizard-name')).setValue(name);
  await (await byTestId(browser, 'wizard-next')).click();

  await (await byTestId(browser, 'wizard-stored')).waitForDisplayed({ timeout: 60000 });
  harvestKeyring(); // the new private key, before the test deletes it
  await (await byTestId(browser, 'wizard-next')).click();
  await (await byTestId(browser, 'wizard-review-pem')).waitForDisplayed({ timeout: 20000 });
  assert.match(await textOf(browser, 'wizard-review-pem'), /^-----BEGIN PUBLIC KEY-----/);
  const fingerprint = await textOf(browser, 'wizard-review-fingerprint');
  assert.match(fingerprint, /^([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
  assert.doesNotMatch(await browser.getPageSource(), /PRIVATE KEY/);
  await screenshot(browser, 'key-wizard-review');

  await (await byTestId(browser, 'wizard-upload')).click();
  const verdict = await byTestId(browser, 'wizard-verdict');
  await verdict.waitForDisplayed({ timeout: 30000 });
  assert.equal(await verdict.getAttribute('data-ok'), 'true', await textOf(browser, 'wizard-verdict'));
  await screenshot(browser, 'key-wizard-verified');
  await (await byTestId(browser, 'wizard-done')).click();

  await browser.waitUntil(async () => (await rowOf(browser, name)) !== null, { timeout: 20000 });
  let row = await rowOf(browser, name);
  assert.equal(await row.getAttribute('data-pairing'), 'paired');
  await screenshot(browser, 'keys-table');
  await (await row.$('[data-testid="key-sign-open"]')).click();
  await (await byTestId(browser, 'key-details')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId(browser, 'sign-all-videos')).click();
  // For all videos, a video named for the links fills them in (the JWT still opens any).
  await (await byTestId(browser, 'sign-video-id')).setValue('vid_links');
  await (await byTestId(browser, 'sign-submit')).click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="sign-jwt"]')).length === 1, {
    timeout: 20000,
    timeoutMsg: 'no signed JWT',
  });
  assert.match(await textOf(browser, 'sign-claims'), /"sub": "\*"/);
  assert.match(await textOf(browser, 'sign-url-watch'), /\/vid_links\?jwt=/);
  await (await byTestId(browser, 'sign-test-video')).setValue('vid_e2e');
  await (await byTestId(browser, 'sign-test-playback')).click();
  const playback = await byTestId(browser, 'playback-verdict');
  await playback.waitForDisplayed({ timeout: 20000 });
  assert.equal(await playback.getAttribute('data-allowed'), 'true', await textOf(browser, 'playback-verdict'));
  await screenshot(browser, 'key-sign-playback');
  assert.doesNotMatch(await browser.getPageSource(), /PRIVATE KEY/);
  const jwt = await textOf(browser, 'sign-jwt');
  assert.match(jwt, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  await (await byTestId(browser, 'key-details-close')).click();

  // The playback doctor (issue 16 §1): the JWT just signed passes every
  // check that applies; the same JWT with its signature altered fails at
  // the signature, with a fix, and the dialog never shows the JWT back.
  await (await byTestId(browser, 'doctor-open')).click();
  await (await byTestId(browser, 'playback-doctor-dialog')).waitForDisplayed({ timeout: 10000 });
  const diagnose = async (input) => {
    const field = await byTestId(browser, 'doctor-input');
    await field.clearValue();
    await field.setValue(input);
    await (await byTestId(browser, 'doctor-submit')).click();
    const verdict = await byTestId(browser, 'doctor-verdict');
    await browser.waitUntil(
      async () => (await verdict.isExisting()) && (await browser.$$('[data-testid="doctor-check"]')).length > 0,
      { timeout: 20000, timeoutMsg: 'the doctor gave no verdict' },
    );
    return verdict;
  };
  let report = await diagnose(jwt);
  assert.equal(await report.getAttribute('data-failed'), '', await textOf(browser, 'doctor-verdict'));
  const signature = await browser.$('[data-testid="doctor-check"][data-check="signature"]');
  assert.equal(await signature.getAttribute('data-status'), 'passed');
  await screenshot(browser, 'key-doctor-healthy');
  const last = jwt.at(-2) === 'A' ? 'B' : 'A';
  const tampered = `${jwt.slice(0, -2)}${last}${jwt.at(-1)}`;
  report = await diagnose(tampered);
  await browser.waitUntil(async () => (await report.getAttribute('data-failed')) === 'signature', {
    timeout: 20000,
    timeoutMsg: `the altered signature was not the failing check: ${await textOf(browser, 'doctor-verdict')}`,
  });
  assert.match(await textOf(browser, 'doctor-fix'), /\S/);
  const shown = (await (await byTestId(browser, 'doctor-verdict')).getHTML()) + (await (await byTestId(browser, 'doctor-checks')).getHTML());
  assert.ok(!shown.includes(tampered.split('.')[2]), 'the report shows the JWT back');
  await (await byTestId(browser, 'doctor-close')).click();

  // The JWT signed above is live: Delete now, with the key's name typed (#16 §2).
  row = await rowOf(browser, name);
  await (await row.$('[data-testid="key-delete"]')).click();
  await (await byTestId(browser, 'key-retire-dialog')).waitForDisplayed({ timeout: 20000 });
  await (await byTestId(browser, 'key-delete-local')).click();
  await (await byTestId(browser, 'key-retire-now')).click();
  await (await byTestId(browser, 'key-delete-dialog')).waitForDisplayed({ timeout: 10000 });
  assert.match(await textOf(browser, 'key-delete-dialog'), /Every URL signed with this key stops playing/);
  await (await byTestId(browser, 'key-delete-confirm-name')).setValue(name);
  await (await byTestId(browser, 'key-delete-confirm')).click();
  await browser.waitUntil(async () => (await rowOf(browser, name)) === null, { timeout: 20000 });
});

test('an upload that fails (sandbox fault) keeps the key as not uploaded, and resume uploads it', async () => {
  const { browser } = session;
  // The embedded sandbox's address, as Settings shows it.
  await (await byTestId(browser, 'nav-settings')).click();
  const jwtKeysUrl = await textOf(browser, 'settings-url-jwt-keys');
  const base = jwtKeysUrl.replace(/\/jwt-keys\/v2\/?$/, '');
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
  // The embedded sandbox mounts its controls only in a debug build started
  // with the test secret (harness.mjs); it is private otherwise.
  const fault = await fetch(`${base}/sandbox/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': SANDBOX_CONTROL_SECRET },
    body: JSON.stringify('POST /jwt-keys/v2/jwt_keys=status:503,times:1'),
  });
  assert.ok(fault.ok, `installing the fault failed: ${fault.status}`);

  const name = `E2E resume ${Date.now()}`;
  await (await byTestId(browser, 'nav-keys')).click();
  await (await byTestId(browser, 'key-new')).waitForClickable({ timeout: 30000 });
  await (await byTestId(browser, 'key-new')).click();
  await (await byTestId(browser, 'wizard-name')).setValue(name);
  await (await byTestId(browser, 'wizard-next')).click();
  await (await byTestId(browser, 'wizard-stored')).waitForDisplayed({ timeout: 60000 });
  harvestKeyring(); // the new private key, before the test deletes it
  await (await byTestId(browser, 'wizard-next')).click();
  await (await byTestId(browser, 'wizard-upload')).waitForClickable({ timeout: 20000 });
  await (await byTestId(browser, 'wizard-upload')).click();

  const error = await byTestId(browser, 'wizard-error');
  await error.waitForDisplayed({ timeout: 20000 });
  assert.equal(await error.getAttribute('data-code'), 'unavailable', await textOf(browser, 'wizard-error'));

  // Leave the wizard (it asks first, since a key exists): the key stays, marked not uploaded.
  await (await byTestId(browser, 'wizard-close')).click();
  await (await byTestId(browser, 'wizard-close-confirm')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId(browser, 'wizard-close-confirm-confirm')).click();
  await (await byTestId(browser, 'key-wizard')).waitForDisplayed({ reverse: true, timeout: 10000 });
  await browser.waitUntil(async () => (await (await rowOf(browser, name))?.getAttribute('data-pairing')) === 'not_uploaded', {
    timeout: 20000,
    timeoutMsg: 'the key is not listed as not uploaded',
  });

  // Resume: the fault was used up, so the upload now succeeds and verifies.
  await (await (await rowOf(browser, name)).$('[data-testid="key-resume"]')).click();
  await (await byTestId(browser, 'wizard-upload')).waitForClickable({ timeout: 20000 });
  await (await byTestId(browser, 'wizard-upload')).click();
  const verdict = await byTestId(browser, 'wizard-verdict');
  await verdict.waitForDisplayed({ timeout: 30000 });
  assert.equal(await verdict.getAttribute('data-ok'), 'true', await textOf(browser, 'wizard-verdict'));
  await (await byTestId(browser, 'wizard-done')).click();
  await browser.waitUntil(async () => (await (await rowOf(browser, name))?.getAttribute('data-pairing')) === 'paired', {
    timeout: 20000,
  });
});

/** The embedded sandbox's base URL, as Settings shows it. */
async function sandboxBase(browser) {
  await (await byTestId(browser, 'nav-settings')).click();
  const jwtKeysUrl = await textOf(browser, 'settings-url-jwt-keys');
  return jwtKeysUrl.replace(/\/jwt-keys\/v2\/?$/, '');
}

// #16 §2: a key that signed a live JWT is not deleted at once; its deletion
// is scheduled for when that JWT expires, and the running app carries it out
// once the sandbox's clock (the service's) has passed that time.
/**
 * The wizard's steps from a generated key's name to its verdict (a new key,
 * or a rotation's new key): generate, store, review, upload, verify.
 */
async function generateAndUpload(browser) {
  await (await byTestId(browser, 'wizard-next')).click();
  await (await byTestId(browser, 'wizard-stored')).waitForDisplayed({ timeout: 60000 });
  harvestKeyring(); // the new private key, for the secrets scan (before the app deletes it)
  await (await byTestId(browser, 'wizard-next')).click();
  await (await byTestId(browser, 'wizard-upload')).waitForClickable({ timeout: 20000 });
  await (await byTestId(browser, 'wizard-upload')).click();
  await (await byTestId(browser, 'wizard-verdict')).waitForDisplayed({ timeout: 30000 });
}

/** A key generated and uploaded through the wizard, then a JWT for all videos signed with it for 15 minutes: its id. */
async function keyWithLiveJwt(browser, name) {
  await (await byTestId(browser, 'nav-keys')).click();
  await (await byTestId(browser, 'key-new')).waitForClickable({ timeout: 30000 });
  await (await byTestId(browser, 'key-new')).click();
  await (await byTestId(browser, 'wizard-name')).setValue(name);
  await generateAndUpload(browser);
  await (await byTestId(browser, 'wizard-done')).click();
  await browser.waitUntil(async () => (await (await rowOf(browser, name))?.getAttribute('data-pairing')) === 'paired', {
    timeout: 20000,
  });
  const kid = await (await rowOf(browser, name)).getAttribute('data-key-id');

  // A JWT for all videos, valid 15 minutes (the shortest preset).
  await (await (await rowOf(browser, name)).$('[data-testid="key-sign-open"]')).click();
  await (await byTestId(browser, 'sign-panel')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId(browser, 'sign-ttl')).selectByIndex(0);
  await (await byTestId(browser, 'sign-all-videos')).click();
  await (await byTestId(browser, 'sign-submit')).click();
  await (await byTestId(browser, 'sign-jwt')).waitForDisplayed({ timeout: 20000 });
  await (await byTestId(browser, 'key-details-close')).click();
  await (await byTestId(browser, 'key-details')).waitForDisplayed({ reverse: true, timeout: 10000 });
  return kid;
}

/** Whether the Activity page lists an `action` entry whose text has every one of `parts`. */
async function waitForActivity(browser, action, parts, what) {
  await (await byTestId(browser, 'nav-activity')).click();
  await browser.waitUntil(
    async () => {
      for (const r of await browser.$$(`[data-testid="activity-row"][data-action="${action}"]`)) {
        const text = (await r.getProperty('textContent')) ?? '';
        if (parts.every((p) => text.includes(p))) return true;
      }
      return false;
    },
    { timeout: 20000, timeoutMsg: `no activity entry for ${what}` },
  );
}

// Before the next test, which moves the sandbox clock past the JWTs signed here.
test('the rotation wizard: a new key, verified, made the default, and the old key’s deletion scheduled', async () => {
  const { browser } = session;
  const name = `E2E rotate ${Date.now()}`;
  const oldKid = await keyWithLiveJwt(browser, name);

  await (await (await rowOf(browser, name)).$('[data-testid="key-rotate"]')).click();
  await (await byTestId(browser, 'key-wizard')).waitForDisplayed({ timeout: 10000 });
  assert.equal((await browser.$$('[data-testid="wizard-step"]')).length, 7);
  // Generated here: no import choice; the name offered is the old one's, marked.
  assert.equal((await browser.$$('[data-testid="wizard-source-import"]')).length, 0);
  const newName = await (await byTestId(browser, 'wizard-name')).getValue();
  assert.ok(newName.startsWith(`${name} (rotated `), newName);
  await generateAndUpload(browser);
  assert.equal(await (await byTestId(browser, 'wizard-verdict')).getAttribute('data-ok'), 'true');
  const newKid = await textOf(browser, 'wizard-server-id');
  assert.notEqual(newKid, oldKid);

  await (await byTestId(browser, 'wizard-next')).click();
  await (await byTestId(browser, 'wizard-default')).waitForDisplayed({ timeout: 10000 });
  await screenshot(browser, 'key-rotate-default');
  await (await byTestId(browser, 'wizard-make-default')).click();
  await (await byTestId(browser, 'wizard-retire-hours')).waitForDisplayed({ timeout: 20000 });
  assert.match(await textOf(browser, 'wizard-retire-hours'), /live for 1 more hour/);
  await screenshot(browser, 'key-rotate-retire');
  await (await byTestId(browser, 'wizard-schedule')).click();
  await (await byTestId(browser, 'wizard-retire-scheduled')).waitForDisplayed({ timeout: 20000 });
  await (await byTestId(browser, 'wizard-done')).click();
  await (await byTestId(browser, 'key-wizard')).waitForDisplayed({ reverse: true, timeout: 10000 });

  // The list: the new key is the default, the old one's deletion scheduled.
  await browser.waitUntil(
    async () => {
      const fresh = await rowOf(browser, newName);
      return fresh !== null && (await fresh.$('[data-testid="key-default"]').isExisting());
    },
    { timeout: 20000, timeoutMsg: 'the new key is not marked Default' },
  );
  const oldRow = await browser.$(`[data-testid="key-row"][data-key-id="${oldKid}"]`);
  assert.ok(await oldRow.$('[data-testid="key-deletion-scheduled"]').isExisting());
  // Signing preselects it: Details of the new key says so.
  await (await (await rowOf(browser, newName)).$('[data-testid="key-details-open"]')).click();
  await (await byTestId(browser, 'key-details-default')).waitForDisplayed({ timeout: 20000 });
  await (await byTestId(browser, 'key-details-close')).click();

  await waitForActivity(browser, 'key_default_set', [newKid], 'the new default key');
  await waitForActivity(browser, 'key_delete_scheduled', [oldKid], 'the old key’s scheduled deletion');
});

test('a key with a live JWT: the dialog says the hours left, Schedule deletion, the app deletes it when due', async () => {
  const { browser } = session;
  const base = await sandboxBase(browser);
  const name = `E2E retire ${Date.now()}`;
  const kid = await keyWithLiveJwt(browser, name);

  await (await (await rowOf(browser, name)).$('[data-testid="key-delete"]')).click();
  await (await byTestId(browser, 'key-retire-dialog')).waitForDisplayed({ timeout: 20000 });
  assert.match(await textOf(browser, 'key-retire-hours'), /live for 1 more hour/);
  await screenshot(browser, 'key-retire-dialog');
  await (await byTestId(browser, 'key-delete-local')).click();
  await (await byTestId(browser, 'key-retire-schedule')).click();
  await browser.waitUntil(
    async () => (await (await rowOf(browser, name))?.$('[data-testid="key-deletion-scheduled"]'))?.isExisting(),
    { timeout: 20000, timeoutMsg: 'the row does not show the scheduled deletion' },
  );
  await screenshot(browser, 'key-deletion-scheduled');
  assert.ok(await rowOf(browser, name), 'not due yet: the key stays');

  // Past the JWT's expiry by the service's clock: the app deletes the key.
  const moved = await fetch(`${base}/sandbox/clock`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': SANDBOX_CONTROL_SECRET },
    body: JSON.stringify({ advance_seconds: 20 * 60 }),
  });
  assert.ok(moved.ok, `moving the sandbox clock failed: ${moved.status}`);
  // Gone from the list: the server key and, as asked, its private half here.
  await browser.waitUntil(
    async () => (await browser.$$(`[data-testid="key-row"][data-key-id="${kid}"]`)).length === 0 && !(await rowOf(browser, name)),
    { timeout: 30000, timeoutMsg: 'the running app did not carry out the due deletion' },
  );

  await waitForActivity(browser, 'key_delete', [kid, 'as scheduled'], 'the scheduled deletion');
  assert.ok((await browser.$$('[data-testid="activity-row"][data-action="key_delete_scheduled"]')).length >= 1);
});
