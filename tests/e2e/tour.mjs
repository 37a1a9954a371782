// Takes screenshots of the main screens into tests/e2e/artifacts/ (not a test):
//   scripts/test.sh prepares the environment; run under the same keyring + Xvfb wrapper.
import { startDriver, stopDriver, launch, byTestId, screenshot } from './harness.mjs';
await startDriver();
const { browser } = await launch();
try {
  await (await byTestId(browser, 'explore-sandbox')).waitForClickable({ timeout: 30000 });
  await (await byTestId(browser, 'explore-sandbox')).click();
  await (await byTestId(browser, 'tokens-table')).waitForDisplayed({ timeout: 60000 });
  await browser.pause(800);
  await screenshot(browser, 'tour-tokens');
  await (await byTestId(browser, 'token-new')).click();
  await browser.pause(800);
  await screenshot(browser, 'tour-new-token');
  await browser.keys('Escape');
  await (await byTestId(browser, 'nav-settings')).click();
  await browser.pause(800);
  await screenshot(browser, 'tour-settings');
  await (await byTestId(browser, 'theme-dark')).click();
  await (await byTestId(browser, 'nav-tokens')).click();
  await browser.pause(800);
  await screenshot(browser, 'tour-tokens-dark');
  await (await byTestId(browser, 'nav-activity')).click();
  await browser.pause(800);
  await screenshot(browser, 'tour-activity');
  await (await byTestId(browser, 'theme-system')).isExisting();
  await (await byTestId(browser, 'nav-keys')).click();
  await browser.pause(1500);
  await screenshot(browser, 'tour-keys');
  await (await byTestId(browser, 'nav-assets')).click();
  await browser.pause(2500);
  await screenshot(browser, 'tour-assets');
} finally { await browser.deleteSession(); stopDriver(); }
