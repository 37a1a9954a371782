// Real-window end-to-end tests against the built debug app.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDriver, stopDriver, launch, byTestId, screenshot, textOf } from './harness.mjs';
import { harvestKeyring } from './secrets/lib.mjs';

before(startDriver);
after(stopDriver);

test('first run: explore the sandbox and land on its Tokens page', async () => {
  const { browser, dataDir } = await launch();
  try {
    const welcome = await byTestId(browser, 'welcome');
    await welcome.waitForDisplayed({ timeout: 30000 });
    await (await byTestId(browser, 'explore-sandbox')).click();

    const page = await byTestId(browser, 'tokens-page');
    await page.waitForDisplayed({ timeout: 60000 });
    await browser.waitUntil(async () => (await browser.$$('[data-testid="token-row"]')).length > 0, {
      timeout: 30000,
      timeoutMsg: 'no token rows from the sandbox',
    });
    // The seeded tokens are listed without any token value in the page.
    const html = await browser.getPageSource();
    assert.doesNotMatch(html, /vst_live_[A-Za-z0-9_-]{20,}/);

    await browser.waitUntil(async () => (await textOf(browser, 'profile-name')) === 'Sandbox', {
      timeout: 10000,
      timeoutMsg: 'the profile switcher does not show Sandbox',
    });
    const status = await byTestId(browser, 'service-status-vault_stream');
    await browser.waitUntil(async () => (await status.getAttribute('data-state')) === 'connected', {
      timeout: 20000,
      timeoutMsg: 'VaultStream never showed connected',
    });

    // The profile is saved in the store file, without any credential.
    const settings = readFileSync(join(dataDir, 'settings.json'), 'utf8');
    assert.match(settings, /"Sandbox"/);
    assert.doesNotMatch(settings, /vst_live_/);

    const shot = await screenshot(browser, 'tokens-sandbox');
    assert.ok(existsSync(shot));
  } finally {
    harvestKeyring(); // for the secrets scan (scripts/test.sh), when it keeps a ledger
    await browser.deleteSession();
  }
});
