#!/usr/bin/env node
// Scans files for every secret a test run used; exits 1 on any hit, on an
// empty needle class, on nothing scanned, or when its own self-test fails.
//
//   node tests/e2e/secrets/scan.mjs --ledger FILE [--keyring] [--exemptions FILE]
//        [--scratch DIR] --root DIR [--root DIR …] [--exclude DIR …]
//
// --ledger      secrets the sandbox issued or accepted and the tests saw (JSON lines)
// --keyring     also every item of the test keyring (service dev.partnerportal.app)
// --exemptions  JSON lines {file, sha256}: that exact secret may appear in that
//               exact file (the CLI's one-time reveal on its stdout), nowhere else
// --scratch     where the self-test plants its needles (default: a temp dir);
//               must be outside every --root, or under an --exclude
// --root        a directory (or file) to scan, every file under it
// --exclude     a directory under a root that is not scanned (the ledger's own)
// --expect      a regular expression some scanned path must match (the store
//               file, the trace log…), so a moved file cannot pass unscanned
// --expect-in   PATH_RE=TEXT_RE: some scanned file whose path matches holds
//               that text (e.g. TRACE lines: the logs really are trace-level)
//
// It never prints a secret: only classes, counts, file names, the encoding
// found and an 8-hex-digit SHA-256 fingerprint.
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  REQUIRED_CLASSES,
  buildNeedles,
  keyringSecrets,
  listFiles,
  readLedger,
  scan,
} from './lib.mjs';

/** A secret planted in each way a leak could look, for the self-test. */
function plantings(value, cls) {
  const b64 = (bytes) => Buffer.concat([Buffer.from('x'), bytes]).toString('base64');
  const out = [[`log`, `2026-01-01T00:00:00Z TRACE request body {"value":${JSON.stringify(value)}}\n`]];
  if (cls === 'private_key') {
    const key = createPrivateKey(value);
    out.push(['der-b64', `blob=${b64(key.export({ type: 'pkcs1', format: 'der' }))}\n`]);
    out.push(['crlf', value.replace(/\n/g, '\r\n')]);
    out.push(['d-hex', `d=${Buffer.from(key.export({ format: 'jwk' }).d, 'base64url').toString('hex')}\n`]);
  } else {
    out.push(['b64', `blob=${b64(Buffer.from(value))}\n`]);
    out.push(['query', `GET /x?secret=${encodeURIComponent(value)}&y=1\n`]);
  }
  return out;
}

