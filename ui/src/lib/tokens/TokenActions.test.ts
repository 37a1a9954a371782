// Creating, revealing, revoking and rotating tokens, and user JWTs, through
// the real components with the IPC mocked.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../App.svelte';
import {
  appState,
  connectedStatuses,
  createdView,
  deferred,
  documentedScopes,
  mockBackend,
  portalError,
  profile,
  sampleTokens,
  usageSnippets,
  type Handler,
} from '../../test/backend';
import type { ApiToken, RotationReminder } from '../types';
import { MASK } from './reveal';

const DAY = 24 * 60 * 60 * 1000;
const SECRET = 'vst_live_s3cr3tV4lue0123456789abcdef';

function showTokens(handlers: Record<string, Handler> = {}, env: 'sandbox' | 'production' = 'sandbox') {
  const backend = mockBackend({
    app_state: () =>
      appState({
        profiles: [
          env === 'production' ? profile({ name: 'Acme live', environment: 'production' }) : profile(),
        ],
      }),
    service_status: () => connectedStatuses,
    list_tokens: () => sampleTokens,
    token_scopes: () => documentedScopes,
    rotation_reminders: () => [],
    token_snippets: () => usageSnippets,
    close_reveal: () => null,
    ...handlers,
  });
  render(App);
  return backend;
}

const rowIds = () => screen.queryAllByTestId('token-row').map((row) => row.getAttribute('data-token-id'));
const row = (id: string) => document.querySelector(`[data-testid="token-row"][data-token-id="${id}"]`);

