// Visual regression snapshots of the real window (issue 14 §4): every page
// and dialog, in the light and the dark theme, compared with the PNGs in
// tests/e2e/visual/baselines/ within a tolerance (PIXEL_THRESHOLD,
// MAX_DIFF_SHARE). On a difference the actual image and a diff image land in
// tests/e2e/artifacts/visual/, and the test lists the screens that differ.
// UPDATE_SNAPSHOTS=1 rewrites the baselines from this run: review them, then
// commit. Each theme gets a fresh app (a fresh sandbox), so both walks see
// the same data; what still changes run to run is masked (MASKS, MASK_PATTERNS).
// Runs in the E2E step of scripts/test.sh (same keyring + Xvfb wrapper).
// VISUAL_SIZE=<w>x<h> walks the same screens in a window of that size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { startDriver, stopDriver, launch, byTestId, ARTIFACTS } from './harness.mjs';
import { harvestKeyring } from './secrets/lib.mjs';
import { audit, audited, gateFailures, writeReport } from './a11y.mjs';

/**
 * The window's inner size for every shot: tauri.conf.json's 1200×780 unless
 * VISUAL_SIZE says otherwise (e.g. VISUAL_SIZE=1600x1000, under an Xvfb
 * screen at least that large). Another size has baselines of its own, in
 * visual/baselines-<size>/, and leaves docs/ACCESSIBILITY.md alone.
 */
const DEFAULT_SIZE = '1200x780';
const SIZE = process.env.VISUAL_SIZE || DEFAULT_SIZE;
if (!/^\d+x\d+$/.test(SIZE)) throw new Error(`VISUAL_SIZE=${SIZE}: expected <width>x<height>`);
const [WIDTH, HEIGHT] = SIZE.split('x').map(Number);

const here = dirname(fileURLToPath(import.meta.url));
const BASELINES = join(here, SIZE === DEFAULT_SIZE ? 'visual/baselines' : `visual/baselines-${SIZE}`);
const OUT = join(ARTIFACTS, SIZE === DEFAULT_SIZE ? 'visual' : `visual-${SIZE}`);
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';
/** pixelmatch's per-pixel colour threshold (0..1), and the share of pixels that may differ. */
const PIXEL_THRESHOLD = 0.1;
const MAX_DIFF_SHARE = 0.0005;

/**
 * Everything that differs run to run: its text is replaced by a fixed
 * placeholder (text nodes are kept, so the app still updates them), and a
 * form field's value likewise. Dates and times, ids, fingerprints and
 * generated keys, URLs with the sandbox's random port, countdowns,
 * request ids, JWTs and their claims, sizes of the uploaded file's progress.
 */
const MASKS = [
  'time',
  '[title="Unrecognised date"]',
  '[data-testid="app-version"]',
  '[data-testid^="settings-url-"]',
  '[data-testid="reveal-id"]',
  '[data-testid="reveal-countdown"]',
  '[data-testid="reveal-value"]',
  '[data-testid^="snippet-"]:not([data-testid^="snippet-copy-"])',
  '[data-testid="rotate-new-id"]',
  '[data-testid="rotate-old-id"]',
  '[data-testid="token-id"]',
  '[data-testid="key-fingerprint"]',
  '[data-testid="key-details-server-sha256"]',
  '[data-testid="key-details-local-sha256"]',
  '[data-testid="key-details-pem"]',
  '[data-testid="wizard-review-fingerprint"]',
  '[data-testid="wizard-review-pem"]',
  '[data-testid="wizard-server-id"]',
  '[data-testid="wizard-new-kid"]',
  '[data-testid="wizard-old-kid"]',
  '[data-testid="wizard-verdict-fingerprint"]',
  '[data-testid="wizard-progress-detail"]',
  '[data-testid="sign-jwt"]',
  '[data-testid="sign-claims"]',
  '[data-testid="sign-header"]',
  '[data-testid^="sign-url-"]',
  '[data-testid="user-jwt-value"]',
  '[data-testid="user-jwt-header"]',
  '[data-testid="user-jwt-claims"]',
  '[data-testid="user-jwt-snippet"]',
  '[data-testid="user-jwt-expiry"]',
  '[data-testid="user-jwt-token"]',
  '[data-testid="verify-jwt-input"]',
  '[data-testid="doctor-input"]',
  '[data-testid="doctor-clock"]',
  '[data-testid="doctor-check"] .muted',
  '[data-testid="activity-time"]',
  '[data-testid="activity-target"]',
  '[data-testid$="-request-id"]',
  '[data-testid="vault-password-sandbox"]',
  '[data-testid="share-url"]',
  '[data-testid="upload-progress"]',
  // Whether the launch check of the update feed has answered yet.
  '[data-testid="update-status"]',
  // The Leak check's folder is a fresh temporary one.
  '[data-testid="leaks-root"]',
  '[data-testid="leaks-scanned-root"]',
  // Seeded assets go to folders whose ids are random, so which folder varies.
  '[data-testid="asset-row"] .col-folder',
];

