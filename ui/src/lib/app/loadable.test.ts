import { describe, expect, it } from 'vitest';
import { deferred, portalError } from '../../test/backend';
import { PortalError } from '../errors/PortalError';
import { toasts } from '../errors/toasts.svelte';
import { Loadable } from './loadable.svelte';

/** A Loadable whose answers the test gives, one deferred per load. */
class Rows extends Loadable<string[]> {
  rows: string[] = [];
  pending: ReturnType<typeof deferred<string[]>>[] = [];
  loggedOut = false;
  constructor(
    refreshFailed: string | null,
    readonly relogin = false,
  ) {
    super({ refreshFailed });
  }
  protected fetch(): Promise<string[]> {
    const answer = deferred<string[]>();
    this.pending.push(answer);
    return answer.promise;
  }
  protected apply(rows: string[]): void {
    this.rows = rows;
  }
  protected override handled(error: PortalError): boolean {
    if (this.relogin && error.code === 'unauthorized') this.loggedOut = true;
    return this.loggedOut;
  }
}

const failure = () => portalError({ code: 'unavailable', message: 'unreachable' });

describe('Loadable', () => {
  it('shows loading, then the rows or the error of a first load', async () => {
    const store = new Rows('Could not refresh');
    const first = store.load();
    expect(store.status).toBe('loading');
    expect(store.busy).toBe(true);
    store.pending[0].reject(failure());
    await first;
    expect(store.status).toBe('error');
    expect(store.error?.code).toBe('unavailable');

    const second = store.load();
    store.pending[1].resolve(['a']);
    await second;
    expect(store.status).toBe('ready');
    expect(store.error).toBeNull();
    expect(store.rows).toEqual(['a']);
    expect(store.busy).toBe(false);
  });

  it('reloads quietly while rows are shown: a failure is a toast and the rows stay', async () => {
    const store = new Rows('Could not refresh');
    const first = store.load();
    store.pending[0].resolve(['a']);
    await first;
    const reload = store.load();
    expect(store.status).toBe('ready');
    expect(store.refreshing).toBe(true);
    store.pending[1].reject(failure());
    await reload;
    expect(store.status).toBe('ready');
    expect(store.refreshing).toBe(false);
    expect(store.rows).toEqual(['a']);
    expect(toasts.items.at(-1)?.title).toBe('Could not refresh');
  });

  it('without a quiet reload, every load shows loading', async () => {
    const store = new Rows(null);
    const first = store.load();
    store.pending[0].resolve(['a']);
    await first;
    void store.load();
    expect(store.status).toBe('loading');
    expect(store.refreshing).toBe(false);
  });

  it('keeps only the latest answer', async () => {
    const store = new Rows('Could not refresh');
    const older = store.load();
    const newer = store.load();
    store.pending[1].resolve(['new']);
    await newer;
    store.pending[0].resolve(['old']);
    await older;
    expect(store.rows).toEqual(['new']);
  });

  it('lets the store deal with a first-load error instead of showing it', async () => {
    const store = new Rows(null, true);
    const first = store.load();
    store.pending[0].reject(portalError({ code: 'unauthorized', message: 'expired' }));
    await first;
    expect(store.loggedOut).toBe(true);
    expect(store.status).toBe('loading');
    expect(store.error).toBeNull();
  });

  it('reset forgets the status and the error', async () => {
    const store = new Rows(null);
    const first = store.load();
    store.pending[0].reject(failure());
    await first;
    store.reset();
    expect(store.status).toBe('idle');
    expect(store.error).toBeNull();
  });
});
