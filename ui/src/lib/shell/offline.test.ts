// A service that cannot be reached: its page says so by name with Retry, the
// sidebar shows it offline with Retry, the other pages keep working, and a
// retry that works brings everything back. Calls that never answer end.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../App.svelte';
import { call, TIMEOUTS, timeoutFor } from '../backend';
import {
  appDefaults,
  asset as sampleAsset,
  connectedStatuses,
  mockBackend,
  portalError,
  sampleTokens,
  type Handler,
} from '../../test/backend';
import type { Service } from '../types';

function show(handlers: Record<string, Handler> = {}) {
  const backend = mockBackend({ ...appDefaults, ...handlers });
  render(App);
  return backend;
}

interface ServiceCase {
  service: Service;
  name: string;
  page: 'tokens' | 'keys' | 'assets';
  command: string;
  error: string;
  loaded: string;
  /** Another page, of another service, that keeps working meanwhile. */
  other: { page: 'tokens' | 'keys' | 'assets'; loaded: string };
}

const SERVICES: ServiceCase[] = [
  {
    service: 'vault_stream',
    name: 'VaultStream',
    page: 'tokens',
    command: 'list_tokens',
    error: 'tokens-error',
    loaded: 'tokens-table',
    other: { page: 'keys', loaded: 'keys-empty' },
  },
  {
    service: 'jwt_keys',
    name: 'JWT keys',
    page: 'keys',
    command: 'keys_overview',
    error: 'keys-error',
    loaded: 'keys-empty',
    other: { page: 'tokens', loaded: 'tokens-table' },
  },
  {
    service: 'vault',
    name: 'Vault',
    page: 'assets',
    command: 'list_assets',
    error: 'assets-list-error',
    loaded: 'assets-empty',
    other: { page: 'keys', loaded: 'keys-empty' },
  },
];