/**
 * The same for text that is not in one element of its own (a date inside a
 * sentence, an id in a dialog's text): every match, in any text or form
 * field of the page, becomes the placeholder. Kept beside MASKS on purpose:
 * they mask by what the text is, so they survive a change of markup.
 */
const MASK_PATTERNS = [
  // Dates and times: 2026-12-06, 2026-12-06 00:41, 2026-12-06T00:46:41+00:00, Mar 6, 2027, 12:41 AM.
  /\b\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?/g,
  /\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}, \d{4}(,? \d{1,2}:\d{2}(:\d{2})?( [AP]M)?)?/g,
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, // UUIDs (assets, users)
  /\b(tok|lk)_[A-Za-z0-9]+/g, // token ids, local key ids
  /\b(?=[a-z]*\d)[a-z0-9]{20,22}\b/g, // JWT key ids, the JWT keys API's user id
  /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g, // JWK thumbprints (base64url SHA-256)
  /\b([0-9a-f]{2}:){31}[0-9a-f]{2}\b/g, // SHA-256 fingerprints
  /127\.0\.0\.1:\d+/g, // the sandbox's random port
];

/** Spinners, progress and loading states a shot waits out. */
const BUSY = [
  '[data-testid="app-loading"]',
  '[data-testid="page-loading"]',
  '[data-testid$="-loading"]',
  '[data-testid="service-status-checking"]',
  '[aria-busy="true"]',
];

/**
 * Animations, transitions, the caret and focus rings off; scrollbars hidden
 * (GTK's overlay scrollbars show or fade depending on the last scroll).
 */
const STYLE = `
*, *::before, *::after {
  animation: none !important; transition: none !important;
  caret-color: transparent !important; scroll-behavior: auto !important;
  scrollbar-width: none !important;
}
::-webkit-scrollbar { display: none !important; width: 0 !important; height: 0 !important; }
*:focus, *:focus-visible { outline: none !important; }
/* Countdowns re-render every second, after any masking: hidden instead. */
[data-testid="user-jwt-expiry"], [data-testid="reveal-countdown"] { visibility: hidden !important; }
`;

const MASK_TEXT = '▒▒▒▒▒▒';

/**
 * The JWT key and user ids seen so far (their elements' data-key-id and
 * data-user-id): masked on every later screen too, such as Health, which
 * names a key in its text only.
 */
const knownIds = new Set();

async function prepare(browser) {
  const seen = await browser.execute(
    (style, masks, patterns, placeholder, known) => {
      let el = document.getElementById('visual-test-style');
      if (!el) {
        el = document.createElement('style');
        el.id = 'visual-test-style';
        document.head.append(el);
      }
      el.textContent = style;
      for (const node of document.querySelectorAll(masks.join(','))) {
        if (node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement) {
          if (node.value) node.value = placeholder;
          continue;
        }
        const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
        let first = true;
        for (let t = walker.nextNode(); t; t = walker.nextNode()) {
          if (!t.nodeValue.trim()) continue;
          t.nodeValue = first ? placeholder : '';
          first = false;
        }
      }
      const res = patterns.map(([source, flags]) => new RegExp(source, flags));
      // The JWT keys (and their authors) the page lists, by the ids their
      // elements carry: a random id need not have a digit (1 in 1000 of 21
      // characters has none), which the id pattern asks for so as to leave
      // long words alone.
      const shownIds = [...document.querySelectorAll('[data-key-id], [data-user-id]')]
        .map((node) => node.getAttribute('data-key-id') ?? node.getAttribute('data-user-id'))
        .filter((id) => id && id.length >= 8);
      const keyIds = [...new Set([...known, ...shownIds])];
      const scrub = (text) =>
        keyIds.reduce(
          (t, id) => t.split(id).join(placeholder),
          res.reduce((t, re) => t.replace(re, placeholder), text),
        );
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        const text = scrub(t.nodeValue);
        if (text !== t.nodeValue) t.nodeValue = text;
      }
      for (const field of document.querySelectorAll('input, textarea')) {
        const value = scrub(field.value);
        if (value !== field.value) field.value = value;
      }
      return shownIds;
    },
    STYLE,
    MASKS,
    MASK_PATTERNS.map((re) => [re.source, re.flags]),
    MASK_TEXT,
    [...knownIds],
  );
  for (const id of seen ?? []) knownIds.add(id);
}

