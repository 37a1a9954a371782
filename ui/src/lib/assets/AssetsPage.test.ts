import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { computeAccessibleName } from 'dom-accessibility-api';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import {
  appDefaults,
  appState,
  asset,
  emitEvent,
  mockBackend,
  profile,
  type Handler,
} from '../../test/backend';
import type { AssetAction, Permission, Quota, Role, VaultSessionView } from '../types';

const ACTIONS: AssetAction[] = [
  'read',
  'create',
  'update',
  'delete',
  'create_folder',
  'request_transform',
  'share',
  'set_legal_hold',
  'clear_legal_hold',
];
const NEEDS: Record<AssetAction, Role> = {
  read: 'user',
  create: 'organizer',
  update: 'organizer',
  create_folder: 'organizer',
  request_transform: 'organizer',
  share: 'organizer',
  delete: 'admin',
  set_legal_hold: 'admin',
  clear_legal_hold: 'admin',
};
const RANK: Record<Role, number> = { user: 0, organizer: 1, admin: 2 };

/** What Rust's `permissions(role)` returns. */
function permissions(role: Role): Permission[] {
  return ACTIONS.map((action) => {
    const needs = NEEDS[action];
    const allowed = RANK[role] >= RANK[needs];
    const who = needs === 'admin' ? 'an admin' : 'an organizer or an admin';
    return {
      action,
      allowed,
      needs,
      reason: allowed ? null : `Only ${who} can ${action}; you are a ${role}.`,
    };
  });
}

function sessionView(role: Role): VaultSessionView {
  return {
    identity: {
      email: 'ana@example.com',
      tenantId: 'tenant-123456789',
      role,
      expiresAt: '2026-11-22T19:00:00Z',
    },
    permissions: permissions(role),
  };
}

const quota: Quota = { bytes_used: 10, bytes_limit: 100, assets_used: 1, assets_limit: 100 };
const held = asset('a_held', { legal_hold: true, name: 'Evidence.mp4' });
const plain = asset('a_plain', { name: 'Keynote.mp4' });

function show(role: Role | null, handlers: Record<string, Handler> = {}) {
  const backend = mockBackend({
    ...appDefaults,
    app_state: () => appState({ profiles: [profile({ vaultEmail: 'ana@example.com' })] }),
    vault_session: () => (role ? sessionView(role) : null),
    list_assets: (args) => {
      const q = args.query as { page: number; limit: number };
      return {
        items: [plain, held],
        page: { total: 120, page: q.page, limit: q.limit, has_more: q.page < 3 },
      };
    },
    list_folders: () => [
      { id: 'f1', tenant_id: 't', name: 'Events', parent_id: null, created_at: null, created_by: null },
    ],
    vault_quota: () => quota,
    asset_details: (args) => {
      const a = args.id === held.id ? held : plain;
      return {
        asset: a,
        legalHold: a.legal_hold
          ? { asset_id: a.id, active: true, reason: 'Litigation 42', set_by: 'admin', set_at: null }
          : null,
        transforms: [],
      };
    },
    ...handlers,
  });
  render(App);
  return backend;
}

// The page is a chunk loaded when first opened: compile it (and the details
// panel's sections) once here, so the first test's wait for the page is not
// spent in the compiler on a loaded machine.
beforeAll(async () => {
  await import('./AssetsPage.svelte');
}, 30_000);

async function openAssets(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('nav-assets'));
  return screen.findByTestId('assets-page');
}

const row = (id: string) =>
  document.querySelector(`[data-testid="asset-row"][data-asset-id="${id}"]`) as HTMLElement;

async function openRow(user: ReturnType<typeof userEvent.setup>, id: string) {
  await waitFor(() => expect(row(id)).toBeTruthy());
  await user.click(within(row(id)).getByTestId('asset-open'));
  return screen.findByTestId('asset-details');
}