function unreachable(sc: ServiceCase) {
  return portalError({
    code: 'unavailable',
    message: `${sc.name} could not be reached (connection refused).`,
    service: sc.service,
    request_id: 'req_down',
    hint: 'Check the connection and the service URL, then retry.',
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe.each(SERVICES)('$name offline', (sc) => {
  it('shows the offline panel and the sidebar state, keeps other pages working, and recovers on Retry', async () => {
    const user = userEvent.setup();
    let down = true;
    const backend = show({
      [sc.command]: (args) => {
        if (down) throw unreachable(sc);
        return appDefaults[sc.command](args);
      },
    });
    if (sc.page !== 'tokens') await user.click(await screen.findByTestId(`nav-${sc.page}`));

    const panel = await screen.findByTestId(sc.error);
    expect(panel).toHaveAttribute('data-offline', sc.service);
    expect(within(panel).getByRole('heading')).toHaveTextContent(`The ${sc.name} service is unavailable`);
    expect(panel).toHaveTextContent(`${sc.name} could not be reached (connection refused).`);
    expect(panel).toHaveTextContent('req_down');

    // The sidebar learned it from the page's own call.
    const status = await screen.findByTestId(`service-status-${sc.service}`);
    await waitFor(() => expect(status).toHaveAttribute('data-state', 'offline'));
    expect(status).toHaveTextContent('Offline');
    expect(within(status).getByRole('button', { name: `Retry ${sc.name}` })).toBeVisible();
    for (const other of SERVICES.filter((s) => s.service !== sc.service)) {
      expect(screen.getByTestId(`service-status-${other.service}`)).toHaveAttribute(
        'data-state',
        'connected',
      );
    }

    // Another service's page works meanwhile.
    const beforeLeaving = backend.count(sc.command);
    await user.click(screen.getByTestId(`nav-${sc.other.page}`));
    expect(await screen.findByTestId(sc.other.loaded)).toBeVisible();
    await user.click(screen.getByTestId(`nav-${sc.page}`));

    // Back on the page (the failed load is tried again on the way), then Retry by keyboard.
    const again = await screen.findByTestId(sc.error);
    await waitFor(() => expect(backend.count(sc.command)).toBe(beforeLeaving + 1));
    const before = backend.count(sc.command);
    const folders = backend.count('list_folders');
    down = false;
    within(again).getByRole('button', { name: 'Retry' }).focus();
    await user.keyboard('{Enter}');
    expect(await screen.findByTestId(sc.loaded)).toBeVisible();
    expect(backend.count(sc.command)).toBe(before + 1);
    // The vault's folders and quota come back with the list.
    if (sc.service === 'vault') expect(backend.count('list_folders')).toBe(folders + 1);
    expect(screen.queryByTestId(sc.error)).toBeNull();
    await waitFor(() => expect(status).toHaveAttribute('data-state', 'connected'));
    expect(within(status).queryByRole('button')).toBeNull();
    expect(screen.queryByTestId('toast')).toBeNull();
  });

  it('Retry in the sidebar checks the services again and reloads the page', async () => {
    const user = userEvent.setup();
    let down = true;
    const backend = show({
      service_status: () =>
        connectedStatuses.map((s) =>
          s.service === sc.service && down ? { ...s, state: 'offline', error: unreachable(sc) } : s,
        ),
      [sc.command]: (args) => {
        if (down) throw unreachable(sc);
        return appDefaults[sc.command](args);
      },
    });
    if (sc.page !== 'tokens') await user.click(await screen.findByTestId(`nav-${sc.page}`));
    await screen.findByTestId(sc.error);
    const retry = await screen.findByTestId(`service-retry-${sc.service}`);
    expect(retry).toHaveAccessibleName(`Retry ${sc.name}`);
    const checks = backend.count('service_status');
    const loads = backend.count(sc.command);

    down = false;
    await user.click(retry);
    await waitFor(() => expect(backend.count('service_status')).toBe(checks + 1));
    expect(await screen.findByTestId(sc.loaded)).toBeVisible();
    expect(backend.count(sc.command)).toBeGreaterThan(loads);
    await waitFor(() =>
      expect(screen.getByTestId(`service-status-${sc.service}`)).toHaveAttribute('data-state', 'connected'),
    );
    expect(screen.queryByTestId(`service-retry-${sc.service}`)).toBeNull();
  });
});

describe('no spinner runs forever', () => {
  it('a list that never answers ends in the offline panel with Retry', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    let hang = true;
    const backend = show({ list_tokens: () => (hang ? new Promise(() => {}) : sampleTokens) });
    expect(await screen.findByTestId('tokens-loading')).toBeVisible();

    await vi.advanceTimersByTimeAsync(TIMEOUTS.network - 1000);
    expect(screen.getByTestId('tokens-loading')).toBeVisible();
    await vi.advanceTimersByTimeAsync(1000);

    const panel = await screen.findByTestId('tokens-error');
    expect(screen.queryByTestId('tokens-loading')).toBeNull();
    expect(panel).toHaveAttribute('data-code', 'unavailable');
    expect(panel).toHaveTextContent(`VaultStream did not answer within ${TIMEOUTS.network / 1000} s.`);
    expect(screen.getByTestId('tokens-page')).toHaveAttribute('aria-busy', 'false');

    hang = false;
    await user.click(screen.getByTestId('tokens-error-retry'));
    expect(await screen.findByTestId('tokens-table')).toBeVisible();
    expect(backend.count('list_tokens')).toBe(2);
  });

  it('a write that never answers ends in "outcome unknown": refresh before trying again', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    show({ revoke_token: () => new Promise(() => {}) });
    const table = await screen.findByTestId('tokens-table');
    await user.click(
      within(table.querySelector('[data-token-id="tok_ci"]') as HTMLElement).getByTestId('token-revoke'),
    );
    await user.click(screen.getByTestId('revoke-confirm'));
    expect(table.querySelector('[data-token-id="tok_ci"]')).toBeNull();

    await vi.advanceTimersByTimeAsync(TIMEOUTS.network);
    const toast = await screen.findByTestId('toast');
    expect(toast).toHaveAttribute('data-severity', 'critical');
    expect(toast).toHaveTextContent('may or may not have been made');
    expect(within(toast).getByTestId('toast-hint')).toHaveTextContent(
      'Refresh the list to see whether it happened before trying again.',
    );
    expect(table.querySelector('[data-token-id="tok_ci"]')).not.toBeNull();
  });

  it('a local command gets the short timeout; key generation and the file dialog wait as long as they take', async () => {
    expect(timeoutFor('app_state')).toBe(TIMEOUTS.local);
    expect(timeoutFor('list_tokens')).toBe(TIMEOUTS.network);
    expect(timeoutFor('generate_key')).toBeNull();
    expect(timeoutFor('pick_and_upload')).toBeNull();

    vi.useFakeTimers();
    mockIPC(() => new Promise(() => {}));
    let settled = false;
    void call('generate_key', { name: 'k', bits: 4096 }).finally(() => (settled = true));
    void call('pick_and_upload', { folderId: null }).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(TIMEOUTS.network * 4);
    expect(settled).toBe(false);
  });

  it('the sidebar check that never answers ends with a message and its refresh button', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    show({ service_status: () => new Promise(() => {}) });
    expect(await screen.findByTestId('service-status-checking')).toBeVisible();
    await vi.advanceTimersByTimeAsync(TIMEOUTS.network);
    expect(await screen.findByTestId('service-status-error')).toHaveTextContent('did not answer');
    expect(screen.getByTestId('service-status-refresh')).toBeEnabled();
  });
});