async function idle(browser) {
  await browser.waitUntil(
    async () => browser.execute((busy) => document.querySelectorAll(busy.join(',')).length === 0, BUSY),
    { timeout: 30000, timeoutMsg: 'the page stayed busy' },
  );
}

/** The window's viewport out of a grab of the X display (the driver's own shots can be stale). */
async function grab(browser) {
  const [x, y, w, h] = await browser.execute(() => [window.screenX, window.screenY, window.innerWidth, window.innerHeight]);
  const dir = mkdtempSync(join(tmpdir(), 'portal-visual-'));
  const file = join(dir, 'root.png');
  try {
    execFileSync('import', ['-window', 'root', file]);
    const root = PNG.sync.read(readFileSync(file));
    const out = new PNG({ width: w, height: h });
    PNG.bitblt(root, out, x, y, w, h, 0, 0);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const failures = [];
/** Shots that differ at all (within the tolerance or not), for the log. */
const shares = [];

/** One snapshot: settle, mask, grab, then compare with (or write) its baseline. */
async function snap(browser, theme, name) {
  await idle(browser);
  // The pointer off any control, so nothing shows a hover state.
  await browser
    .action('pointer')
    .move({ x: WIDTH - 2, y: HEIGHT - 2, origin: 'viewport' })
    .perform()
    .catch(() => {});
  // The accessibility gate, on the page as the user has it (before masking).
  await audit(browser, theme, name);
  await prepare(browser);
  await browser.pause(400);
  await prepare(browser); // again: whatever rendered in the pause
  await browser.pause(100);
  const actual = await grab(browser);
  const file = `${name}-${theme}.png`;
  const baseline = join(BASELINES, file);
  if (UPDATE) {
    mkdirSync(BASELINES, { recursive: true });
    writeFileSync(baseline, PNG.sync.write(actual));
    // 256 colours (ImageMagick): a quarter of the size, and within PIXEL_THRESHOLD
    // of the true colours, so a baseline compares as equal to the shot it came from.
    // Undithered: PNG8's default dithered palette tinted large flat areas (a
    // cyan backdrop, a purple ring for the dialogs' grey shadow), so that a
    // baseline looked unlike the screen it records.
    execFileSync('convert', [baseline, '-strip', '+dither', '-colors', '256', `PNG8:${baseline}`]);
    return;
  }
  const save = (suffix, png) => {
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, file.replace(/\.png$/, `.${suffix}.png`)), PNG.sync.write(png));
  };
  if (!existsSync(baseline)) {
    save('actual', actual);
    failures.push(`${file}: no baseline (run with UPDATE_SNAPSHOTS=1)`);
    return;
  }
  const expected = PNG.sync.read(readFileSync(baseline));
  if (expected.width !== actual.width || expected.height !== actual.height) {
    save('actual', actual);
    failures.push(`${file}: ${actual.width}×${actual.height}, baseline ${expected.width}×${expected.height}`);
    return;
  }
  const diff = new PNG({ width: actual.width, height: actual.height });
  const differing = pixelmatch(expected.data, actual.data, diff.data, actual.width, actual.height, {
    threshold: PIXEL_THRESHOLD,
  });
  const share = differing / (actual.width * actual.height);
  if (share > 0) shares.push(`${file} ${(share * 100).toFixed(3)}%`);
  if (share > MAX_DIFF_SHARE) {
    save('actual', actual);
    save('diff', diff);
    failures.push(`${file}: ${(share * 100).toFixed(2)}% of pixels differ (${differing})`);
  }
}

