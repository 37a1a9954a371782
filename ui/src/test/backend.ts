// Test helpers: a mocked Tauri backend that records every command, and fixtures.
import { mockIPC } from '@tauri-apps/api/mocks';
import { expect } from 'vitest';
import type {
  ActivityEntry,
  ActivityReport,
  ApiToken,
  Asset,
  NetworkInfo,
  AppState,
  PolicyStatus,
  CreatedTokenView,
  Finding,
  PortalErrorData,
  Profile,
  ScanReport,
  ScopeInfo,
  SecretsInfo,
  ServiceStatus,
  Snippet,
} from '../lib/types';

export type Handler = (args: Record<string, unknown>) => unknown;

export interface MockedBackend {
  calls: Array<{ cmd: string; args: Record<string, unknown> }>;
  count(cmd: string): number;
  argsOf(cmd: string): Array<Record<string, unknown>>;
  /** Replaces or adds handlers. */
  on(handlers: Record<string, Handler>): void;
}

/** Mocks IPC; a command without a handler rejects like the backend would. */
export function mockBackend(initial: Record<string, Handler>): MockedBackend {
  const handlers: Record<string, Handler> = { ...initial };
  const calls: MockedBackend['calls'] = [];
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const handler = handlers[cmd];
    if (!handler) throw portalError({ code: 'internal', message: `unmocked command ${cmd}` });
    return handler(args);
  });
  return {
    calls,
    count: (cmd) => calls.filter((c) => c.cmd === cmd).length,
    argsOf: (cmd) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
    on: (more) => Object.assign(handlers, more),
  };
}

export function portalError(
  overrides: Partial<PortalErrorData> & Pick<PortalErrorData, 'code' | 'message'>,
): PortalErrorData {
  return {
    service: null,
    request_id: null,
    status: null,
    service_code: null,
    retry_after_secs: null,
    hint: null,
    ...overrides,
  };
}

/** Delivers a Tauri event to the page's listener (the mock records `plugin:event|listen`). */
export function emitEvent(backend: MockedBackend, event: string, payload: unknown) {
  const listener = backend.argsOf('plugin:event|listen').find((a) => a.event === event);
  expect(listener).toBeDefined();
  const internals = (
    window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: unknown, data: unknown) => void } }
  ).__TAURI_INTERNALS__;
  internals.runCallback(listener!.handler, { event, id: 1, payload });
}

/** A promise the test resolves or rejects when it wants. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const readySecrets: SecretsInfo = {
  backend: 'keychain',
  description: 'the Secret Service keyring',
  ready: true,
  problem: null,
  encryptedFileExists: false,
};

export function profile(overrides: Partial<Profile> = {}): Profile {
  return {
    name: 'Sandbox',
    environment: 'sandbox',
    urls: {
      vaultstream: 'http://127.0.0.1:41001',
      jwtKeys: 'http://127.0.0.1:41001/v2',
      vault: 'http://127.0.0.1:41001',
    },
    embeddedSandbox: true,
    vaultEmail: 'admin@sandbox.test',
    jwtMaxTtlSeconds: 7 * 86_400,
    ...overrides,
  };
}

export function appState(overrides: Partial<AppState> = {}): AppState {
  const profiles = overrides.profiles ?? [];
  return {
    profiles,
    activeProfile: profiles[0]?.name ?? null,
    secrets: readySecrets,
    preferences: { clipboardClearSeconds: 30 },
    version: '0.1.0',
    ...overrides,
  };
}

export const connectedStatuses: ServiceStatus[] = [
  { service: 'vault_stream', state: 'connected', error: null },
  { service: 'jwt_keys', state: 'connected', error: null },
  { service: 'vault', state: 'connected', error: null },
];

const DAY = 24 * 60 * 60 * 1000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const ahead = (days: number) => new Date(Date.now() + days * DAY).toISOString();

export const sampleTokens: ApiToken[] = [
  {
    id: 'tok_ci',
    name: 'CI/CD Pipeline',
    scopes: ['content:write', 'content:read'],
    created_at: ago(10),
    expires_at: ahead(80),
    last_used_at: ago(1),
  },
  {
    id: 'tok_admin',
    name: 'Admin console',
    scopes: ['admin:write', 'admin:read'],
    created_at: ago(200),
    expires_at: null,
    last_used_at: null,
  },
  {
    id: 'tok_analytics',
    name: 'Analytics export',
    scopes: ['analytics:read'],
    created_at: ago(30),
    expires_at: ahead(5),
    last_used_at: ago(3),
  },
];

export const documentedScopes: ScopeInfo[] = [
  { scope: 'content:read', area: 'Content', description: 'List and retrieve content metadata' },
  { scope: 'content:write', area: 'Content', description: 'Upload, update, delete content' },
  { scope: 'admin:read', area: 'Admin', description: 'Read admin settings, audit logs' },
  { scope: 'admin:write', area: 'Admin', description: 'Modify admin settings, manage users' },
  { scope: 'analytics:read', area: 'Analytics', description: 'Access viewership metrics' },
  { scope: 'webhook:manage', area: 'Webhooks', description: 'Create/edit/delete webhooks' },
];

/** A token as `create_token` / `rotate_token` return it (never with its value). */
export function createdView(overrides: Partial<ApiToken> = {}, revealId = 'rev_1'): CreatedTokenView {
  return {
    token: {
      id: 'tok_new',
      name: 'Ingest',
      scopes: ['content:write'],
      created_at: new Date().toISOString(),
      expires_at: ahead(90),
      last_used_at: null,
      ...overrides,
    },
    revealId,
  };
}

