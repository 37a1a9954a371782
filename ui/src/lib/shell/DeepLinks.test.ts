// portal:// links in the window: the outcomes Rust keeps are taken at start
// and on each `deep-link` event; each opens its page, or is a warning.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import {
  appDefaults,
  appState,
  asset,
  emitEvent,
  mockBackend,
  profile,
  type Handler,
} from '../../test/backend';
import type { KeyStatus, LinkOutcome } from '../types';

// The lazily loaded pages a link opens: compiled once here.
beforeAll(async () => {
  await Promise.all([import('../keys/KeysPage.svelte'), import('../assets/AssetsPage.svelte')]);
}, 30_000);

const staging = profile({ name: 'Staging', environment: 'staging' });
const live = profile({ name: 'Acme live', environment: 'production' });

/** The app with `waiting` links already received, and more on each `deliver`. */
function show(waiting: LinkOutcome[], handlers: Record<string, Handler> = {}) {
  let queue = [...waiting];
  let active = 'Sandbox';
  const backend = mockBackend({
    ...appDefaults,
    app_state: () => appState({ profiles: [profile(), staging, live], activeProfile: active }),
    switch_profile: (args) => {
      active = args.name as string;
      return null;
    },
    take_deep_links: () => {
      const taken = queue;
      queue = [];
      return taken;
    },
    ...handlers,
  });
  render(App);
  const deliver = async (...more: LinkOutcome[]) => {
    queue.push(...more);
    await waitFor(() =>
      expect(backend.argsOf('plugin:event|listen').some((a) => a.event === 'deep-link')).toBe(true),
    );
    emitEvent(backend, 'deep-link', null);
  };
  return { backend, deliver };
}

const open = (link: Extract<LinkOutcome, { outcome: 'open' }>['link']): LinkOutcome => ({
  outcome: 'open',
  link,
});

describe('portal:// links', () => {
  it('a link the app was started with selects its token once the list is in', async () => {
    show([open({ kind: 'token', id: 'tok_admin' })]);
    const row = await waitFor(() => {
      const r = document.querySelector('[data-token-id="tok_admin"]');
      expect(r).toHaveAttribute('data-highlight', 'link');
      return r as HTMLElement;
    });
    expect(row).toHaveAttribute('aria-current', 'true');
    expect(document.activeElement).toBe(row);
    expect(document.querySelector('[data-token-id="tok_ci"]')).not.toHaveAttribute('data-highlight');
  });

  it('a forwarded link opens its page; a token not listed is said, nothing selected', async () => {
    const user = userEvent.setup();
    const { deliver } = show([]);
    await user.click(await screen.findByTestId('nav-keys'));
    await deliver(open({ kind: 'token', id: 'tok_gone' }));
    await screen.findByTestId('tokens-page');
    expect(await screen.findByText(/tok_gone is not among this profile’s tokens/)).toBeVisible();
    expect(document.querySelector('[data-highlight="link"]')).toBeNull();
  });

  it('a refused link is a warning toast and opens nothing', async () => {
    const { backend, deliver } = show([]);
    await screen.findByTestId('tokens-table');
    await deliver({
      outcome: 'refused',
      refusal: { secret: true, message: 'This link carries a VaultStream token. Links never carry secrets…' },
    });
    const toast = await screen.findByText('Link refused: it carries a secret');
    expect(toast.closest('[data-testid="toast"]')).toHaveAttribute('data-severity', 'warning');
    expect(screen.getByTestId('nav-tokens')).toHaveAttribute('aria-current', 'page');
    expect(backend.count('switch_profile')).toBe(0);
  });

  it('a key link opens its details; a doctor link opens the doctor with the URL filled in', async () => {
    const row: KeyStatus = {
      server: {
        id: 'key_1',
        name: 'Signing',
        public_key: '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n',
        created_by: null,
        created_time: null,
        updated_by: null,
        updated_time: null,
      },
      local: null,
      fingerprints: null,
      pairing: 'no_private_key_here',
    };
    const { deliver } = show([open({ kind: 'key', id: 'key_1' })], {
      keys_overview: () => ({ rows: [row], sandbox: true }),
      key_details: () => new Promise(() => {}),
    });
    expect(await screen.findByTestId('key-details')).toBeVisible();
    await userEvent.setup().keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('key-details')).toBeNull());
    await deliver(open({ kind: 'doctor', url: 'https://watch.example/v/vid_1' }));
    const doctor = await screen.findByTestId('playback-doctor-dialog');
    expect(within(doctor).getByTestId('doctor-input')).toHaveValue('https://watch.example/v/vid_1');
  });

  it('an asset link opens its details panel, asking for it by id when not on the page', async () => {
    const backend = show([open({ kind: 'asset', id: 'a_far' })], {
      asset_details: () => ({ asset: asset('a_far'), legalHold: null, transforms: [] }),
      list_transforms: () => [],
    }).backend;
    expect(await screen.findByTestId('asset-details')).toHaveTextContent('a_far.mp4');
    expect(backend.argsOf('asset_details')[0]).toEqual({ id: 'a_far' });
  });

  it('a staging profile is switched to at once; a production one only after confirming', async () => {
    const user = userEvent.setup();
    const { backend, deliver } = show([open({ kind: 'profile', name: 'Staging' })]);
    await waitFor(() => expect(backend.argsOf('switch_profile')).toEqual([{ name: 'Staging' }]));
    expect(await screen.findByText('Profile switched')).toBeVisible();

    await deliver(open({ kind: 'profile', name: 'Acme live' }));
    const dialog = await screen.findByTestId('link-profile-dialog');
    expect(dialog).toHaveTextContent('Switch to production profile Acme live?');
    expect(backend.count('switch_profile')).toBe(1);
    await user.click(within(dialog).getByTestId('link-profile-dialog-cancel'));
    await waitFor(() => expect(screen.queryByTestId('link-profile-dialog')).toBeNull());
    expect(backend.count('switch_profile')).toBe(1);

    await deliver(open({ kind: 'profile', name: 'Acme live' }));
    await user.click(
      within(await screen.findByTestId('link-profile-dialog')).getByTestId('link-profile-dialog-confirm'),
    );
    await waitFor(() =>
      expect(backend.argsOf('switch_profile')).toEqual([{ name: 'Staging' }, { name: 'Acme live' }]),
    );

    await deliver(open({ kind: 'profile', name: 'Nobody' }));
    expect(await screen.findByText('Profile not found')).toBeVisible();
  });

  it('a link that arrives while a dialog is open is said, not acted on', async () => {
    const user = userEvent.setup();
    const { backend, deliver } = show([]);
    await user.click(await screen.findByTestId('token-new'));
    await screen.findByTestId('new-token-form');
    await deliver(open({ kind: 'profile', name: 'Staging' }), open({ kind: 'key', id: 'key_1' }));
    expect(await screen.findAllByText('Link not opened')).toHaveLength(2);
    expect(screen.getByTestId('new-token-form')).toBeVisible();
    expect(screen.getByTestId('nav-tokens')).toHaveAttribute('aria-current', 'page');
    expect(backend.count('switch_profile')).toBe(0);
  });
});