const click = async (browser, id) => {
  const el = await byTestId(browser, id);
  await el.waitForClickable({ timeout: 30000 });
  await el.click();
};
const shown = async (browser, id, timeout = 20000) => (await byTestId(browser, id)).waitForDisplayed({ timeout });
const gone = async (browser, id) => (await byTestId(browser, id)).waitForDisplayed({ reverse: true, timeout: 20000 });
const rowNamed = async (browser, testid, name) => {
  for (const r of await browser.$$(`[data-testid="${testid}"]`)) {
    if (((await r.getProperty('textContent')) ?? '').includes(name)) return r;
  }
  throw new Error(`no ${testid} named ${name}`);
};
/** Clicks the control `action` in the row (`rowTestid`) whose text holds `name`. */
const clickInRow = async (browser, rowTestid, name, action) =>
  (await (await rowNamed(browser, rowTestid, name)).$(`[data-testid="${action}"]`)).click();
/** Opens a dialog (`open`: a test id, or a function), shoots it, closes it with the control `close`. */
const dialogShot = async (browser, shot, { open, dialog, name, close }) => {
  await (typeof open === 'string' ? click(browser, open) : open());
  await shown(browser, dialog);
  await shot(name);
  await click(browser, close);
  await gone(browser, dialog);
};
const nav = async (browser, page) => {
  await click(browser, `nav-${page}`);
  await shown(browser, `${page}-page`);
};

