import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import {
  appState,
  connectedStatuses,
  mockBackend,
  portalError,
  profile,
  readySecrets,
  sampleTokens,
} from './test/backend';
import type { SecretsInfo } from './lib/types';

const sandbox = profile();
const production = profile({
  name: 'Acme live',
  environment: 'production',
  embeddedSandbox: false,
  urls: {
    vaultstream: 'https://api.cyfr.technology',
    jwtKeys: 'https://api.vidbeo.com/v2',
    vault: 'https://vault.test',
  },
});
const staging = profile({ name: 'Acme staging', environment: 'staging', embeddedSandbox: false });

describe('first run', () => {
  it('shows the welcome screen, and exploring the sandbox lands on its Tokens page', async () => {
    const user = userEvent.setup();
    let state = appState();
    const backend = mockBackend({
      app_state: () => state,
      explore_sandbox: () => {
        state = appState({ profiles: [sandbox], activeProfile: 'Sandbox' });
        return sandbox;
      },
      list_tokens: () => sampleTokens,
      service_status: () => connectedStatuses,
    });

    render(App);
    expect(await screen.findByTestId('welcome')).toBeVisible();
    expect(screen.queryByTestId('tokens-page')).toBeNull();

    await user.click(screen.getByTestId('explore-sandbox'));

    expect(await screen.findByTestId('tokens-page')).toBeVisible();
    expect(screen.queryByTestId('welcome')).toBeNull();
    expect(backend.count('explore_sandbox')).toBe(1);
    expect(await screen.findAllByTestId('token-row')).toHaveLength(3);
    expect(screen.getByTestId('profile-name')).toHaveTextContent('Sandbox');
    expect(screen.getByTestId('env-badge')).toHaveTextContent('SANDBOX');
    expect(screen.getByTestId('nav-tokens')).toHaveAttribute('aria-current', 'page');
  });

  it('shows why the sandbox could not start, and stays on the welcome screen', async () => {
    const user = userEvent.setup();
    mockBackend({
      app_state: () => appState(),
      explore_sandbox: () => {
        throw portalError({
          code: 'io',
          message: 'Could not bind 127.0.0.1',
          hint: 'Close other copies of the app.',
        });
      },
    });
    render(App);
    await user.click(await screen.findByTestId('explore-sandbox'));
    const error = await screen.findByTestId('explore-error');
    expect(error).toHaveTextContent('Could not bind 127.0.0.1');
    expect(error).toHaveTextContent('Close other copies of the app.');
    expect(screen.getByTestId('welcome')).toBeVisible();
  });
});

