// The "secrets never at rest or in logs" check (issue 6): which secrets a
// test run used (the sandbox's ledger, the test keyring, what the tests saw),
// every encoding of each worth looking for, and a scan of files for them.
// Nothing here ever prints a secret: hits name the file, the class and the
// encoding, plus a short fingerprint (first 8 hex digits of a SHA-256).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createPrivateKey } from 'node:crypto';
import { appendFileSync, lstatSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** Classes that must each have at least one secret, or the scan fails. */
export const REQUIRED_CLASSES = [
  'admin_token',
  'api_key',
  'password',
  'access_token',
  'refresh_token',
  'revealed_token',
  'private_key',
  // A share link's token: a bearer credential for one asset.
  'share_token',
  // VaultStream's player JWT (`POST /v1/auth/jwt`).
  'user_jwt',
  // A private-video JWT signed with a local private key.
  'video_jwt',
  // The sandbox's own HS256 signing secrets (VaultStream, Vault): whoever
  // holds one can mint access tokens.
  'signing_secret',
];
/** Also scanned for when present. */
export const OPTIONAL_CLASSES = ['passphrase', 'other'];
export const CLASSES = [...REQUIRED_CLASSES, ...OPTIONAL_CLASSES];

export const SERVICE = 'dev.partnerportal.app';
/** Shorter derived patterns would match by chance. */
export const MIN_PATTERN = 12;

export const fingerprint = (value) => createHash('sha256').update(value).digest('hex').slice(0, 8);
export const sha256 = (value) => createHash('sha256').update(value).digest('hex');

// ---- the ledger: one JSON object per line, {"class","value"}

/** Appends a secret the test saw to the ledger named by PORTAL_SANDBOX_SECRET_LEDGER (if set). */
export function record(cls, value, file = process.env.PORTAL_SANDBOX_SECRET_LEDGER) {
  if (!file || !value) return;
  if (!CLASSES.includes(cls)) throw new Error(`unknown secret class ${cls}`);
  appendFileSync(file, JSON.stringify({ class: cls, value }) + '\n', { mode: 0o600 });
}

export function readLedger(file) {
  if (!file || !existsSync(file)) return [];
  const out = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { class: cls, value } = JSON.parse(line);
    if (typeof value === 'string' && value) out.push({ class: cls, value });
  }
  return out;
}

// ---- the test keyring (Secret Service), through secret-tool

const CLASS_OF_ITEM = [
  [/\/vaultstream-token$/, 'admin_token'],
  [/\/jwt-keys-api-key$/, 'api_key'],
  [/\/vault-password$/, 'password'],
  [/\/sandbox-vault-password$/, 'password'],
  [/\/vault-access-token$/, 'access_token'],
  [/\/vault-refresh-token$/, 'refresh_token'],
  [/\/saved-token\/[^/]+$/, 'revealed_token'],
  [/\/private-key\/[^/]+$/, 'private_key'],
];

/** Class of a keychain account `<profile>/<item>` (an unknown item is still a secret). */
export function classOfAccount(account) {
  for (const [re, cls] of CLASS_OF_ITEM) if (re.test(account)) return cls;
  return 'other';
}

/**
 * Every item the app and CLI keep in the Secret Service under SERVICE, read
 * with `secret-tool` (libsecret-tools). Needs the test D-Bus session.
 */
