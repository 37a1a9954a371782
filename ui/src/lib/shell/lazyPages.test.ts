import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import type { Component } from 'svelte';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import {
  activityReport,
  appState,
  connectedStatuses,
  deferred,
  mockBackend,
  profile,
  sampleTokens,
} from '../../test/backend';
import { LazyPages, type PageImporters } from './lazyPages.svelte';

const Fake = (() => {}) as unknown as Component;

function importers(overrides: Partial<PageImporters> = {}) {
  const calls: string[] = [];
  const make =
    (page: string): PageImporters['keys'] =>
    () => {
      calls.push(page);
      return Promise.resolve({ default: Fake });
    };
  const all: PageImporters = {
    keys: make('keys'),
    assets: make('assets'),
    activity: make('activity'),
    leaks: make('leaks'),
    health: make('health'),
    settings: make('settings'),
    ...overrides,
  };
  return { all, calls };
}

describe('pages loaded on demand', () => {
  it('imports a page once, when first asked, and keeps it', async () => {
    const { all, calls } = importers();
    const pages = new LazyPages(all);
    expect(calls).toEqual([]);
    expect(pages.loaded.keys).toBeUndefined();
    const [a, b] = await Promise.all([pages.load('keys'), pages.load('keys')]);
    expect(a).toBe(Fake);
    expect(b).toBe(Fake);
    expect(calls).toEqual(['keys']);
    expect(pages.loaded.keys).toBe(Fake);
    await pages.load('keys');
    expect(calls).toEqual(['keys']);
  });

  it('says why a chunk failed, and tries again when asked', async () => {
    let fail = true;
    const { all, calls } = importers({
      assets: () => {
        calls.push('assets');
        return fail ? Promise.reject(new Error('chunk missing')) : Promise.resolve({ default: Fake });
      },
    });
    const pages = new LazyPages(all);
    expect(await pages.load('assets')).toBeNull();
    expect(pages.failed.assets).toBe('chunk missing');
    fail = false;
    expect(await pages.load('assets')).toBe(Fake);
    expect(pages.failed.assets).toBeUndefined();
    expect(calls).toEqual(['assets', 'assets']);
  });

  it('shows the loading state while a page loads, then the page; switching back is immediate', async () => {
    const user = userEvent.setup();
    mockBackend({
      app_state: () => appState({ profiles: [profile()] }),
      list_tokens: () => sampleTokens,
      service_status: () => connectedStatuses,
      activity_log: () => activityReport([]),
    });
    render(App);
    await screen.findByTestId('tokens-table');
    await user.click(screen.getByTestId('nav-activity'));
    await waitFor(() => expect(screen.getByTestId('page-title')).toHaveTextContent('Activity'));
    expect(screen.queryByTestId('page-loading')).toBeNull();
    await user.click(screen.getByTestId('nav-tokens'));
    await screen.findByTestId('tokens-table');
    await user.click(screen.getByTestId('nav-activity'));
    // Already loaded: no loading state in between.
    expect(screen.queryByTestId('page-loading')).toBeNull();
    expect(screen.getByTestId('page-title')).toHaveTextContent('Activity');
  });
});

describe('start-up order', () => {
  it('starts with the token list; the service check, scopes and reminders follow once it is in', async () => {
    const list = deferred<typeof sampleTokens>();
    const backend = mockBackend({
      app_state: () => appState({ profiles: [profile()] }),
      list_tokens: () => list.promise,
      service_status: () => connectedStatuses,
      token_scopes: () => [],
      rotation_reminders: () => [],
    });
    render(App);
    await screen.findByTestId('tokens-loading');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(backend.count('list_tokens')).toBe(1);
    expect(backend.count('service_status')).toBe(0);
    expect(backend.count('token_scopes')).toBe(0);
    expect(backend.count('rotation_reminders')).toBe(0);
    expect(screen.getByTestId('service-status-checking')).toBeVisible();

    list.resolve(sampleTokens);
    expect(await screen.findAllByTestId('token-row')).toHaveLength(sampleTokens.length);
    // The sidebar's statuses still appear soon after.
    expect(await screen.findByTestId('service-status-vault_stream')).toHaveAttribute(
      'data-state',
      'connected',
    );
    await waitFor(() => expect(backend.count('token_scopes')).toBe(1));
    expect(backend.count('rotation_reminders')).toBe(1);
    expect(backend.count('service_status')).toBe(1);
  });

  it('asks for the token list alongside app_state, and uses that answer for the first rows', async () => {
    const state = deferred<ReturnType<typeof appState>>();
    const backend = mockBackend({
      app_state: () => state.promise,
      list_tokens: () => sampleTokens,
      service_status: () => connectedStatuses,
      token_scopes: () => [],
      rotation_reminders: () => [],
    });
    render(App);
    await waitFor(() => expect(backend.count('list_tokens')).toBe(1));
    expect(backend.count('app_state')).toBe(1);
    state.resolve(appState({ profiles: [profile()] }));
    expect(await screen.findAllByTestId('token-row')).toHaveLength(sampleTokens.length);
    expect(backend.count('list_tokens')).toBe(1);
  });

  it('checks the services after a second at most when the list takes longer', async () => {
    const list = deferred<typeof sampleTokens>();
    const backend = mockBackend({
      app_state: () => appState({ profiles: [profile()] }),
      list_tokens: () => list.promise,
      service_status: () => connectedStatuses,
      token_scopes: () => [],
      rotation_reminders: () => [],
    });
    render(App);
    await screen.findByTestId('tokens-loading');
    await waitFor(() => expect(backend.count('service_status')).toBe(1), { timeout: 2000 });
    expect(await screen.findByTestId('service-status-vault_stream')).toBeVisible();
    list.resolve(sampleTokens);
    expect(await screen.findAllByTestId('token-row')).toHaveLength(sampleTokens.length);
  });
});
