import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../../App.svelte';
import {
  appDefaults,
  appState,
  mockBackend,
  profile,
  vaultSession,
  type Handler,
} from '../../../test/backend';
import { paletteActions, runCommand } from './actions';
import { RECENTS_KEY } from './recents';

function showApp(handlers: Record<string, Handler> = {}) {
  const backend = mockBackend({ ...appDefaults, ...handlers });
  render(App);
  return backend;
}

async function openPalette(user: ReturnType<typeof userEvent.setup>) {
  await screen.findByTestId('tokens-table');
  await user.keyboard('{Control>}k{/Control}');
  const input = await screen.findByRole('combobox', { name: 'Search actions' });
  await waitFor(() => expect(input).toHaveFocus());
  return input;
}

const activeOption = (input: HTMLElement) =>
  document.getElementById(input.getAttribute('aria-activedescendant') ?? '') as HTMLElement;

beforeEach(() => localStorage.clear());

describe('Command palette', () => {
  it('opens with Ctrl+K, finds “new token” and opens the page’s New token dialog on Enter', async () => {
    const user = userEvent.setup();
    showApp();
    const input = await openPalette(user);
    expect(screen.getByRole('listbox', { name: 'Actions' })).toBeInTheDocument();
    await user.keyboard('new token');
    expect(activeOption(input)).toHaveAttribute('data-action', 'tokens.create');
    expect(activeOption(input)).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{Enter}');
    expect(await screen.findByTestId('new-token-form', {}, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.queryByTestId('palette')).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('new-token-name')).toHaveFocus());
  });

  it('sends a revoke through the page’s confirmation, never straight to the service', async () => {
    const user = userEvent.setup();
    const backend = showApp({ revoke_token: () => null });
    const input = await openPalette(user);
    await user.keyboard('revoke ci/cd');
    expect(activeOption(input)).toHaveAttribute('data-action', 'tokens.revoke:tok_ci');
    await user.keyboard('{Enter}');
    const dialog = await screen.findByTestId('revoke-dialog');
    expect(dialog).toHaveTextContent('CI/CD Pipeline');
    expect(backend.count('revoke_token')).toBe(0);
  });

  it('moves through the list with the arrow keys (wrapping), and Escape gives focus back', async () => {
    const user = userEvent.setup();
    showApp();
    await screen.findByTestId('tokens-table');
    const opener = screen.getByTestId('palette-open');
    expect(opener).toHaveAccessibleName(/Search actions/);
    await user.click(opener);
    const input = await screen.findByRole('combobox', { name: 'Search actions' });
    const options = within(screen.getByRole('listbox')).getAllByRole('option');
    expect(activeOption(input)).toBe(options[0]);
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(activeOption(input)).toBe(options[2]);
    expect(options[2]).toHaveAttribute('aria-selected', 'true');
    expect(options[0]).toHaveAttribute('aria-selected', 'false');
    await user.keyboard('{ArrowUp}{ArrowUp}{ArrowUp}');
    expect(activeOption(input)).toBe(options[options.length - 1]);
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('palette')).not.toBeInTheDocument());
    expect(opener).toHaveFocus();
  });

  it('says so when nothing matches, and Enter then does nothing', async () => {
    const user = userEvent.setup();
    showApp();
    const input = await openPalette(user);
    await user.keyboard('zzqx{Enter}');
    expect(screen.getByTestId('palette-empty')).toHaveTextContent('No action matches “zzqx”.');
    expect(input).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByTestId('palette')).toBeInTheDocument();
  });

  it('lists the last action first next time, marked recent, keeping only action ids', async () => {
    const user = userEvent.setup();
    showApp();
    await openPalette(user);
    await user.keyboard('verify jwt{Enter}');
    expect(await screen.findByTestId('verify-jwt-dialog', {}, { timeout: 5000 })).toBeInTheDocument();
    await user.click(screen.getByTestId('verify-close'));
    await waitFor(() => expect(screen.queryByTestId('verify-jwt-dialog')).not.toBeInTheDocument());

    await user.keyboard('{Control>}k{/Control}');
    const input = await screen.findByRole('combobox', { name: 'Search actions' });
    const first = activeOption(input);
    expect(first).toHaveAttribute('data-action', 'keys.verify');
    expect(first).toHaveTextContent('Recent');
    expect(JSON.parse(localStorage.getItem(RECENTS_KEY) ?? '')).toEqual(['keys.verify']);
  });

  it('switches profile', async () => {
    const user = userEvent.setup();
    const staging = profile({ name: 'Staging', environment: 'staging' });
    const backend = showApp({
      app_state: () => appState({ profiles: [profile(), staging] }),
      switch_profile: () => null,
    });
    await openPalette(user);
    await user.keyboard('switch staging{Enter}');
    await waitFor(() => expect(backend.argsOf('switch_profile')).toEqual([{ name: 'Staging' }]));
  });

  it('opens the Add profile dialog', async () => {
    const user = userEvent.setup();
    showApp();
    await openPalette(user);
    await user.keyboard('add profile{Enter}');
    expect(await screen.findByTestId('add-profile-dialog')).toBeInTheDocument();
  });

  it('opens a section of Settings with its heading focused', async () => {
    const user = userEvent.setup();
    showApp();
    await openPalette(user);
    await user.keyboard('settings network{Enter}');
    const heading = await screen.findByRole('heading', { name: 'Network' }, { timeout: 5000 });
    await waitFor(() => expect(heading).toHaveFocus());
  });

  it('asks the Assets page for its upload: the file dialog when allowed, else why not', async () => {
    const user = userEvent.setup();
    const create = { action: 'create', allowed: true, needs: 'organizer', reason: null };
    const backend = showApp({
      vault_session: () => ({ ...vaultSession, permissions: [create] }),
      pick_and_upload: () => [],
    });
    await openPalette(user);
    await user.keyboard('upload{Enter}');
    await waitFor(() => expect(backend.argsOf('pick_and_upload')).toEqual([{ folderId: null }]), {
      timeout: 5000,
    });

    backend.on({ vault_session: () => null });
    await user.keyboard('{Control>}1{/Control}');
    await openPalette(user);
    await user.keyboard('upload{Enter}');
    expect(await screen.findByText('Log in to upload', {}, { timeout: 5000 })).toBeInTheDocument();
    expect(backend.count('pick_and_upload')).toBe(1);
  });

  it('signs with the first key that can sign, or says none can', async () => {
    const user = userEvent.setup();
    showApp();
    await openPalette(user);
    await user.keyboard('sign a video{Enter}');
    expect(await screen.findByText('No key can sign yet', {}, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.queryByTestId('key-details')).not.toBeInTheDocument();
  });

  it('does not open over another dialog; Ctrl+K again closes it', async () => {
    const user = userEvent.setup();
    showApp();
    await openPalette(user);
    await user.keyboard('{Control>}k{/Control}');
    await waitFor(() => expect(screen.queryByTestId('palette')).not.toBeInTheDocument());
    await user.click(screen.getByTestId('token-new'));
    await screen.findByTestId('new-token-form');
    await user.keyboard('{Control>}k{/Control}');
    expect(screen.queryByTestId('palette')).not.toBeInTheDocument();
  });
});

