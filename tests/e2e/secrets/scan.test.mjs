// Fast unit tests of the secrets scanner (no app, no keyring): it finds each
// class in each encoding, is not fooled by public material, honours only
// exact exemptions, and fails when a class has no needle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REQUIRED_CLASSES, base64Variants, buildNeedles, classOfAccount, listFiles, normalize, scan } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
const rand = (n) => randomBytes(n).toString('base64url').slice(0, n);
const SECRETS = [
  { class: 'admin_token', value: `vst_live_${rand(32)}` },
  { class: 'api_key', value: rand(40) },
  { class: 'password', value: 'Correct-Horse-42!' },
  { class: 'access_token', value: `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.${rand(43)}` },
  { class: 'refresh_token', value: `rt_${rand(32)}` },
  { class: 'revealed_token', value: `vst_live_${rand(32)}` },
  { class: 'private_key', value: pem },
  { class: 'share_token', value: rand(24) },
  { class: 'user_jwt', value: `eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoidSJ9.${rand(43)}` },
  { class: 'video_jwt', value: `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIqIn0.${rand(342)}` },
  { class: 'signing_secret', value: randomBytes(32).toString('hex') },
];
const valueOf = (cls) => SECRETS.find((s) => s.class === cls).value;

function scratch(files) {
  const dir = mkdtempSync(join(tmpdir(), 'scan-unit-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

test('base64 variants are found inside longer base64 at every offset', () => {
  const secret = randomBytes(33);
  const variants = base64Variants(secret);
  for (let pad = 0; pad < 6; pad++) {
    for (let tail = 0; tail < 3; tail++) {
      const blob = Buffer.concat([randomBytes(pad), secret, randomBytes(tail)]);
      for (const enc of ['base64', 'base64url']) {
        const text = blob.toString(enc);
        assert.ok(variants.some((v) => text.includes(v)), `not found at offset ${pad} (${enc})`);
      }
    }
  }
});

test('normalize drops CR, LF and JSON-escaped newlines', () => {
  assert.equal(normalize(Buffer.from('a\r\nb\\nc\\rd')).toString(), 'abcd');
});

test('each class is found raw, JSON-escaped, base64, hex, url-encoded, UTF-16; the private key in every form', () => {
  const { needles, perClass } = buildNeedles(SECRETS);
  for (const cls of REQUIRED_CLASSES) assert.ok(perClass[cls].secrets === 1, cls);
  const key = privateKey;
  const d = Buffer.from(key.export({ format: 'jwk' }).d, 'base64url');
  const files = {
    'logs/app.log': `TRACE auth ${valueOf('admin_token')} sent\n`,
    'data/settings.json': JSON.stringify({ k: valueOf('api_key') }),
    'data/form.txt': `password=${encodeURIComponent(valueOf('password'))}`,
    'cache/blob.b64': Buffer.concat([Buffer.from('zz'), Buffer.from(valueOf('access_token'))]).toString('base64'),
    'cache/refresh.hex': Buffer.from(valueOf('refresh_token')).toString('hex'),
    'logs/reveal.log': `{"token":"${valueOf('revealed_token')}"}`,
    'data/key.json': JSON.stringify({ pem }),
    'data/pkcs1.pem': key.export({ type: 'pkcs1', format: 'pem' }),
    'data/der.b64url': Buffer.concat([Buffer.from('a'), key.export({ type: 'pkcs1', format: 'der' })]).toString('base64url'),
    'data/d.hex': `d = ${d.toString('hex').toUpperCase()}`,
    'data/partial.txt': `...${d.toString('base64').slice(100, 200)}...`,
    'data/storage.utf16': Buffer.from(`{"t":"${valueOf('revealed_token')}","k":${JSON.stringify(pem)}}`, 'utf16le'),
    'data/odd.utf16': Buffer.concat([Buffer.from('x'), Buffer.from(pem, 'utf16le')]),
    'logs/share.log': `GET /vault/shares/${valueOf('share_token')} 200\n`,
    'cache/player.json': JSON.stringify({ url: `https://p/x?jwt=${valueOf('user_jwt')}` }),
    'data/history.b64': Buffer.from(`watch?jwt=${valueOf('video_jwt')}`).toString('base64'),
    'data/sandbox.db': Buffer.concat([randomBytes(7), Buffer.from(valueOf('signing_secret')), randomBytes(5)]),
  };
  const dir = scratch(files);
  try {
    const res = scan(listFiles([dir]), needles);
    const found = (name) => res.hits.filter((h) => h.file === join(dir, name)).map((h) => h.class);
    assert.deepEqual(found('logs/app.log'), ['admin_token']);
    assert.deepEqual(found('data/settings.json'), ['api_key']);
    assert.deepEqual(found('data/form.txt'), ['password']);
    assert.deepEqual(found('cache/blob.b64'), ['access_token']);
    assert.deepEqual(found('cache/refresh.hex'), ['refresh_token']);
    assert.deepEqual(found('logs/reveal.log'), ['revealed_token']);
    assert.deepEqual(found('data/storage.utf16').sort(), ['private_key', 'revealed_token']);
    assert.deepEqual(found('data/odd.utf16'), ['private_key']);
    assert.deepEqual(found('logs/share.log'), ['share_token']);
    assert.deepEqual(found('cache/player.json'), ['user_jwt']);
    assert.deepEqual(found('data/history.b64'), ['video_jwt']);
    assert.deepEqual(found('data/sandbox.db'), ['signing_secret']);
    for (const f of ['data/key.json', 'data/pkcs1.pem', 'data/der.b64url', 'data/d.hex', 'data/partial.txt']) {
      assert.ok(found(f).includes('private_key'), `private key not found in ${f}`);
    }
    // Hits never carry the value.
    for (const h of res.hits) for (const s of SECRETS) assert.ok(!JSON.stringify(h).includes(s.value));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('public material is not a hit: public key PEM/JWK, fingerprints, token prefixes', () => {
  const { needles } = buildNeedles(SECRETS);
  const dir = scratch({
    'public.pem': publicKey.export({ type: 'spki', format: 'pem' }),
    'public.pkcs1.pem': publicKey.export({ type: 'pkcs1', format: 'pem' }),
    'public.jwk': JSON.stringify(publicKey.export({ format: 'jwk' })),
    'listing.json': JSON.stringify({ name: 'x', prefix: 'vst_live_', jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0' }),
  });
  try {
    assert.deepEqual(scan(listFiles([dir]), needles).hits, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an exemption excuses only that secret in that file', () => {
  const { needles } = buildNeedles(SECRETS);
  const revealed = valueOf('revealed_token');
  const dir = scratch({
    'create.stdout': `${revealed}\n`,
    'other.stdout': `${revealed}\n`,
    'create2.stdout': `${revealed}\n${valueOf('admin_token')}\n`,
  });
  try {
    const hash = needles.find((n) => n.class === 'revealed_token').hash;
    const ok = new Set([join(dir, 'create.stdout'), join(dir, 'create2.stdout')]);
    const res = scan(listFiles([dir]), needles, { allowed: (f, n) => ok.has(f) && n.hash === hash });
    assert.deepEqual(
      res.hits.map((h) => [h.file.slice(dir.length + 1), h.class]).sort(),
      [['create2.stdout', 'admin_token'], ['other.stdout', 'revealed_token']],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keychain accounts map to classes', () => {
  assert.equal(classOfAccount('Sandbox/vaultstream-token'), 'admin_token');
  assert.equal(classOfAccount('p/vault-refresh-token'), 'refresh_token');
  assert.equal(classOfAccount('Sandbox/sandbox-vault-password'), 'password');
  assert.equal(classOfAccount('p/private-key/lk_abc'), 'private_key');
  assert.equal(classOfAccount('p/saved-token/tok_1'), 'revealed_token');
});

function runCli(ledgerEntries, files, extra = () => []) {
  const dir = scratch(files);
  const ledger = join(dir, '..', `${dir.split('/').pop()}.ledger`);
  writeFileSync(ledger, ledgerEntries.map((s) => JSON.stringify(s)).join('\n') + '\n');
  const r = spawnSync(process.execPath, [join(here, 'scan.mjs'), '--ledger', ledger, '--root', dir, ...extra(dir)], {
    encoding: 'utf8',
  });
  rmSync(dir, { recursive: true, force: true });
  rmSync(ledger, { force: true });
  return r;
}

test('the command passes a clean tree, self-tests, and prints no secret', () => {
  const r = runCli(SECRETS, { 'a.log': 'nothing\n' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`self-test: ok \\(${REQUIRED_CLASSES.length} classes planted\\)`));
  assert.match(r.stdout, /hits: 0/);
  for (const s of SECRETS) assert.ok(!r.stdout.includes(s.value) && !r.stderr.includes(s.value));
});

test('the command fails on a hit, naming file and class but not the secret', () => {
  const r = runCli(SECRETS, { 'a.log': `x ${valueOf('api_key')} y\n` });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /HIT api_key \(raw, secret [0-9a-f]{8}\) in .*a\.log/);
  for (const s of SECRETS) assert.ok(!r.stdout.includes(s.value) && !r.stderr.includes(s.value));
});

test('the command fails when a class has no needle', () => {
  const r = runCli(SECRETS.filter((s) => s.class !== 'refresh_token'), { 'a.log': 'nothing\n' });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /no refresh_token needle/);
});

test('the command fails for each class without a needle, the new ones included', () => {
  for (const cls of ['share_token', 'video_jwt', 'signing_secret', 'user_jwt']) {
    const r = runCli(SECRETS.filter((s) => s.class !== cls), { 'a.log': 'nothing\n' });
    assert.equal(r.status, 1, cls);
    assert.match(r.stdout, new RegExp(`no ${cls} needle`));
  }
});

test('every file under the root is scanned except under --exclude, where the scratch may live', () => {
  const files = {
    'deep/er/x.bin': `..${valueOf('signing_secret')}..`,
    'secrets/ledger-copy.txt': `${valueOf('api_key')}\n`,
  };
  const r = runCli(SECRETS, files, (dir) => ['--exclude', join(dir, 'secrets'), '--scratch', join(dir, 'secrets', 'scratch')]);
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stdout, /HIT signing_secret \(raw, secret [0-9a-f]{8}\) in .*deep\/er\/x\.bin/);
  assert.doesNotMatch(r.stdout, /HIT api_key/);
  assert.match(r.stdout, /self-test: ok/);
  assert.match(r.stdout, /hits: 1\n/);

  // A scratch dir under a root but not excluded is refused.
  const bad = runCli(SECRETS, { 'a.log': 'nothing\n' }, (dir) => ['--scratch', join(dir, 'scratch')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /--scratch must be outside/);
});

test('listFiles skips excluded directories', () => {
  const dir = scratch({ 'a/1.txt': 'x', 'b/2.txt': 'y', 'b2/3.txt': 'z' });
  try {
    const got = listFiles([dir], [join(dir, 'b')]).map((f) => f.slice(dir.length + 1));
    assert.deepEqual(got, ['a/1.txt', 'b2/3.txt']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
