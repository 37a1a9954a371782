import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { appDefaults, appState, mockBackend, portalError, profile } from '../../test/backend';
import type { NetworkInfo, Profile } from '../types';

const account = profile({ name: 'Acme prod', environment: 'production', embeddedSandbox: false });

function viaEnv(proxy: string, variable: string): NetworkInfo {
  return {
    caFile: null,
    sslCertFile: '/etc/ssl/company.pem',
    sslCertDir: null,
    routes: (['vault_stream', 'jwt_keys', 'vault'] as const).map((service) => ({
      service,
      proxy,
      source: { kind: 'environment', variable },
    })),
  };
}

function showSettings(who: Profile, network: NetworkInfo) {
  let current = who;
  const backend = mockBackend({
    ...appDefaults,
    app_state: () => appState({ profiles: [current] }),
    profile_network: () => network,
  });
  render(App);
  return {
    backend,
    setProfile: (p: Profile) => {
      current = p;
    },
  };
}

async function openSettings(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('nav-settings'));
  return screen.findByTestId('settings-page');
}

describe('Settings: network', () => {
  it('shows which proxy the profile uses and where it comes from, and the extra CA', async () => {
    const user = userEvent.setup();
    showSettings(account, viaEnv('http://***@proxy.corp:3128', 'HTTPS_PROXY'));
    await openSettings(user);
    const proxy = await screen.findByTestId('network-proxy');
    expect(proxy).toHaveTextContent('http://***@proxy.corp:3128 (HTTPS_PROXY)');
    expect(screen.getAllByTestId('network-proxy')).toHaveLength(1);
    expect(screen.getByTestId('network-ca-file')).toHaveTextContent("the system's certificates only");
    expect(screen.getByTestId('network-ssl-cert-file')).toHaveTextContent('/etc/ssl/company.pem');
  });

  it('sets the CA file and proxy, blank meaning none, and shows the profile values after', async () => {
    const user = userEvent.setup();
    const { backend, setProfile } = showSettings(account, viaEnv('http://proxy.corp:3128', 'HTTPS_PROXY'));
    const saved = { ...account, caFile: '/etc/ssl/company-ca.pem' };
    backend.on({
      set_profile_network: () => {
        setProfile(saved);
        return saved;
      },
    });
    await openSettings(user);
    await user.click(await screen.findByTestId('network-edit'));
    const form = screen.getByTestId('network-form');
    await user.type(within(form).getByTestId('network-ca-input'), '  /etc/ssl/company-ca.pem ');
    await user.click(within(form).getByTestId('network-save'));

    await waitFor(() => expect(screen.queryByTestId('network-form')).toBeNull());
    expect(backend.argsOf('set_profile_network')).toEqual([
      { name: 'Acme prod', caFile: '/etc/ssl/company-ca.pem', proxy: null },
    ]);
    expect(await screen.findByTestId('network-ca-file')).toHaveTextContent('/etc/ssl/company-ca.pem');
  });

  it('keeps the form and says what is wrong when Rust refuses the file', async () => {
    const user = userEvent.setup();
    const { backend } = showSettings(account, viaEnv('http://proxy.corp:3128', 'HTTPS_PROXY'));
    backend.on({
      set_profile_network: () => {
        throw portalError({
          code: 'config',
          message: 'The CA certificate file /tmp/x.pem cannot be read: No such file or directory.',
          hint: 'Give the path of the company CA certificate in PEM form.',
        });
      },
    });
    await openSettings(user);
    await user.click(await screen.findByTestId('network-edit'));
    await user.type(screen.getByTestId('network-ca-input'), '/tmp/x.pem');
    await user.click(screen.getByTestId('network-save'));
    const error = await screen.findByTestId('network-error');
    expect(error).toHaveTextContent('/tmp/x.pem cannot be read');
    expect(error).toHaveTextContent('company CA certificate in PEM form');
    expect(screen.getByTestId('network-ca-input')).toHaveValue('/tmp/x.pem');
  });

  it('fills the path from the native file picker', async () => {
    const user = userEvent.setup();
    const { backend } = showSettings(account, viaEnv('http://proxy.corp:3128', 'HTTPS_PROXY'));
    backend.on({ pick_ca_file: () => '/home/ana/company.pem' });
    await openSettings(user);
    await user.click(await screen.findByTestId('network-edit'));
    await user.click(screen.getByTestId('network-ca-choose'));
    await waitFor(() => expect(screen.getByTestId('network-ca-input')).toHaveValue('/home/ana/company.pem'));
  });

  it('has nothing to set for the embedded sandbox', async () => {
    const user = userEvent.setup();
    showSettings(profile(), viaEnv('http://proxy.corp:3128', 'HTTPS_PROXY'));
    await openSettings(user);
    expect(await screen.findByTestId('network-sandbox')).toBeInTheDocument();
    expect(screen.queryByTestId('network-edit')).toBeNull();
  });
});