describe('connect your account', () => {
  async function openForm() {
    const user = userEvent.setup();
    render(App);
    await user.click(await screen.findByTestId('connect-account'));
    return user;
  }

  it('prefills the documented base URLs and sends camelCase input', async () => {
    let state = appState();
    const backend = mockBackend({
      app_state: () => state,
      connect_account: (args) => {
        const input = args.input as { name: string };
        const created = profile({ name: input.name, environment: 'staging', embeddedSandbox: false });
        state = appState({ profiles: [created], activeProfile: input.name });
        return created;
      },
      list_tokens: () => [],
      service_status: () => connectedStatuses,
    });
    const user = await openForm();

    expect(screen.getByTestId('connect-url-vaultstream')).toHaveValue('https://api.cyfr.technology');
    expect(screen.getByTestId('connect-url-jwt-keys')).toHaveValue('https://api.vidbeo.com/v2');
    expect(screen.getByTestId('connect-url-vault')).toHaveValue(
      'https://535ubezkse.execute-api.us-east-1.amazonaws.com',
    );

    await user.type(screen.getByTestId('connect-name'), 'Acme staging');
    await user.selectOptions(screen.getByTestId('connect-environment'), 'staging');
    await user.type(screen.getByTestId('connect-vaultstream-token'), 'vst_live_abc');
    await user.click(screen.getByTestId('connect-submit'));

    expect(await screen.findByTestId('tokens-page')).toBeVisible();
    expect(backend.argsOf('connect_account')).toEqual([
      {
        input: {
          name: 'Acme staging',
          environment: 'staging',
          urls: {
            vaultstream: 'https://api.cyfr.technology',
            jwtKeys: 'https://api.vidbeo.com/v2',
            vault: 'https://535ubezkse.execute-api.us-east-1.amazonaws.com',
          },
          vaultstreamToken: 'vst_live_abc',
          jwtKeysApiKey: null,
          vaultEmail: null,
          vaultPassword: null,
        },
      },
    ]);
  });

  it('shows a rejected connect_account inline and keeps every typed value', async () => {
    const backend = mockBackend({
      app_state: () => appState(),
      connect_account: () => {
        throw portalError({
          code: 'unauthorized',
          message: 'VaultStream refused the admin token (invalid_token).',
          service: 'vault_stream',
          status: 401,
          hint: 'Check that the token is an active API token with admin:write.',
        });
      },
    });
    const user = await openForm();

    await user.type(screen.getByTestId('connect-name'), 'Acme live');
    await user.selectOptions(screen.getByTestId('connect-environment'), 'production');
    await user.clear(screen.getByTestId('connect-url-vault'));
    await user.type(screen.getByTestId('connect-url-vault'), 'https://vault.example.test');
    await user.type(screen.getByTestId('connect-vaultstream-token'), 'vst_live_wrong');
    await user.type(screen.getByTestId('connect-jwt-keys-api-key'), 'jwt-key-1');
    await user.type(screen.getByTestId('connect-vault-email'), 'dev@example.test');
    await user.type(screen.getByTestId('connect-vault-password'), 'Password123!');
    await user.click(screen.getByTestId('connect-submit'));

    const error = await screen.findByTestId('connect-error');
    expect(error).toHaveTextContent('VaultStream refused the admin token (invalid_token).');
    expect(error).toHaveTextContent('Check that the token is an active API token with admin:write.');
    expect(backend.count('connect_account')).toBe(1);

    expect(screen.getByTestId('connect-name')).toHaveValue('Acme live');
    expect(screen.getByTestId('connect-environment')).toHaveValue('production');
    expect(screen.getByTestId('connect-url-vault')).toHaveValue('https://vault.example.test');
    expect(screen.getByTestId('connect-vaultstream-token')).toHaveValue('vst_live_wrong');
    expect(screen.getByTestId('connect-jwt-keys-api-key')).toHaveValue('jwt-key-1');
    expect(screen.getByTestId('connect-vault-email')).toHaveValue('dev@example.test');
    expect(screen.getByTestId('connect-vault-password')).toHaveValue('Password123!');
    expect(screen.getByTestId('connect-submit')).toBeEnabled();
    expect(screen.queryByTestId('tokens-page')).toBeNull();
  });

  it('does not call the backend while the form has problems', async () => {
    const backend = mockBackend({ app_state: () => appState() });
    const user = await openForm();
    await user.click(screen.getByTestId('connect-submit'));
    expect(screen.getByTestId('connect-name')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByTestId('connect-environment')).toHaveAttribute('aria-invalid', 'true');
    expect(backend.count('connect_account')).toBe(0);
  });

  it('is reachable later from the profile switcher', async () => {
    const user = userEvent.setup();
    mockBackend({
      app_state: () => appState({ profiles: [sandbox] }),
      list_tokens: () => [],
      service_status: () => connectedStatuses,
    });
    render(App);
    await user.click(await screen.findByTestId('profile-switcher'));
    await user.click(screen.getByTestId('profile-add'));
    const dialog = screen.getByTestId('add-profile-dialog');
    expect(within(dialog).getByTestId('connect-form')).toBeVisible();
    expect(within(dialog).getByTestId('connect-name')).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('add-profile-dialog')).toBeNull();
  });
});