describe('paletteActions', () => {
  const sources = {
    tokens: [{ id: 'tok_1', name: 'CI' }],
    profiles: [{ name: 'Sandbox' }, { name: 'Prod' }],
    activeProfile: 'Sandbox',
    shortcutLabel: (key: string) => `Ctrl+${key}`,
  };

  it('has every action: the page buttons, each page, each setting, each token and other profile', () => {
    const ids = paletteActions(sources).map((a) => a.id);
    for (const id of [
      'tokens.create',
      'keys.create',
      'keys.sign',
      'keys.verify',
      'keys.doctor',
      'assets.upload',
      'page.leaks',
      'page.health',
      'settings.credentials',
      'settings.theme',
      'profile.switch:Prod',
      'profile.add',
      'tokens.rotate:tok_1',
      'tokens.revoke:tok_1',
    ])
      expect(ids).toContain(id);
    expect(ids).not.toContain('profile.switch:Sandbox');
    expect(new Set(ids).size).toBe(ids.length);
    expect(paletteActions(sources).find((a) => a.id === 'page.keys')?.shortcut).toBe('Ctrl+2');
  });

  it('runs a command: a page, an intent, or a switch whose failure is reported', async () => {
    const nav = { go: vi.fn(), request: vi.fn() };
    const failed = vi.fn();
    const switchTo = vi.fn().mockRejectedValue(new Error('locked'));
    const addProfile = vi.fn();
    await runCommand({ kind: 'go', page: 'health' }, { nav, switchTo, addProfile, failed });
    expect(nav.go).toHaveBeenCalledWith('health');
    await runCommand(
      { kind: 'intent', intent: { page: 'assets', action: 'upload' } },
      { nav, switchTo, addProfile, failed },
    );
    expect(nav.request).toHaveBeenCalledWith({ page: 'assets', action: 'upload' });
    await runCommand({ kind: 'switch', profile: 'Prod' }, { nav, switchTo, addProfile, failed });
    expect(switchTo).toHaveBeenCalledWith('Prod');
    expect(failed).toHaveBeenCalledWith(expect.any(Error), 'Could not switch to “Prod”');
    await runCommand({ kind: 'add-profile' }, { nav, switchTo, addProfile, failed });
    expect(addProfile).toHaveBeenCalledOnce();
  });
});