export function selfTest(needles, secretsByClass, scratch) {
  const problems = [];
  const dir = mkdtempSync(join(scratch, 'scan-self-test-'));
  try {
    const planted = [];
    for (const [cls, value] of secretsByClass) {
      for (const [how, text] of plantings(value, cls)) {
        const file = join(dir, `${cls}.${how}.txt`);
        writeFileSync(file, `padding before\n${text}padding after\n`, { mode: 0o600 });
        planted.push({ file, cls });
      }
    }
    const clean = join(dir, 'clean.txt');
    writeFileSync(clean, 'no secret here, only vst_live_ and eyJ prefixes\n');
    const res = scan([...planted.map((p) => p.file), clean], needles);
    for (const { file, cls } of planted) {
      if (!res.hits.some((h) => h.file === file && h.class === cls)) {
        problems.push(`self-test: a planted ${cls} was not found in ${file.slice(dir.length + 1)}`);
      }
    }
    if (res.hits.some((h) => h.file === clean)) problems.push('self-test: a clean file was reported');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

function main() {
  const { values } = parseArgs({
    options: {
      ledger: { type: 'string' },
      keyring: { type: 'boolean', default: false },
      exemptions: { type: 'string' },
      scratch: { type: 'string' },
      root: { type: 'string', multiple: true, default: [] },
      exclude: { type: 'string', multiple: true, default: [] },
      expect: { type: 'string', multiple: true, default: [] },
      'expect-in': { type: 'string', multiple: true, default: [] },
    },
  });
  const roots = values.root.map((r) => resolve(r)).filter((r) => existsSync(r));
  const exclude = values.exclude.map((r) => resolve(r));
  const under = (p, dirs) => dirs.some((d) => p === d || p.startsWith(d + '/'));
  const problems = [];
  if (roots.length === 0) problems.push('no directory to scan');
  if (roots.some((r) => under(r, exclude))) problems.push('an --exclude covers a whole --root');

  const secrets = readLedger(values.ledger);
  const fromLedger = secrets.length;
  let fromKeyring = 0;
  if (values.keyring) {
    try {
      const items = keyringSecrets();
      fromKeyring = items.length;
      secrets.push(...items);
    } catch (e) {
      problems.push(`cannot read the test keyring: ${e.message}`);
    }
  }
  const { needles, perClass } = buildNeedles(secrets);

  const exemptions = [];
  if (values.exemptions && existsSync(values.exemptions)) {
    for (const line of readFileSync(values.exemptions, 'utf8').split('\n')) {
      if (line.trim()) exemptions.push(JSON.parse(line));
    }
  }
  const allowed = (file, n) =>
    exemptions.some((e) => resolve(e.file) === file && e.sha256 === n.hash);

  console.log(`secrets: ${fromLedger} ledger entries, ${fromKeyring} keyring items`);
  console.log('needles per class (distinct secrets / search patterns):');
  for (const [cls, c] of Object.entries(perClass)) {
    const required = REQUIRED_CLASSES.includes(cls);
    console.log(
      `  ${cls.padEnd(15)} ${String(c.secrets).padStart(4)} / ${String(c.patterns).padStart(5)}` +
        (c.skipped ? `  (${c.skipped} too short to search)` : '') +
        (required && c.secrets === 0 ? '  <- NONE' : ''),
    );
    if (required && c.secrets === 0) problems.push(`no ${cls} needle: the scan would prove nothing for it`);
  }

  // Self-test: one secret of each class planted in a scratch copy must be found.
  const firstOfClass = new Map();
  for (const s of secrets) {
    if (!firstOfClass.has(s.class) && buildNeedles([s]).needles.length > 0) firstOfClass.set(s.class, s.value);
  }
  const scratch = values.scratch ? resolve(values.scratch) : tmpdir();
  if (under(scratch, roots) && !under(scratch, exclude)) {
    problems.push('--scratch must be outside the scanned directories');
  } else if (firstOfClass.size > 0) {
    mkdirSync(scratch, { recursive: true });
    const st = selfTest(needles, firstOfClass, scratch);
    problems.push(...st);
    console.log(`self-test: ${st.length === 0 ? 'ok' : 'FAILED'} (${firstOfClass.size} classes planted)`);
  }

  const files = listFiles(roots, exclude);
  const started = Date.now();
  const res = scan(files, needles, { allowed });
  console.log(
    `scanned ${res.files} files, ${(res.bytes / 1048576).toFixed(1)} MiB, under ${roots.length} roots ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  for (const r of roots) console.log(`  ${r}`);
  for (const e of exclude) console.log(`  (not under ${e})`);
  if (res.excused) console.log(`excused: ${res.excused} (a one-time reveal in its own output file)`);
  for (const re of values.expect) {
    const matching = files.filter((f) => new RegExp(re).test(f)).length;
    console.log(`expected ${re}: ${matching} files`);
    if (matching === 0) problems.push(`no scanned file matches ${re}`);
  }
  for (const spec of values['expect-in']) {
    const eq = spec.indexOf('=');
    const [pathRe, textRe] = [new RegExp(spec.slice(0, eq)), new RegExp(spec.slice(eq + 1))];
    const ok = files.some((f) => pathRe.test(f) && textRe.test(readFileSync(f, 'latin1')));
    console.log(`expected ${spec}: ${ok ? 'found' : 'NOT found'}`);
    if (!ok) problems.push(`no scanned file matching ${pathRe} holds ${textRe}`);
  }
  for (const u of res.unreadable) problems.push(`unreadable: ${u}`);
  if (res.files === 0) problems.push('nothing was scanned');
  console.log(`hits: ${res.hits.length}`);
  for (const h of res.hits) console.log(`  HIT ${h.class} (${h.kind}, secret ${h.id}) in ${h.file}`);
  for (const p of problems) console.log(`  PROBLEM ${p}`);
  process.exitCode = res.hits.length > 0 || problems.length > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) main();
