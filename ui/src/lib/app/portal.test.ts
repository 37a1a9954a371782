import { describe, expect, it } from 'vitest';
import { appState, deferred, mockBackend, portalError, profile } from '../../test/backend';
import { Portal } from './portal.svelte';

const ready = appState({ profiles: [profile()], activeProfile: 'Sandbox' });

/** Lets the mocked IPC answer and the awaits after it run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('Portal.load at launch', () => {
  it('keeps the app state back until the first page data has arrived', async () => {
    mockBackend({ app_state: () => ready });
    const tokens = deferred<unknown>();
    const portal = new Portal();

    const loading = portal.load(tokens.promise, 60_000);
    await settle();
    expect(portal.state).toBeNull();

    tokens.resolve([]);
    await loading;
    expect(portal.state?.activeProfile).toBe('Sandbox');
    expect(portal.loadError).toBeNull();
  });

  it('goes on when the first page data fails (the page reports it)', async () => {
    mockBackend({ app_state: () => ready });
    const tokens = deferred<unknown>();
    const portal = new Portal();

    const loading = portal.load(tokens.promise, 60_000);
    await settle();
    expect(portal.state).toBeNull();
    tokens.reject(new Error('no credential'));
    await loading;
    expect(portal.state?.activeProfile).toBe('Sandbox');
    expect(portal.loadError).toBeNull();
  });

  it('waits no longer than the hold for slow page data', async () => {
    mockBackend({ app_state: () => ready });
    const never = new Promise<unknown>(() => {});
    const portal = new Portal();

    await portal.load(never, 20);
    expect(portal.state?.activeProfile).toBe('Sandbox');
  });

  it('reports a failed app state whatever the page data does', async () => {
    mockBackend({
      app_state: () => {
        throw portalError({ code: 'io', message: 'settings unreadable' });
      },
    });
    const portal = new Portal();

    await portal.load(Promise.resolve([]), 60_000);
    expect(portal.state).toBeNull();
    expect(portal.loadError?.message).toBe('settings unreadable');
  });
});