async function openCreate(user: ReturnType<typeof userEvent.setup>) {
  await screen.findByTestId('tokens-table');
  await user.click(screen.getByTestId('token-new'));
  // The dialog's code loads when it is first opened.
  return screen.findByTestId('new-token-dialog');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('create token', () => {
  it('sends exactly the trimmed name, the scopes and expiresAt null for "Never"', async () => {
    const user = userEvent.setup();
    const backend = showTokens({ create_token: () => createdView() });
    await openCreate(user);
    expect(screen.getByTestId('new-token-name')).toHaveFocus();

    await user.type(screen.getByTestId('new-token-name'), '  CI/CD Pipeline  ');
    await user.click(screen.getByTestId('scope-content:read'));
    await user.click(screen.getByTestId('scope-content:write'));
    await user.click(screen.getByTestId('expiry-never'));
    expect(screen.getByTestId('expiry-never-warning')).toHaveTextContent(
      'Rotate tokens regularly — Revoke and regenerate tokens quarterly',
    );
    await user.click(screen.getByTestId('new-token-submit'));

    await waitFor(() => expect(backend.count('create_token')).toBe(1));
    expect(backend.argsOf('create_token')[0]).toStrictEqual({
      input: { name: 'CI/CD Pipeline', scopes: ['content:read', 'content:write'], expiresAt: null },
    });
    expect(await screen.findByTestId('reveal-dialog')).toBeVisible();
  });

  it('defaults to an expiry 90 days ahead, and Enter submits', async () => {
    const user = userEvent.setup();
    const backend = showTokens({ create_token: () => createdView() });
    await openCreate(user);
    expect(screen.getByTestId('expiry-90')).toBeChecked();
    await user.click(screen.getByTestId('scope-preset-ingestion'));
    await user.type(screen.getByTestId('new-token-name'), 'Ingest{Enter}');

    await waitFor(() => expect(backend.count('create_token')).toBe(1));
    const { input } = backend.argsOf('create_token')[0] as {
      input: { name: string; scopes: string[]; expiresAt: string };
    };
    expect(Object.keys(input).sort()).toEqual(['expiresAt', 'name', 'scopes']);
    expect(input.name).toBe('Ingest');
    expect(input.scopes).toEqual(['content:write']);
    const ahead = new Date(input.expiresAt).getTime() - Date.now();
    expect(Math.abs(ahead - 90 * DAY)).toBeLessThan(60_000);
  });

  it('sends the end of a custom day, and refuses a date in the past', async () => {
    const user = userEvent.setup();
    const backend = showTokens({ create_token: () => createdView() });
    await openCreate(user);
    await user.type(screen.getByTestId('new-token-name'), 'Dated');
    await user.click(screen.getByTestId('scope-analytics:read'));
    await user.click(screen.getByTestId('expiry-custom'));
    await fireEvent.input(screen.getByTestId('expiry-date'), { target: { value: '2020-01-01' } });
    await user.click(screen.getByTestId('new-token-submit'));
    expect(screen.getByTestId('new-token-expiry-problem')).toHaveTextContent('must be in the future');
    expect(backend.count('create_token')).toBe(0);

    const future = new Date(Date.now() + 40 * DAY);
    const ymd = `${future.getFullYear()}-${String(future.getMonth() + 1).padStart(2, '0')}-${String(future.getDate()).padStart(2, '0')}`;
    await fireEvent.input(screen.getByTestId('expiry-date'), { target: { value: ymd } });
    await user.click(screen.getByTestId('new-token-submit'));
    await waitFor(() => expect(backend.count('create_token')).toBe(1));
    const { input } = backend.argsOf('create_token')[0] as { input: { expiresAt: string } };
    const sent = new Date(input.expiresAt);
    expect([sent.getFullYear(), sent.getMonth(), sent.getDate()]).toEqual([
      future.getFullYear(),
      future.getMonth(),
      future.getDate(),
    ]);
    expect([sent.getHours(), sent.getMinutes()]).toEqual([23, 59]);
  });

  it('validates the name inline and sends nothing while the form is invalid', async () => {
    const user = userEvent.setup();
    const backend = showTokens({ create_token: () => createdView() });
    await openCreate(user);
    await user.type(screen.getByTestId('new-token-name'), '   ');
    await user.click(screen.getByTestId('new-token-submit'));
    expect(screen.getByTestId('new-token-name-problem')).toHaveTextContent('name');
    expect(screen.getByTestId('new-token-name')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByTestId('new-token-name')).toHaveFocus();
    expect(screen.getByTestId('new-token-scopes-problem')).toHaveTextContent('at least one scope');
    expect(backend.count('create_token')).toBe(0);
  });

  it('groups every scope by area with its description and warns about admin:write', async () => {
    const user = userEvent.setup();
    showTokens();
    const dialog = await openCreate(user);
    const headings = within(dialog)
      .getAllByRole('heading', { level: 3 })
      .map((h) => h.textContent);
    expect(headings).toEqual(['Content', 'Admin', 'Analytics', 'Webhooks']);
    expect(dialog).toHaveTextContent('Modify admin settings, manage users');
    expect(dialog).toHaveTextContent('Create/edit/delete webhooks');

    expect(screen.queryByTestId('admin-write-warning')).toBeNull();
    await user.click(screen.getByTestId('scope-admin:write'));
    expect(screen.getByTestId('admin-write-warning')).toHaveTextContent(
      'Scope tokens minimally — A content ingestion script needs content:write, not admin:write',
    );
    await user.click(screen.getByTestId('scope-preset-read-content'));
    expect(screen.queryByTestId('admin-write-warning')).toBeNull();
    expect(screen.getByTestId('scope-content:read')).toBeChecked();
    expect(screen.getByTestId('scope-admin:write')).not.toBeChecked();
  });

  it('shows a validation error from the back end in the dialog, keeping the input', async () => {
    const user = userEvent.setup();
    showTokens({
      create_token: () => {
        throw portalError({ code: 'validation', message: 'A token with this name exists.' });
      },
    });
    await openCreate(user);
    await user.type(screen.getByTestId('new-token-name'), 'Dup');
    await user.click(screen.getByTestId('scope-preset-analytics'));
    await user.click(screen.getByTestId('new-token-submit'));
    expect(await screen.findByTestId('new-token-error')).toHaveTextContent('A token with this name exists.');
    expect(screen.getByTestId('new-token-name')).toHaveValue('Dup');
  });
});

describe('one-time reveal', () => {
  async function created(user: ReturnType<typeof userEvent.setup>, extra: Record<string, Handler> = {}) {
    const backend = showTokens({
      create_token: () => createdView(),
      reveal_token: () => SECRET,
      copy_token: () => ({ clearsInSeconds: 30 }),
      save_revealed_token: () => ({
        id: 'tok_new',
        name: 'Ingest',
        scopes: ['content:write'],
        savedAt: new Date().toISOString(),
      }),
      ...extra,
    });
    await openCreate(user);
    await user.type(screen.getByTestId('new-token-name'), 'Ingest');
    await user.click(screen.getByTestId('scope-preset-ingestion'));
    await user.click(screen.getByTestId('new-token-submit'));
    const dialog = await screen.findByTestId('reveal-dialog');
    await waitFor(() => expect(screen.getByTestId('snippet-curl')).toBeVisible());
    return { backend, dialog };
  }

  it('masks the value until Reveal, shows it once revealed, and Hide masks it without another call', async () => {
    const user = userEvent.setup();
    const { backend, dialog } = await created(user);
    expect(dialog).toHaveTextContent('Ingest');
    expect(dialog).toHaveTextContent('tok_new');
    expect(within(dialog).getByTestId('scope-chip')).toHaveTextContent('content:write');

    expect(screen.getByTestId('reveal-value')).toHaveTextContent(MASK);
    expect(document.body.innerHTML).not.toContain(SECRET);
    expect(screen.getByTestId('snippet-curl')).toHaveTextContent(`Bearer ${MASK}`);
    expect(screen.getByTestId('snippet-curl').textContent).not.toContain('{{TOKEN}}');
    expect(backend.count('reveal_token')).toBe(0);

    await user.click(screen.getByTestId('reveal-toggle'));
    await waitFor(() => expect(screen.getByTestId('reveal-value')).toHaveTextContent(SECRET));
    expect(backend.argsOf('reveal_token')).toEqual([{ revealId: 'rev_1' }]);
    expect(screen.getByTestId('snippet-python')).toHaveTextContent(`Bearer ${SECRET}`);
    expect(screen.getByTestId('snippet-javascript')).toHaveTextContent(`Bearer ${SECRET}`);

    await user.click(screen.getByTestId('reveal-toggle'));
    expect(screen.getByTestId('reveal-value')).toHaveTextContent(MASK);
    expect(document.body.innerHTML).not.toContain(SECRET);
    await user.click(screen.getByTestId('reveal-toggle'));
    expect(screen.getByTestId('reveal-value')).toHaveTextContent(SECRET);
    expect(backend.count('reveal_token')).toBe(1);
  });

  it('cannot be closed by Escape or the backdrop; Done needs the confirmation, then the value is gone', async () => {
    const user = userEvent.setup();
    const { backend, dialog } = await created(user);
    await user.click(screen.getByTestId('reveal-toggle'));
    await waitFor(() => expect(screen.getByTestId('reveal-value')).toHaveTextContent(SECRET));

    await user.keyboard('{Escape}');
    await fireEvent.pointerDown(dialog.parentElement as HTMLElement);
    await user.click(dialog.parentElement as HTMLElement);
    expect(screen.getByTestId('reveal-dialog')).toBeVisible();
    expect(within(dialog).queryByRole('button', { name: /close/i })).toBeNull();

    expect(screen.getByTestId('reveal-done')).toBeDisabled();
    await user.click(screen.getByTestId('reveal-done'));
    expect(screen.getByTestId('reveal-dialog')).toBeVisible();
    expect(backend.count('close_reveal')).toBe(0);

    await user.click(screen.getByTestId('reveal-confirm'));
    expect(screen.getByTestId('reveal-done')).toBeEnabled();
    await user.click(screen.getByTestId('reveal-done'));

    await waitFor(() => expect(screen.queryByTestId('reveal-dialog')).toBeNull());
    expect(backend.argsOf('close_reveal')).toEqual([{ revealId: 'rev_1' }]);
    expect(document.body.innerHTML).not.toContain(SECRET);
    // Focus goes back to where the flow started.
    expect(screen.getByTestId('token-new')).toHaveFocus();
  });

  it('copies through Rust and counts down until the clipboard is cleared', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const { backend } = await created(user);
    expect(screen.queryByTestId('reveal-countdown')).toBeNull();

    await user.click(screen.getByTestId('reveal-copy'));
    expect(await screen.findByTestId('reveal-countdown')).toHaveTextContent('Clipboard clears in 30 s');
    expect(backend.argsOf('copy_token')).toEqual([{ revealId: 'rev_1', what: 'token' }]);
    // Copying never needed the value in the page.
    expect(backend.count('reveal_token')).toBe(0);

    await vi.advanceTimersByTimeAsync(5000);
    expect(screen.getByTestId('reveal-countdown')).toHaveTextContent(/Clipboard clears in 2[45] s/);

    await user.click(screen.getByTestId('snippet-copy-python'));
    await waitFor(() =>
      expect(backend.argsOf('copy_token')[1]).toEqual({ revealId: 'rev_1', what: 'python' }),
    );
    await waitFor(() =>
      expect(screen.getByTestId('reveal-countdown')).toHaveTextContent('Clipboard clears in 30 s'),
    );
  });

  it('says when the clipboard will not be cleared (preference 0)', async () => {
    const user = userEvent.setup();
    await created(user, { copy_token: () => ({ clearsInSeconds: 0 }) });
    await user.click(screen.getByTestId('snippet-copy-curl'));
    expect(await screen.findByTestId('reveal-countdown')).toHaveTextContent('not cleared automatically');
  });

  it('saves to the keychain', async () => {
    const user = userEvent.setup();
    const { backend } = await created(user);
    await user.click(screen.getByTestId('reveal-save'));
    expect(await screen.findByTestId('reveal-saved')).toHaveTextContent('Saved to keychain');
    expect(backend.argsOf('save_revealed_token')).toEqual([{ revealId: 'rev_1' }]);
    expect(screen.queryByTestId('reveal-save')).toBeNull();
  });

  it('ignores page shortcuts while open, and tells Rust to forget the value if unmounted', async () => {
    const user = userEvent.setup();
    const { backend } = await created(user);
    await user.click(screen.getByTestId('reveal-toggle'));
    await waitFor(() => expect(screen.getByTestId('reveal-value')).toHaveTextContent(SECRET));
    await user.keyboard('{Control>}5{/Control}');
    expect(screen.getByTestId('reveal-dialog')).toBeVisible();
    expect(backend.count('close_reveal')).toBe(0);

    cleanup();
    await waitFor(() => expect(backend.argsOf('close_reveal')).toEqual([{ revealId: 'rev_1' }]));
  });
});