/** The whole walk, in one theme, from the welcome screen of a fresh app. */
async function walk(browser, theme) {
  const shot = (name) => snap(browser, theme, name);
  await browser.setWindowSize(WIDTH, HEIGHT).catch(() => {});
  await shown(browser, 'welcome', 30000);
  // The theme choice lives in the webview's local storage (theme.svelte.ts).
  await browser.execute((t) => {
    localStorage.setItem('partner-portal.theme', t);
    location.reload();
  }, theme);
  await browser.waitUntil(async () => (await browser.execute(() => document.documentElement.dataset.theme)) === theme, {
    timeout: 20000,
  });
  await shown(browser, 'welcome', 30000);
  await shown(browser, 'explore-sandbox');
  await shot('welcome');
  await click(browser, 'connect-account');
  await shown(browser, 'connect-form');
  await shot('connect-form');
  await click(browser, 'connect-cancel');
  await click(browser, 'explore-sandbox');

  // Tokens.
  await shown(browser, 'tokens-table', 60000);
  await browser.waitUntil(async () => (await browser.$$('[data-testid="token-row"]')).length >= 4, { timeout: 30000 });
  await browser.waitUntil(
    async () => (await (await byTestId(browser, 'service-status-vault_stream')).getAttribute('data-state')) === 'connected',
    { timeout: 20000 },
  );
  await shot('tokens');
  // The command palette: everything, then a search with its matches marked.
  // Recent actions rank higher, and the suites before this one leave theirs in
  // WebKit's local storage (shared by every launch): start from none.
  await browser.execute((key) => localStorage.removeItem(key), 'partner-portal.palette.recents');
  await click(browser, 'palette-open');
  await shown(browser, 'palette');
  await shot('palette');
  await (await byTestId(browser, 'palette-input')).setValue('rev');
  await shot('palette-search');
  await browser.keys('Escape');
  await gone(browser, 'palette');
  await click(browser, 'profile-switcher');
  await shot('profile-switcher');
  await click(browser, 'profile-add');
  await shown(browser, 'add-profile-dialog');
  await shot('profile-add');
  await click(browser, 'connect-cancel');
  await gone(browser, 'add-profile-dialog');
  await click(browser, 'token-new');
  await shown(browser, 'new-token-form');
  await shot('token-new-empty');
  await (await byTestId(browser, 'new-token-name')).setValue('Visual ingest');
  await click(browser, 'scope-content:write');
  await click(browser, 'scope-content:read');
  await shot('token-new-filled');
  await click(browser, 'new-token-submit');
  await shown(browser, 'reveal-dialog');
  await shot('token-reveal');
  await click(browser, 'reveal-confirm');
  await click(browser, 'reveal-done');
  await gone(browser, 'reveal-dialog');
  await rowNamed(browser, 'token-row', 'Visual ingest');
  await shot('tokens-with-new');

  await clickInRow(browser, 'token-row', 'Webhook relay', 'token-rotate');
  await shown(browser, 'reveal-dialog');
  await shot('token-rotate-reveal');
  await click(browser, 'reveal-confirm');
  await click(browser, 'reveal-done');
  await shown(browser, 'rotate-finish-dialog');
  await shot('token-rotate-finish');
  await click(browser, 'rotate-later');
  await gone(browser, 'rotate-finish-dialog');

  await dialogShot(browser, shot, {
    open: () => clickInRow(browser, 'token-row', 'Visual ingest', 'token-revoke'),
    dialog: 'revoke-dialog',
    name: 'token-revoke-confirm',
    close: 'revoke-cancel',
  });

  await click(browser, 'user-jwt-open');
  await shown(browser, 'user-jwt-form');
  await shot('user-jwt-form');
  await click(browser, 'user-jwt-submit');
  await browser.waitUntil(async () => (await browser.$$('[aria-invalid="true"]')).length > 0, { timeout: 10000 });
  await shot('user-jwt-problems');
  await (await byTestId(browser, 'user-jwt-user-id')).setValue('usr_visual');
  await (await byTestId(browser, 'user-jwt-content-id')).setValue('c_visual');
  await click(browser, 'user-jwt-submit');
  await shown(browser, 'user-jwt-result');
  await shot('user-jwt-result');
  await click(browser, 'user-jwt-close');
  await gone(browser, 'user-jwt-dialog');

  // Keys.
  await nav(browser, 'keys');
  await browser.waitUntil(async () => (await browser.$$('[data-testid="key-row"]')).length >= 2, { timeout: 30000 });
  await shot('keys');
  await click(browser, 'key-new');
  await shown(browser, 'key-wizard');
  await shot('key-wizard-name');
  await (await byTestId(browser, 'wizard-name')).setValue('Visual key');
  await click(browser, 'wizard-next');
  await shown(browser, 'wizard-stored', 60000);
  harvestKeyring(); // the new private key, for the secrets scan
  await shot('key-wizard-stored');
  await click(browser, 'wizard-next');
  await shown(browser, 'wizard-review-pem');
  await shot('key-wizard-review');
  await click(browser, 'wizard-upload');
  await shown(browser, 'wizard-verdict', 30000);
  await shot('key-wizard-verified');
  await click(browser, 'wizard-done');
  await gone(browser, 'key-wizard');
  await rowNamed(browser, 'key-row', 'Visual key');
  await shot('keys-with-new');

  await dialogShot(browser, shot, {
    open: () => clickInRow(browser, 'key-row', 'Web player', 'key-details-open'),
    dialog: 'key-details',
    name: 'key-details',
    close: 'key-details-close',
  });

  // Before any JWT is signed with it: the plain confirmation.
  await dialogShot(browser, shot, {
    open: () => clickInRow(browser, 'key-row', 'Visual key', 'key-delete'),
    dialog: 'key-delete-dialog',
    name: 'key-delete-confirm',
    close: 'key-delete-cancel',
  });

  await clickInRow(browser, 'key-row', 'Visual key', 'key-sign-open');
  await shown(browser, 'sign-panel');
  await shot('key-sign-form');
  await click(browser, 'sign-all-videos');
  await click(browser, 'sign-submit');
  await shown(browser, 'sign-jwt');
  await (await byTestId(browser, 'sign-test-video')).setValue('vid_visual');
  await click(browser, 'sign-test-playback');
  await shown(browser, 'playback-verdict');
  // For the playback doctor below (before the shot masks it).
  const signed = await browser.execute(() => document.querySelector('[data-testid="sign-jwt"]')?.textContent?.trim());
  await shot('key-sign-result');
  await click(browser, 'key-details-close');
  await gone(browser, 'key-details');

  await click(browser, 'verify-open');
  await shown(browser, 'verify-jwt-dialog');
  await shot('key-verify-empty');
  await (await byTestId(browser, 'verify-jwt-input')).setValue('not.a.jwt');
  await click(browser, 'verify-submit');
  await browser.waitUntil(
    async () => (await browser.$$('[data-testid="verify-verdict"], [data-testid="verify-error"]')).length > 0,
    { timeout: 20000 },
  );
  await shot('key-verify-verdict');
  await click(browser, 'verify-close');
  await gone(browser, 'verify-jwt-dialog');

  // The playback doctor, empty, then its checks of the JWT signed above.
  await click(browser, 'doctor-open');
  await shown(browser, 'playback-doctor-dialog');
  await shot('key-doctor-empty');
  await (await byTestId(browser, 'doctor-input')).setValue(signed);
  await click(browser, 'doctor-submit');
  await shown(browser, 'doctor-verdict', 20000);
  await shot('key-doctor-report');
  await click(browser, 'doctor-close');
  await gone(browser, 'playback-doctor-dialog');

  // With live JWTs signed with it (above): the three choices, then Delete now's typed name.
  await dialogShot(browser, shot, {
    open: () => clickInRow(browser, 'key-row', 'Visual key', 'key-delete'),
    dialog: 'key-retire-dialog',
    name: 'key-retire-choices',
    close: 'key-retire-cancel',
  });
  await dialogShot(browser, shot, {
    open: async () => {
      await clickInRow(browser, 'key-row', 'Visual key', 'key-delete');
      await shown(browser, 'key-retire-dialog');
      await click(browser, 'key-retire-now');
    },
    dialog: 'key-delete-dialog',
    name: 'key-retire-delete-now',
    close: 'key-delete-cancel',
  });

  // The rotation wizard's own steps (its first five are the new-key wizard's
  // above). Keep old key at the end: no deletion scheduled, so no later screen changes.
  await clickInRow(browser, 'key-row', 'Visual key', 'key-rotate');
  await shown(browser, 'key-wizard');
  // The name offered carries today's date: a fixed one for the shots.
  await (await byTestId(browser, 'wizard-name')).setValue('Visual rotated');
  await shot('key-rotate-name');
  await click(browser, 'wizard-next');
  await shown(browser, 'wizard-stored', 60000);
  harvestKeyring(); // the new private key, for the secrets scan
  await click(browser, 'wizard-next');
  await shown(browser, 'wizard-review-pem');
  await click(browser, 'wizard-upload');
  await shown(browser, 'wizard-verdict', 30000);
  await click(browser, 'wizard-next');
  await shown(browser, 'wizard-default');
  await shot('key-rotate-default');
  await click(browser, 'wizard-make-default');
  await shown(browser, 'wizard-retire-hours', 20000);
  await shot('key-rotate-retire');
  await click(browser, 'wizard-keep-old');
  await gone(browser, 'key-wizard');

  // Assets.
  await nav(browser, 'assets');
  await shown(browser, 'vault-identity', 30000);
  await browser.waitUntil(async () => (await browser.$$('[data-testid="asset-row"]')).length > 0, { timeout: 30000 });
  await shot('assets');
  await dialogShot(browser, shot, {
    open: 'folder-new',
    dialog: 'folder-dialog',
    name: 'assets-folder-new',
    close: 'folder-cancel',
  });
  const first = (await browser.$$('[data-testid="asset-row"]'))[0];
  await (await first.$('[data-testid="asset-select"]')).click();
  await dialogShot(browser, shot, {
    open: 'bulk-delete',
    dialog: 'bulk-delete-dialog',
    name: 'assets-bulk-delete-confirm',
    close: 'bulk-delete-cancel',
  });
  await (await first.$('[data-testid="asset-select"]')).click();
  await (await first.$('[data-testid="asset-open"]')).click();
  await shown(browser, 'asset-details');
  await (await byTestId(browser, 'legal-hold-reason')).waitForEnabled({ timeout: 10000 });
  await shot('asset-details');
  await dialogShot(browser, shot, {
    open: 'asset-delete',
    dialog: 'asset-delete-dialog',
    name: 'asset-delete-confirm',
    close: 'asset-delete-cancel',
  });
  await click(browser, 'asset-details-close');
  await gone(browser, 'asset-details');
  await click(browser, 'asset-upload');
  const upload = await byTestId(browser, 'upload-row');
  await upload.waitForDisplayed({ timeout: 20000 });
  await browser.waitUntil(async () => (await upload.getAttribute('data-state')) === 'done', {
    timeout: 60000,
    timeoutMsg: 'the upload did not finish',
  });
  await shot('assets-uploaded');
  await click(browser, 'vault-logout');
  await shown(browser, 'vault-login-form');
  await shot('assets-login');

  // Activity and settings.
  await nav(browser, 'activity');
  await browser.waitUntil(async () => (await browser.$$('[data-testid="activity-row"]')).length > 0, { timeout: 30000 });
  await shot('activity');

  // Leak check (a folder with one token-shaped value no profile holds) and health.
  await nav(browser, 'leaks');
  await shot('leaks');
  await (await byTestId(browser, 'leaks-root')).setValue(LEAKS_DIR);
  await click(browser, 'leaks-start');
  await shown(browser, 'leaks-table', 60000);
  await shot('leaks-findings');
  await nav(browser, 'health');
  await browser.waitUntil(async () => (await browser.$$('[data-testid="health-group"]')).length > 0, { timeout: 30000 });
  await shot('health');
  await nav(browser, 'settings');
  await shown(browser, 'settings-url-jwt-keys');
  await shot('settings');
  await browser.execute(() => document.querySelector('[data-testid="settings-page"]')?.closest('main, [class*="content"]')?.scrollTo(0, 1e6));
  await shot('settings-bottom');
  await dialogShot(browser, shot, {
    open: 'remove-profile',
    dialog: 'remove-profile-dialog',
    name: 'settings-remove-profile',
    close: 'remove-profile-dialog-cancel',
  });
  await click(browser, 'secrets-opt-in');
  await shown(browser, 'secrets-form');
  await shot('settings-secrets-form');
  await browser.keys('Escape');
}

