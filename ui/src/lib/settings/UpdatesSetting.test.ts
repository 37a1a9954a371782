import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockBackend, portalError } from '../../test/backend';
import type { UpdateStatus } from '../bindings/UpdateStatus';
import UpdatesSetting from './UpdatesSetting.svelte';

const available: UpdateStatus = {
  state: 'available',
  current: '0.1.0',
  version: '0.2.0',
  notes: 'Faster lists.',
  date: '2026-12-01 0:00:00.0 +00:00:00',
};

function show(check: () => UpdateStatus, install: () => unknown = () => '0.2.0') {
  const backend = mockBackend({
    update_settings: () => ({ enabled: true, lastCheck: null, status: null }),
    set_update_checks: (args) => ({ enabled: args.enabled, lastCheck: null, status: null }),
    check_for_update: check,
    install_update: install,
  });
  render(UpdatesSetting);
  return backend;
}

describe('Settings: updates', () => {
  it('checks on request and says when the app is up to date', async () => {
    const user = userEvent.setup();
    const backend = show(() => ({
      state: 'up_to_date',
      current: '0.1.0',
      checkedAt: new Date().toISOString(),
    }));
    expect(await screen.findByTestId('update-status')).toHaveTextContent('Not checked in this session.');
    await user.click(screen.getByTestId('updates-check'));
    await waitFor(() => expect(screen.getByTestId('update-status')).toHaveTextContent('0.1.0 is up to date'));
    expect(backend.count('check_for_update')).toBe(1);
    expect(screen.queryByTestId('update-install')).toBeNull();
  });

  it('shows a feed out of reach as a quiet line, not an error', async () => {
    const user = userEvent.setup();
    show(() => ({
      state: 'unreachable',
      message: 'connection refused',
      checkedAt: new Date().toISOString(),
    }));
    await user.click(await screen.findByTestId('updates-check'));
    await waitFor(() =>
      expect(screen.getByTestId('update-status')).toHaveTextContent('could not be reached'),
    );
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows the version and its notes, and installs only after the confirmation', async () => {
    const user = userEvent.setup();
    const backend = show(() => available);
    await user.click(await screen.findByTestId('updates-check'));
    expect(await screen.findByTestId('update-notes')).toHaveTextContent('Faster lists.');
    expect(screen.getByTestId('update-status')).toHaveTextContent('Version 0.2.0 is available');
    await user.click(screen.getByTestId('update-install'));
    const dialog = await screen.findByTestId('update-confirm');
    expect(backend.count('install_update')).toBe(0);
    await user.click(within(dialog).getByTestId('update-confirm-cancel'));
    expect(backend.count('install_update')).toBe(0);
    await user.click(screen.getByTestId('update-install'));
    await user.click(
      within(await screen.findByTestId('update-confirm')).getByTestId('update-confirm-confirm'),
    );
    await waitFor(() => expect(backend.count('install_update')).toBe(1));
  });

  it('says why an install was refused (a reveal open, a bad signature)', async () => {
    const user = userEvent.setup();
    show(
      () => available,
      () => {
        throw portalError({
          code: 'conflict',
          message: 'The update waits until the one-time reveal is closed: install it afterwards.',
        });
      },
    );
    await user.click(await screen.findByTestId('updates-check'));
    await user.click(await screen.findByTestId('update-install'));
    await user.click(
      within(await screen.findByTestId('update-confirm')).getByTestId('update-confirm-confirm'),
    );
    expect(await screen.findByTestId('updates-error')).toHaveTextContent(
      'waits until the one-time reveal is closed',
    );
  });

  it('switches the launch check off', async () => {
    const user = userEvent.setup();
    const backend = show(() => available);
    const box = await screen.findByTestId('updates-enabled');
    await waitFor(() => expect(box).toBeEnabled());
    await user.click(box);
    await waitFor(() => expect(backend.argsOf('set_update_checks')).toEqual([{ enabled: false }]));
    expect(box).not.toBeChecked();
  });
});
