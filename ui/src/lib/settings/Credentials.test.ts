import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { appDefaults, appState, deferred, mockBackend, portalError, profile } from '../../test/backend';
import { toasts } from '../errors/toasts.svelte';

const account = profile({ name: 'Acme prod', environment: 'production', embeddedSandbox: false });

function showSettings(who = account) {
  const backend = mockBackend({ ...appDefaults, app_state: () => appState({ profiles: [who] }) });
  render(App);
  return backend;
}

async function openSettings(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('nav-settings'));
  return screen.findByTestId('settings-page');
}

const rowOf = (service: string) =>
  document.querySelector(`[data-testid="credential-row"][data-service="${service}"]`) as HTMLElement;

describe('Settings: replacing a credential', () => {
  it('checks the new token with the service, keeps it, says so and rechecks that service', async () => {
    toasts.clear();
    const user = userEvent.setup();
    const backend = showSettings();
    backend.on({ replace_credential: () => null });
    await openSettings(user);

    await user.click(within(rowOf('vault_stream')).getByTestId('credential-replace'));
    const input = within(rowOf('vault_stream')).getByTestId('credential-value');
    expect(input).toHaveFocus();
    expect(input).toHaveAttribute('type', 'password');
    const statusChecks = backend.count('service_status');
    await user.type(input, 'vst_live_new{Enter}');

    await waitFor(() => expect(within(rowOf('vault_stream')).queryByTestId('credential-form')).toBeNull());
    expect(backend.argsOf('replace_credential')).toEqual([
      { service: 'vault_stream', secret: 'vst_live_new' },
    ]);
    expect(toasts.items.map((t) => t.title)).toContain('VaultStream token replaced');
    await waitFor(() => expect(backend.count('service_status')).toBeGreaterThan(statusChecks));
    // The value is gone from the page once kept.
    expect(document.body.innerHTML).not.toContain('vst_live_new');
  });

  it('keeps the form, the typed value and the old credential when the service refuses the new one', async () => {
    const user = userEvent.setup();
    const backend = showSettings();
    const answer = deferred<null>();
    backend.on({ replace_credential: () => answer.promise });
    await openSettings(user);

    await user.click(within(rowOf('jwt_keys')).getByTestId('credential-replace'));
    const row = rowOf('jwt_keys');
    await user.type(within(row).getByTestId('credential-value'), 'wrong-key');
    await user.click(within(row).getByTestId('credential-save'));
    expect(within(row).getByTestId('credential-save')).toBeDisabled();
    expect(within(row).getByTestId('credential-save')).toHaveTextContent('Checking…');
    answer.reject(
      portalError({
        code: 'unauthorized',
        message: 'Checking the new JWT keys credential: the API key was refused.',
        service: 'jwt_keys',
      }),
    );
    const error = await within(row).findByTestId('credential-error');
    expect(error).toHaveTextContent('the API key was refused');
    expect(error).toHaveTextContent('The stored JWT keys API key is unchanged.');
    expect(error).not.toHaveTextContent('Check the credential in Settings');
    // The stored key still works: the sidebar does not mark the service refused.
    expect(screen.getByTestId('service-status-jwt_keys')).toHaveAttribute('data-state', 'connected');
    expect(within(row).getByTestId('credential-value')).toHaveValue('wrong-key');
    expect(backend.argsOf('replace_credential')).toEqual([{ service: 'jwt_keys', secret: 'wrong-key' }]);
  });

  it('asks for a value before sending anything, and Escape or Cancel closes the form', async () => {
    const user = userEvent.setup();
    const backend = showSettings();
    await openSettings(user);

    await user.click(within(rowOf('vault_stream')).getByTestId('credential-replace'));
    await user.type(within(rowOf('vault_stream')).getByTestId('credential-value'), '   ');
    await user.click(within(rowOf('vault_stream')).getByTestId('credential-save'));
    expect(within(rowOf('vault_stream')).getByTestId('credential-problem')).toHaveTextContent(
      'Paste the new credential.',
    );
    expect(backend.count('replace_credential')).toBe(0);

    await user.keyboard('{Escape}');
    expect(within(rowOf('vault_stream')).queryByTestId('credential-form')).toBeNull();
    await user.click(within(rowOf('jwt_keys')).getByTestId('credential-replace'));
    await user.click(within(rowOf('jwt_keys')).getByTestId('credential-cancel'));
    expect(within(rowOf('jwt_keys')).queryByTestId('credential-form')).toBeNull();
    expect(backend.count('replace_credential')).toBe(0);
  });

  it('offers nothing to replace for the local sandbox', async () => {
    const user = userEvent.setup();
    showSettings(profile());
    await openSettings(user);
    expect(screen.getByTestId('credentials-sandbox')).toBeVisible();
    expect(screen.queryByTestId('credential-replace')).toBeNull();
  });
});