describe('lost create answer (outcome_unknown)', () => {
  it('does not retry, explains, highlights the same-name recent token and offers to revoke it', async () => {
    const user = userEvent.setup();
    const recent: ApiToken = {
      id: 'tok_maybe',
      name: 'Ingest',
      scopes: ['content:write'],
      created_at: new Date(Date.now() - 2 * 60 * 1000).toISOString(),
      expires_at: null,
      last_used_at: null,
    };
    const older: ApiToken = {
      ...recent,
      id: 'tok_old_ingest',
      created_at: new Date(Date.now() - 2 * DAY).toISOString(),
    };
    let lists = 0;
    const backend = showTokens({
      list_tokens: () => (++lists === 1 ? sampleTokens : [...sampleTokens, recent, older]),
      create_token: () => {
        throw portalError({
          code: 'outcome_unknown',
          message: 'The connection closed before VaultStream answered.',
        });
      },
      revoke_token: () => null,
    });
    await openCreate(user);
    await user.type(screen.getByTestId('new-token-name'), 'Ingest ');
    await user.click(screen.getByTestId('scope-preset-ingestion'));
    await user.click(screen.getByTestId('new-token-submit'));

    const explanation = await screen.findByTestId('new-token-outcome-unknown');
    expect(explanation).toHaveTextContent(
      'The request reached VaultStream but its answer was lost; the token may or may not exist',
    );
    await waitFor(() => expect(row('tok_maybe')).toHaveAttribute('data-highlight', 'outcome-unknown'));
    expect(row('tok_old_ingest')).not.toHaveAttribute('data-highlight');
    expect(backend.count('create_token')).toBe(1);
    expect(backend.count('list_tokens')).toBe(2);
    expect(screen.queryByTestId('new-token-submit')).toBeNull();

    const matches = screen.getAllByTestId('outcome-match');
    expect(matches.map((m) => m.getAttribute('data-token-id'))).toEqual(['tok_maybe']);
    await user.click(within(matches[0]).getByTestId('outcome-revoke'));
    const dialog = screen.getByTestId('revoke-dialog');
    expect(dialog).toHaveTextContent('tok_maybe');
    await user.click(screen.getByTestId('revoke-confirm'));
    await waitFor(() => expect(backend.argsOf('revoke_token')).toEqual([{ id: 'tok_maybe' }]));
    expect(row('tok_maybe')).toBeNull();
    expect(backend.count('create_token')).toBe(1);
  });
});