/** The snippets Rust gives for a reveal, with the `{{TOKEN}}` placeholder. */
export const usageSnippets: Snippet[] = [
  {
    kind: 'curl',
    label: 'curl',
    template: 'curl -H "Authorization: Bearer {{TOKEN}}" \\\n  http://127.0.0.1:41001/v1/content',
  },
  {
    kind: 'python',
    label: 'Python',
    template:
      'import requests\n\nheaders = {"Authorization": "Bearer {{TOKEN}}"}\nresp = requests.get("http://127.0.0.1:41001/v1/content", headers=headers)',
  },
  {
    kind: 'javascript',
    label: 'JavaScript',
    template:
      'const resp = await fetch("http://127.0.0.1:41001/v1/content", {\n  headers: { Authorization: `Bearer {{TOKEN}}` }\n});',
  },
];

const MINUTE = 60 * 1000;
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * MINUTE).toISOString();

/** One activity log entry (the chain fields are placeholders; Rust checks them). */
export function activityEntry(overrides: Partial<ActivityEntry> = {}): ActivityEntry {
  const seq = overrides.seq ?? 1;
  return {
    seq,
    at: minutesAgo(60),
    profile: 'Sandbox',
    action: 'token_create',
    target: 'tok_ci',
    summary: 'Created token CI/CD Pipeline',
    via: 'app',
    prev: `hash_${seq - 1}`,
    hash: `hash_${seq}`,
    keyed: true,
    ...overrides,
  };
}

/** A log as `activity_log` returns it, oldest first (file order). */
export const sampleActivity: ActivityEntry[] = [
  activityEntry({
    seq: 1,
    at: minutesAgo(3 * 24 * 60),
    action: 'profile_add',
    target: 'Sandbox',
    summary: 'Added the Sandbox profile (embedded sandbox)',
  }),
  activityEntry({ seq: 2, at: minutesAgo(2 * 24 * 60), action: 'token_create', target: 'tok_ci' }),
  activityEntry({
    seq: 3,
    at: minutesAgo(24 * 60),
    profile: 'Acme live',
    action: 'profile_add',
    target: 'Acme live',
    summary: "Added profile 'Acme live' (Production) after checking its credentials",
    via: 'cli',
  }),
  activityEntry({
    seq: 4,
    at: minutesAgo(90),
    profile: 'Acme live',
    action: 'token_revoke',
    target: 'tok_old',
    summary: 'Revoked token tok_old',
    via: 'cli',
  }),
  activityEntry({
    seq: 5,
    at: minutesAgo(30),
    action: 'token_rotate',
    target: 'tok_ci_2',
    summary: "Rotated 'CI/CD Pipeline': new tok_ci_2 replaces tok_ci",
  }),
  activityEntry({
    seq: 6,
    at: minutesAgo(5),
    action: 'token_revoke',
    target: 'tok_ci',
    summary: 'Revoked token tok_ci',
    via: 'cli',
  }),
];

