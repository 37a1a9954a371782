#!/usr/bin/env node
// The CLI half of the "secrets never at rest or in logs" check: runs the real
// `portal` binary with PORTAL_LOG=trace against a standalone sandbox, through
// the keychain and the encrypted file, and keeps every command's stdout and
// stderr for the scanner (scan.mjs).
//
//   node tests/e2e/secrets/cli-scenario.mjs --out DIR --private DIR --exemptions FILE
//
// --out         captured stdout/stderr of every command (scanned)
// --private     the sandbox's own stdout (it prints its credentials: not scanned)
// --exemptions  written here: the one-time reveals. `tokens create` and
//               `tokens rotate` print the new token on stdout, `jwt create`
//               the user JWT and `keys sign` the signed video JWT: that exact
//               value in that exact stdout file is legitimate. Their stderr,
//               every other file and every log must not hold it.
// Needs the test keyring (D-Bus session) and XDG_* dirs under the scan root;
// PORTAL_SANDBOX_SECRET_LEDGER names the ledger both the sandbox and this
// script append to.
import { spawn, spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { harvestKeyring, record, sha256, readLedger } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '../../..');
const TARGET = process.env.CARGO_TARGET_DIR ? resolve(ROOT, process.env.CARGO_TARGET_DIR) : join(ROOT, 'target');
const PORTAL = process.env.PORTAL_CLI_BIN ?? join(TARGET, 'debug/portal');

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    private: { type: 'string' },
    exemptions: { type: 'string' },
  },
});
for (const k of ['out', 'private', 'exemptions']) if (!args[k]) throw new Error(`--${k} is required`);
const OUT = resolve(args.out);
const PRIVATE = resolve(args.private);
mkdirSync(OUT, { recursive: true });
mkdirSync(PRIVATE, { recursive: true });
const LEDGER = process.env.PORTAL_SANDBOX_SECRET_LEDGER;
if (!LEDGER) throw new Error('PORTAL_SANDBOX_SECRET_LEDGER must name the ledger file');

const BASE_ENV = { ...process.env, PORTAL_LOG: 'trace', NO_COLOR: '1' };
for (const k of ['PORTAL_VAULTSTREAM_TOKEN', 'PORTAL_JWT_KEYS_TOKEN', 'PORTAL_VAULT_PASSWORD', 'PORTAL_SECRET_BACKEND']) {
  delete BASE_ENV[k];
}

/** Replaces every known secret by its class, for failure messages. */
function redact(text) {
  let out = text;
  for (const s of readLedger(LEDGER)) if (s.value.length >= 8) out = out.split(s.value).join(`<${s.class}>`);
  return out;
}

let n = 0;
/**
 * Runs `portal ARGS`; stdout and stderr go to numbered files in OUT. With
 * `reveal`, the trimmed stdout is a one-time reveal of class `reveal`: it is
 * recorded in the ledger and exempted in that stdout file only.
 */
function portal(name, argv, { stdin = '', env = {}, reveal = null } = {}) {
  n += 1;
  const base = join(OUT, `${String(n).padStart(2, '0')}-${name}`);
  const r = spawnSync(PORTAL, argv, { input: stdin, env: { ...BASE_ENV, ...env }, encoding: 'utf8' });
  writeFileSync(`${base}.stdout`, r.stdout ?? '', { mode: 0o600 });
  writeFileSync(`${base}.stderr`, r.stderr ?? '', { mode: 0o600 });
  if (r.status !== 0) {
    const tail = redact(r.stderr ?? '').split('\n').filter((l) => !/TRACE|DEBUG/.test(l)).slice(-8).join('\n');
    throw new Error(`portal ${name} exited ${r.status ?? r.signal}:\n${tail}`);
  }
  if (reveal) {
    // The one-time reveal: exactly this value, in exactly this stdout file.
    const value = r.stdout.trim();
    record(reveal, value);
    appendFileSync(args.exemptions, JSON.stringify({ file: `${base}.stdout`, sha256: sha256(value) }) + '\n');
  }
  return r.stdout;
}