describe('revoke', () => {
  it('says revocation takes effect within 60 seconds, removes the row at once and keeps it gone', async () => {
    const user = userEvent.setup();
    const answer = deferred<null>();
    const backend = showTokens({ revoke_token: () => answer.promise });
    await screen.findByTestId('tokens-table');
    await user.click(within(row('tok_ci') as HTMLElement).getByTestId('token-revoke'));
    const dialog = screen.getByTestId('revoke-dialog');
    expect(dialog).toHaveTextContent('within 60 seconds globally');
    expect(screen.queryByTestId('revoke-confirm-name')).toBeNull();
    expect(screen.getByTestId('revoke-confirm')).toBeEnabled();
    await user.click(screen.getByTestId('revoke-confirm'));

    expect(screen.queryByTestId('revoke-dialog')).toBeNull();
    expect(rowIds()).not.toContain('tok_ci');
    expect(backend.argsOf('revoke_token')).toEqual([{ id: 'tok_ci' }]);
    answer.resolve(null);
    await waitFor(() => expect(screen.getByTestId('tokens-count')).toHaveTextContent('2 tokens'));
    expect(rowIds()).not.toContain('tok_ci');
    expect(screen.queryByTestId('toast')).toBeNull();
  });

  it('puts the row back with an error toast when revocation fails', async () => {
    const user = userEvent.setup();
    const answer = deferred<null>();
    showTokens({ revoke_token: () => answer.promise });
    await screen.findByTestId('tokens-table');
    await user.click(within(row('tok_analytics') as HTMLElement).getByTestId('token-revoke'));
    await user.click(screen.getByTestId('revoke-confirm'));
    expect(rowIds()).not.toContain('tok_analytics');

    answer.reject(portalError({ code: 'forbidden', message: 'This token cannot revoke tokens.' }));
    const toast = await screen.findByTestId('toast');
    expect(toast).toHaveTextContent('Could not revoke “Analytics export”');
    expect(toast).toHaveTextContent('This token cannot revoke tokens.');
    expect(rowIds()).toContain('tok_analytics');
  });

  it('on a production profile needs the token name typed before Revoke is enabled', async () => {
    const user = userEvent.setup();
    const backend = showTokens({ revoke_token: () => null }, 'production');
    await screen.findByTestId('tokens-table');
    await user.click(within(row('tok_ci') as HTMLElement).getByTestId('token-revoke'));
    const input = screen.getByTestId('revoke-confirm-name');
    expect(input).toHaveFocus();
    expect(screen.getByTestId('revoke-confirm')).toBeDisabled();

    await user.type(input, 'CI/CD Pipelin{Enter}');
    expect(screen.getByTestId('revoke-confirm')).toBeDisabled();
    expect(backend.count('revoke_token')).toBe(0);

    await user.type(input, 'e');
    expect(screen.getByTestId('revoke-confirm')).toBeEnabled();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(backend.argsOf('revoke_token')).toEqual([{ id: 'tok_ci' }]));
  });

  it('cancels with Escape and gives focus back to the row button', async () => {
    const user = userEvent.setup();
    const backend = showTokens({ revoke_token: () => null });
    await screen.findByTestId('tokens-table');
    const button = within(row('tok_ci') as HTMLElement).getByTestId('token-revoke');
    await user.click(button);
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('revoke-dialog')).toBeNull();
    await waitFor(() => expect(button).toHaveFocus());
    expect(backend.count('revoke_token')).toBe(0);
  });
});

