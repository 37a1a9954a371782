// The benchmark driver behind scripts/bench.sh. Run inside a private D-Bus
// session with its own keyring and under Xvfb (bench.sh does both).
//
// It starts an external `portal sandbox` (seeded with N assets, topped up to
// 50 tokens), makes a `bench` profile for it with the CLI (credentials go to
// the private keyring, nowhere else), then drives the release app and the
// blank baseline app through tauri-driver with plain W3C WebDriver calls
// (no client library), interleaving app and baseline launches.
//
//   node bench/bench.mjs --app BIN --baseline BIN --portal BIN --out results.json
//        [--runs 5] [--seed 100000] [--scroll-runs 5] [--quick]
//
// Writes a JSON file of raw samples and medians; bench/report.mjs turns it
// into the table. Diagnostics: BENCH_DEBUG=1 (tauri-driver's output, the
// start-up milestones), BENCH_PROBE=1 (each start-up command timed again
// from the page), BENCH_WRAPPER=script (start the app through e.g. strace),
// --only startup (launches only, to compare WebKit settings), --only large (the
// large list only: --runs launches, each Load all + scroll + filter; with
// --compare BIN, launches of BIN alternate with the app's, for an A/B under the
// same load; BENCH_COMPARE_CSS=rules adds a style sheet to BIN's window only,
// e.g. to compare a CSS change on one binary). Exits non-zero only when something crashes or a page never shows
// (never because of a timing).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitForPort } from '../tests/e2e/net.mjs';

// ---------------------------------------------------------------- options
const opts = {
  app: null, baseline: null, portal: null, out: null,
  runs: 5, seed: 100000, scrollRuns: 5, filterRuns: 5, cliRuns: 20, fetchRuns: 5,
  tokens: 50, port: 4470, settleMs: 3000, quick: false, scrollStep: 4, only: null, compare: null,
};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const next = () => process.argv[++i];
  switch (a) {
    case '--app': opts.app = next(); break;
    case '--baseline': opts.baseline = next(); break;
    case '--portal': opts.portal = next(); break;
    case '--out': opts.out = next(); break;
    case '--runs': opts.runs = Number(next()); break;
    case '--seed': opts.seed = Number(next()); break;
    case '--scroll-runs': opts.scrollRuns = Number(next()); break;
    case '--filter-runs': opts.filterRuns = Number(next()); break;
    case '--cli-runs': opts.cliRuns = Number(next()); break;
    case '--fetch-runs': opts.fetchRuns = Number(next()); break;
    case '--port': opts.port = Number(next()); break;
    case '--settle-ms': opts.settleMs = Number(next()); break;
    case '--quick': opts.quick = true; break;
    case '--only': opts.only = next(); break; // 'startup' (WebKit settings comparisons) or 'large'
    case '--compare': opts.compare = next(); break; // with --only large: a second app binary (A/B)
    default: throw new Error(`unknown argument ${a}`);
  }
}
for (const k of ['app', 'baseline', 'portal', 'out']) if (!opts[k]) throw new Error(`--${k} is required`);
opts.app = realpathSync(opts.app);
opts.baseline = realpathSync(opts.baseline);
opts.portal = realpathSync(opts.portal);
if (opts.compare) opts.compare = realpathSync(opts.compare);
if (opts.only && !['startup', 'large'].includes(opts.only)) throw new Error(`--only ${opts.only}: startup or large`);

