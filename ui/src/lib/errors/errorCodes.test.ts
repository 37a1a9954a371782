// What the user sees for each error code, generated from one table: a real
// page whose load fails with that code (Tokens, JWT keys, Assets), and a
// write that fails with it (revoke). The expectations are written out here,
// not read from classify.ts, so a change to the UI's handling shows up.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { appDefaults, mockBackend, portalError, type Handler } from '../../test/backend';
import type { ErrorCode, Service } from '../types';

interface Expected {
  /** A Retry button (a new attempt may work). */
  retry: boolean;
  /** An Open Settings button (the fix is there). */
  settings: boolean;
  /** Shown as the service being unavailable, by name. */
  offline: boolean;
  /** The next step shown when the backend sent no hint. */
  next: RegExp | null;
  /** Toast severity for a failed write; null: no toast at all. */
  toast: 'info' | 'warning' | 'critical' | null;
}

const CASES: Record<ErrorCode, Expected> = {
  unauthorized: {
    retry: false,
    settings: true,
    offline: false,
    next: /Check the credential in Settings/,
    toast: 'critical',
  },
  forbidden: { retry: false, settings: true, offline: false, next: /scope or role/, toast: 'critical' },
  not_found: {
    retry: true,
    settings: false,
    offline: false,
    next: /Refresh, then try again/,
    toast: 'warning',
  },
  validation: { retry: false, settings: false, offline: false, next: /Correct the values/, toast: 'warning' },
  conflict: {
    retry: true,
    settings: false,
    offline: false,
    next: /Refresh to see the current state/,
    toast: 'warning',
  },
  rate_limited: { retry: true, settings: false, offline: false, next: /Wait a moment/, toast: 'warning' },
  unavailable: {
    retry: true,
    settings: false,
    offline: true,
    next: /Check the connection/,
    toast: 'warning',
  },
  // A refused TLS certificate: the fix is the CA (Settings), never "check the connection".
  certificate: {
    retry: false,
    settings: true,
    offline: false,
    next: /CA certificate in the system's store, or set the profile's CA file/,
    toast: 'critical',
  },
  outcome_unknown: {
    retry: true,
    settings: false,
    offline: true,
    next: /Refresh the list to see whether it happened before trying again/,
    toast: 'critical',
  },
  bad_response: { retry: true, settings: false, offline: true, next: /base URL/, toast: 'critical' },
  foreign_origin: {
    retry: false,
    settings: true,
    offline: false,
    next: /Check the base URL: use the address the service answers on directly/,
    toast: 'critical',
  },
  no_credentials: { retry: false, settings: true, offline: false, next: /Add the credential/, toast: 'info' },
  keychain_unavailable: {
    retry: true,
    settings: true,
    offline: false,
    next: /encrypted secrets file/,
    toast: 'critical',
  },
  secrets_locked: { retry: false, settings: true, offline: false, next: /passphrase/, toast: 'critical' },
  config: { retry: false, settings: true, offline: false, next: /URLs in Settings/, toast: 'critical' },
  policy: { retry: false, settings: true, offline: false, next: /team's policy/, toast: 'warning' },
  cancelled: { retry: true, settings: false, offline: false, next: null, toast: null },
  io: { retry: true, settings: false, offline: false, next: /file exists/, toast: 'critical' },
  internal: { retry: true, settings: false, offline: false, next: /restart the app/, toast: 'critical' },
};

const CODES = Object.keys(CASES) as ErrorCode[];

interface PageCase {
  page: 'tokens' | 'keys' | 'assets';
  command: string;
  service: Service;
  serviceName: string;
  /** The error state's test id, and what it says it was loading. */
  testid: string;
  what: string;
  /** Shown once the load works. */
  loaded: string;
}

const PAGES: PageCase[] = [
  {
    page: 'tokens',
    command: 'list_tokens',
    service: 'vault_stream',
    serviceName: 'VaultStream',
    testid: 'tokens-error',
    what: 'tokens',
    loaded: 'tokens-table',
  },
  {
    page: 'keys',
    command: 'keys_overview',
    service: 'jwt_keys',
    serviceName: 'JWT keys',
    testid: 'keys-error',
    what: 'JWT keys',
    loaded: 'keys-empty',
  },
  {
    page: 'assets',
    command: 'list_assets',
    service: 'vault',
    serviceName: 'Vault',
    testid: 'assets-list-error',
    what: 'assets',
    loaded: 'assets-empty',
  },
];

function show(handlers: Record<string, Handler>) {
  const backend = mockBackend({ ...appDefaults, ...handlers });
  render(App);
  return backend;
}

/** The page's load fails with what `problem` gives, or works as usual when it gives null. */
function showFailing(pc: PageCase, problem: () => unknown) {
  return show({
    [pc.command]: (args) => {
      const error = problem();
      if (error) throw error;
      return appDefaults[pc.command](args);
    },
  });
}

function failure(code: ErrorCode, service: Service | null) {
  return portalError({
    code,
    message: `The call failed (${code}).`,
    service,
    request_id: `req_${code}`,
    status: null,
    hint: null,
  });
}

// The lazily loaded pages: compiled once here, not within the first case's wait.
beforeAll(async () => {
  await Promise.all([import('../keys/KeysPage.svelte'), import('../assets/AssetsPage.svelte')]);
}, 30_000);

describe.each(PAGES)('$page page: a load that fails, for each error code', (pc) => {
  it.each(CODES)('%s', async (code) => {
    const expected = CASES[code];
    const user = userEvent.setup();
    let fail = true;
    const backend = showFailing(pc, () => (fail ? failure(code, pc.service) : null));
    if (pc.page !== 'tokens') await user.click(await screen.findByTestId(`nav-${pc.page}`));

    // The Assets page treats a refused or missing vault login as "log in".
    if (pc.page === 'assets' && (code === 'unauthorized' || code === 'no_credentials')) {
      expect(await screen.findByTestId('vault-login-form')).toBeVisible();
      expect(screen.queryByTestId(pc.testid)).toBeNull();
      return;
    }

    const state = await screen.findByTestId(pc.testid);
    expect(state).toHaveAttribute('data-code', code);
    const title = within(state).getByTestId(`${pc.testid}-title`);

    if (code === 'cancelled') {
      // Nothing alarming: a status, no alert, no error words, no toast.
      expect(state).toHaveAttribute('role', 'status');
      expect(title).toHaveTextContent(`Loading ${pc.what} was cancelled`);
      expect(state).not.toHaveTextContent(/failed|error|could not/i);
      expect(screen.queryByTestId('toast')).toBeNull();
    } else {
      expect(state).toHaveAttribute('role', 'alert');
      expect(within(state).getByTestId(`${pc.testid}-message`)).toHaveTextContent(
        `The call failed (${code}).`,
      );
      expect(within(state).getByTestId(`${pc.testid}-hint`)).toHaveTextContent(expected.next!);
      expect(within(state).getByTestId(`${pc.testid}-request-id`)).toHaveTextContent(`req_${code}`);
      if (expected.offline) {
        expect(title).toHaveTextContent(`The ${pc.serviceName} service is unavailable`);
        expect(state).toHaveAttribute('data-offline', pc.service);
      } else {
        expect(title).toHaveTextContent(`Could not load ${pc.what}`);
        expect(state).not.toHaveAttribute('data-offline');
      }
      // Shown in place, not reported twice.
      expect(screen.queryByTestId('toast')).toBeNull();
    }

    const retry = within(state).queryByTestId(`${pc.testid}-retry`);
    const settings = within(state).queryByTestId(`${pc.testid}-settings`);
    expect(retry !== null).toBe(expected.retry);
    expect(settings !== null).toBe(expected.settings);

    if (retry) {
      const calls = backend.count(pc.command);
      fail = false;
      retry.focus();
      await user.keyboard('{Enter}');
      await waitFor(() => expect(backend.count(pc.command)).toBe(calls + 1));
      expect(await screen.findByTestId(pc.loaded)).toBeVisible();
      expect(screen.queryByTestId(pc.testid)).toBeNull();
    } else if (settings) {
      await user.click(settings);
      expect(await screen.findByTestId('settings-page')).toBeVisible();
    } else {
      // validation: the hint is the way out; no button that cannot help.
      expect(within(state).queryAllByRole('button')).toHaveLength(0);
    }
  });
});

describe('a write that fails (revoke), for each error code', () => {
  it.each(CODES)('%s', async (code) => {
    const expected = CASES[code];
    const user = userEvent.setup();
    const backend = show({
      revoke_token: () => {
        throw failure(code, 'vault_stream');
      },
    });
    const table = await screen.findByTestId('tokens-table');
    const ci = table.querySelector('[data-token-id="tok_ci"]') as HTMLElement;
    await user.click(within(ci).getByTestId('token-revoke'));
    await user.click(screen.getByTestId('revoke-confirm'));
    await waitFor(() => expect(backend.count('revoke_token')).toBe(1));
    // The row comes back: nothing was revoked.
    await waitFor(() => expect(table.querySelector('[data-token-id="tok_ci"]')).not.toBeNull());

    if (expected.toast === null) {
      expect(screen.queryByTestId('toast')).toBeNull();
      return;
    }
    const toast = await screen.findByTestId('toast');
    expect(toast).toHaveAttribute('data-severity', expected.toast);
    expect(toast).toHaveAttribute('role', expected.toast === 'critical' ? 'alert' : 'status');
    expect(toast).toHaveTextContent('Could not revoke “CI/CD Pipeline”');
    expect(within(toast).getByTestId('toast-message')).toHaveTextContent(`The call failed (${code}).`);
    expect(within(toast).getByTestId('toast-hint')).toHaveTextContent(expected.next!);
    expect(toast).toHaveTextContent(`req_${code}`);

    const settings = within(toast).queryByTestId('toast-settings');
    expect(settings !== null).toBe(expected.settings);
    if (settings) {
      await user.click(settings);
      expect(await screen.findByTestId('settings-page')).toBeVisible();
      expect(screen.queryByTestId('toast')).toBeNull();
    }
  });
});