export function activityReport(
  entries: ActivityEntry[] = sampleActivity,
  overrides: Partial<ActivityReport> = {},
): ActivityReport {
  return {
    entries,
    intact: true,
    brokenAtLine: null,
    problem: null,
    verdict: { kind: 'keyed' },
    ...overrides,
  };
}

/** A vault session of an admin, as `vault_session` returns it. */
export const vaultSession = {
  identity: {
    email: 'ana@example.com',
    tenantId: 'tenant-1',
    role: 'admin',
    expiresAt: '2026-11-22T19:00:00Z',
  },
  permissions: [],
};

/** Every command the whole app calls on start-up and on each page, answering
 * with a connected profile, the sample tokens and empty keys and assets. */
/** A profile with no proxy and no extra CA. */
export const directNetwork: NetworkInfo = {
  caFile: null,
  sslCertFile: null,
  sslCertDir: null,
  routes: [
    { service: 'vault_stream', proxy: null, source: null },
    { service: 'jwt_keys', proxy: null, source: null },
    { service: 'vault', proxy: null, source: null },
  ],
};

/** No policy file chosen (Settings → Policy). */
export const noPolicy: PolicyStatus = {
  file: null,
  source: null,
  environment: 'sandbox',
  rules: null,
  described: [],
  error: null,
};

export const appDefaults: Record<string, Handler> = {
  app_state: () => appState({ profiles: [profile()] }),
  service_status: () => connectedStatuses,
  service_clock: () => ({ offsetSeconds: 0, warning: null }),
  profile_network: () => directNetwork,
  update_settings: () => ({ enabled: true, lastCheck: null, status: null }),
  policy_status: () => noPolicy,
  list_tokens: () => sampleTokens,
  token_scopes: () => [],
  rotation_reminders: () => [],
  keys_overview: () => ({ rows: [], sandbox: true }),
  vault_session: () => vaultSession,
  list_assets: () => ({ items: [], page: { total: 0, page: 1, limit: 50, has_more: false } }),
  list_folders: () => [],
  vault_quota: () => ({ bytes_used: 0, bytes_limit: 100, assets_used: 0, assets_limit: 10 }),
  take_deep_links: () => [],
  'plugin:event|listen': () => 1,
  'plugin:event|unlisten': () => null,
};

/** An asset as the vault lists it, named after its id. */
export function asset(id: string, overrides: Partial<Asset> = {}): Asset {
  return {
    id,
    tenant_id: 't',
    name: `${id}.mp4`,
    content_type: 'video/mp4',
    size: 1536,
    folder_id: null,
    tags: [],
    created_at: '2026-01-02T10:00:00Z',
    updated_at: '2026-01-02T10:00:00Z',
    created_by: null,
    updated_by: null,
    legal_hold: false,
    has_content: true,
    sha256: null,
    ...overrides,
  };
}

/** A leak check finding: an unmatched token in .env unless overridden. */
export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    path: '.env',
    line: 3,
    column: 14,
    commit: null,
    kind: 'vaultstream_token',
    matches: 'VaultStream token (not stored here)',
    masked: 'vst_live_…9f2c',
    profile: null,
    tokenId: null,
    keyId: null,
    localKeyId: null,
    live: null,
    ...overrides,
  };
}

/** A leak check's report: nothing found unless overridden. */
export function report(overrides: Partial<ScanReport> = {}): ScanReport {
  return {
    findings: [],
    files: 0,
    bytes: 0,
    binary: 0,
    tooLarge: [],
    unreadable: [],
    warnings: [],
    cancelled: false,
    ...overrides,
  };
}
