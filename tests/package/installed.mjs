// The installed package, started as a user would: scripts/package.sh
// --install-test installs the .deb with apt-get, then runs this with
// PORTAL_APP_BIN=/usr/bin/partner-portal under Xvfb and a private keyring.
// It opens the installed app through WebDriver with its own data dir, waits
// for the first page, explores the embedded sandbox until its tokens are
// listed, and takes a screenshot (tests/e2e/artifacts/installed.png).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startDriver, stopDriver, launch, byTestId, screenshot, APP } from '../e2e/harness.mjs';

assert.equal(APP, '/usr/bin/partner-portal', 'PORTAL_APP_BIN names the installed binary');
await startDriver();
let failed = false;
try {
  const { browser, dataDir } = await launch();
  try {
    await (await byTestId(browser, 'welcome')).waitForDisplayed({ timeout: 30000 });
    await (await byTestId(browser, 'explore-sandbox')).click();
    await (await byTestId(browser, 'tokens-page')).waitForDisplayed({ timeout: 60000 });
    await browser.waitUntil(async () => (await browser.$$('[data-testid="token-row"]')).length > 0, {
      timeout: 30000,
      timeoutMsg: 'the installed app listed no tokens from its sandbox',
    });
    await screenshot(browser, 'installed');
    console.log('The installed /usr/bin/partner-portal opened and listed its sandbox tokens.');
  } finally {
    await browser.deleteSession();
    rmSync(dataDir, { recursive: true, force: true });
  }
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  stopDriver();
}
process.exit(failed ? 1 : 0);