describe('Vault session', () => {
  it('shows the login form prefilled, sends the password to Rust and shows the identity', async () => {
    const user = userEvent.setup();
    const backend = show(null, { vault_login: () => sessionView('organizer') });
    await openAssets(user);
    const form = await screen.findByTestId('vault-login-form');
    expect(within(form).getByTestId('vault-email')).toHaveValue('ana@example.com');
    await user.type(within(form).getByTestId('vault-password'), 's3cret');
    await user.click(within(form).getByTestId('vault-remember'));
    await user.click(within(form).getByTestId('vault-login-submit'));
    const identity = await screen.findByTestId('vault-identity');
    expect(identity).toHaveTextContent('ana@example.com');
    expect(identity).toHaveTextContent('Tenant tenant-1…');
    expect(within(identity).getByTestId('vault-role')).toHaveTextContent('Organizer');
    expect(backend.argsOf('vault_login')[0]).toEqual({
      email: 'ana@example.com',
      password: 's3cret',
      remember: true,
    });
    expect(await screen.findByTestId('assets-table')).toBeVisible();
  });

  it('in the embedded sandbox, an empty password is sent for Rust to fill in; elsewhere it is refused', async () => {
    const user = userEvent.setup();
    const backend = show(null, { vault_login: () => sessionView('user') });
    await openAssets(user);
    const form = await screen.findByTestId('vault-login-form');
    expect(within(form).getByTestId('vault-password-sandbox')).toBeVisible();
    await user.click(within(form).getByTestId('vault-login-submit'));
    await screen.findByTestId('vault-identity');
    expect(backend.argsOf('vault_login')[0]).toEqual({
      email: 'ana@example.com',
      password: '',
      remember: false,
    });
  });

  it('outside the embedded sandbox the password is required', async () => {
    const user = userEvent.setup();
    const backend = show(null, {
      app_state: () =>
        appState({ profiles: [profile({ vaultEmail: 'ana@example.com', embeddedSandbox: false })] }),
    });
    await openAssets(user);
    const form = await screen.findByTestId('vault-login-form');
    expect(within(form).queryByTestId('vault-password-sandbox')).toBeNull();
    await user.click(within(form).getByTestId('vault-login-submit'));
    expect(await within(form).findByTestId('vault-login-error')).toHaveTextContent(
      'Enter the email and the password.',
    );
    expect(backend.count('vault_login')).toBe(0);
  });

  it('goes back to the login form once when the session cannot be renewed', async () => {
    const user = userEvent.setup();
    const backend = show('admin', {
      list_assets: () => {
        throw {
          code: 'unauthorized',
          message: 'The vault session has expired and could not be renewed: log in again.',
        };
      },
    });
    await openAssets(user);
    expect(await screen.findByTestId('vault-login-form')).toBeVisible();
    expect(backend.count('list_assets')).toBe(1);
  });

  it('logs out', async () => {
    const user = userEvent.setup();
    const backend = show('user', { vault_logout: () => null });
    await openAssets(user);
    await user.click(await screen.findByTestId('vault-logout'));
    expect(await screen.findByTestId('vault-login-form')).toBeVisible();
    expect(backend.count('vault_logout')).toBe(1);
    // The sidebar's vault status is checked again.
    await waitFor(() => expect(backend.count('service_status')).toBeGreaterThanOrEqual(2));
  });
});

