import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { computeAccessibleName } from 'dom-accessibility-api';
import { beforeAll, describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import {
  appDefaults,
  appState,
  deferred,
  mockBackend,
  portalError,
  profile,
  type Handler,
} from '../../test/backend';
import type {
  Fingerprints,
  JwtKey,
  KeyStatus,
  LocalKey,
  Profile,
  SignedVideoJwt,
  UploadVerification,
} from '../types';

const PEM =
  '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n';

function fp(n: number): Fingerprints {
  const hex = String(n).padStart(2, '0');
  return {
    sha256: Array.from({ length: 32 }, () => hex).join(':'),
    sha256Base64url: `b64-${n}`,
    jwkThumbprint: `thumb-${n}`,
  };
}

function server(id: string, name: string): JwtKey {
  return {
    id,
    name,
    public_key: PEM,
    created_by: 'ana@example.com',
    created_time: '2026-01-02T10:00:00.000Z',
    updated_by: 'ana@example.com',
    updated_time: '2026-01-02T10:00:00.000Z',
  };
}

function local(localId: string, name: string, serverKeyId: string | null, n = 1): LocalKey {
  return { localId, name, bits: 2048, fingerprints: fp(n), created: new Date().toISOString(), serverKeyId };
}

const paired: KeyStatus = {
  server: server('key_1', 'Web player'),
  local: local('lk_1', 'Web player', 'key_1'),
  fingerprints: fp(1),
  pairing: 'paired',
};
const remote: KeyStatus = {
  server: server('key_2', 'Old CMS'),
  local: null,
  fingerprints: fp(2),
  pairing: 'no_private_key_here',
};
const draft = local('lk_3', 'Staging', null, 3);
const notUploaded: KeyStatus = { server: null, local: draft, fingerprints: fp(3), pairing: 'not_uploaded' };

const verified: UploadVerification = {
  ok: true,
  message: 'The service holds this key’s public half: a JWT signed here verifies with it.',
  serverFingerprints: fp(3),
  localFingerprints: fp(3),
  fingerprintsMatch: true,
  testJwt: {
    kind: 'valid',
    message: 'Signed by key key_new, for all videos.',
    kid: 'key_new',
    subject: '*',
    expiresAt: null,
  },
};

function showKeys(handlers: Record<string, Handler>, who: Profile = profile()) {
  const backend = mockBackend({
    ...appDefaults,
    app_state: () => appState({ profiles: [who] }),
    keys_overview: () => ({ rows: [paired, remote], sandbox: true }),
    video_url_templates: () => ({
      watch: 'https://watch.vidbeo.com/{video_id}',
      embed: 'https://player.vidbeo.com/embed/{video_id}',
      hls: 'https://stream.vidbeo.com/{video_id}/playlist.m3u8',
    }),
    ...handlers,
  });
  render(App);
  return backend;
}

// The page is a chunk loaded when first opened: compile it (and the wizard's
// steps) once here, so the first test's wait for the table is not spent in
// the compiler on a loaded machine.
beforeAll(async () => {
  await import('./KeysPage.svelte');
}, 30_000);

async function openKeys(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('nav-keys'));
  return screen.findByTestId('keys-table');
}

const row = (id: string) =>
  document.querySelector(`[data-testid="key-row"][data-key-id="${id}"]`) as HTMLElement;

describe('Keys page', () => {
  it('lists server and local keys with their pairing; only local-only keys offer Resume upload', async () => {
    const user = userEvent.setup();
    showKeys({ keys_overview: () => ({ rows: [paired, remote, notUploaded], sandbox: true }) });
    const table = await openKeys(user);
    expect(
      within(table)
        .getAllByTestId('key-row')
        .map((r) => r.dataset.pairing),
    ).toEqual(['paired', 'no_private_key_here', 'not_uploaded']);
    const fingerprint = within(row('key_1')).getByTestId('key-fingerprint');
    expect(fingerprint).toHaveTextContent('01:01:01:01:01:01…');
    expect(fingerprint).toHaveAttribute('title', fp(1).sha256);
    expect(within(row('key_1')).getByTestId('key-sign-open')).toBeVisible();
    expect(within(row('key_2')).queryByTestId('key-sign-open')).toBeNull();
    expect(within(row('lk_3')).getByTestId('key-resume')).toBeVisible();
    expect(within(row('key_1')).queryByTestId('key-resume')).toBeNull();
  });

  it('shows the empty state and the error state', async () => {
    const user = userEvent.setup();
    const backend = showKeys({ keys_overview: () => ({ rows: [], sandbox: false }) });
    await user.click(await screen.findByTestId('nav-keys'));
    expect(await screen.findByTestId('keys-empty')).toHaveTextContent('No JWT keys yet');
    backend.on({
      keys_overview: () => {
        throw portalError({ code: 'unauthorized', message: 'The API key was refused.' });
      },
    });
    await user.click(screen.getByTestId('keys-refresh'));
    await waitFor(() => expect(backend.count('keys_overview')).toBe(2));
  });
});

