import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { appDefaults, appState, mockBackend, profile } from '../../test/backend';

describe('Settings: the longest signed-JWT lifetime', () => {
  it('shows the profile cap and saves a new one through Rust', async () => {
    const user = userEvent.setup();
    let who = profile({ name: 'Acme prod', environment: 'production', embeddedSandbox: false });
    const backend = mockBackend({
      ...appDefaults,
      app_state: () => appState({ profiles: [who] }),
      set_jwt_max_ttl: (args) => {
        who = { ...who, jwtMaxTtlSeconds: args.seconds as number };
        return who;
      },
    });
    render(App);
    await user.click(await screen.findByTestId('nav-settings'));
    const select = await screen.findByTestId('jwt-cap-select');
    expect(select).toHaveValue(String(7 * 86_400));
    expect(screen.getByTestId('jwt-cap-save')).toBeDisabled();
    await user.selectOptions(select, '1 day');
    await user.click(screen.getByTestId('jwt-cap-save'));
    await waitFor(() => expect(backend.argsOf('set_jwt_max_ttl')).toEqual([{ seconds: 86_400 }]));
    expect(await screen.findByTestId('jwt-cap-saved')).toHaveTextContent('Saved.');
    expect(screen.getByTestId('jwt-cap-select')).toHaveValue('86400');
  });

  it('keeps a cap set elsewhere (the CLI) among the choices', async () => {
    const user = userEvent.setup();
    const who = profile({ jwtMaxTtlSeconds: 2 * 3600 });
    mockBackend({ ...appDefaults, app_state: () => appState({ profiles: [who] }) });
    render(App);
    await user.click(await screen.findByTestId('nav-settings'));
    const select = await screen.findByTestId('jwt-cap-select');
    expect(select).toHaveValue('7200');
    expect(select).toHaveTextContent('2 hours');
  });
});