describe('Role matrix', () => {
  const cases: Array<[Role, Record<string, Role | null>]> = [
    [
      'user',
      {
        'asset-upload': 'organizer',
        'folder-new': 'organizer',
        'asset-delete': 'admin',
        'legal-hold-set': 'admin',
        'transform-request': 'organizer',
        'share-create': 'organizer',
        'asset-rename': 'organizer',
      },
    ],
    [
      'organizer',
      {
        'asset-upload': null,
        'folder-new': null,
        'asset-delete': 'admin',
        'legal-hold-set': 'admin',
        'transform-request': null,
        'share-create': null,
        'asset-rename': null,
      },
    ],
    [
      'admin',
      {
        'asset-upload': null,
        'folder-new': null,
        'asset-delete': null,
        'legal-hold-set': null,
        'transform-request': null,
        'share-create': null,
        'asset-rename': null,
      },
    ],
  ];

  for (const [role, expected] of cases) {
    it(`${role}: enabled actions and tooltips naming the role needed`, async () => {
      const user = userEvent.setup();
      show(role);
      await openAssets(user);
      await openRow(user, plain.id);
      await user.click(within(row(plain.id)).getByTestId('asset-select'));
      for (const [testid, needs] of Object.entries(expected)) {
        const el = screen.getByTestId(testid);
        if (needs === null) {
          expect(el, testid).toBeEnabled();
        } else {
          expect(el, testid).toBeDisabled();
          expect(el.getAttribute('title'), testid).toContain(needs === 'admin' ? 'an admin' : 'an organizer');
        }
      }
      const bulk = screen.getByTestId('bulk-delete');
      if (role === 'admin') expect(bulk).toBeEnabled();
      else expect(bulk).toHaveAttribute('title', expect.stringContaining('an admin'));
    });
  }

  it('shows the legal hold and its reason to a user too', async () => {
    const user = userEvent.setup();
    show('user');
    await openAssets(user);
    const panel = await openRow(user, held.id);
    expect(row(held.id)).toHaveAttribute('data-legal-hold', 'true');
    expect(await within(panel).findByTestId('legal-hold-status')).toHaveTextContent('Litigation 42');
    expect(within(panel).getByTestId('legal-hold-clear')).toBeDisabled();
  });
});

describe('Delete', () => {
  it('refuses an asset under legal hold, explaining it, without calling delete_asset', async () => {
    const user = userEvent.setup();
    const backend = show('admin', { delete_asset: () => ({ id: 'x', deleted: true }) });
    await openAssets(user);
    const panel = await openRow(user, held.id);
    await within(panel).findByText(/Litigation 42/);
    await user.click(within(panel).getByTestId('asset-delete'));
    const refusal = await screen.findByTestId('legal-hold-refusal');
    expect(refusal).toHaveTextContent('under legal hold (Litigation 42)');
    expect(backend.count('delete_asset')).toBe(0);
  });

  it('asks first, then deletes', async () => {
    const user = userEvent.setup();
    const backend = show('admin', { delete_asset: () => ({ id: plain.id, deleted: true }) });
    await openAssets(user);
    const panel = await openRow(user, plain.id);
    await user.click(within(panel).getByTestId('asset-delete'));
    expect(backend.count('delete_asset')).toBe(0);
    await user.click(await screen.findByTestId('asset-delete-confirm'));
    await waitFor(() => expect(backend.argsOf('delete_asset')[0]).toEqual({ id: plain.id }));
  });

  it('bulk delete ends with a summary of what was skipped and why', async () => {
    const user = userEvent.setup();
    const backend = show('admin', {
      delete_assets: () => ({
        deleted: [plain.id],
        skipped: [
          {
            id: held.id,
            code: 'conflict',
            reason: "'Evidence.mp4' (a_held) is under legal hold (Litigation 42) and cannot be deleted.",
          },
        ],
      }),
    });
    await openAssets(user);
    await waitFor(() => expect(row(plain.id)).toBeTruthy());
    await user.click(screen.getByTestId('asset-select-all'));
    await user.click(screen.getByTestId('bulk-delete'));
    await user.click(await screen.findByTestId('bulk-delete-confirm'));
    const summary = await screen.findByTestId('bulk-summary');
    expect(summary).toHaveTextContent('1 deleted, 1 skipped');
    expect(within(summary).getByTestId('bulk-skipped')).toHaveTextContent('Evidence.mp4');
    expect(within(summary).getByTestId('bulk-skipped')).toHaveTextContent('Litigation 42');
    expect(backend.argsOf('delete_assets')[0]).toEqual({ ids: [plain.id, held.id] });
  });
});