describe('Keys page while the JWT keys API does not answer', () => {
  it('lists the keys kept here, unchecked, says why, and checks again on retry', async () => {
    const user = userEvent.setup();
    const unchecked: KeyStatus = { ...notUploaded, pairing: 'unchecked' };
    const backend = showKeys({
      keys_overview: () => ({
        rows: [unchecked],
        sandbox: false,
        serverError: portalError({
          code: 'unavailable',
          message: 'JWT keys answered HTTP 503.',
          service: 'jwt_keys',
        }),
      }),
    });
    await openKeys(user);
    expect(screen.getByTestId('keys-server-error')).toHaveTextContent('JWT keys answered HTTP 503.');
    expect(within(row('lk_3')).getByTestId('key-pairing')).toHaveTextContent('Not checked');
    // Whether the key is in use there is not known: no upload, no delete.
    expect(within(row('lk_3')).queryByTestId('key-resume')).toBeNull();
    expect(within(row('lk_3')).queryByTestId('key-delete')).toBeNull();
    expect(within(row('lk_3')).getByTestId('key-details-open')).toBeVisible();
    // The sidebar hears that the service is down, though the page has rows.
    await waitFor(() =>
      expect(screen.getByTestId('service-status-jwt_keys')).not.toHaveAttribute('data-state', 'connected'),
    );

    backend.on({ keys_overview: () => ({ rows: [paired, notUploaded], sandbox: false, serverError: null }) });
    await user.click(screen.getByTestId('keys-server-retry'));
    await waitFor(() => expect(screen.queryByTestId('keys-server-error')).toBeNull());
    expect(within(row('lk_3')).getByTestId('key-pairing')).toHaveTextContent('Not uploaded');
    expect(backend.count('keys_overview')).toBe(2);
  });
});