let session;
const LEAKS_DIR = mkdtempSync(join(tmpdir(), 'portal-visual-leaks-'));
before(async () => {
  rmSync(OUT, { recursive: true, force: true }); // no diffs left from an earlier run
  // The file the upload "picks" (the native dialog cannot be driven); fixed content.
  const file = join(mkdtempSync(join(tmpdir(), 'portal-visual-upload-')), 'visual.mp4');
  writeFileSync(file, Buffer.alloc(256 * 1024, 7));
  process.env.PORTAL_E2E_PICK_FILES = file;
  // The folder the Leak check sweeps (typed: the native dialog cannot be driven); fixed content.
  mkdirSync(join(LEAKS_DIR, 'deploy'), { recursive: true });
  writeFileSync(join(LEAKS_DIR, 'deploy', '.env'), `# not a real token\nVAULTSTREAM_TOKEN=vst_live_${'Vis0al'.repeat(6)}\n`);
  await startDriver();
});

after(async () => {
  rmSync(LEAKS_DIR, { recursive: true, force: true });
  stopDriver();
});

for (const theme of ['light', 'dark']) {
  test(`every page and dialog looks as in its baseline (${theme} theme)`, async (t) => {
    failures.length = 0;
    shares.length = 0;
    session = await launch();
    const { browser } = session;
    try {
      await walk(browser, theme);
    } finally {
      harvestKeyring(); // for the secrets scan (scripts/test.sh), when it keeps a ledger
      // The theme is stored per webview, not per data dir: leave the default for other suites.
      await browser.execute(() => localStorage.removeItem('partner-portal.theme')).catch(() => {});
      await browser.deleteSession();
    }
    if (shares.length) t.diagnostic(`differing pixels: ${shares.join(', ')}`);
    // After both walks, the report (docs/ACCESSIBILITY.md) covers both themes.
    if (theme === 'dark' && audited('light') > 0 && SIZE === DEFAULT_SIZE) writeReport(join(here, '../../docs/ACCESSIBILITY.md'));
    const inaccessible = gateFailures(theme);
    assert.ok(
      inaccessible.length === 0,
      `${inaccessible.length} serious or critical accessibility violations (axe-core):\n${inaccessible.join('\n')}`,
    );
    assert.ok(
      failures.length === 0,
      `${failures.length} screens differ from tests/e2e/visual/baselines/ (actual and diff images in ${OUT}):\n${failures.join('\n')}`,
    );
  });
}