const log = (...a) => console.error('   ', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- stats
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
export function p95(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return null;
  return s[Math.min(s.length, Math.max(1, Math.ceil(0.95 * s.length))) - 1];
}
/** Frames that took over 1.5× the median frame: a frame (or more) missed. */
export function dropped(deltas) {
  const m = median(deltas);
  return m === null ? 0 : deltas.filter((d) => d > 1.5 * m).length;
}

// ---------------------------------------------------------------- /proc
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;

function procTable() {
  const rows = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      rows.push({ pid: Number(d), comm, ppid: Number(f[1]), start: Number(f[19]) });
    } catch { /* gone */ }
  }
  return rows;
}
function descendants(root, table = procTable()) {
  const out = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop();
    for (const r of table) if (r.ppid === p) { out.push(r); todo.push(r.pid); }
  }
  return out;
}
function exeOf(pid) {
  try { return readlinkSync(`/proc/${pid}/exe`); } catch { return null; }
}
/** Wall-clock ms at which a process started (10 ms resolution). */
function startedAtMs(startTicks) {
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  const now = Date.now();
  return now - (uptime - startTicks / CLK_TCK) * 1000;
}
function pssKb(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
    return m ? Number(m[1]) : 0;
  } catch { return 0; }
}
/** PSS of a process and every process under it, by name. */
function treePss(pid) {
  const table = procTable();
  const self = table.find((r) => r.pid === pid);
  const all = [self, ...descendants(pid, table)].filter(Boolean);
  const byName = {};
  let total = 0;
  for (const r of all) {
    const kb = pssKb(r.pid);
    total += kb;
    byName[r.comm] = (byName[r.comm] ?? 0) + kb;
  }
  return { totalMb: total / 1024, byName: Object.fromEntries(Object.entries(byName).map(([k, v]) => [k, v / 1024])) };
}

// ---------------------------------------------------------------- processes
const children = [];
function start(cmd, args, options = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...options });
  children.push(child);
  return child;
}
function stopAll() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGINT');
}
process.on('exit', stopAll);