describe('Uploads', () => {
  it('progress events move the bar; Cancel calls cancel_upload', async () => {
    const user = userEvent.setup();
    const backend = show('organizer', {
      pick_and_upload: () => [{ uploadId: 'u1', name: 'big.mov', total: 1000 }],
      cancel_upload: () => true,
    });
    await openAssets(user);
    await user.click(await screen.findByTestId('asset-upload'));
    const uploadRow = await screen.findByTestId('upload-row');
    expect(backend.argsOf('pick_and_upload')[0]).toEqual({ folderId: null });
    emitEvent(backend, 'asset-upload', {
      uploadId: 'u1',
      name: 'big.mov',
      state: 'uploading',
      sent: 400,
      total: 1000,
      asset: null,
      error: null,
    });
    await waitFor(() =>
      expect(within(uploadRow).getByTestId('upload-progress')).toHaveAttribute('value', '40'),
    );
    expect(uploadRow).toHaveAttribute('data-state', 'uploading');
    await user.click(within(uploadRow).getByTestId('upload-cancel'));
    expect(backend.argsOf('cancel_upload')[0]).toEqual({ uploadId: 'u1' });
    emitEvent(backend, 'asset-upload', {
      uploadId: 'u1',
      name: 'big.mov',
      state: 'cancelled',
      sent: 0,
      total: 0,
      asset: null,
      error: { code: 'cancelled', message: 'The upload was cancelled.' },
    });
    await waitFor(() => expect(screen.getByTestId('upload-row')).toHaveAttribute('data-state', 'cancelled'));
  });

  it('dropped files are uploaded by path', async () => {
    const user = userEvent.setup();
    const backend = show('organizer', {
      upload_dropped: () => [{ uploadId: 'u2', name: 'a.mp4', total: 5 }],
    });
    await openAssets(user);
    await screen.findByTestId('assets-table');
    emitEvent(backend, 'tauri://drag-drop', { paths: ['/home/ana/a.mp4'], position: { x: 1, y: 1 } });
    await waitFor(() =>
      expect(backend.argsOf('upload_dropped')[0]).toEqual({ paths: ['/home/ana/a.mp4'], folderId: null }),
    );
  });
});

describe('Quota and paging', () => {
  for (const [pct, level] of [
    [79, 'ok'],
    [80, 'warn'],
    [95, 'critical'],
  ] as const) {
    it(`quota at ${pct} % is ${level}`, async () => {
      const user = userEvent.setup();
      show('user', { vault_quota: () => ({ ...quota, bytes_used: pct, bytes_limit: 100 }) });
      await openAssets(user);
      expect(await screen.findByTestId('quota-bar')).toHaveAttribute('data-level', level);
    });
  }

  it('pages, sorts and searches with the right query', async () => {
    const user = userEvent.setup();
    const backend = show('user');
    await openAssets(user);
    expect(await screen.findByTestId('assets-total')).toHaveTextContent('120 assets');
    await user.click(screen.getByTestId('assets-page-next'));
    await waitFor(() =>
      expect(backend.argsOf('list_assets').at(-1)).toMatchObject({ query: { page: 2, limit: 50 } }),
    );
    await user.click(screen.getByTestId('assets-page-prev'));
    await waitFor(() => expect(backend.argsOf('list_assets').at(-1)).toMatchObject({ query: { page: 1 } }));
    await user.click(screen.getByTestId('sort-name'));
    await waitFor(() =>
      expect(backend.argsOf('list_assets').at(-1)).toMatchObject({ query: { sort: 'name' } }),
    );
    await user.type(screen.getByTestId('assets-search'), 'key');
    await waitFor(() =>
      expect(backend.argsOf('list_assets').at(-1)).toMatchObject({
        query: { q: 'key', page: 1, sort: 'name' },
      }),
    );
    const folder = screen.getByTestId('folder-node');
    expect(folder).toHaveAttribute('data-folder-id', 'f1');
    await user.click(folder);
    await waitFor(() =>
      expect(backend.argsOf('list_assets').at(-1)).toMatchObject({ query: { folder_id: 'f1' } }),
    );
  });
});