describe('environment marking', () => {
  function showProfile(active: typeof sandbox) {
    mockBackend({
      app_state: () => appState({ profiles: [sandbox, active], activeProfile: active.name }),
      list_tokens: () => sampleTokens,
      service_status: () => connectedStatuses,
    });
    render(App);
  }

  it('puts a red PRODUCTION band across the top and a PRODUCTION label by the profile name', async () => {
    showProfile(production);
    const band = await screen.findByTestId('env-band');
    expect(band).toHaveAttribute('data-env', 'production');
    expect(band).toHaveTextContent('PRODUCTION');
    expect(band).toHaveTextContent('Acme live');
    expect(screen.getByTestId('profile-name')).toHaveTextContent('Acme live');
    expect(screen.getByTestId('env-badge')).toHaveTextContent('PRODUCTION');
    expect(screen.getByTestId('env-badge')).toHaveAttribute('data-env', 'production');
  });

  it('marks staging amber and never says PRODUCTION for a sandbox', async () => {
    showProfile(staging);
    expect(await screen.findByTestId('env-band')).toHaveAttribute('data-env', 'staging');
    expect(screen.getByTestId('env-badge')).toHaveTextContent('STAGING');
  });

  it('shows no production marking for the sandbox', async () => {
    showProfile(sandbox);
    expect(await screen.findByTestId('env-band')).toHaveAttribute('data-env', 'sandbox');
    expect(screen.getByTestId('env-band')).not.toHaveTextContent('PRODUCTION');
    expect(screen.getByTestId('env-badge')).toHaveTextContent('SANDBOX');
  });
});

describe('profiles and service status', () => {
  it('shows one status per service with the error on hover, and rechecks on refresh and profile switch', async () => {
    const user = userEvent.setup();
    let active = 'Sandbox';
    const backend = mockBackend({
      app_state: () => appState({ profiles: [sandbox, production], activeProfile: active }),
      switch_profile: (args) => {
        active = args.name as string;
        return null;
      },
      list_tokens: () => sampleTokens,
      service_status: () => [
        { service: 'vault_stream', state: 'connected', error: null },
        {
          service: 'jwt_keys',
          state: 'unauthorized',
          error: portalError({ code: 'unauthorized', message: 'The JWT keys API key was refused.' }),
        },
        { service: 'vault', state: 'not_configured', error: null },
      ],
    });
    render(App);

    const vs = await screen.findByTestId('service-status-vault_stream');
    expect(vs).toHaveAttribute('data-state', 'connected');
    const jwt = screen.getByTestId('service-status-jwt_keys');
    expect(jwt).toHaveAttribute('data-state', 'unauthorized');
    expect(jwt.getAttribute('title')).toContain('The JWT keys API key was refused.');
    expect(screen.getByTestId('service-status-vault')).toHaveAttribute('data-state', 'not_configured');
    expect(backend.count('service_status')).toBe(1);

    await user.click(screen.getByTestId('service-status-refresh'));
    await waitFor(() => expect(backend.count('service_status')).toBe(2));

    await user.click(screen.getByTestId('profile-switcher'));
    await user.click(screen.getByRole('menuitemradio', { name: /Acme live/ }));
    expect(backend.argsOf('switch_profile')).toEqual([{ name: 'Acme live' }]);
    await waitFor(() => expect(screen.getByTestId('profile-name')).toHaveTextContent('Acme live'));
    await waitFor(() => expect(backend.count('service_status')).toBe(3));
    // The tokens of the new profile are fetched too.
    await waitFor(() => expect(backend.count('list_tokens')).toBe(2));
    expect(screen.getByTestId('env-band')).toHaveAttribute('data-env', 'production');
  });

  it('toasts a failed profile switch through showError', async () => {
    const user = userEvent.setup();
    mockBackend({
      app_state: () => appState({ profiles: [sandbox, production], activeProfile: 'Sandbox' }),
      switch_profile: () => {
        throw portalError({
          code: 'config',
          message: 'The settings file is read-only.',
          hint: 'Check its permissions.',
        });
      },
      list_tokens: () => [],
      service_status: () => connectedStatuses,
    });
    render(App);
    await user.click(await screen.findByTestId('profile-switcher'));
    await user.click(screen.getByRole('menuitemradio', { name: /Acme live/ }));
    const toast = await screen.findByTestId('toast');
    expect(toast).toHaveTextContent('The settings file is read-only.');
    expect(toast).toHaveTextContent('Check its permissions.');
    expect(toast).toHaveAttribute('role', 'alert');
    expect(screen.getByTestId('profile-name')).toHaveTextContent('Sandbox');
  });

  it('removes a profile only after confirmation', async () => {
    const user = userEvent.setup();
    let profiles = [sandbox, production];
    const backend = mockBackend({
      app_state: () => appState({ profiles, activeProfile: profiles[0]?.name ?? null }),
      remove_profile: (args) => {
        profiles = profiles.filter((p) => p.name !== args.name);
        return {
          profile: args.name as string,
          store: 'Secret Service',
          credentials: 2,
          sessionTokens: 0,
          savedTokens: 3,
          privateKeys: 1,
          summary: `Removed profile '${args.name as string}' and, from the Secret Service: 2 credentials, 3 saved tokens, 1 private key.`,
        };
      },
      list_tokens: () => [],
      service_status: () => connectedStatuses,
    });
    render(App);
    await user.click(await screen.findByTestId('nav-settings'));
    await user.click(await screen.findByTestId('remove-profile'));
    expect(screen.getByTestId('remove-profile-dialog')).toBeVisible();
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('remove-profile-dialog')).toBeNull();
    expect(backend.count('remove_profile')).toBe(0);

    await user.click(screen.getByTestId('remove-profile'));
    await user.click(screen.getByTestId('remove-profile-dialog-confirm'));
    await waitFor(() => expect(backend.argsOf('remove_profile')).toEqual([{ name: 'Sandbox' }]));
    await waitFor(() => expect(screen.getByTestId('profile-name')).toHaveTextContent('Acme live'));
    // The user is told exactly what went.
    expect(await screen.findByTestId('toast')).toHaveTextContent(
      '2 credentials, 3 saved tokens, 1 private key',
    );
  });
});