describe('rotate', () => {
  const replacement = () =>
    createdView(
      { id: 'tok_ci_2', name: 'CI/CD Pipeline', scopes: ['content:write', 'content:read'] },
      'rev_rot',
    );

  async function rotateCi(user: ReturnType<typeof userEvent.setup>, extra: Record<string, Handler> = {}) {
    const backend = showTokens({
      rotate_token: () => replacement(),
      reveal_token: () => SECRET,
      finish_rotation: () => null,
      ...extra,
    });
    await screen.findByTestId('tokens-table');
    await user.click(within(row('tok_ci') as HTMLElement).getByTestId('token-rotate'));
    const dialog = await screen.findByTestId('reveal-dialog');
    expect(backend.argsOf('rotate_token')).toEqual([{ id: 'tok_ci' }]);
    expect(dialog).toHaveTextContent('tok_ci_2');
    await user.click(screen.getByTestId('reveal-confirm'));
    await user.click(screen.getByTestId('reveal-done'));
    expect(await screen.findByTestId('rotate-finish-dialog')).toHaveTextContent(
      'Have you deployed the new token?',
    );
    expect(backend.argsOf('close_reveal')).toEqual([{ revealId: 'rev_rot' }]);
    return backend;
  }

  it('shows the new token once, then revokes the old one now', async () => {
    const user = userEvent.setup();
    const backend = await rotateCi(user);
    await user.keyboard('{Escape}');
    expect(screen.getByTestId('rotate-finish-dialog')).toBeVisible();
    await user.click(screen.getByTestId('rotate-revoke-now'));
    await waitFor(() =>
      expect(backend.argsOf('finish_rotation')).toEqual([
        { oldId: 'tok_ci', newId: 'tok_ci_2', quietPeriodSeconds: 0 },
      ]),
    );
    await waitFor(() => expect(screen.queryByTestId('rotate-finish-dialog')).toBeNull());
    expect(rowIds()).not.toContain('tok_ci');
  });

  it('"Later" keeps the old token for the chosen quiet period and shows where the rotation stands', async () => {
    const user = userEvent.setup();
    let reminders: RotationReminder[] = [];
    const backend = await rotateCi(user, {
      rotation_reminders: () => reminders,
      rotation_states: () => ({
        checkedAt: new Date().toISOString(),
        clock: { offsetSeconds: 0, warning: null },
        rotations: reminders.map((rotation) => ({
          rotation,
          state: 'waiting',
          lastUsedAt: new Date().toISOString(),
          revokeAt: null,
          detail: `Token 'CI/CD Pipeline' (tok_ci) was last used just now: revoked if unused for 3 days.`,
        })),
      }),
      finish_rotation: (args) => {
        if (args.quietPeriodSeconds !== 0) {
          const now = new Date();
          reminders = [
            {
              profile: 'Sandbox',
              oldId: 'tok_ci',
              oldName: 'CI/CD Pipeline',
              newId: 'tok_ci_2',
              newName: 'CI/CD Pipeline',
              createdAt: now.toISOString(),
              remindAt: new Date(now.getTime() + DAY).toISOString(),
              quietPeriodSeconds: 3 * 86400,
              deadline: null,
              noted: null,
            },
          ];
        } else {
          reminders = [];
        }
        return null;
      },
    });
    const quiet = screen.getByTestId('rotate-quiet-period');
    expect(quiet).toHaveValue('86400');
    expect(screen.getByTestId('rotate-later')).toHaveTextContent('Later (24 hours unused)');
    await user.selectOptions(quiet, '259200');
    expect(screen.getByTestId('rotate-later')).toHaveTextContent('Later (3 days unused)');
    await user.click(screen.getByTestId('rotate-later'));
    await waitFor(() =>
      expect(backend.argsOf('finish_rotation')).toEqual([
        { oldId: 'tok_ci', newId: 'tok_ci_2', quietPeriodSeconds: 259200 },
      ]),
    );
    const banner = await screen.findByTestId('rotation-reminders');
    expect(within(banner).getByTestId('rotation-reminder')).toHaveTextContent('tok_ci');
    const state = await within(banner).findByTestId('rotation-state');
    expect(state).toHaveAttribute('data-state', 'waiting');
    expect(state).toHaveTextContent('revoked if unused for 3 days');
    expect(rowIds()).toContain('tok_ci');

    await user.click(within(banner).getByTestId('reminder-revoke'));
    expect(screen.getByTestId('revoke-dialog')).toHaveTextContent('within 60 seconds globally');
    await user.click(screen.getByTestId('revoke-confirm'));
    await waitFor(() =>
      expect(backend.argsOf('finish_rotation')[1]).toEqual({
        oldId: 'tok_ci',
        newId: 'tok_ci_2',
        quietPeriodSeconds: 0,
      }),
    );
    await waitFor(() => expect(screen.queryByTestId('rotation-reminders')).toBeNull());
    expect(rowIds()).not.toContain('tok_ci');
  });
});

