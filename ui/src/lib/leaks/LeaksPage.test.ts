import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import {
  appDefaults,
  createdView,
  deferred,
  emitEvent,
  finding,
  mockBackend,
  portalError,
  profile,
  appState,
  report,
  sampleTokens,
  type Handler,
} from '../../test/backend';
import type { KeyStatus, ScanReport } from '../types';

// The page is a chunk loaded when first opened: compile it once here.
beforeAll(async () => {
  await import('./LeaksPage.svelte');
}, 30_000);

function show(handlers: Record<string, Handler> = {}) {
  const backend = mockBackend({
    ...appDefaults,
    app_state: () => appState({ profiles: [profile({ name: 'Sandbox' })] }),
    ...handlers,
  });
  render(App);
  return backend;
}

async function openLeaks(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('nav-leaks'));
  return screen.findByTestId('leaks-page');
}

async function scan(user: ReturnType<typeof userEvent.setup>, path = '/home/me/project') {
  await user.type(screen.getByTestId('leaks-root'), path);
  await user.click(screen.getByTestId('leaks-start'));
}

const leaked = finding({
  path: 'config/.env',
  line: 2,
  column: 19,
  matches: "saved token 'CI/CD Pipeline' (tok_ci) of profile Sandbox",
  masked: 'vst_live_…a1b2',
  profile: 'Sandbox',
  tokenId: 'tok_ci',
});