export function keyringSecrets(service = SERVICE) {
  // `search` prints attributes on stderr; a multi-line secret on stdout is
  // ambiguous, so each item is read again with `lookup`, which prints it exactly.
  const search = spawnSync('secret-tool', ['search', '--all', '--unlock', 'service', service], {
    encoding: 'utf8',
  });
  if (search.error) throw new Error(`secret-tool is not available: ${search.error.message}`);
  const accounts = [
    ...new Set(
      [...(search.stderr ?? '').matchAll(/^attribute\.username = (.*)$/gm)].map((m) => m[1]),
    ),
  ];
  const out = [];
  for (const account of accounts) {
    let value;
    try {
      value = execFileSync('secret-tool', ['lookup', 'service', service, 'username', account], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      continue;
    }
    if (value) out.push({ class: classOfAccount(account), value, account });
  }
  return out;
}

/** Copies the keyring's items to the ledger (call before a test deletes any). */
export function harvestKeyring(file = process.env.PORTAL_SANDBOX_SECRET_LEDGER) {
  if (!file) return 0;
  const items = keyringSecrets();
  for (const s of items) record(s.class, s.value, file);
  return items.length;
}

// ---- encodings

/**
 * Base64 of `bytes` as it appears inside any longer base64 text, whatever
 * the byte offset: for each of the three alignments, the characters that
 * depend only on `bytes` (no padding).
 */
export function base64Variants(bytes) {
  const out = new Set();
  for (const shift of [0, 1, 2]) {
    const std = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64').replace(/=+$/, '');
    const start = [0, 2, 3][shift];
    const end = (shift + bytes.length) % 3 === 0 ? std.length : std.length - 1;
    const s = std.slice(start, end);
    out.add(s);
    out.add(s.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return [...out];
}

const b64urlToBuf = (s) => Buffer.from(s, 'base64url');

/** The private parts of an RSA key, when `value` is one (PEM, any form). */
function rsaPrivateParts(value) {
  if (!value.includes('PRIVATE KEY')) return null;
  let key;
  try {
    key = createPrivateKey({ key: value, format: 'pem' });
  } catch {
    return null;
  }
  const parts = { der: [], components: {} };
  for (const type of ['pkcs8', 'pkcs1']) {
    try {
      parts.der.push(key.export({ type, format: 'der' }));
    } catch {
      /* not every type fits every key */
    }
  }
  try {
    const jwk = key.export({ format: 'jwk' });
    for (const c of ['d', 'p', 'q', 'dp', 'dq', 'qi']) if (jwk[c]) parts.components[c] = b64urlToBuf(jwk[c]);
  } catch {
    /* not RSA */
  }
  return parts;
}

/**
 * The byte patterns to look for, for one secret. Files are matched after
 * `normalize` (newlines and JSON-escaped newlines removed), so every pattern
 * is newline-free. Each pattern has a `kind` saying which encoding it is.
 */
export function patternsFor(value) {
  const pats = [];
  const add = (kind, s) => {
    if (s && s.length >= MIN_PATTERN) pats.push({ kind, pattern: Buffer.from(s, 'latin1') });
  };
  // UTF-16 (WebKit's storage, Windows): matched after the same normalisation as files.
  const addUtf16 = (s) => {
    if (s.length >= MIN_PATTERN) pats.push({ kind: 'utf16', pattern: normalize(Buffer.from(s, 'utf16le')) });
  };
  const raw = Buffer.from(value, 'utf8');
  const rsa = rsaPrivateParts(value);
  if (rsa) {
    add('pem', value.replace(/\r?\n/g, ''));
    addUtf16(value);
    for (const der of rsa.der) for (const s of base64Variants(der)) add('der-base64', s);
    for (const [name, bytes] of Object.entries(rsa.components)) {
      for (const s of base64Variants(bytes)) add(`${name}-base64`, s);
      add(`${name}-hex`, bytes.toString('hex'));
      add(`${name}-hex`, bytes.toString('hex').toUpperCase());
    }
    // Pieces of the private exponent, so a partial copy is found too.
    const d = rsa.components.d;
    if (d) {
      for (const s of base64Variants(d).slice(0, 1)) {
        for (let i = 0; i + 64 <= s.length; i += 64) add('d-base64-piece', s.slice(i, i + 64));
      }
    }
    return dedupe(pats);
  }
  add('raw', raw.toString('latin1'));
  addUtf16(value);
  add('url-encoded', encodeURIComponent(value));
  add('json-escaped', JSON.stringify(value).slice(1, -1));
  for (const s of base64Variants(raw)) add('base64', s);
  add('hex', raw.toString('hex'));
  return dedupe(pats);
}

function dedupe(pats) {
  const seen = new Set();
  return pats.filter((p) => {
    const k = p.pattern.toString('latin1');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Needles for a list of `{class, value}`: the same value under several
 * classes is kept once, under the first class given.
 */
export function buildNeedles(secrets) {
  const byValue = new Map();
  for (const s of secrets) if (s.value && !byValue.has(s.value)) byValue.set(s.value, s.class);
  const needles = [];
  const perClass = Object.fromEntries(CLASSES.map((c) => [c, { secrets: 0, patterns: 0, skipped: 0 }]));
  for (const [value, cls] of byValue) {
    const c = (perClass[cls] ??= { secrets: 0, patterns: 0, skipped: 0 });
    const pats = patternsFor(value);
    if (pats.length === 0) {
      c.skipped += 1; // shorter than MIN_PATTERN
      continue;
    }
    c.secrets += 1;
    c.patterns += pats.length;
    const id = fingerprint(value);
    const hash = sha256(value);
    for (const p of pats) needles.push({ class: cls, id, hash, ...p });
  }
  return { needles, perClass };
}

// ---- scanning

/**
 * File bytes with CR, LF and JSON-escaped `\n` / `\r` removed (PEMs are
 * wrapped), in UTF-8 and in UTF-16LE (where each is followed by a 0 byte).
 */
export function normalize(buf) {
  const out = Buffer.allocUnsafe(buf.length);
  let j = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === 0x0a || b === 0x0d) {
      if (buf[i + 1] === 0) i++;
      continue;
    }
    if (b === 0x5c && (buf[i + 1] === 0x6e || buf[i + 1] === 0x72)) {
      i++;
      continue;
    }
    if (b === 0x5c && buf[i + 1] === 0 && (buf[i + 2] === 0x6e || buf[i + 2] === 0x72) && buf[i + 3] === 0) {
      i += 3;
      continue;
    }
    out[j++] = b;
  }
  return out.subarray(0, j);
}

/**
 * Every regular file under `roots` (symlinks are not followed), except
 * those under a directory of `exclude` (absolute paths).
 */
export function listFiles(roots, exclude = []) {
  const files = [];
  const excluded = (p) => exclude.some((e) => p === e || p.startsWith(e + '/'));
  const walk = (p) => {
    if (excluded(p)) return;
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) walk(join(p, name));
    } else if (st.isFile()) {
      files.push(p);
    }
  };
  for (const r of roots) walk(r);
  return [...new Set(files)];
}

/**
 * Scans `files` for `needles`. `allowed(file, needle)` may excuse a hit (the
 * CLI's one-time reveal on its own stdout). Returns counts and hits; a hit
 * names the file, the class, the encoding and the secret's fingerprint.
 */
export function scan(files, needles, { allowed = () => false } = {}) {
  const hits = [];
  let bytes = 0;
  let excused = 0;
  const unreadable = [];
  for (const file of files) {
    let buf;
    try {
      buf = readFileSync(file);
    } catch (e) {
      unreadable.push(`${file}: ${e.code ?? e.message}`);
      continue;
    }
    bytes += buf.length;
    const text = normalize(buf);
    const seen = new Set();
    for (const n of needles) {
      const key = `${n.hash}:${n.kind}`;
      if (seen.has(key)) continue;
      if (text.indexOf(n.pattern) === -1) continue;
      seen.add(key);
      if (allowed(file, n)) {
        excused += 1;
        continue;
      }
      hits.push({ file, class: n.class, kind: n.kind, id: n.id });
    }
  }
  return { files: files.length, bytes, hits, excused, unreadable };
}