function run(cmd, args, { input, env } = {}) {
  const r = spawnSync(cmd, args, { input, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.slice(0, 400)}`);
  return r.stdout;
}

// ---------------------------------------------------------------- WebDriver
const WD = `http://127.0.0.1:${opts.port}`;
async function wd(method, path, body) {
  const r = await fetch(WD + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((e) => {
    // undici says only "fetch failed"; the reason is in `cause`.
    throw new Error(`WebDriver ${method} ${path}: ${e.message} (${e.cause?.code ?? e.cause?.message ?? 'no cause'})`);
  });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(`WebDriver ${method} ${path}: ${j.value?.error ?? r.status} ${j.value?.message ?? ''}`);
  return j.value;
}
const exec = (sid, fn, ...args) => wd('POST', `/session/${sid}/execute/sync`, { script: `return (${fn}).apply(null, arguments)`, args });
const execAsync = (sid, fn, ...args) =>
  wd('POST', `/session/${sid}/execute/async`, { script: `(${fn}).apply(null, arguments)`, args });

let driverPid = null;

/** Starts `bin` through WebDriver; returns the session and the app's pid and start time. */
async function launch(bin, args) {
  const requested = Date.now();
  const capabilities = {
    alwaysMatch: { 'tauri:options': { application: process.env.BENCH_WRAPPER && bin === opts.app ? process.env.BENCH_WRAPPER : bin, args } },
  };
  // Asked again once when the connection itself failed (no answer at all);
  // an answer that refuses the session is not retried.
  const session = await wd('POST', '/session', { capabilities }).catch(async (e) => {
    if (!/ECONNRESET|ECONNREFUSED|UND_ERR_SOCKET|other side closed/.test(e.message)) throw e;
    log(`the session request failed (${e.message}); asking again`);
    await new Promise((r) => setTimeout(r, 1000));
    return wd('POST', '/session', { capabilities });
  });
  const sid = session.sessionId;
  await wd('POST', `/session/${sid}/timeouts`, { script: 600000 });
  let proc = null;
  for (let i = 0; i < 100 && !proc; i++) {
    proc = descendants(driverPid).find((r) => exeOf(r.pid) === bin) ?? null;
    if (!proc) await sleep(20);
  }
  if (!proc) throw new Error(`no process of ${bin} under tauri-driver`);
  return { sid, pid: proc.pid, startedAt: startedAtMs(proc.start), requested, sessionAt: Date.now() };
}

async function close(s) {
  try { await wd('DELETE', `/session/${s.sid}`); } catch (e) { log(`closing the session: ${e.message}`); }
  for (let i = 0; i < 200; i++) {
    if (!procTable().some((r) => r.pid === s.pid)) return;
    await sleep(50);
  }
  log(`pid ${s.pid} still running after the session closed; ending it`);
  try { process.kill(s.pid, 'SIGTERM'); } catch { /* gone */ }
  await sleep(500);
}

// In-page: resolves with the wall-clock time (ms) of the first animation
// frame at which `cond` (an expression, inlined: the CSP forbids eval) holds.
async function when(sid, cond, milestones = {}) {
  const marks = Object.entries(milestones).map(([k, v]) => `if (!(${JSON.stringify(k)} in seen) && (${v})) seen[${JSON.stringify(k)}] = now();`).join('\n');
  const r = await execAsync(sid, `function (done) {
    const now = () => performance.timeOrigin + performance.now();
    const t0 = Date.now();
    const seen = {};
    (function check() {
      let ok = false;
      try { ${marks} } catch (e) { /* not yet */ }
      try { ok = !!(${cond}); } catch (e) { ok = false; }
      if (ok) done({ at: now(), seen });
      else if (Date.now() - t0 > 120000) done({ timeout: true });
      else requestAnimationFrame(check);
    })();
  }`);
  if (r.timeout) throw new Error(`timed out waiting for ${cond}`);
  return milestones && Object.keys(milestones).length ? r : r.at;
}

// ---------------------------------------------------------------- set-up
const tmp = mkdtempSync(join(tmpdir(), 'portal-bench-'));
const dataDir = join(tmp, 'data');
mkdirSync(dataDir);
const cliEnv = { PORTAL_DATA_DIR: dataDir, NO_COLOR: '1' };
const results = { options: { ...opts }, samples: {}, notes: [] };

async function startSandbox() {
  const t0 = Date.now();
  const sb = start(opts.portal, [
    'sandbox', '--port', '0', '--data', join(tmp, 'sandbox.db'), '--seed', String(opts.seed),
    '--json', '--read-limit', '0', '--write-limit', '0',
  ], { env: { ...process.env, ...cliEnv } });
  const line = await new Promise((ok, fail) => {
    const rl = createInterface({ input: sb.stdout });
    rl.once('line', ok);
    sb.once('exit', (code) => fail(new Error(`the sandbox exited (${code})`)));
  });
  // The JSON holds the sandbox's throw-away credentials: kept in memory only.
  const info = JSON.parse(line);
  results.seedSeconds = (Date.now() - t0) / 1000;
  log(`sandbox on ${info.addr}, ${opts.seed} assets seeded in ${results.seedSeconds.toFixed(1)} s`);
  return info;
}

async function topUpTokens(info, want) {
  const auth = { authorization: `Bearer ${info.credentials.vaultstream_admin_token}` };
  const list = async () => {
    const r = await fetch(`${info.vaultstream_url}/v1/auth/tokens?limit=100`, { headers: auth });
    const j = await r.json();
    return j.data.length;
  };
  let have = await list();
  for (let i = have; i < want; i++) {
    const r = await fetch(`${info.vaultstream_url}/v1/auth/tokens`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Bench token ${String(i + 1).padStart(2, '0')}`, scopes: ['content:read'] }),
    });
    if (!r.ok) throw new Error(`creating a token: HTTP ${r.status}`);
    await r.arrayBuffer(); // the created value is dropped
  }
  have = await list();
  if (have !== want) throw new Error(`the sandbox lists ${have} tokens, not ${want}`);
}

function makeProfile(info) {
  const urls = ['--vaultstream-url', info.vaultstream_url, '--jwt-keys-url', info.jwt_keys_url, '--vault-url', info.vault_url];
  run(opts.portal, [...urls, 'profile', 'add', 'bench', '-e', 'sandbox'], { env: cliEnv });
  run(opts.portal, ['profile', 'use', 'bench'], { env: cliEnv });
  const c = info.credentials;
  run(opts.portal, ['login', 'vaultstream'], { env: cliEnv, input: `${c.vaultstream_admin_token}\n` });
  run(opts.portal, ['login', 'jwt-keys'], { env: cliEnv, input: `${c.jwt_keys_api_key}\n` });
  const admin = c.vault_users.find((u) => u.role === 'admin');
  run(opts.portal, ['login', 'vault', '--email', admin.email], { env: cliEnv, input: `${admin.password}\n` });
}

// ---------------------------------------------------------------- figures
const APP_READY = `document.querySelectorAll('[data-testid="token-row"]').length >= ${opts.tokens}`;
const BASELINE_READY = `!!document.getElementById('ready')`;
const APP_MILESTONES = {
  body: `document.body && document.body.children.length > 0`,
  shell: `!!document.querySelector('[data-testid="nav-tokens"]')`,
  table: `!!document.querySelector('[data-testid="tokens-table"]')`,
  row1: `!!document.querySelector('[data-testid="token-row"]')`,
};

/** One launch of the app or the baseline: time to interactive, then PSS once settled. */
async function startupRun(kind) {
  const bin = kind === 'app' ? opts.app : opts.baseline;
  const args = kind === 'app' ? ['--data-dir', dataDir] : [];
  const s = await launch(bin, args);
  try {
    const ready = await when(s.sid, kind === 'app' ? APP_READY : BASELINE_READY, kind === 'app' ? APP_MILESTONES : { text: 'true' });
    const tti = ready.at - s.startedAt;
    const milestones = Object.fromEntries(Object.entries(ready.seen).map(([k, v]) => [k, Math.round(v - s.startedAt)]));
    // Where the time went: the page's navigation start and DOMContentLoaded.
    const nav = await exec(s.sid, `function () {
      const t = performance.getEntriesByType('navigation')[0];
      return { origin: performance.timeOrigin, dcl: t ? t.domContentLoadedEventEnd : null,
        resources: performance.getEntriesByType('resource').map((r) => [r.name.replace(/^.*\\//, '').slice(0, 40), Math.round(r.startTime), Math.round(r.responseEnd)]) };
    }`);
    const phases = { milestones, navStart: nav.origin - s.startedAt, dcl: nav.dcl, session: s.sessionAt - s.startedAt, resources: nav.resources };
    await sleep(opts.settleMs);
    const pss = treePss(s.pid);
    let firstPage = null;
    if (kind === 'app' && process.env.BENCH_PROBE) {
      // Diagnostics: each start-up command once more, timed from the page.
      log(JSON.stringify(await execAsync(s.sid, `async function (done) {
        const out = {};
        for (const c of ['app_state', 'list_tokens', 'service_status', 'rotation_reminders', 'token_scopes', 'app_state', 'list_tokens']) {
          const t0 = performance.now();
          try { await window.__TAURI_INTERNALS__.invoke(c, {}); } catch (e) { out[c + '!'] = String(e && e.code || e); }
          out[c] = (out[c] ? out[c] + ' / ' : '') + Math.round(performance.now() - t0);
        }
        done(out);
      }`)));
    }
    if (kind === 'app') firstPage = await assetsFirstPage(s.sid);
    return { tti, pss, firstPage, phases };
  } finally {
    await close(s);
  }
}

/** Click "Assets" and time until the first page of rows is on screen. */
async function assetsFirstPage(sid) {
  const r = await execAsync(sid, `function (done) {
    const now = () => performance.now();
    const t0 = now();
    document.querySelector('[data-testid="nav-assets"]').click();
    (function check() {
      const rows = document.querySelectorAll('[data-testid="asset-row"]').length;
      const login = document.querySelector('[data-testid="vault-login-form"], [data-testid="assets-list-error"]');
      if (rows > 0) requestAnimationFrame(() => done({ ms: now() - t0, rows }));
      else if (login) done({ error: 'the Assets page shows ' + login.getAttribute('data-testid') });
      else if (now() - t0 > 60000) done({ error: 'no asset rows after 60 s' });
      else requestAnimationFrame(check);
    })();
  }`);
  if (r.error) throw new Error(r.error);
  return r.ms;
}

/** "Load all", then scroll through every row and search, in one window. */
async function largeList(bin = opts.app, css = null) {
  const s = await launch(bin, ['--data-dir', dataDir]);
  const out = { scroll: [], filter: [] };
  try {
    await when(s.sid, APP_READY);
    if (css) {
      // A/B of a style rule without a rebuild (a constructed sheet: the CSP
      // refuses inline styles, not the CSSOM).
      await exec(s.sid, `function (css) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      }`, css);
      out.css = css;
    }
    await assetsFirstPage(s.sid);
    const load = await execAsync(s.sid, `function (total, done) {
      const t0 = performance.now();
      document.querySelector('[data-testid="assets-load-all"]').click();
      (function check() {
        const t = document.querySelector('[data-testid="assets-loaded"]');
        const n = t ? parseInt(t.textContent, 10) : 0;
        const busy = t && t.textContent.includes('…');
        if (n >= total && !busy) done({ ms: performance.now() - t0, n });
        else if (performance.now() - t0 > 600000) done({ error: 'Load all did not finish: ' + (t && t.textContent) });
        else setTimeout(check, 50);
      })();
    }`, opts.seed);
    if (load.error) throw new Error(load.error);
    out.loadAllMs = load.ms;
    log(`Load all: ${load.n} assets in ${(load.ms / 1000).toFixed(1)} s`);

    // The same rAF loop with nothing to do (the list loaded, nothing moves):
    // what the clock and the frame pacing alone give, the floor of the scroll
    // figure below.
    const idle = await execAsync(s.sid, `function (n, done) {
      const deltas = [];
      let last = null;
      function frame(t) {
        if (last !== null) deltas.push(t - last);
        last = t;
        if (deltas.length >= n) return done(deltas);
        requestAnimationFrame(frame);
      }
      requestAnimationFrame(frame);
    }`, opts.quick ? 60 : 600);
    out.idle = { p95: p95(idle), median: median(idle), dropped: dropped(idle), frames: idle.length };
    log(`idle rAF loop: ${idle.length} frames, p95 ${out.idle.p95.toFixed(1)} ms, median ${out.idle.median.toFixed(1)} ms, ${out.idle.dropped} dropped (> 1.5× the median)`);

    // Where a scroll frame goes (one short pass, not counted in the figures):
    // the page's script from the scroll event to the end of its microtasks
    // (Svelte's update), then the style and layout that update needs (forced
    // there by reading a size), and the DOM the update made (nodes added,
    // text and attribute changes). WebKit rounds performance.now() to 1 ms
    // here (the idle loop's deltas are whole ms), so the times are means.
    const where = await execAsync(s.sid, `function (step, n, done) {
      const vp = document.querySelector('[data-testid="assets-table"] [role="rowgroup"]');
      if (!vp) return done({ error: 'no scrolling viewport' });
      vp.scrollTop = 0;
      const script = [], layout = [], added = [], changed = [];
      let t0 = null, updated = 0;
      const records = [];
      const mo = new MutationObserver((rs) => records.push(...rs));
      // The scroll event reaches a capturing listener on the document first,
      // then the list's own handler (whose microtasks, Svelte's update, run
      // as it returns), then this one, added after it.
      const before = (e) => { if (e.target === vp) t0 = performance.now(); };
      const onScroll = () => {
        if (t0 === null) return;
        const t1 = performance.now();
        void vp.firstElementChild.offsetHeight, void vp.querySelector('[data-testid="asset-row"]')?.offsetWidth;
        const t2 = performance.now();
        records.push(...mo.takeRecords());
        if (records.length) updated++;
        script.push(t1 - t0);
        layout.push(t2 - t1);
        t0 = null;
      };
      document.addEventListener('scroll', before, true);
      vp.addEventListener('scroll', onScroll);
      mo.observe(vp, { childList: true, subtree: true, characterData: true, attributes: true });
      let frames = 0;
      function frame() {
        let nodes = 0, edits = 0;
        for (const r of records.splice(0).concat(mo.takeRecords())) {
          if (r.type === 'childList') for (const a of r.addedNodes) nodes += 1 + (a.getElementsByTagName ? a.getElementsByTagName('*').length : 0);
          else edits++;
        }
        if (frames > 0) { added.push(nodes); changed.push(edits); }
        if (frames >= n) { mo.disconnect(); vp.removeEventListener('scroll', onScroll); document.removeEventListener('scroll', before, true); return done({ script, layout, added, changed, updated }); }
        vp.scrollTop = Math.min(vp.scrollHeight - vp.clientHeight, vp.scrollTop + step * vp.clientHeight);
        frames++;
        requestAnimationFrame(frame);
      }
      requestAnimationFrame(frame);
    }`, opts.scrollStep, opts.quick ? 30 : 200);
    if (where.error) throw new Error(where.error);
    const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    out.where = {
      scriptMean: mean(where.script), layoutMean: mean(where.layout), layoutP95: p95(where.layout),
      nodesAdded: median(where.added), edits: median(where.changed), updated: where.updated, frames: where.script.length,
    };
    log(`a scroll frame: script ${out.where.scriptMean?.toFixed(2)} ms, then style + layout ${out.where.layoutMean?.toFixed(2)} ms (means; ` +
      `layout p95 ${out.where.layoutP95?.toFixed(1)}); ${out.where.nodesAdded} DOM nodes added, ${out.where.edits} text/attribute changes (medians); ` +
      `DOM already updated when timed in ${out.where.updated} of ${out.where.frames} frames`);

    // Scrolling: each frame moves `scrollStep` viewports down (every row in
    // view is new each frame) until the end; frame time = rAF deltas.
    for (let i = 0; i < opts.scrollRuns; i++) {
      const r = await execAsync(s.sid, `function (step, done) {
        const vp = document.querySelector('[data-testid="assets-table"] [role="rowgroup"]')
          || document.querySelector('[data-testid="assets-table"] .viewport');
        if (!vp) return done({ error: 'no scrolling viewport' });
        vp.scrollTop = 0;
        const deltas = [];
        let last = null, frames = 0, bad = 0;
        const max = vp.scrollHeight - vp.clientHeight;
        function frame(t) {
          if (last !== null) deltas.push(t - last);
          last = t;
          const rows = vp.querySelectorAll('[data-testid="asset-row"]').length;
          if (rows === 0) bad++;
          if (vp.scrollTop >= max - 1) return done({ deltas, frames, bad, height: vp.clientHeight });
          vp.scrollTop = Math.min(max, vp.scrollTop + step * vp.clientHeight);
          frames++;
          requestAnimationFrame(frame);
        }
        requestAnimationFrame(frame);
      }`, opts.scrollStep);
      if (r.error) throw new Error(r.error);
      const d = r.deltas;
      out.scroll.push({ p95: p95(d), median: median(d), dropped: dropped(d), frames: r.frames, blank: r.bad });
      log(`scroll pass ${i + 1}: ${r.frames} frames, p95 ${p95(d).toFixed(1)} ms, median ${median(d).toFixed(1)} ms, ` +
        `${dropped(d)} dropped (> 1.5× the median)`);
    }

    // Filter: type a query; time until every row on screen matches it (the
    // page's search debounce included). First on the whole list in memory
    // (after "Load all"), then on the paged list (the default view, a server
    // search per query).
    const queries = ['04217', '13370', '5551', '0777', '31415', '2718', '9000', '16180'];
    const filterOnce = async (q) => {
      const r = await execAsync(s.sid, `function (q, done) {
        const input = document.querySelector('[data-testid="assets-search"]');
        const names = () => [...document.querySelectorAll('[data-testid="asset-row"] [data-testid="asset-open"]')].map((e) => e.textContent);
        const t0 = performance.now();
        input.value = q;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        (function check() {
          const n = names();
          const empty = document.querySelector('[data-testid="assets-empty"]');
          const loading = document.querySelector('[data-testid="assets-loaded"]');
          const busy = loading && loading.textContent.includes('…');
          if (!busy && ((n.length > 0 && n.every((x) => x.includes(q))) || empty))
            requestAnimationFrame(() => done({ ms: performance.now() - t0, rows: n.length }));
          else if (performance.now() - t0 > 120000) done({ error: 'the filter never applied' });
          else requestAnimationFrame(check);
        })();
      }`, q);
      if (r.error) throw new Error(r.error);
      // Back to the whole list before the next query (not timed).
      await execAsync(s.sid, `function (q, done) {
        const input = document.querySelector('[data-testid="assets-search"]');
        input.value = '';
        input.dispatchEvent(new Event('input', { bubbles: true }));
        const t0 = performance.now();
        (function check() {
          const n = [...document.querySelectorAll('[data-testid="asset-row"] [data-testid="asset-open"]')].map((e) => e.textContent);
          const l = document.querySelector('[data-testid="assets-loaded"]');
          const busy = l && l.textContent.includes('…');
          if ((n.length >= 20 && !busy && !n.every((x) => x.includes(q))) || performance.now() - t0 > 600000) done(true);
          else setTimeout(check, 20);
        })();
      }`, q);
      return r;
    };
    for (let i = 0; i < opts.filterRuns; i++) {
      const q = queries[i % queries.length];
      const r = await filterOnce(q);
      out.filter.push(r.ms);
      log(`filter (all loaded) "${q}": ${r.rows} rows in ${r.ms.toFixed(0)} ms`);
    }
    await execAsync(s.sid, `function (done) {
      document.querySelector('[data-testid="assets-load-all"]').click();
      const t0 = performance.now();
      (function check() {
        if (document.querySelector('[data-testid="assets-page-number"]') && document.querySelectorAll('[data-testid="asset-row"]').length > 0) done(true);
        else if (performance.now() - t0 > 60000) done(false);
        else setTimeout(check, 20);
      })();
    }`);
    out.filterPaged = [];
    for (let i = 0; i < opts.filterRuns; i++) {
      const q = queries[(i + 3) % queries.length];
      const r = await filterOnce(q);
      out.filterPaged.push(r.ms);
      log(`filter (paged, server search) "${q}": ${r.rows} rows in ${r.ms.toFixed(0)} ms`);
    }
    out.pss = treePss(s.pid);
  } finally {
    await close(s);
  }
  return out;
}

/** hyperfine, several interleaved rounds; returns all samples per command (s). */
function hyperfine(commands, { rounds, runs, warmup = 2, env = {} }) {
  const samples = commands.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...commands.keys()].reverse() : [...commands.keys()];
    const file = join(tmp, `hf-${round}.json`);
    run('hyperfine', ['-N', '--style', 'none', '--warmup', String(warmup), '--runs', String(runs),
      '--export-json', file, ...order.map((i) => commands[i])], { env });
    const j = JSON.parse(readFileSync(file, 'utf8'));
    j.results.forEach((r, k) => samples[order[k]].push(...r.times));
    rmSync(file);
  }
  return samples;
}

function cliOverhead(info) {
  // curl gets the same token from a 0600 file on tmpfs (not on disk, not on
  // the command line), removed right after.
  const dir = mkdtempSync('/dev/shm/portal-bench-');
  chmodSync(dir, 0o700);
  const hdr = join(dir, 'auth');
  writeFileSync(hdr, `Authorization: Bearer ${info.credentials.vaultstream_admin_token}\n`, { mode: 0o600 });
  try {
    const url = `${info.vaultstream_url}/v1/auth/tokens?limit=100`;
    const [portal, curl] = hyperfine(
      [`${opts.portal} tokens list`, `curl -sSf -o /dev/null -H @${hdr} ${url}`],
      { rounds: opts.quick ? 1 : 4, runs: Math.max(3, Math.round(opts.cliRuns / (opts.quick ? 1 : 4))), env: cliEnv },
    );
    return { portal: portal.map((s) => s * 1000), curl: curl.map((s) => s * 1000) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function largeFetch() {
  const [times] = hyperfine([`${opts.portal} assets list --all --json`], { rounds: 1, runs: opts.fetchRuns, warmup: 1, env: cliEnv });
  // One run's output, to check it holds every asset.
  const out = run(opts.portal, ['assets', 'list', '--all', '--json'], { env: cliEnv });
  const parsed = JSON.parse(out);
  const n = Array.isArray(parsed) ? parsed.length : (parsed.items ?? parsed.data ?? []).length;
  if (n < opts.seed) throw new Error(`portal assets list --all returned ${n} assets, not ${opts.seed}`);
  return { seconds: times, count: n };
}

/**
 * --only large: the large list in `--runs` launches; with --compare, the
 * two binaries in turns (A B, B A, …) and a summary of each.
 */
async function largeOnly() {
  const bins = opts.compare ? [opts.app, opts.compare] : [opts.app];
  const names = opts.compare ? ['app', 'compare'] : ['app'];
  const runs = bins.map(() => []);
  for (let i = 0; i < opts.runs; i++) {
    const order = i % 2 ? [...bins.keys()].reverse() : [...bins.keys()];
    for (const k of order) {
      log(`large list: ${names[k]} (${bins[k]}), launch ${i + 1}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
      runs[k].push(await largeList(bins[k], k === 1 ? (process.env.BENCH_COMPARE_CSS ?? null) : null));
    }
  }
  results.samples.largeOnly = Object.fromEntries(names.map((n, k) => [n, runs[k]]));
  for (const [k, n] of names.entries()) {
    const passes = runs[k].flatMap((r) => r.scroll);
    const f = (v, d = 1) => (v === null || v === undefined ? '–' : v.toFixed(d));
    log(`${n}: scroll p95 ${passes.map((p) => f(p.p95)).join(', ')} ms (median ${f(median(passes.map((p) => p.p95)))}); ` +
      `frame median ${f(median(passes.map((p) => p.median)))} ms; dropped ${passes.map((p) => p.dropped).join(', ')}; ` +
      `idle p95 ${runs[k].map((r) => f(r.idle.p95)).join(', ')} ms; script/frame ${runs[k].map((r) => f(r.where.scriptMean, 2)).join(', ')} ms; layout/frame ${runs[k].map((r) => f(r.where.layoutMean, 2)).join(', ')} ms; ` +
      `nodes added/frame ${runs[k].map((r) => r.where.nodesAdded).join(', ')}; ` +
      `filter ${f(median(runs[k].flatMap((r) => r.filter)), 0)} ms; Load all ${runs[k].map((r) => f(r.loadAllMs / 1000)).join(', ')} s`);
  }
  writeFileSync(opts.out, JSON.stringify(results, null, 2));
}

// ---------------------------------------------------------------- main
async function main() {
  const info = await startSandbox();
  await topUpTokens(info, opts.tokens);
  makeProfile(info);

  const driverBin = process.env.TAURI_DRIVER ?? join(process.env.HOME, '.cargo/bin/tauri-driver');
  const driver = start(driverBin, ['--port', String(opts.port), '--native-port', String(opts.port + 1)],
    { stdio: ['ignore', process.env.BENCH_DEBUG ? 2 : 'ignore', 'inherit'] });
  driverPid = driver.pid;
  await waitForPort(opts.port, 15000);
  // tauri-driver listens before the WebKitWebDriver it starts does; a
  // session asked for in between fails ("fetch failed").
  await waitForPort(opts.port + 1, 15000, 'WebKitWebDriver');

  if (opts.only === 'large') {
    await largeOnly();
    return;
  }

  // A warm-up launch of each (page cache, fontconfig), not counted.
  log('warm-up launches');
  await startupRun('app');
  await startupRun('baseline');

  const startup = { app: [], baseline: [] };
  for (let i = 0; i < opts.runs; i++) {
    const order = i % 2 ? ['baseline', 'app'] : ['app', 'baseline'];
    for (const kind of order) {
      const r = await startupRun(kind);
      startup[kind].push(r);
      log(`${kind} run ${i + 1}: interactive ${r.tti.toFixed(0)} ms, PSS ${r.pss.totalMb.toFixed(1)} MB` +
        (r.firstPage !== null ? `, assets first page ${r.firstPage.toFixed(0)} ms` : '') +
        ` (page starts at ${r.phases.navStart.toFixed(0)} ms, DOMContentLoaded +${(r.phases.dcl ?? 0).toFixed(0)} ms, WebDriver session at ${r.phases.session.toFixed(0)} ms)`);
      if (process.env.BENCH_DEBUG) log(JSON.stringify(r.phases.milestones));
    }
  }
  results.samples.startup = startup;

  if (opts.only === 'startup') {
    writeFileSync(opts.out, JSON.stringify(results, null, 2));
    return;
  }

  log('large list in the window');
  results.samples.largeList = await largeList();

  log('CLI overhead (hyperfine)');
  results.samples.cli = cliOverhead(info);

  log('large list fetch (hyperfine)');
  results.samples.fetch = largeFetch();

  writeFileSync(opts.out, JSON.stringify(results, null, 2));
}

main()
  .then(() => { stopAll(); rmSync(tmp, { recursive: true, force: true }); process.exit(0); })
  .catch((e) => { console.error(`bench: ${e.stack ?? e}`); stopAll(); rmSync(tmp, { recursive: true, force: true }); process.exit(1); });