describe('New key wizard', () => {
  it('validates the name as typed, then generates, stores, reviews, uploads and verifies', async () => {
    const user = userEvent.setup();
    const created = local('lk_new', 'Web player 2', null, 3);
    const backend = showKeys({
      generate_key: () => created,
      local_key: () => ({
        local: created,
        summary: { bits: 2048, fingerprints: fp(3), publicKeyPem: PEM },
      }),
      upload_key: () => ({
        server: server('key_new', 'Web player 2'),
        local: { ...created, serverKeyId: 'key_new' },
      }),
      verify_uploaded_key: () => verified,
    });
    await openKeys(user);
    await user.click(screen.getByTestId('key-new'));
    const wizard = await screen.findByTestId('key-wizard');

    await user.type(within(wizard).getByTestId('wizard-name'), 'x'.repeat(51));
    expect(within(wizard).getByTestId('wizard-name-problem')).toHaveTextContent('at most 50 characters');
    await user.click(within(wizard).getByTestId('wizard-next'));
    expect(backend.count('generate_key')).toBe(0);
    await user.clear(within(wizard).getByTestId('wizard-name'));
    expect(within(wizard).getByTestId('wizard-name-problem')).toHaveTextContent('1 to 50 characters');
    await user.type(within(wizard).getByTestId('wizard-name'), 'Web player 2');
    expect(within(wizard).getByTestId('wizard-source-generate')).toBeChecked();
    expect(within(wizard).getByTestId('wizard-bits')).toHaveValue('2048');
    await user.click(within(wizard).getByTestId('wizard-next'));

    expect(await within(wizard).findByTestId('wizard-stored')).toHaveTextContent('lk_new');
    expect(backend.argsOf('generate_key')[0]).toEqual({ name: 'Web player 2', bits: 2048 });
    await user.click(within(wizard).getByTestId('wizard-next'));

    expect(await within(wizard).findByTestId('wizard-review-pem')).toHaveTextContent('BEGIN PUBLIC KEY');
    expect(within(wizard).getByTestId('wizard-review-fingerprint')).toHaveTextContent(fp(3).sha256);
    expect(backend.count('upload_key')).toBe(0);
    await user.click(within(wizard).getByTestId('wizard-upload'));

    const verdict = await within(wizard).findByTestId('wizard-verdict');
    expect(verdict).toHaveAttribute('data-ok', 'true');
    expect(within(wizard).getByTestId('wizard-verdict-fingerprint')).toHaveTextContent(fp(3).sha256);
    expect(backend.argsOf('upload_key')[0]).toEqual({ localId: 'lk_new' });
    expect(backend.argsOf('verify_uploaded_key')[0]).toEqual({ serverId: 'key_new' });
    await user.click(within(wizard).getByTestId('wizard-done'));
    await waitFor(() => expect(screen.queryByTestId('key-wizard')).toBeNull());
  });

  it('keeps the key as “not uploaded” when the upload fails, and resumes it from the list', async () => {
    const user = userEvent.setup();
    const summary = { bits: 2048, fingerprints: fp(3), publicKeyPem: PEM };
    const backend = showKeys({
      generate_key: () => draft,
      local_key: () => ({ local: draft, summary }),
      upload_key: () => {
        throw portalError({ code: 'unavailable', message: 'The JWT keys service could not be reached.' });
      },
    });
    await openKeys(user);
    await user.click(screen.getByTestId('key-new'));
    const wizard = await screen.findByTestId('key-wizard');
    await user.type(within(wizard).getByTestId('wizard-name'), 'Staging');
    await user.click(within(wizard).getByTestId('wizard-next'));
    await within(wizard).findByTestId('wizard-stored');
    await user.click(within(wizard).getByTestId('wizard-next'));
    await within(wizard).findByTestId('wizard-review-pem');
    await user.click(within(wizard).getByTestId('wizard-upload'));
    expect(await within(wizard).findByTestId('wizard-not-uploaded')).toHaveTextContent('not uploaded');
    expect(within(wizard).getByTestId('wizard-error')).toHaveAttribute('data-code', 'unavailable');

    // Closing asks first: the key exists and is not uploaded.
    backend.on({ keys_overview: () => ({ rows: [paired, notUploaded], sandbox: true }) });
    await user.click(within(wizard).getByTestId('wizard-close'));
    await user.click(await screen.findByTestId('wizard-close-confirm-confirm'));
    await waitFor(() => expect(screen.queryByTestId('key-wizard')).toBeNull());

    // The list shows it, and Resume upload goes straight to the review.
    await waitFor(() => expect(row('lk_3')).not.toBeNull());
    const resume = within(row('lk_3')).getByTestId('key-resume');
    expect(row('lk_3')).toHaveAttribute('data-pairing', 'not_uploaded');
    backend.on({
      upload_key: () => ({ server: server('key_3', 'Staging'), local: { ...draft, serverKeyId: 'key_3' } }),
      verify_uploaded_key: () => verified,
    });
    await user.click(resume);
    const resumed = await screen.findByTestId('key-wizard');
    expect(await within(resumed).findByTestId('wizard-review-pem')).toHaveTextContent('BEGIN PUBLIC KEY');
    await user.click(within(resumed).getByTestId('wizard-upload'));
    expect(await within(resumed).findByTestId('wizard-verdict')).toHaveAttribute('data-ok', 'true');
    expect(backend.argsOf('upload_key').at(-1)).toEqual({ localId: 'lk_3' });
  });

  it('imports an encrypted private key: passphrase sent, private half kept, public half uploaded', async () => {
    const user = userEvent.setup();
    const kept = local('lk_imp', 'Imported', null, 4);
    const summary = { bits: 3072, fingerprints: fp(4), publicKeyPem: PEM };
    const backend = showKeys({
      import_key: () => ({ kind: 'encrypted_private_key', summary, local: kept }),
      local_key: () => ({ local: kept, summary }),
      upload_key: () => ({
        server: server('key_imp', 'Imported'),
        local: { ...kept, serverKeyId: 'key_imp' },
      }),
      verify_uploaded_key: () => verified,
    });
    await openKeys(user);
    await user.click(screen.getByTestId('key-new'));
    const wizard = await screen.findByTestId('key-wizard');
    await user.type(within(wizard).getByTestId('wizard-name'), 'Imported');
    await user.click(within(wizard).getByTestId('wizard-source-import'));
    const pem = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----\n';
    await user.click(within(wizard).getByTestId('wizard-import-pem'));
    await user.paste(pem);
    await user.type(within(wizard).getByTestId('wizard-import-passphrase'), 'hunter2');
    expect(within(wizard).getByTestId('wizard-import-keep')).toBeChecked();
    await user.click(within(wizard).getByTestId('wizard-next'));
    await within(wizard).findByTestId('wizard-stored');
    expect(backend.argsOf('import_key')[0]).toEqual({
      input: { name: 'Imported', pem, passphrase: 'hunter2', keepPrivate: true },
    });
    await user.click(within(wizard).getByTestId('wizard-next'));
    await within(wizard).findByTestId('wizard-review-pem');
    await user.click(within(wizard).getByTestId('wizard-upload'));
    expect(await within(wizard).findByTestId('wizard-verdict')).toHaveAttribute('data-ok', 'true');
    expect(backend.argsOf('upload_key')[0]).toEqual({ localId: 'lk_imp' });
  });

  it('imports a public key: straight to review, uploads that PEM, compares fingerprints', async () => {
    const user = userEvent.setup();
    const summary = { bits: 2048, fingerprints: fp(5), publicKeyPem: PEM };
    const backend = showKeys({
      import_key: () => ({ kind: 'public_key', summary, local: null }),
      upload_public_key: () => ({ server: server('key_pub', 'Partner'), local: null }),
      verify_uploaded_key: () => ({
        ...verified,
        ok: false,
        localFingerprints: null,
        fingerprintsMatch: false,
        testJwt: null,
        serverFingerprints: fp(5),
      }),
    });
    await openKeys(user);
    await user.click(screen.getByTestId('key-new'));
    const wizard = await screen.findByTestId('key-wizard');
    await user.type(within(wizard).getByTestId('wizard-name'), 'Partner');
    await user.click(within(wizard).getByTestId('wizard-source-import'));
    await user.click(within(wizard).getByTestId('wizard-import-pem'));
    await user.paste(PEM);
    expect(within(wizard).queryByTestId('wizard-import-passphrase')).toBeNull();
    await user.click(within(wizard).getByTestId('wizard-next'));
    expect(await within(wizard).findByTestId('wizard-review-fingerprint')).toHaveTextContent(fp(5).sha256);
    expect(within(wizard).queryByTestId('wizard-stored')).toBeNull();
    await user.click(within(wizard).getByTestId('wizard-upload'));
    expect(await within(wizard).findByTestId('wizard-verdict')).toHaveAttribute('data-ok', 'true');
    expect(backend.argsOf('upload_public_key')[0]).toEqual({ name: 'Partner', pem: PEM });
    expect(backend.count('upload_key')).toBe(0);
  });

  it('reads an imported key from a file chosen in the browser', async () => {
    const user = userEvent.setup();
    const backend = showKeys({
      import_key: () => ({
        kind: 'public_key',
        summary: { bits: 2048, fingerprints: fp(6), publicKeyPem: PEM },
        local: null,
      }),
    });
    await openKeys(user);
    await user.click(screen.getByTestId('key-new'));
    const wizard = await screen.findByTestId('key-wizard');
    await user.type(within(wizard).getByTestId('wizard-name'), 'From file');
    await user.click(within(wizard).getByTestId('wizard-source-import'));
    const file = new File([PEM], 'key.pem', { type: 'application/x-pem-file' });
    await user.upload(within(wizard).getByTestId('wizard-import-file'), file);
    await waitFor(() => expect(within(wizard).getByTestId('wizard-import-pem')).toHaveValue(PEM));
    await user.click(within(wizard).getByTestId('wizard-next'));
    await within(wizard).findByTestId('wizard-review-pem');
    expect(backend.argsOf('import_key')[0]).toEqual({
      input: { name: 'From file', pem: PEM, passphrase: null, keepPrivate: true },
    });
  });

  it('shows a precise import error and stays on the first step', async () => {
    const user = userEvent.setup();
    showKeys({
      import_key: () => {
        throw portalError({
          code: 'validation',
          message: 'The key is an EC (P-256) key; JWT signing keys must be RSA (RS256).',
        });
      },
    });
    await openKeys(user);
    await user.click(screen.getByTestId('key-new'));
    const wizard = await screen.findByTestId('key-wizard');
    await user.type(within(wizard).getByTestId('wizard-name'), 'EC');
    await user.click(within(wizard).getByTestId('wizard-source-import'));
    await user.click(within(wizard).getByTestId('wizard-import-pem'));
    await user.paste('-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n');
    await user.click(within(wizard).getByTestId('wizard-next'));
    expect(await within(wizard).findByTestId('wizard-error')).toHaveTextContent('EC (P-256)');
    expect(within(wizard).getByTestId('wizard-name')).toBeVisible();
  });

  it('cancels a generation under way', async () => {
    const user = userEvent.setup();
    const pending = deferred<LocalKey>();
    const backend = showKeys({
      generate_key: () => pending.promise,
      cancel_keygen: () => {
        pending.reject(portalError({ code: 'cancelled', message: 'Key generation was cancelled.' }));
        return null;
      },
    });
    await openKeys(user);
    await user.click(screen.getByTestId('key-new'));
    const wizard = await screen.findByTestId('key-wizard');
    await user.type(within(wizard).getByTestId('wizard-name'), 'Big key');
    await user.selectOptions(within(wizard).getByTestId('wizard-bits'), '4096');
    await user.click(within(wizard).getByTestId('wizard-next'));
    expect(await within(wizard).findByTestId('wizard-progress')).toHaveTextContent('4096-bit');
    expect(backend.argsOf('generate_key')[0]).toEqual({ name: 'Big key', bits: 4096 });

    // Rust reports progress with `keygen-progress` events.
    const listener = backend.argsOf('plugin:event|listen').find((a) => a.event === 'keygen-progress');
    expect(listener).toBeDefined();
    const internals = (
      window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: unknown, data: unknown) => void } }
    ).__TAURI_INTERNALS__;
    internals.runCallback(listener!.handler, {
      event: 'keygen-progress',
      id: 1,
      payload: { bits: 4096, primesFound: 1, candidatesTested: 812, elapsedMs: 420 },
    });
    expect(await within(wizard).findByTestId('wizard-progress-detail')).toHaveTextContent(
      '1 of 2 primes found · 812 candidates tested · 0.4 s',
    );

    await user.click(within(wizard).getByTestId('wizard-cancel-generate'));
    expect(backend.count('cancel_keygen')).toBe(1);
    expect(await within(wizard).findByTestId('wizard-notice')).toHaveTextContent('cancelled');
    expect(within(wizard).getByTestId('wizard-name')).toHaveValue('Big key');
    expect(within(wizard).queryByTestId('wizard-error')).toBeNull();
  });

  it('asks before Escape closes the wizard once a key exists', async () => {
    const user = userEvent.setup();
    showKeys({ generate_key: () => draft });
    await openKeys(user);
    await user.click(screen.getByTestId('key-new'));
    const wizard = await screen.findByTestId('key-wizard');
    await user.type(within(wizard).getByTestId('wizard-name'), 'Staging');
    await user.click(within(wizard).getByTestId('wizard-next'));
    await within(wizard).findByTestId('wizard-stored');
    await user.keyboard('{Escape}');
    expect(await screen.findByTestId('wizard-close-confirm')).toBeVisible();
    expect(screen.getByTestId('key-wizard')).toBeInTheDocument();
    await user.click(screen.getByTestId('wizard-close-confirm-cancel'));
    expect(screen.queryByTestId('wizard-close-confirm')).toBeNull();
    expect(screen.getByTestId('wizard-stored')).toBeVisible();
  });
});