describe('Search', () => {
  it('searches at once on the first key, and within "Load all" filters in memory', async () => {
    const user = userEvent.setup();
    const backend = show('user', {
      list_assets: (args) => {
        const q = args.query as { page: number; limit: number; q: string | null };
        const items = q.q ? [plain] : [plain, held];
        return { items, page: { total: items.length, page: q.page, limit: q.limit, has_more: false } };
      },
    });
    await openAssets(user);
    expect(await screen.findByTestId('assets-total')).toHaveTextContent('2 assets');
    // Paged list: the first key asks the service straight away.
    const calls = backend.argsOf('list_assets').length;
    await fireEvent.input(screen.getByTestId('assets-search'), { target: { value: 'k' } });
    // Well within the 300 ms debounce.
    await waitFor(() => expect(backend.argsOf('list_assets').length).toBe(calls + 1), { timeout: 150 });
    expect(backend.argsOf('list_assets').at(-1)).toMatchObject({ query: { q: 'k' } });
    await fireEvent.input(screen.getByTestId('assets-search'), { target: { value: '' } });
    await new Promise((r) => setTimeout(r, 350));
    await waitFor(() => expect(screen.getByTestId('assets-total')).toHaveTextContent('2 assets'));
    // Everything loaded: a search filters the list here, with no call.
    await user.click(screen.getByTestId('assets-load-all'));
    await waitFor(() => expect(screen.getByTestId('assets-loaded')).toHaveTextContent('2 loaded'));
    await new Promise((r) => setTimeout(r, 350));
    const before = backend.argsOf('list_assets').length;
    await fireEvent.input(screen.getByTestId('assets-search'), { target: { value: 'EVIDENCE' } });
    await waitFor(() => expect(row(held.id)).toBeTruthy());
    expect(row(plain.id)).toBeFalsy();
    expect(screen.getByTestId('assets-total')).toHaveTextContent('1 asset');
    expect(backend.argsOf('list_assets').length).toBe(before);
  });
});