describe('user JWT', () => {
  it('sends the request with the chosen token and shows the JWT, decoded claims and the player snippet', async () => {
    const user = userEvent.setup();
    const exp = Math.floor(Date.now() / 1000) + 3000;
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c3JfeHl6Nzg5In0.sig';
    const backend = showTokens({
      saved_tokens: () => [
        {
          id: 'tok_saved',
          name: 'Player backend',
          scopes: ['content:read'],
          savedAt: new Date().toISOString(),
        },
      ],
      create_user_jwt: () => ({
        jwt,
        header: { alg: 'RS256', typ: 'JWT' },
        claims: { sub: 'usr_xyz789', content_id: 'c_7a3b9f1d', exp },
        expiresAt: new Date(exp * 1000).toISOString(),
        copyId: 'copy-jwt-1',
      }),
      copy_held: () => ({ clearsInSeconds: 30 }),
      'plugin:clipboard-manager|write_text': () => null,
    });
    await screen.findByTestId('tokens-table');
    await user.click(screen.getByTestId('user-jwt-open'));
    expect(await screen.findByTestId('user-jwt-form')).toBeVisible();

    await user.click(screen.getByTestId('user-jwt-submit'));
    expect(screen.getByTestId('user-jwt-user-id')).toHaveAttribute('aria-invalid', 'true');
    expect(backend.count('create_user_jwt')).toBe(0);

    await user.type(screen.getByTestId('user-jwt-user-id'), 'usr_xyz789');
    await user.type(screen.getByTestId('user-jwt-content-id'), 'c_7a3b9f1d');
    await user.selectOptions(screen.getByTestId('user-jwt-ttl'), '900');
    await waitFor(() => expect(screen.getByRole('option', { name: /Player backend/ })).toBeInTheDocument());
    await user.selectOptions(screen.getByTestId('user-jwt-token'), 'tok_saved');
    await user.click(screen.getByTestId('user-jwt-submit'));

    await waitFor(() => expect(backend.count('create_user_jwt')).toBe(1));
    expect(backend.argsOf('create_user_jwt')[0]).toStrictEqual({
      request: { user_id: 'usr_xyz789', content_id: 'c_7a3b9f1d', ttl_seconds: 900 },
      savedTokenId: 'tok_saved',
    });
    expect(await screen.findByTestId('user-jwt-value')).toHaveTextContent(jwt);
    const claims = JSON.parse(screen.getByTestId('user-jwt-claims').textContent ?? '');
    expect(claims).toEqual({ sub: 'usr_xyz789', content_id: 'c_7a3b9f1d', exp });
    expect(screen.getByTestId('user-jwt-header')).toHaveTextContent('"alg": "RS256"');
    expect(screen.getByTestId('user-jwt-expiry')).toHaveTextContent(/Expires in (49|50) min/);
    const snippet = `VSPlayer.mount('#player', { contentId: 'c_7a3b9f1d', jwt: '${jwt}' });`;
    expect(screen.getByTestId('user-jwt-snippet')).toHaveTextContent(snippet);

    // The JWT and the snippet holding it are copied by Rust (which clears
    // the clipboard later), never through the webview's clipboard plugin.
    await user.click(screen.getByTestId('user-jwt-copy-snippet'));
    await waitFor(() =>
      expect(backend.argsOf('copy_held')).toEqual([{ copyId: 'copy-jwt-1', part: 'snippet' }]),
    );
    await user.click(screen.getByTestId('user-jwt-copy'));
    await waitFor(() =>
      expect(backend.argsOf('copy_held')[1]).toEqual({ copyId: 'copy-jwt-1', part: 'jwt' }),
    );
    expect(backend.count('plugin:clipboard-manager|write_text')).toBe(0);
    // The decoded claims are not secret: the clipboard plugin copies them.
    await user.click(screen.getByTestId('user-jwt-copy-claims'));
    await waitFor(() => expect(backend.count('plugin:clipboard-manager|write_text')).toBe(1));
  });

  it('uses the profile admin token by default and checks a custom TTL', async () => {
    const user = userEvent.setup();
    const backend = showTokens({
      saved_tokens: () => [],
      create_user_jwt: () => ({ jwt: 'eyJ.x.y', header: {}, claims: {}, expiresAt: null, copyId: 'c' }),
    });
    await screen.findByTestId('tokens-table');
    await user.click(screen.getByTestId('user-jwt-open'));
    await user.type(await screen.findByTestId('user-jwt-user-id'), 'u');
    await user.type(screen.getByTestId('user-jwt-content-id'), 'c');
    await user.selectOptions(screen.getByTestId('user-jwt-ttl'), 'custom');
    await user.type(screen.getByTestId('user-jwt-ttl-custom'), '86401{Enter}');
    expect(screen.getByTestId('user-jwt-ttl-problem')).toHaveTextContent('86400');
    expect(backend.count('create_user_jwt')).toBe(0);
    await user.clear(screen.getByTestId('user-jwt-ttl-custom'));
    await user.type(screen.getByTestId('user-jwt-ttl-custom'), '120{Enter}');
    await waitFor(() =>
      expect(backend.argsOf('create_user_jwt')).toStrictEqual([
        { request: { user_id: 'u', content_id: 'c', ttl_seconds: 120 }, savedTokenId: null },
      ]),
    );
    await user.click(screen.getByTestId('user-jwt-close'));
    expect(screen.queryByTestId('user-jwt-dialog')).toBeNull();
    expect(document.body.innerHTML).not.toContain('eyJ.x.y');
    expect(screen.getByTestId('user-jwt-open')).toHaveFocus();
  });
});