describe('Delete key', () => {
  it('on production, needs the typed name and sends the delete-local flag', async () => {
    const user = userEvent.setup();
    const backend = showKeys(
      { delete_key: () => ({ serverDeleted: true, localDeleted: true }) },
      profile({ name: 'Live', environment: 'production', embeddedSandbox: false }),
    );
    await openKeys(user);
    await user.click(within(row('key_1')).getByTestId('key-delete'));
    const dialog = await screen.findByTestId('key-delete-dialog');
    expect(dialog).toHaveTextContent('stop playing');
    const confirm = within(dialog).getByTestId('key-delete-confirm');
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByTestId('key-delete-confirm-name'), 'Web playe');
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByTestId('key-delete-confirm-name'), 'r');
    expect(confirm).toBeEnabled();
    await user.click(within(dialog).getByTestId('key-delete-local'));
    await user.click(confirm);
    await waitFor(() => expect(backend.count('delete_key')).toBe(1));
    expect(backend.argsOf('delete_key')[0]).toEqual({
      serverId: 'key_1',
      localId: 'lk_1',
      deleteLocal: true,
    });
  });

  it('elsewhere, confirms without typing and keeps the private key unless asked', async () => {
    const user = userEvent.setup();
    const backend = showKeys({ delete_key: () => ({ serverDeleted: true, localDeleted: false }) });
    await openKeys(user);
    await user.click(within(row('key_1')).getByTestId('key-delete'));
    const dialog = await screen.findByTestId('key-delete-dialog');
    expect(within(dialog).queryByTestId('key-delete-confirm-name')).toBeNull();
    await user.click(within(dialog).getByTestId('key-delete-confirm'));
    await waitFor(() => expect(backend.count('delete_key')).toBe(1));
    expect(backend.argsOf('delete_key')[0]).toEqual({
      serverId: 'key_1',
      localId: 'lk_1',
      deleteLocal: false,
    });
  });
});