describe('Load all', () => {
  /** Clicks "Load all" and returns the error state it ends in. */
  async function loadAllFails(list: Handler) {
    const user = userEvent.setup();
    const backend = show('user', { list_assets: list });
    await openAssets(user);
    await screen.findByTestId('assets-total');
    await user.click(screen.getByTestId('assets-load-all'));
    const error = await screen.findByTestId('assets-list-error', {}, { timeout: 5000 });
    return { backend, error };
  }

  it('stops with an error when a page repeats assets already listed', async () => {
    // The service ignores `page`: the first page again and again, for ever.
    const { backend, error } = await loadAllFails((args) => {
      const q = args.query as { page: number; limit: number };
      return { items: [plain, held], page: { total: 120, page: q.page, limit: q.limit, has_more: true } };
    });
    expect(error).toHaveTextContent(`page 2 repeats ${plain.id} already listed`);
    expect(
      backend.argsOf('list_assets').filter((a) => (a.query as { limit: number }).limit === 100),
    ).toHaveLength(2);
    expect(screen.getByTestId('assets-loaded')).toHaveTextContent('0 loaded');
  });

  it('stops with an error when pages go well past the announced total', async () => {
    let n = 0;
    const { error } = await loadAllFails((args) => {
      const q = args.query as { page: number; limit: number };
      const items = Array.from({ length: 100 }, () => asset(`a_${n++}`));
      return { items, page: { total: 3, page: q.page, limit: q.limit, has_more: true } };
    });
    expect(error).toHaveTextContent('announced 3 in all');
  });

  it('asks for the numbered pages 4 at a time once it knows the total, and keeps them in order', async () => {
    const user = userEvent.setup();
    let inFlight = 0;
    let most = 0;
    const backend = show('user', {
      list_assets: async (args) => {
        const q = args.query as { page: number; limit: number };
        inFlight++;
        most = Math.max(most, inFlight);
        // Later pages answer first: the order must come from the page numbers.
        await new Promise((r) => setTimeout(r, q.limit === 100 ? 40 - 3 * (q.page % 10) : 0));
        inFlight--;
        const count = q.limit === 100 ? Math.max(0, Math.min(100, 950 - (q.page - 1) * 100)) : 2;
        const items = Array.from({ length: count }, (_, i) =>
          asset(`a_${q.page}_${i}`, { name: `P${q.page} ${i}` }),
        );
        return {
          items,
          page: { total: 950, page: q.page, limit: q.limit, has_more: q.page * q.limit < 950 },
        };
      },
    });
    await openAssets(user);
    await screen.findByTestId('assets-total');
    most = 0;
    await user.click(screen.getByTestId('assets-load-all'));
    await waitFor(() => expect(screen.getByTestId('assets-loaded')).toHaveTextContent('950 loaded'), {
      timeout: 5000,
    });
    expect(most).toBe(4);
    const pages = backend
      .argsOf('list_assets')
      .map((a) => a.query as { page: number; limit: number })
      .filter((q) => q.limit === 100)
      .map((q) => q.page);
    expect([...pages].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(screen.getAllByTestId('asset-row')[0]).toHaveAttribute('data-asset-id', 'a_1_0');
  });
});

describe('Details panel', () => {
  it('refreshes transforms every 2 s until all are done', { timeout: 10_000 }, async () => {
    const user = userEvent.setup();
    const transform = (status: string) => ({
      id: 'tr1',
      asset_id: plain.id,
      type: 'thumbnail',
      status,
      params: null,
      requested_at: null,
      requested_by: null,
      completed_at: null,
      output: null,
    });
    const backend = show('organizer', {
      asset_details: () => ({ asset: plain, legalHold: null, transforms: [transform('queued')] }),
      list_transforms: () => [transform('completed')],
    });
    await openAssets(user);
    const panel = await openRow(user, plain.id);
    expect(await within(panel).findByTestId('transform-row')).toHaveAttribute('data-status', 'queued');
    await waitFor(
      () => expect(within(panel).getByTestId('transform-row')).toHaveAttribute('data-status', 'completed'),
      {
        timeout: 3000,
      },
    );
    await new Promise((r) => setTimeout(r, 2300));
    expect(backend.count('list_transforms')).toBe(1);
  });

  it('requests a transform, creates a share link and copies it', async () => {
    const user = userEvent.setup();
    const backend = show('organizer', {
      request_transform: (args) => ({
        id: 'tr2',
        asset_id: args.id,
        type: args.kind,
        status: 'completed',
        params: null,
        requested_at: null,
        requested_by: null,
        completed_at: null,
        output: null,
      }),
      share_asset: (args) => ({
        share: {
          id: 's1',
          asset_id: args.id,
          url: 'https://vault.example/s/abc',
          expires_at: '2026-11-23T10:00:00Z',
          created_at: null,
        },
        copyId: 'copy-1',
      }),
      copy_held: () => ({ clearsInSeconds: 30 }),
      'plugin:clipboard-manager|write_text': () => null,
    });
    await openAssets(user);
    const panel = await openRow(user, plain.id);
    await user.selectOptions(within(panel).getByTestId('transform-kind'), 'preview');
    await user.click(within(panel).getByTestId('transform-request'));
    expect(await within(panel).findByTestId('transform-row')).toHaveAttribute('data-status', 'completed');
    expect(backend.argsOf('request_transform')[0]).toEqual({ id: plain.id, kind: 'preview' });
    await user.click(within(panel).getByTestId('share-create'));
    expect(await within(panel).findByTestId('share-url')).toHaveValue('https://vault.example/s/abc');
    expect(backend.argsOf('share_asset')[0]).toEqual({ id: plain.id, expiresInSeconds: 86400 });
    await user.click(within(panel).getByTestId('share-copy'));
    // Rust copies the link (and clears the clipboard later); the webview does not.
    await waitFor(() => expect(backend.argsOf('copy_held')).toEqual([{ copyId: 'copy-1', part: 'url' }]));
    expect(backend.count('plugin:clipboard-manager|write_text')).toBe(0);
  });

  it('renames an asset', async () => {
    const user = userEvent.setup();
    const backend = show('organizer', {
      update_asset: (args) => ({ ...plain, name: (args.update as { name: string }).name }),
    });
    await openAssets(user);
    const panel = await openRow(user, plain.id);
    await waitFor(() => expect(within(panel).getByTestId('asset-rename')).toHaveValue(plain.name));
    await user.clear(within(panel).getByTestId('asset-rename'));
    await user.type(within(panel).getByTestId('asset-rename'), 'Renamed.mp4');
    await user.click(within(panel).getByTestId('asset-save'));
    await waitFor(() =>
      expect(backend.argsOf('update_asset')[0]).toEqual({ id: plain.id, update: { name: 'Renamed.mp4' } }),
    );
  });

  /** An admin with the panel of the asset not under hold open, and
   * `set_legal_hold` answering with the hold it was asked for. */
  async function openForHold(user: ReturnType<typeof userEvent.setup>) {
    const backend = show('admin', {
      set_legal_hold: (args) => ({
        asset_id: args.id,
        active: true,
        reason: args.reason,
        set_by: 'admin',
        set_at: null,
      }),
    });
    await openAssets(user);
    return { backend, panel: await openRow(user, plain.id) };
  }

  it('sets a legal hold with a reason (admin)', async () => {
    const user = userEvent.setup();
    const { backend, panel } = await openForHold(user);
    await user.type(within(panel).getByTestId('legal-hold-reason'), 'Audit 7');
    await user.click(within(panel).getByTestId('legal-hold-set'));
    expect(await within(panel).findByTestId('legal-hold-clear')).toBeEnabled();
    expect(within(panel).getByTestId('legal-hold-status')).toHaveTextContent('Audit 7');
    expect(backend.argsOf('set_legal_hold')[0]).toEqual({ id: plain.id, reason: 'Audit 7' });
    expect(row(plain.id)).toHaveAttribute('data-legal-hold', 'true');
  });

  it('clears a legal hold (admin): the asset can be deleted again', async () => {
    const user = userEvent.setup();
    const backend = show('admin', {
      clear_legal_hold: (args) => ({
        asset_id: args.id,
        active: false,
        reason: null,
        set_by: null,
        set_at: null,
      }),
    });
    await openAssets(user);
    const panel = await openRow(user, held.id);
    await waitFor(() =>
      expect(within(panel).getByTestId('legal-hold-status')).toHaveTextContent('Litigation 42'),
    );
    expect(within(panel).getByTestId('asset-delete')).toHaveAttribute(
      'title',
      'Under legal hold: cannot be deleted',
    );
    await user.click(within(panel).getByTestId('legal-hold-clear'));
    expect(await within(panel).findByTestId('legal-hold-set')).toBeEnabled();
    expect(within(panel).getByTestId('legal-hold-status')).toHaveAttribute('data-active', 'false');
    expect(within(panel).getByTestId('legal-hold-reason')).toHaveValue('');
    expect(within(panel).getByTestId('asset-delete')).toHaveAttribute('title', 'Delete this asset');
    expect(backend.argsOf('clear_legal_hold')).toEqual([{ id: held.id }]);
    expect(row(held.id)).toHaveAttribute('data-legal-hold', 'false');
  });

  it('keeps an edit under way across a hold change, and loads the next asset’s values', async () => {
    const user = userEvent.setup();
    const { panel } = await openForHold(user);
    await waitFor(() => expect(within(panel).getByTestId('asset-rename')).toHaveValue(plain.name));
    await user.type(within(panel).getByTestId('asset-tags'), 'draft');
    await user.type(within(panel).getByTestId('legal-hold-reason'), 'Audit 7');
    await user.click(within(panel).getByTestId('legal-hold-set'));
    await within(panel).findByTestId('legal-hold-clear');
    expect(within(panel).getByTestId('asset-tags')).toHaveValue('draft');

    const next = await openRow(user, held.id);
    await waitFor(() => expect(within(next).getByTestId('asset-rename')).toHaveValue(held.name));
    expect(within(next).getByTestId('asset-tags')).toHaveValue('');
  });
});

describe('States and folders', () => {
  it('shows the error with a hint and Retry, then the empty state', async () => {
    const user = userEvent.setup();
    const backend = show('user', {
      list_assets: () => {
        throw { code: 'unavailable', message: 'The vault could not be reached.', hint: null };
      },
    });
    await openAssets(user);
    const error = await screen.findByTestId('assets-list-error');
    expect(error).toHaveTextContent('The vault could not be reached.');
    expect(within(error).getByRole('heading')).toHaveTextContent('The Vault service is unavailable');
    expect(within(error).getByTestId('assets-list-error-hint')).toHaveTextContent('Check the connection');
    backend.on({
      list_assets: () => ({ items: [], page: { total: 0, page: 1, limit: 50, has_more: false } }),
    });
    await user.click(within(error).getByTestId('assets-list-error-retry'));
    expect(await screen.findByTestId('assets-empty')).toHaveTextContent('No assets here yet');
    expect(screen.getByTestId('assets-total')).toHaveTextContent('0 assets');
  });

  it('creates a folder inside the selected one', async () => {
    const user = userEvent.setup();
    const backend = show('organizer', {
      create_folder: (args) => ({
        id: 'f2',
        tenant_id: 't',
        name: args.name,
        parent_id: args.parentId,
        created_at: null,
        created_by: null,
      }),
    });
    await openAssets(user);
    await user.click(await screen.findByTestId('folder-node'));
    await user.click(screen.getByTestId('folder-new'));
    await user.type(await screen.findByTestId('folder-name'), 'Q3 launches');
    await user.click(screen.getByTestId('folder-create'));
    await waitFor(() =>
      expect(backend.argsOf('create_folder')[0]).toEqual({ name: 'Q3 launches', parentId: 'f1' }),
    );
    await waitFor(() => expect(screen.queryByTestId('folder-dialog')).toBeNull());
    expect(backend.count('list_folders')).toBeGreaterThanOrEqual(2);
  });
});

const INTERACTIVE = 'button, input, select, textarea, a[href], [role^="menuitem"]';

function unlabelled(): string[] {
  return Array.from(document.body.querySelectorAll<HTMLElement>(INTERACTIVE))
    .filter((el) => !el.dataset.testid || !computeAccessibleName(el).trim())
    .map((el) => el.outerHTML.slice(0, 120));
}

describe('Assets accessibility', () => {
  it('every interactive element has a test id and an accessible name', async () => {
    const user = userEvent.setup();
    const backend = show(null, {
      vault_login: () => sessionView('admin'),
      pick_and_upload: () => [{ uploadId: 'u1', name: 'big.mov', total: 1000 }],
      share_asset: () => ({
        share: {
          id: 's',
          asset_id: plain.id,
          url: 'https://x/s',
          expires_at: null,
          created_at: null,
        },
        copyId: 'c',
      }),
    });
    await openAssets(user);
    await screen.findByTestId('vault-login-form');
    expect(unlabelled()).toEqual([]);
    await user.type(screen.getByTestId('vault-password'), 'pw');
    await user.click(screen.getByTestId('vault-login-submit'));
    const panel = await openRow(user, plain.id);
    await user.click(within(panel).getByTestId('share-create'));
    await within(panel).findByTestId('share-url');
    await user.click(screen.getByTestId('asset-upload'));
    await screen.findByTestId('upload-row');
    expect(backend.count('pick_and_upload')).toBe(1);
    expect(unlabelled()).toEqual([]);
    await user.click(within(row(plain.id)).getByTestId('asset-select'));
    await user.click(screen.getByTestId('bulk-delete'));
    await screen.findByTestId('bulk-delete-dialog');
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('bulk-delete-cancel'));
    await user.click(within(panel).getByTestId('asset-delete'));
    await screen.findByTestId('asset-delete-dialog');
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('asset-delete-cancel'));
    await user.click(screen.getByTestId('folder-new'));
    await screen.findByTestId('folder-dialog');
    expect(unlabelled()).toEqual([]);
  });
});