describe('details that fail to load', () => {
  it('the asset panel shows the shared error state, and Retry loads the details', async () => {
    const user = userEvent.setup();
    const asset = sampleAsset('a_1', { name: 'Keynote.mp4' });
    let down = true;
    const backend = show({
      list_assets: () => ({ items: [asset], page: { total: 1, page: 1, limit: 50, has_more: false } }),
      asset_details: () => {
        if (down) throw unreachable(SERVICES[2]);
        return { asset, legalHold: null, transforms: [] };
      },
    });
    await user.click(await screen.findByTestId('nav-assets'));
    const row = await screen.findByTestId('asset-row');
    await user.click(within(row).getByTestId('asset-open'));

    const state = await screen.findByTestId('asset-details-error');
    expect(state).toHaveAttribute('data-offline', 'vault');
    expect(state).toHaveTextContent('Vault could not be reached (connection refused).');
    down = false;
    await user.click(within(state).getByTestId('asset-details-error-retry'));
    await waitFor(() => expect(screen.queryByTestId('asset-details-error')).toBeNull());
    expect(backend.count('asset_details')).toBe(2);
  });
});

describe('the sidebar follows what pages learn', () => {
  it('a refused credential marks the service Unauthorized; one refused action (403) does not', async () => {
    const user = userEvent.setup();
    let code: 'forbidden' | 'unauthorized' = 'forbidden';
    show({
      revoke_token: () => {
        throw portalError({ code, message: `Refused (${code}).`, service: 'vault_stream' });
      },
    });
    const table = await screen.findByTestId('tokens-table');
    const status = await screen.findByTestId('service-status-vault_stream');
    await waitFor(() => expect(status).toHaveAttribute('data-state', 'connected'));
    const revoke = async () => {
      const ci = table.querySelector('[data-token-id="tok_ci"]') as HTMLElement;
      await user.click(within(ci).getByTestId('token-revoke'));
      await user.click(screen.getByTestId('revoke-confirm'));
      await screen.findByText(`Refused (${code}).`);
    };

    await revoke();
    expect(status).toHaveAttribute('data-state', 'connected');

    code = 'unauthorized';
    await revoke();
    expect(status).toHaveAttribute('data-state', 'unauthorized');
  });
});