describe('Delete a key with live JWTs', () => {
  const live = {
    kid: 'key_1',
    name: 'Web player',
    now: '2026-12-06T09:00:00Z',
    liveUntil: '2026-12-06T13:30:00Z',
    hoursLeft: 5,
    scheduled: null,
  };
  const deletion = {
    profile: 'Sandbox',
    kid: 'key_1',
    name: 'Web player',
    dueAt: '2026-12-06T13:30:00Z',
    scheduledAt: '2026-12-06T09:00:00Z',
    deleteLocal: true,
  };

  it('says the hours left and schedules the deletion for then', async () => {
    const user = userEvent.setup();
    const backend = showKeys({
      key_deletion_check: () => live,
      schedule_key_deletion: () => deletion,
    });
    await openKeys(user);
    await user.click(within(row('key_1')).getByTestId('key-delete'));
    const dialog = await screen.findByTestId('key-retire-dialog');
    expect(within(dialog).getByTestId('key-retire-hours')).toHaveTextContent('live for 5 more hours');
    expect(within(dialog).getByTestId('key-retire-cancel')).toHaveFocus();
    await user.click(within(dialog).getByTestId('key-delete-local'));
    await user.click(within(dialog).getByTestId('key-retire-schedule'));
    await waitFor(() => expect(backend.count('schedule_key_deletion')).toBe(1));
    expect(backend.argsOf('schedule_key_deletion')[0]).toEqual({ serverId: 'key_1', deleteLocal: true });
    expect(backend.count('delete_key')).toBe(0);
    expect(screen.queryByTestId('key-retire-dialog')).toBeNull();
  });

  it('deletes now only once the name is typed, naming the consequence', async () => {
    const user = userEvent.setup();
    const backend = showKeys({
      key_deletion_check: () => live,
      delete_key: () => ({ serverDeleted: true, localDeleted: false }),
    });
    await openKeys(user);
    await user.click(within(row('key_1')).getByTestId('key-delete'));
    await user.click(await screen.findByTestId('key-retire-now'));
    const dialog = await screen.findByTestId('key-delete-dialog');
    expect(dialog).toHaveTextContent('Every URL signed with this key stops playing at once.');
    const confirm = within(dialog).getByTestId('key-delete-confirm');
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByTestId('key-delete-confirm-name'), 'Web player');
    await user.click(confirm);
    await waitFor(() => expect(backend.count('delete_key')).toBe(1));
    expect(backend.count('schedule_key_deletion')).toBe(0);
  });

  it('Cancel deletes nothing and schedules nothing', async () => {
    const user = userEvent.setup();
    const backend = showKeys({ key_deletion_check: () => live });
    await openKeys(user);
    await user.click(within(row('key_1')).getByTestId('key-delete'));
    await user.click(await screen.findByTestId('key-retire-cancel'));
    expect(screen.queryByTestId('key-retire-dialog')).toBeNull();
    expect(backend.count('delete_key') + backend.count('schedule_key_deletion')).toBe(0);
  });

  it('shows a scheduled deletion on its row, which Cancel schedule calls off', async () => {
    const user = userEvent.setup();
    const backend = showKeys({
      keys_overview: () => ({ rows: [paired, remote], sandbox: true, scheduled: [deletion] }),
      cancel_key_deletion: () => deletion,
    });
    await openKeys(user);
    expect(within(row('key_1')).getByTestId('key-deletion-scheduled')).toHaveTextContent(
      'Scheduled for deletion',
    );
    expect(within(row('key_2')).queryByTestId('key-deletion-scheduled')).toBeNull();
    await user.click(
      within(row('key_1')).getByRole('button', { name: 'Cancel the scheduled deletion of Web player' }),
    );
    await waitFor(() => expect(backend.count('cancel_key_deletion')).toBe(1));
    expect(backend.argsOf('cancel_key_deletion')[0]).toEqual({ serverId: 'key_1' });
  });
});

