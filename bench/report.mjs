// Turns bench.mjs's results, the sizes and the keygen_bench output into the
// table (printed) and, unless --no-doc, the generated part of
// docs/PERFORMANCE.md (between the bench:begin/bench:end markers; the rest
// of the file is kept as written).
//
//   node bench/report.mjs --results R.json --sizes S.json --keygen K.txt [--doc docs/PERFORMANCE.md]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? null : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const p95 = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s[Math.min(s.length, Math.max(1, Math.ceil(0.95 * s.length))) - 1];
};
const sh = (cmd, a) => {
  try { return execFileSync(cmd, a, { encoding: 'utf8' }).trim(); } catch { return '?'; }
};

const R = JSON.parse(readFileSync(args.results, 'utf8'));
const S = JSON.parse(readFileSync(args.sizes, 'utf8'));
const K = args.keygen && existsSync(args.keygen) ? readFileSync(args.keygen, 'utf8') : '';
const quick = R.options.quick;
const runs = R.options.runs;

const rows = [];
const f = (v, d = 0) => (v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d));
// --quick measures debug builds: no verdicts there.
const verdict = (ok) => (ok === null || quick ? '–' : ok ? 'met' : '**missed**');
function row(figure, how, app, ref, ratio, target, ok) {
  rows.push({ figure, how, app, ref, ratio, target, ok: verdict(ok) });
}

// Start-up and memory.
const st = R.samples.startup;
const ttiA = median(st.app.map((r) => r.tti));
const ttiB = median(st.baseline.map((r) => r.tti));
row('Time to interactive', `process start → 50 token rows (app) / the static text (baseline), median of ${runs}`,
  `${f(ttiA)} ms`, `${f(ttiB)} ms`, `${f(ttiA / ttiB, 2)}×`, '≤ 1.3×', ttiA / ttiB <= 1.3);
const pssA = median(st.app.map((r) => r.pss.totalMb));
const pssB = median(st.baseline.map((r) => r.pss.totalMb));
row('Memory (PSS)', `app + WebKit processes, settled ${R.options.settleMs / 1000} s on the page, median of ${runs}`,
  `${f(pssA, 1)} MB`, `${f(pssB, 1)} MB`, `${f(pssA / pssB, 2)}×`, '≤ 1.2×', pssA / pssB <= 1.2);

// Sizes.
const mb = (b) => (b ? `${(b / 1e6).toFixed(2)} MB` : '–');
row('Size: binary', `${S.profile === 'debug' ? 'debug' : 'release, stripped'} (\`partner-portal\` / baseline)`, mb(S.appBinary), mb(S.baselineBinary),
  S.appBinary && S.baselineBinary ? `${(S.appBinary / S.baselineBinary).toFixed(2)}×` : '–', '≤ 16 MB',
  S.appBinary ? S.appBinary <= 16e6 : null);
row('Size: .deb', S.deb ? '`cargo tauri build --bundles deb`' : 'skipped (--quick)', mb(S.deb), '–', '–', '≤ 8 MB',
  S.deb ? S.deb <= 8e6 : null);
if (S.portal) row('Size: `portal` CLI', S.profile === 'debug' ? 'debug' : 'release, stripped', mb(S.portal), '–', '–', '–', null);

// Key generation: keygen_bench's table.
for (const line of K.split('\n')) {
  const m = line.trim().split(/\s+/);
  if (m.length >= 8 && /^\d{4}$/.test(m[0])) {
    const [bits, n, om, op, sm, sp, rm, rp] = m;
    row(`RSA ${bits} keygen (median)`, `ours vs \`openssl genrsa\`, ${n} interleaved runs`, `${om} s`, `${sm} s`, `${rm}×`,
      '≤ 0.75×', rm === '-' ? null : Number(rm) <= 0.75);
    row(`RSA ${bits} keygen (p95)`, '', `${op} s`, `${sp} s`, `${rp}×`, '≤ 1.0×', rp === '-' ? null : Number(rp) <= 1.0);
  }
}

// Large list.
const seed = R.options.seed;
const fetch = R.samples.fetch;
const fetchS = median(fetch.seconds);
row('Large list: fetch', `\`portal assets list --all --json\`, ${seed} assets, loopback, median of ${fetch.seconds.length}`,
  `${f(fetchS, 2)} s`, '–', '–', '≤ 5 s', fetchS <= 5);
const fp = st.app.map((r) => r.firstPage);
const fpM = median(fp);
row('Large list: first page', `click Assets → first rows on screen, ${seed} assets, median of ${fp.length}`,
  `${f(fpM)} ms`, '–', '–', '≤ 300 ms', fpM <= 300);
const ll = R.samples.largeList;
const scrollP95 = median(ll.scroll.map((s) => s.p95));
const frames = ll.scroll[0]?.frames ?? 0;
row('Large list: scroll', `p95 rAF frame time through all ${seed} rows (${frames} frames a pass), median of ${ll.scroll.length} passes`,
  `${f(scrollP95, 1)} ms`, '–', '–', '≤ 20 ms', scrollP95 <= 20);