describe('Leak check', () => {
  it('sweeps the typed folder with progress and Cancel, then lists findings masked', async () => {
    const user = userEvent.setup();
    const answer = deferred<ScanReport>();
    const backend = show({ scan_folder: () => answer.promise, cancel_scan: () => null });
    await openLeaks(user);
    expect(screen.getByTestId('leaks-idle')).toBeVisible();
    await user.click(screen.getByTestId('leaks-history'));
    await scan(user);
    expect(backend.argsOf('scan_folder')).toEqual([{ root: '/home/me/project', history: true }]);
    const progress = await screen.findByTestId('leaks-progress');
    expect(screen.getByTestId('leaks-start')).toBeDisabled();
    expect(screen.getByTestId('leaks-page')).toHaveAttribute('aria-busy', 'true');
    emitEvent(backend, 'scan-progress', { files: 1520, bytes: 3 * 1024 * 1024 });
    await waitFor(() => expect(progress).toHaveTextContent('Checking… 1,520 files (3 MB) so far'));
    await user.click(screen.getByTestId('leaks-cancel'));
    expect(backend.count('cancel_scan')).toBe(1);
    expect(screen.getByTestId('leaks-progress-text')).toHaveTextContent('Stopping…');

    answer.resolve(report({ findings: [leaked], files: 1600, bytes: 4096, cancelled: true }));
    const row = await screen.findByTestId('leak-row');
    expect(screen.getByTestId('leaks-cancelled')).toHaveTextContent('Cancelled');
    expect(screen.getByTestId('leaks-summary')).toHaveTextContent(
      '1 finding in 1,600 files of /home/me/project',
    );
    expect(within(row).getByTestId('leak-location')).toHaveTextContent('config/.env:2:19');
    expect(within(row).getByTestId('leak-masked')).toHaveTextContent('vst_live_…a1b2');
    expect(within(row).getByTestId('leak-matches')).toHaveTextContent('CI/CD Pipeline');
    expect(
      within(row).getByRole('button', { name: 'Revoke the token found at config/.env:2:19' }),
    ).toBeVisible();
    expect(within(row).getByTestId('leak-rotate')).toBeVisible();
    expect(within(row).queryByTestId('leak-delete-key')).toBeNull();
  });

  it('says so when nothing was found, and shows the commit of a history finding', async () => {
    const user = userEvent.setup();
    const answers = [
      report({ files: 42 }),
      report({ files: 7, findings: [finding({ commit: '0123456789abcdef0123', path: 'old.env' })] }),
    ];
    show({ scan_folder: () => answers.shift() });
    await openLeaks(user);
    await scan(user);
    expect(await screen.findByTestId('leaks-empty')).toHaveTextContent('No leaks found in 42 files');
    await user.click(screen.getByTestId('leaks-start'));
    const row = await screen.findByTestId('leak-row');
    expect(within(row).getByTestId('leak-commit')).toHaveTextContent('0123456789');
    // An unmatched token: nothing the app can revoke.
    expect(within(row).queryByTestId('leak-revoke')).toBeNull();
  });

  it('asks for a full path before sweeping, takes the folder from the dialog, and shows a failure', async () => {
    const user = userEvent.setup();
    const backend = show({
      pick_scan_folder: () => '/srv/app',
      scan_folder: () => {
        throw portalError({ code: 'not_found', message: 'No such folder: /srv/app' });
      },
    });
    await openLeaks(user);
    await scan(user, 'relative/dir');
    expect(screen.getByTestId('leaks-root-problem')).toHaveTextContent('full path');
    expect(screen.getByTestId('leaks-root')).toHaveAttribute('aria-invalid', 'true');
    expect(backend.count('scan_folder')).toBe(0);
    await user.click(screen.getByTestId('leaks-pick'));
    await waitFor(() => expect(screen.getByTestId('leaks-root')).toHaveValue('/srv/app'));
    expect(screen.queryByTestId('leaks-root-problem')).toBeNull();
    await user.click(screen.getByTestId('leaks-start'));
    expect(await screen.findByTestId('leaks-error')).toHaveTextContent('No such folder: /srv/app');
  });

  it('keeps the findings while another page is open', async () => {
    const user = userEvent.setup();
    show({ scan_folder: () => report({ files: 2, findings: [leaked] }) });
    await openLeaks(user);
    await scan(user);
    await screen.findByTestId('leak-row');
    await user.click(screen.getByTestId('nav-activity'));
    await user.click(screen.getByTestId('nav-leaks'));
    expect(await screen.findByTestId('leak-row')).toBeVisible();
    expect(screen.getByTestId('leaks-root')).toHaveValue('/home/me/project');
  });

  it('Revoke… opens the Tokens page’s own confirmation for that token, and revokes on confirm', async () => {
    const user = userEvent.setup();
    const backend = show({
      scan_folder: () => report({ files: 2, findings: [leaked] }),
      revoke_token: () => null,
    });
    await openLeaks(user);
    await scan(user);
    await user.click(await screen.findByTestId('leak-revoke'));
    const dialog = await screen.findByTestId('revoke-dialog');
    expect(screen.getByTestId('nav-tokens')).toHaveAttribute('aria-current', 'page');
    expect(within(dialog).getByTestId('revoke-token-name')).toHaveTextContent('CI/CD Pipeline');
    expect(backend.count('revoke_token')).toBe(0);
    await user.click(within(dialog).getByTestId('revoke-confirm'));
    await waitFor(() => expect(backend.argsOf('revoke_token')).toEqual([{ id: 'tok_ci' }]));
    // Taken once: going back to Tokens later opens nothing.
    await user.click(screen.getByTestId('nav-leaks'));
    await user.click(screen.getByTestId('nav-tokens'));
    await screen.findByTestId('tokens-table');
    expect(screen.queryByTestId('revoke-dialog')).toBeNull();
  });

  it('Rotate… starts the Tokens page’s rotation of that token', async () => {
    const user = userEvent.setup();
    const backend = show({
      scan_folder: () => report({ files: 2, findings: [leaked] }),
      rotate_token: () => {
        throw portalError({ code: 'forbidden', message: 'Not allowed.' });
      },
    });
    await openLeaks(user);
    await scan(user);
    await user.click(await screen.findByTestId('leak-rotate'));
    await waitFor(() => expect(backend.argsOf('rotate_token')).toEqual([{ id: 'tok_ci' }]));
  });

  it('a leaked token’s rotation revokes the old one at once, after the new value was shown', async () => {
    const user = userEvent.setup();
    const backend = show({
      scan_folder: () => report({ files: 2, findings: [leaked] }),
      rotate_token: () => createdView({ id: 'tok_ci_2', name: 'CI/CD Pipeline' }, 'rev_rot'),
      reveal_token: () => 'vst_live_new-value',
      close_reveal: () => null,
      finish_rotation: () => null,
    });
    await openLeaks(user);
    await scan(user);
    await user.click(await screen.findByTestId('leak-rotate'));
    await screen.findByTestId('reveal-dialog');
    await user.click(screen.getByTestId('reveal-confirm'));
    await user.click(screen.getByTestId('reveal-done'));
    await waitFor(() =>
      expect(backend.argsOf('finish_rotation')).toEqual([
        { oldId: 'tok_ci', newId: 'tok_ci_2', quietPeriodSeconds: 0 },
      ]),
    );
    // No "Have you deployed…?" choice: a leaked token does not wait.
    expect(screen.queryByTestId('rotate-finish-dialog')).toBeNull();
  });

  it('a token no longer listed says so instead of opening a dialog', async () => {
    const user = userEvent.setup();
    const backend = show({
      scan_folder: () => report({ files: 2, findings: [{ ...leaked, tokenId: 'tok_gone' }] }),
    });
    await openLeaks(user);
    await scan(user);
    await user.click(await screen.findByTestId('leak-revoke'));
    expect(await screen.findByText(/tok_gone is not among this profile’s tokens/)).toBeVisible();
    expect(screen.queryByTestId('revoke-dialog')).toBeNull();
    // It looked again before saying so.
    expect(backend.count('list_tokens')).toBeGreaterThanOrEqual(2);
    expect(sampleTokens.some((t) => t.id === 'tok_gone')).toBe(false);
  });

  it('Delete key… opens the Keys page’s own confirmation for the matched key', async () => {
    const user = userEvent.setup();
    const row: KeyStatus = {
      server: {
        id: 'key_1',
        name: 'Web player',
        public_key: '',
        created_by: null,
        created_time: null,
        updated_by: null,
        updated_time: null,
      },
      local: null,
      fingerprints: null,
      pairing: 'no_private_key_here',
    };
    show({
      scan_folder: () =>
        report({
          files: 1,
          findings: [
            finding({
              kind: 'private_key',
              path: 'deploy/key.pem',
              masked: '-----BEGIN PRIVATE KEY-----…',
              matches: "private half of JWT key 'Web player' (key_1) of profile Sandbox",
              profile: 'Sandbox',
              keyId: 'key_1',
            }),
          ],
        }),
      keys_overview: () => ({ rows: [row], sandbox: true, serverError: null }),
    });
    await openLeaks(user);
    await scan(user);
    await user.click(await screen.findByTestId('leak-delete-key'));
    const dialog = await screen.findByTestId('key-delete-dialog');
    expect(dialog).toHaveTextContent('Web player');
    expect(screen.getByTestId('nav-keys')).toHaveAttribute('aria-current', 'page');
  });

  it('a finding of another profile names the profile to switch to', async () => {
    const user = userEvent.setup();
    show({ scan_folder: () => report({ files: 1, findings: [{ ...leaked, profile: 'Prod' }] }) });
    await openLeaks(user);
    await scan(user);
    const row = await screen.findByTestId('leak-row');
    expect(within(row).getByTestId('leak-other-profile')).toHaveTextContent('Switch to profile Prod');
    expect(within(row).queryByTestId('leak-revoke')).toBeNull();
  });
});