describe('Sign and verify', () => {
  const signed: SignedVideoJwt = {
    jwt: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIqIn0.c2ln',
    header: { alg: 'RS256', typ: 'JWT', kid: 'key_1' },
    claims: { sub: '*', iat: 1_800_000_000, exp: 1_800_003_600 },
    expiresAt: '2027-01-15T09:00:00Z',
    urls: {
      watch: 'https://watch.vidbeo.com/{video_id}?jwt=eyJ',
      embed: 'https://player.vidbeo.com/embed/{video_id}?jwt=eyJ',
      hls: 'https://stream.vidbeo.com/{video_id}/playlist.m3u8?jwt=eyJ',
    },
    copyId: 'copy-7',
  };

  it('signs for all videos (sub "*") and shows the sandbox playback verdict', async () => {
    const user = userEvent.setup();
    const backend = showKeys({
      key_details: () => ({
        status: paired,
        summary: { bits: 2048, fingerprints: fp(1), publicKeyPem: PEM },
        fingerprintsMatch: true,
      }),
      sign_video_jwt: () => signed,
      test_playback: () => ({ allowed: true, reason: null, message: 'The sandbox player would play it.' }),
      copy_held: () => ({ clearsInSeconds: 30 }),
      'plugin:clipboard-manager|write_text': () => null,
    });
    await openKeys(user);
    await user.click(within(row('key_1')).getByTestId('key-sign-open'));
    const details = await screen.findByTestId('key-details');
    expect(await within(details).findByTestId('key-details-pem')).toHaveTextContent('BEGIN PUBLIC KEY');
    expect(within(details).getByTestId('key-details-match')).toHaveTextContent('Match');

    expect(within(details).getByTestId('sign-ttl')).toHaveValue('3600');
    await user.click(within(details).getByTestId('sign-all-videos'));
    // For all videos, the id field names the video the links are filled in for.
    expect(within(details).getByTestId('sign-links-hint')).toHaveTextContent(
      'Left empty, they keep {video_id}',
    );
    await user.type(within(details).getByTestId('sign-video-id'), 'vid_5');
    await user.click(within(details).getByTestId('sign-submit'));
    expect(await within(details).findByTestId('sign-jwt')).toHaveTextContent(signed.jwt);
    expect(backend.argsOf('sign_video_jwt')[0]).toEqual({
      request: { serverId: 'key_1', videoId: null, ttlSeconds: 3600, linkVideoId: 'vid_5' },
    });
    expect(within(details).getByTestId('sign-claims')).toHaveTextContent('"sub": "*"');
    expect(within(details).getByTestId('sign-url-hls')).toHaveTextContent('playlist.m3u8?jwt=');
    // The JWT and the URLs carrying it are copied by Rust (cleared later), never by the webview.
    await user.click(within(details).getByTestId('sign-copy-jwt'));
    await waitFor(() => expect(backend.argsOf('copy_held')).toEqual([{ copyId: 'copy-7', part: 'jwt' }]));
    expect(within(details).getByTestId('sign-copy-jwt')).toHaveTextContent('Copied');
    await user.click(within(details).getByTestId('sign-copy-hls'));
    await waitFor(() => expect(backend.argsOf('copy_held')[1]).toEqual({ copyId: 'copy-7', part: 'hls' }));
    expect(backend.count('plugin:clipboard-manager|write_text')).toBe(0);
    // The decoded claims are not secret: the clipboard plugin copies them.
    await user.click(within(details).getByTestId('sign-copy-claims'));
    await waitFor(() => expect(backend.count('plugin:clipboard-manager|write_text')).toBe(1));

    await user.type(within(details).getByTestId('sign-test-video'), 'vid_42');
    await user.click(within(details).getByTestId('sign-test-playback'));
    const verdict = await within(details).findByTestId('playback-verdict');
    expect(verdict).toHaveAttribute('data-allowed', 'true');
    expect(backend.argsOf('test_playback')[0]).toEqual({ videoId: 'vid_42', jwt: signed.jwt });
  });

  it('Make default: the details say so once the reloaded list does, and the list marks the key', async () => {
    const user = userEvent.setup();
    let defaultKid: string | null = null;
    const backend = showKeys({
      keys_overview: () => ({ rows: [paired, remote], sandbox: true, defaultKid }),
      key_details: () => ({ status: paired, summary: null, fingerprintsMatch: true }),
      set_default_key: () => {
        defaultKid = 'key_1';
        return paired.server;
      },
    });
    await openKeys(user);
    await user.click(within(row('key_1')).getByTestId('key-details-open'));
    const details = await screen.findByTestId('key-details');
    expect(within(details).queryByTestId('key-details-default')).toBeNull();
    await user.click(within(details).getByTestId('key-make-default'));
    expect(await within(details).findByTestId('key-details-default')).toHaveTextContent(
      'The default signing key',
    );
    expect(within(details).queryByTestId('key-make-default')).toBeNull();
    expect(backend.argsOf('set_default_key')).toEqual([{ serverId: 'key_1' }]);
    expect(within(row('key_1')).getByTestId('key-default')).toBeVisible();
  });

  it('Make default that the service refuses keeps the button and says why', async () => {
    const user = userEvent.setup();
    showKeys({
      key_details: () => ({ status: paired, summary: null, fingerprintsMatch: true }),
      set_default_key: () => {
        throw portalError({ code: 'forbidden', message: 'This API key may not change keys' });
      },
    });
    await openKeys(user);
    await user.click(within(row('key_1')).getByTestId('key-details-open'));
    const details = await screen.findByTestId('key-details');
    await user.click(within(details).getByTestId('key-make-default'));
    expect(await screen.findByText('Could not make “Web player” the default signing key')).toBeVisible();
    await waitFor(() => expect(within(details).getByTestId('key-make-default')).toBeEnabled());
    expect(within(details).queryByTestId('key-details-default')).toBeNull();
  });

  it('edits the profile’s URL templates', async () => {
    const user = userEvent.setup();
    const backend = showKeys({
      key_details: () => ({ status: paired, summary: null, fingerprintsMatch: true }),
      set_video_url_templates: (args) => args.templates,
    });
    await openKeys(user);
    await user.click(within(row('key_1')).getByTestId('key-sign-open'));
    const details = await screen.findByTestId('key-details');
    const hls = await within(details).findByTestId('sign-template-hls');
    await user.clear(hls);
    await user.type(hls, 'https://cdn.example.com/{{video_id}/index.m3u8');
    await user.click(within(details).getByTestId('sign-templates-save'));
    await waitFor(() => expect(backend.count('set_video_url_templates')).toBe(1));
    expect(backend.argsOf('set_video_url_templates')[0]).toEqual({
      templates: {
        watch: 'https://watch.vidbeo.com/{video_id}',
        embed: 'https://player.vidbeo.com/embed/{video_id}',
        hls: 'https://cdn.example.com/{video_id}/index.m3u8',
      },
    });
    expect(within(details).getByTestId('sign-templates-save')).toHaveTextContent('Saved');
  });

  it('asks for a video id unless all videos are chosen', async () => {
    const user = userEvent.setup();
    const backend = showKeys({
      key_details: () => ({ status: paired, summary: null, fingerprintsMatch: true }),
      sign_video_jwt: () => ({ ...signed, claims: { sub: 'vid_7' } }),
    });
    await openKeys(user);
    await user.click(within(row('key_1')).getByTestId('key-sign-open'));
    const details = await screen.findByTestId('key-details');
    await user.click(within(details).getByTestId('sign-submit'));
    expect(within(details).getByTestId('sign-problem')).toHaveTextContent('video id');
    expect(backend.count('sign_video_jwt')).toBe(0);
    await user.type(within(details).getByTestId('sign-video-id'), 'vid_7');
    await user.click(within(details).getByTestId('sign-submit'));
    await within(details).findByTestId('sign-jwt');
    expect(backend.argsOf('sign_video_jwt')[0]).toEqual({
      request: { serverId: 'key_1', videoId: 'vid_7', ttlSeconds: 3600, linkVideoId: null },
    });
  });

  it('verifies a pasted JWT and shows the plain verdict', async () => {
    const user = userEvent.setup();
    const backend = showKeys({
      verify_any_jwt: () => ({
        kind: 'expired',
        message: 'The signature is good but the JWT expired at 2026-01-01T00:00:00+00:00.',
        kid: 'key_1',
        subject: '*',
        expiresAt: '2026-01-01T00:00:00Z',
      }),
    });
    await openKeys(user);
    await user.click(screen.getByTestId('verify-open'));
    const dialog = await screen.findByTestId('verify-jwt-dialog');
    await user.type(within(dialog).getByTestId('verify-jwt-input'), ' a.b.c ');
    await user.click(within(dialog).getByTestId('verify-submit'));
    const verdict = await within(dialog).findByTestId('verify-verdict');
    expect(verdict).toHaveAttribute('data-kind', 'expired');
    expect(verdict).toHaveTextContent('Expired');
    expect(backend.argsOf('verify_any_jwt')[0]).toEqual({ jwt: 'a.b.c' });
  });
});

