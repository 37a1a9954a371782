// Starts tauri-driver (which starts WebKitWebDriver) and opens sessions on
// the built debug app, each with its own empty data directory.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';
import { waitForPort } from './net.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '../..');
export const TARGET = process.env.CARGO_TARGET_DIR ? resolve(ROOT, process.env.CARGO_TARGET_DIR) : join(ROOT, 'target');
export const APP = process.env.PORTAL_APP_BIN ?? join(TARGET, 'debug/partner-portal');
export const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

// Test seam of a debug build (src-tauri/src/sandbox.rs, `test_seam`): the
// app's embedded sandbox mounts no /sandbox controls. With this variable a
// debug app mounts them behind this secret (sent as X-Sandbox-Control), so
// a test can install a fault. Random per run; the app inherits it through
// tauri-driver and WebKitWebDriver. Release builds ignore it.
export const SANDBOX_CONTROL_SECRET = (process.env.PORTAL_TEST_SANDBOX_CONTROL_SECRET ||=
  randomBytes(24).toString('base64url'));

// Test seam of a debug build (src-tauri/src/retire.rs): the app looks for
// due key deletions every 2 seconds instead of every minute, so a test sees
// a scheduled deletion carried out while the app runs without waiting long.
process.env.PORTAL_TEST_RETIRE_SECONDS ||= '2';

// E2E_PORT: run beside another suite (tauri-driver's native port is the next one).
const PORT = Number(process.env.E2E_PORT ?? 4444);
let driver;

export async function startDriver() {
  const bin = process.env.TAURI_DRIVER ?? join(process.env.HOME, '.cargo/bin/tauri-driver');
  const args = ['--port', String(PORT)];
  if (process.env.E2E_PORT) args.push('--native-port', String(PORT + 1));
  driver = spawn(bin, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  await waitForPort(PORT, 15000);
}

export function stopDriver() {
  driver?.kill();
}

/**
 * A fresh app window with an empty data dir, under PORTAL_E2E_DATA_ROOT when
 * set (scripts/test.sh scans it for secrets afterwards), else the temp dir.
 */
export async function launch() {
  const parent = process.env.PORTAL_E2E_DATA_ROOT ?? tmpdir();
  mkdirSync(parent, { recursive: true });
  const dataDir = mkdtempSync(join(parent, 'portal-e2e-'));
  const browser = await remote({
    hostname: '127.0.0.1',
    port: PORT,
    logLevel: 'warn',
    connectionRetryTimeout: 60000,
    capabilities: { 'tauri:options': { application: APP, args: ['--data-dir', dataDir] } },
  });
  return { browser, dataDir };
}

export const byTestId = (browser, id) => browser.$(`[data-testid="${id}"]`);

/** Text as in the DOM (WebKitWebDriver's getText() can come back empty). */
export async function textOf(browser, id) {
  return ((await (await byTestId(browser, id)).getProperty('textContent')) ?? '').trim();
}

/**
 * A screenshot of the X display. WebKitWebDriver's own screenshot can show
 * a stale frame, so the root window is grabbed instead, after a short settle.
 */
export async function screenshot(_browser, name) {
  const file = join(ARTIFACTS, `${name}.png`);
  await new Promise((r) => setTimeout(r, 500));
  execFileSync('import', ['-window', 'root', file]);
  return file;
}