describe('secrets', () => {
  const broken: SecretsInfo = {
    ...readySecrets,
    ready: false,
    problem: portalError({ code: 'keychain_unavailable', message: 'No Secret Service provider is running.' }),
  };

  it('names the keychain problem in a banner that leads to the encrypted-file opt-in', async () => {
    const user = userEvent.setup();
    let secrets = broken;
    const backend = mockBackend({
      app_state: () => appState({ profiles: [sandbox], secrets }),
      use_encrypted_file: () => {
        secrets = {
          backend: 'encrypted_file',
          description: 'an encrypted file',
          ready: true,
          problem: null,
          encryptedFileExists: true,
        };
        return secrets;
      },
      list_tokens: () => [],
      service_status: () => connectedStatuses,
    });
    render(App);

    const banner = await screen.findByTestId('secrets-banner');
    expect(banner).toHaveTextContent('No Secret Service provider is running.');
    expect(banner).toHaveTextContent('the Secret Service keyring');
    await user.click(within(banner).getByTestId('secrets-banner-fix'));
    await waitFor(() => expect(screen.getByTestId('page-title')).toHaveTextContent('Settings'));

    const form = screen.getByTestId('secrets-form');
    expect(form).toHaveAttribute('data-mode', 'create');
    await user.type(screen.getByTestId('secrets-passphrase'), 'short');
    await user.type(screen.getByTestId('secrets-passphrase-confirm'), 'short');
    await user.click(screen.getByTestId('secrets-submit'));
    expect(screen.getByTestId('secrets-problem')).toHaveTextContent('at least 8');
    expect(backend.count('use_encrypted_file')).toBe(0);

    await user.clear(screen.getByTestId('secrets-passphrase'));
    await user.clear(screen.getByTestId('secrets-passphrase-confirm'));
    await user.type(screen.getByTestId('secrets-passphrase'), 'correct horse');
    await user.type(screen.getByTestId('secrets-passphrase-confirm'), 'correct horse');
    await user.click(screen.getByTestId('secrets-submit'));
    await waitFor(() =>
      expect(backend.argsOf('use_encrypted_file')).toEqual([{ passphrase: 'correct horse' }]),
    );
    await waitFor(() => expect(screen.queryByTestId('secrets-banner')).toBeNull());
    expect(screen.getByTestId('settings-secrets-description')).toHaveTextContent('an encrypted file');
  });

  it('unlocks the encrypted file when it is the backend in use', async () => {
    const user = userEvent.setup();
    const backend = mockBackend({
      app_state: () =>
        appState({
          profiles: [sandbox],
          secrets: {
            backend: 'encrypted_file',
            description: 'an encrypted file',
            ready: false,
            problem: portalError({ code: 'secrets_locked', message: 'The secrets file is locked.' }),
            encryptedFileExists: true,
          },
        }),
      unlock_secrets: () => {
        throw portalError({ code: 'validation', message: 'Wrong passphrase.' });
      },
      list_tokens: () => [],
      service_status: () => connectedStatuses,
    });
    render(App);
    await user.click(await screen.findByTestId('secrets-banner-fix'));
    expect(await screen.findByTestId('secrets-form')).toHaveAttribute('data-mode', 'unlock');
    expect(screen.queryByTestId('secrets-passphrase-confirm')).toBeNull();
    await user.type(screen.getByTestId('secrets-passphrase'), 'not it');
    await user.click(screen.getByTestId('secrets-submit'));
    expect(await screen.findByTestId('secrets-error')).toHaveTextContent('Wrong passphrase.');
    expect(backend.argsOf('unlock_secrets')).toEqual([{ passphrase: 'not it' }]);
  });
});