// Frames over 1.5× the pass's median frame (a frame missed at least), beside
// the p95: a p95 at the refresh interval can hide a few long stalls.
if (ll.scroll.every((s) => s.dropped !== undefined)) {
  const dr = ll.scroll.map((s) => s.dropped);
  row('Large list: dropped frames', `scroll frames over 1.5× the pass's median frame (${f(median(ll.scroll.map((s) => s.median)), 1)} ms), median of ${dr.length} passes (${dr.join(', ')})`,
    `${f(median(dr))} of ${frames}`, '–', '–', '–', null);
}
if (ll.idle) {
  row('Large list: idle frames', `the same rAF loop with nothing to do (${ll.idle.frames} frames): p95 / median, frames over 1.5× the median`,
    `${f(ll.idle.p95, 1)} / ${f(ll.idle.median, 1)} ms, ${ll.idle.dropped}`, '–', '–', '–', null);
}
const filterM = median(ll.filter);
row('Large list: filter', `type a query → matching rows on screen, all ${seed} loaded, median of ${ll.filter.length}`,
  `${f(filterM)} ms`, '–', '–', '≤ 50 ms', filterM <= 50);
if (ll.filterPaged?.length) {
  row('Large list: filter (paged)', `the same on the paged list (a server search over ${seed} assets), median of ${ll.filterPaged.length}`,
    `${f(median(ll.filterPaged))} ms`, '–', '–', '–', null);
}
row('Large list: Load all', `all ${seed} assets into the windowed list`, `${f(ll.loadAllMs / 1000, 1)} s`, '–', '–', '–', null);

// CLI.
const cli = R.samples.cli;
const cliP = median(cli.portal);
const cliC = median(cli.curl);
row('CLI overhead', `\`portal tokens list\` vs \`curl\` (same endpoint and token), hyperfine, ${cli.portal.length} runs each`,
  `${f(cliP, 1)} ms`, `${f(cliC, 1)} ms`, `${f(cliP / cliC, 2)}×`, '≤ 1.5×', cliP / cliC <= 1.5);

const table = [
  '| figure | how | Partner Portal | baseline / reference | ratio | target | |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.figure} | ${r.how} | ${r.app} | ${r.ref} | ${r.ratio} | ${r.target} | ${r.ok} |`),
].join('\n');

// Memory breakdown (medians per process name).
function breakdown(list) {
  const names = new Set(list.flatMap((r) => Object.keys(r.pss.byName)));
  return [...names].map((n) => `${n} ${median(list.map((r) => r.pss.byName[n] ?? 0)).toFixed(1)}`).join(', ');
}

const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? '?';
const webkit = sh('dpkg-query', ['-W', '-f=${Version}', 'libwebkit2gtk-4.1-0']);
const commit = sh('git', ['rev-parse', '--short', 'HEAD']);
const dirty = sh('git', ['status', '--porcelain', '--untracked-files=no']) ? ' (with uncommitted changes)' : '';
const machine = [
  `- Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}; commit ${commit}${dirty}`,
  `- CPU: ${cpu}, ${cpus().length} cores; RAM ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
  `- Kernel ${sh('uname', ['-r'])}; Debian ${readFileSync('/etc/debian_version', 'utf8').trim()}; ${sh('rustc', ['-V'])}; WebKitGTK ${webkit}`,
  `- Load average (1/5/15 min) at the start: ${S.loadStart ?? '?'}; at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  `- Mode: ${quick ? '--quick (debug builds, small seed: timings are not meaningful)' : 'full (release builds)'}; ${runs} interleaved launches of each app (plus one warm-up each); sandbox seeded with ${seed} assets in ${f(R.seedSeconds, 1)} s`,
  `- Settings: both apps with \`WEBKIT_DISABLE_COMPOSITING_MODE=${process.env.WEBKIT_DISABLE_COMPOSITING_MODE ?? '1'}\`${process.env.WEBKIT_DISABLE_DMABUF_RENDERER ? `, \`WEBKIT_DISABLE_DMABUF_RENDERER=${process.env.WEBKIT_DISABLE_DMABUF_RENDERER}\`` : ''}; Xvfb 1280×800×24`,
  `- PSS by process (median MB): app: ${breakdown(st.app)}; baseline: ${breakdown(st.baseline)}`,
  `- Samples: interactive app ${st.app.map((r) => f(r.tti)).join(', ')} ms / baseline ${st.baseline.map((r) => f(r.tti)).join(', ')} ms; ` +
    `PSS app ${st.app.map((r) => f(r.pss.totalMb, 1)).join(', ')} / baseline ${st.baseline.map((r) => f(r.pss.totalMb, 1)).join(', ')} MB; ` +
    `first page ${fp.map((x) => f(x)).join(', ')} ms; scroll p95 ${ll.scroll.map((s) => f(s.p95, 1)).join(', ')} ms (dropped ${ll.scroll.map((s) => s.dropped ?? '–').join(', ')}); filter ${ll.filter.map((x) => f(x)).join(', ')} ms (paged ${(ll.filterPaged ?? []).map((x) => f(x)).join(', ')}); ` +
    `fetch ${fetch.seconds.map((x) => f(x, 2)).join(', ')} s; CLI p95 portal ${f(p95(cli.portal), 1)} ms / curl ${f(p95(cli.curl), 1)} ms`,
].join('\n');

const block = `<!-- bench:begin (generated by scripts/bench.sh; edit outside these markers) -->\n${table}\n\n${machine}\n<!-- bench:end -->`;
console.log(`\n${table}\n\n${machine}\n`);

if (args.doc) {
  const doc = existsSync(args.doc) ? readFileSync(args.doc, 'utf8') : '# Performance\n\n<!-- bench:begin -->\n<!-- bench:end -->\n';
  const re = /<!-- bench:begin[^>]*-->[\s\S]*?<!-- bench:end -->/;
  writeFileSync(args.doc, re.test(doc) ? doc.replace(re, block) : `${doc.trimEnd()}\n\n${block}\n`);
  console.error(`Written to ${args.doc}`);
}