describe('keyboard', () => {
  it('N opens New token (not while typing) and focus returns to the button after the dialog', async () => {
    const user = userEvent.setup();
    showTokens();
    await screen.findByTestId('tokens-table');

    await user.click(screen.getByTestId('tokens-filter'));
    await user.keyboard('n');
    expect(screen.queryByTestId('new-token-dialog')).toBeNull();
    expect(screen.getByTestId('tokens-filter')).toHaveValue('n');

    (document.activeElement as HTMLElement).blur();
    await user.keyboard('n');
    expect(screen.getByTestId('new-token-dialog')).toBeVisible();
    expect(screen.getByTestId('new-token-name')).toHaveFocus();
    // Typing N in the form does not open another dialog.
    await user.keyboard('n');
    expect(screen.getByTestId('new-token-name')).toHaveValue('n');
    expect(screen.getAllByTestId('new-token-dialog')).toHaveLength(1);

    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('new-token-dialog')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('token-new')).toHaveFocus());
  });
});

describe('clipboard setting', () => {
  it('saves the delay with set_preferences and warns when 0 means never', async () => {
    const user = userEvent.setup();
    let preferences = { clipboardClearSeconds: 30 };
    const backend = showTokens({
      app_state: () => appState({ profiles: [profile()], preferences }),
      set_preferences: (args) => {
        preferences = args.prefs as typeof preferences;
        return preferences;
      },
    });
    await user.click(await screen.findByTestId('nav-settings'));
    const input = await screen.findByTestId('clipboard-clear-seconds');
    expect(input).toHaveValue('30');
    expect(screen.getByTestId('clipboard-save')).toBeDisabled();

    await user.clear(input);
    await user.type(input, '0');
    expect(screen.getByTestId('clipboard-never-warning')).toBeVisible();
    await user.click(screen.getByTestId('clipboard-save'));
    await waitFor(() =>
      expect(backend.argsOf('set_preferences')).toEqual([{ prefs: { clipboardClearSeconds: 0 } }]),
    );
    expect(await screen.findByTestId('clipboard-saved')).toBeVisible();
    expect(input).toHaveValue('0');

    await user.clear(input);
    await user.type(input, '4000');
    expect(screen.getByTestId('clipboard-problem')).toHaveTextContent('3600');
    expect(screen.getByTestId('clipboard-save')).toBeDisabled();
  });
});