describe('keyboard', () => {
  it('switches pages with Ctrl+1..7', async () => {
    const user = userEvent.setup();
    mockBackend({
      app_state: () => appState({ profiles: [sandbox] }),
      list_tokens: () => [],
      service_status: () => connectedStatuses,
      health_report: () => ({ profile: sandbox.name, findings: [], notes: [] }),
    });
    render(App);
    await screen.findByTestId('tokens-page');
    // Each page's code loads the first time it is opened.
    const title = (text: string) =>
      waitFor(() => expect(screen.getByTestId('page-title')).toHaveTextContent(text));
    await user.keyboard('{Control>}2{/Control}');
    await title('JWT keys');
    await user.keyboard('{Control>}3{/Control}');
    await title('Assets');
    await user.keyboard('{Control>}4{/Control}');
    await title('Activity');
    await user.keyboard('{Meta>}5{/Meta}');
    await title('Leak check');
    await user.keyboard('{Control>}6{/Control}');
    await title('Health');
    await user.keyboard('{Control>}7{/Control}');
    await title('Settings');
    // Loaded once: switching back is immediate.
    await user.keyboard('{Control>}2{/Control}');
    expect(screen.getByTestId('page-title')).toHaveTextContent('JWT keys');
    await user.keyboard('{Control>}1{/Control}');
    expect(screen.getByTestId('tokens-page')).toBeVisible();
    expect(screen.getByTestId('nav-tokens')).toHaveAttribute('aria-current', 'page');
  });

  it('keeps the theme choice in localStorage', async () => {
    const user = userEvent.setup();
    mockBackend({
      app_state: () => appState({ profiles: [sandbox] }),
      list_tokens: () => [],
      service_status: () => connectedStatuses,
    });
    render(App);
    await user.click(await screen.findByTestId('nav-settings'));
    expect(await screen.findByTestId('theme-system')).toBeChecked();
    await user.click(screen.getByTestId('theme-dark'));
    expect(document.documentElement).toHaveAttribute('data-theme', 'dark');
    expect(localStorage.getItem('partner-portal.theme')).toBe('dark');
    await user.click(screen.getByTestId('theme-system'));
    expect(document.documentElement).not.toHaveAttribute('data-theme');
  });
});

describe('encrypted-file opt-in with a working keychain', () => {
  it('is offered behind a button and calls use_encrypted_file', async () => {
    const user = userEvent.setup();
    const backend = mockBackend({
      app_state: () => appState({ profiles: [sandbox] }),
      use_encrypted_file: () => ({ ...readySecrets, backend: 'encrypted_file', encryptedFileExists: true }),
      list_tokens: () => [],
      service_status: () => connectedStatuses,
    });
    render(App);
    await user.click(await screen.findByTestId('nav-settings'));
    expect(screen.queryByTestId('secrets-banner')).toBeNull();
    expect(screen.queryByTestId('secrets-form')).toBeNull();
    await user.click(screen.getByTestId('secrets-opt-in'));
    await user.type(screen.getByTestId('secrets-passphrase'), 'a long passphrase');
    await user.type(screen.getByTestId('secrets-passphrase-confirm'), 'a long passphrase!');
    await user.click(screen.getByTestId('secrets-submit'));
    expect(screen.getByTestId('secrets-problem')).toHaveTextContent('differ');
    await user.type(screen.getByTestId('secrets-passphrase'), '!');
    await user.click(screen.getByTestId('secrets-submit'));
    await waitFor(() =>
      expect(backend.argsOf('use_encrypted_file')).toEqual([{ passphrase: 'a long passphrase!' }]),
    );
  });
});