async function startSandbox() {
  const child = spawn(
    PORTAL,
    ['sandbox', '--port', '0', '--json', '--seed', '5', '--read-limit', '0', '--write-limit', '0', '--upload-limit', '0',
      '--transform-delay-ms', '100'],
    { env: BASE_ENV, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderrFile = join(OUT, 'sandbox.stderr');
  writeFileSync(stderrFile, '', { mode: 0o600 });
  child.stderr.on('data', (d) => appendFileSync(stderrFile, d));
  const info = await new Promise((ok, fail) => {
    let buf = '';
    const timer = setTimeout(() => fail(new Error('the sandbox did not start in 30 s')), 30000);
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        // Its stdout holds its credentials: kept out of the scanned dirs.
        writeFileSync(join(PRIVATE, 'sandbox.json'), buf, { mode: 0o600 });
        ok(JSON.parse(buf.slice(0, nl)));
      }
    });
    child.once('exit', (code) => fail(new Error(`the sandbox exited early (${code})`)));
  });
  return { child, info };
}

/** Logs in to the sandbox's vault and creates a share link for `assetId`. */
async function shareAsset(vaultUrl, user, assetId) {
  const post = async (path, token, body) => {
    const r = await fetch(`${vaultUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`POST ${path}: ${r.status}`);
    return (await r.json()).data;
  };
  const session = await post('/auth/v1/login', null, { email: user.email, password: user.password });
  const share = await post(`/vault/v1/assets/${encodeURIComponent(assetId)}/share`, session.accessToken, {
    expires_in_seconds: 3600,
  });
  if (!/\/shares\/[^/]+$/.test(share.url ?? '')) throw new Error('the share answer has no link');
}

async function main() {
  const { child, info } = await startSandbox();
  try {
    const creds = info.credentials;
    const admin = creds.vault_users.find((u) => u.role === 'admin');
    const urls = ['--vaultstream-url', info.vaultstream_url, '--jwt-keys-url', info.jwt_keys_url, '--vault-url', info.vault_url];

    // Profile and logins: every credential goes through stdin into the keychain.
    portal('profile-add', ['profile', 'add', 'cli-scan', '--environment', 'sandbox', ...urls]);
    portal('profile-use', ['profile', 'use', 'cli-scan']);
    portal('login-vaultstream', ['login', 'vaultstream'], { stdin: `${creds.vaultstream_admin_token}\n` });
    portal('login-jwt-keys', ['login', 'jwt-keys'], { stdin: `${creds.jwt_keys_api_key}\n` });
    portal('login-vault', ['login', 'vault', '--email', admin.email, '--remember'], { stdin: `${admin.password}\n` });
    portal('status', ['status']);

    // Tokens: create (one-time reveal), rotate (another), revoke.
    portal('tokens-list', ['tokens', 'list']);
    portal('tokens-create', ['tokens', 'create', '--name', 'cli-scan', '--scope', 'content:read', '--expires-in', '30d'], {
      reveal: 'revealed_token',
    });
    const list = JSON.parse(portal('tokens-list-json', ['--json', 'tokens', 'list']));
    const tokenId = list.find((t) => t.name === 'cli-scan').id;
    portal('tokens-rotate', ['tokens', 'rotate', tokenId, '--revoke-old'], { reveal: 'revealed_token' });
    const after = JSON.parse(portal('tokens-list-json-2', ['--json', 'tokens', 'list']));
    const newId = after.find((t) => t.name.startsWith('cli-scan') && t.id !== tokenId).id;
    portal('tokens-revoke', ['tokens', 'revoke', newId, '--yes']);
    // `portal exec`: the credentials reach the command's environment only;
    // what it prints of them is masked, so none is in its stdout or stderr
    // (or in the trace log, or the activity log's credential_use entries).
    const shown = portal(
      'exec',
      ['exec', '--env', 'vaultstream', '--env', 'jwt-keys', '--env', 'vault-access', '--',
        'sh', '-c', 'printf "%s\\n" "$VAULTSTREAM_TOKEN" "$JWT_KEYS_API_KEY" "$VAULT_ACCESS_TOKEN" >&2; echo "vs=$VAULTSTREAM_TOKEN"'],
    );
    if (shown.trim() !== 'vs=***') throw new Error('portal exec did not mask the token it handed over');
    portal('jwt-create', ['jwt', 'create', '--user-id', 'u_cli', '--content-id', 'vid_cli'], { reveal: 'user_jwt' });

    // Keys: generate into the keychain, sign, list, delete; one exported encrypted.
    const keyId = portal('keys-create', ['keys', 'create', '--name', 'cli-scan-key', '--generate', '--bits', '2048']).trim();
    harvestKeyring(); // before `keys delete` removes the private key
    // A signed video JWT: on its stdout, nowhere else.
    portal('keys-sign', ['keys', 'sign', '--key', keyId, '--all-videos', '--ttl', '30m'], { reveal: 'video_jwt' });
    portal('keys-list', ['keys', 'list']);
    const exportDir = join(process.env.XDG_DATA_HOME ?? OUT, 'cli-exports');
    mkdirSync(exportDir, { recursive: true });
    const exported = join(exportDir, 'cli-scan-export.pem');
    const passphrase = `export-${sha256(String(Date.now())).slice(0, 20)}`;
    record('passphrase', passphrase);
    const exportId = portal(
      'keys-create-export',
      ['keys', 'create', '--name', 'cli-scan-export', '--generate', '--bits', '2048', '--private-key-out', exported, '--encrypt'],
      { env: { PORTAL_KEY_PASSPHRASE: passphrase } },
    ).trim();
    // The file is encrypted; its plain key becomes a needle (it must be nowhere else).
    const plain = createPrivateKey({ key: readFileSync(exported), passphrase }).export({ type: 'pkcs8', format: 'pem' });
    record('private_key', plain);
    portal('keys-sign-file', ['keys', 'sign', '--key', exportId, '--private-key', exported, '--video', 'vid_cli'], {
      env: { PORTAL_KEY_PASSPHRASE: passphrase },
      reveal: 'video_jwt',
    });
    // Both signed JWTs above are live: deleted now on purpose (safe key retirement, #16 §2).
    portal('keys-delete', ['keys', 'delete', keyId, '--now', '--yes']);
    portal('keys-delete-export', ['keys', 'delete', exportId, '--now', '--yes']);

    // Assets: list, upload, delete (the vault session from the keychain, refreshed as needed).
    portal('assets-list', ['assets', 'list']);
    const upload = join(PRIVATE, 'cli-upload.mp4');
    writeFileSync(upload, Buffer.alloc(256 * 1024, 3));
    const asset = JSON.parse(portal('assets-upload', ['--json', 'assets', 'upload', upload, '--name', 'cli-scan.mp4']));
    // A share link (the CLI has no command for it: straight to the vault API),
    // so the share_token class has a needle; the CLI's status must not hold it.
    await shareAsset(info.vault_url, admin, asset.id ?? asset.asset?.id);
    portal('status-after-share', ['status']);
    portal('assets-delete', ['assets', 'delete', asset.id ?? asset.asset?.id, '--yes']);
    harvestKeyring();

    // The encrypted secrets file: opt in, store credentials there, use them, go back.
    const filePass = `file-${sha256(`f${Date.now()}`).slice(0, 20)}`;
    record('passphrase', filePass);
    const fileEnv = { env: { PORTAL_SECRETS_PASSPHRASE: filePass } };
    portal('secrets-use-file', ['secrets', 'use-file'], fileEnv);
    portal('file-login-vaultstream', ['login', 'vaultstream'], { ...fileEnv, stdin: `${creds.vaultstream_admin_token}\n` });
    portal('file-login-vault', ['login', 'vault', '--email', admin.email], { ...fileEnv, stdin: `${admin.password}\n` });
    portal('file-tokens-list', ['tokens', 'list'], fileEnv);
    portal('file-assets-list', ['assets', 'list'], fileEnv);
    portal('secrets-use-keychain', ['secrets', 'use-keychain']);
    portal('status-json', ['--json', 'status']);
    harvestKeyring();
    console.log(`cli scenario: ${n} portal commands, outputs in ${OUT}`);
  } finally {
    child.kill('SIGINT');
    await new Promise((ok) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        ok();
      }, 5000);
      child.once('exit', () => {
        clearTimeout(t);
        ok();
      });
    });
  }
}

main().catch((e) => {
  console.error(`cli scenario failed: ${redact(e.message)}`);
  process.exitCode = 1;
});