describe('keys screens are labelled', () => {
  const INTERACTIVE = 'button, input, select, textarea, a[href], [role^="menuitem"]';
  const unlabelled = () =>
    Array.from(document.body.querySelectorAll<HTMLElement>(INTERACTIVE))
      .filter((el) => !el.dataset.testid || !computeAccessibleName(el).trim())
      .map((el) => el.outerHTML.slice(0, 120));

  it('every interactive element of the table and dialogs has a test id and an accessible name', async () => {
    const user = userEvent.setup();
    showKeys({
      keys_overview: () => ({ rows: [paired, remote, notUploaded], sandbox: true }),
      key_details: () => ({
        status: paired,
        summary: { bits: 2048, fingerprints: fp(1), publicKeyPem: PEM },
        fingerprintsMatch: true,
      }),
    });
    await openKeys(user);
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('key-new'));
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('wizard-source-import'));
    await user.type(screen.getByTestId('wizard-import-pem'), '-----BEGIN ENCRYPTED PRIVATE KEY-----');
    expect(screen.getByTestId('wizard-import-passphrase')).toBeVisible();
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('wizard-close'));
    await user.click(within(row('key_1')).getByTestId('key-sign-open'));
    await screen.findByTestId('key-details-pem');
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('key-details-close'));
    await user.click(within(row('key_1')).getByTestId('key-delete'));
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('key-delete-cancel'));
    await user.click(screen.getByTestId('verify-open'));
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('verify-close'));
    await user.click(screen.getByTestId('doctor-open'));
    expect(unlabelled()).toEqual([]);
  });
});
