import { createContext } from 'svelte';
import { Loadable } from '../app/loadable.svelte';
import { call, listTokens } from '../backend';
import { showError } from '../errors/showError';
import type { ApiToken, RotationCheck, RotationReminder, ScopeInfo } from '../types';
import { hygieneSummary } from './hygiene';
import { possiblyCreated } from './outcome';
import { DEFAULT_SORT, filterTokens, nextSort, sortTokens, type Sort, type SortKey } from './table';

/** The active profile's tokens, with the table's filter and sort. */
export class Tokens extends Loadable<ApiToken[]> {
  items = $state.raw<ApiToken[]>([]);
  query = $state('');
  sort = $state.raw<Sort>(DEFAULT_SORT);
  /** When the rows were fetched; hygiene is judged against this instant. */
  // Replaced, never mutated, so a plain Date in $state.raw is enough.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  fetchedAt = $state.raw(new Date());

  /** The documented scopes, for the chips' tooltips. */
  scopes = $state.raw<ScopeInfo[]>([]);

  /**
   * Rows to point out, by token id (`outcome-unknown`: maybe the lost
   * create; `link`: the token a `portal://tokens/<id>` link opened).
   */
  highlights = $state.raw<Readonly<Record<string, 'outcome-unknown' | 'link'>>>({});

  /** Old tokens still to revoke after a rotation (revoked once unused for its quiet period). */
  reminders = $state.raw<RotationReminder[]>([]);
  /** Where each pending rotation stands by the service (by old token id), once asked. */
  rotationStates = $state.raw<Readonly<Record<string, RotationCheck>>>({});

  visible = $derived(sortTokens(filterTokens(this.items, this.query), this.sort));
  summary = $derived(hygieneSummary(this.items, this.fetchedAt));

  #remindersRequest = 0;
  /** The list asked for at launch, alongside `app_state` (see `prefetch`). */
  #prefetched: Promise<ApiToken[]> | null = null;
  #epoch: number | null = null;
  /**
   * Ids revoked (or being revoked) in this epoch. The list may go on showing
   * a token for up to 60 s after revocation; these stay hidden.
   */
  // Not rendered: a plain Set is enough.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #revoked = new Set<string>();

  constructor() {
    super({ refreshFailed: 'Could not refresh tokens' });
  }

  /**
   * Loads once per epoch (profile, credentials); a new epoch starts empty.
   * A load that failed is tried again when the page is shown again.
   */
  ensureLoaded(epoch: number): void {
    if (this.#epoch === epoch && this.status === 'error') {
      void this.load();
      return;
    }
    if (this.#epoch === epoch && this.status !== 'idle') return;
    this.#epoch = epoch;
    this.items = [];
    this.status = 'idle';
    this.query = '';
    this.highlights = {};
    this.reminders = [];
    this.rotationStates = {};
    this.#revoked.clear();
    // The list first: reminders (and scopes, in `load`) follow once it has settled,
    // so that the rows the window opens on are not queued behind them.
    void this.load().finally(() => {
      if (this.#epoch === epoch) void this.loadReminders();
    });
  }

  /**
   * At launch: asks for the list at once, alongside `app_state`, instead of
   * after it (the window opens on the Tokens page). The first load of the
   * first epoch takes this answer; nothing else does.
   */
  prefetch(): Promise<ApiToken[]> {
    const pending = listTokens();
    pending.catch(() => {
      // The first load reports it (or there is no profile yet: not needed).
    });
    this.#prefetched = pending;
    return pending;
  }

  override async load(): Promise<void> {
    await super.load();
    // Only the chips' tooltips need them: after the rows.
    if (this.scopes.length === 0) void this.#loadScopes();
  }

  protected fetch(): Promise<ApiToken[]> {
    const prefetched = this.#epoch === 0 ? this.#prefetched : null;
    this.#prefetched = null;
    return prefetched ?? listTokens();
  }

  protected apply(items: ApiToken[]): void {
    this.items = items.filter((token) => !this.#revoked.has(token.id));
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    this.fetchedAt = new Date();
  }

  /** The scopes for the create form; loads them if the first try failed. */
  async ensureScopes(): Promise<ScopeInfo[]> {
    if (this.scopes.length === 0) await this.#loadScopes();
    return this.scopes;
  }

  async loadReminders(): Promise<void> {
    const request = ++this.#remindersRequest;
    try {
      const reminders = await call('rotation_reminders');
      if (request !== this.#remindersRequest) return;
      this.reminders = reminders;
      if (reminders.length === 0) return;
      const report = await call('rotation_states');
      if (request === this.#remindersRequest)
        this.rotationStates = Object.fromEntries(report.rotations.map((r) => [r.rotation.oldId, r]));
    } catch {
      // The banner is a convenience; the tokens themselves are still listed.
    }
  }

  /**
   * Points out the token a link named (the previous one no longer), clearing
   * a filter that would hide it.
   */
  showLinked(id: string): void {
    const highlights: Record<string, 'outcome-unknown' | 'link'> = {};
    for (const [key, kind] of Object.entries(this.highlights)) if (kind !== 'link') highlights[key] = kind;
    highlights[id] = 'link';
    this.highlights = highlights;
    if (!this.visible.some((t) => t.id === id)) this.query = '';
  }

  /**
   * After a create whose answer was lost: reloads the list and highlights
   * the tokens of that name created in the last 10 minutes. Returns them.
   */
  async checkLostCreate(name: string): Promise<ApiToken[]> {
    await this.load();
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const matches = possiblyCreated(this.items, name, new Date());
    const highlights = { ...this.highlights };
    for (const token of matches) highlights[token.id] = 'outcome-unknown';
    this.highlights = highlights;
    return matches;
  }

  /**
   * Revokes a token. The row goes at once and comes back, with an error
   * toast, if the call fails. `run` defaults to revoke_token.
   */
  async revoke(
    token: ApiToken,
    run: () => Promise<unknown> = () => call('revoke_token', { id: token.id }),
  ): Promise<boolean> {
    this.#revoked.add(token.id);
    const removed = this.items.find((t) => t.id === token.id);
    this.items = this.items.filter((t) => t.id !== token.id);
    try {
      await run();
      this.#unhighlight(token.id);
      return true;
    } catch (rejection) {
      this.#revoked.delete(token.id);
      if (removed && !this.items.some((t) => t.id === token.id)) this.items = [...this.items, removed];
      showError(rejection, `Could not revoke “${token.name}”`);
      return false;
    }
  }

  /**
   * Ends a rotation. A quiet period of 0 revokes the old token now
   * (optimistically, as `revoke`) and clears its reminder; otherwise it is
   * revoked once the service reports it unused for that many seconds.
   */
  async finishRotation(old: ApiToken, newId: string, quietPeriodSeconds: number): Promise<boolean> {
    const args = { oldId: old.id, newId, quietPeriodSeconds };
    if (quietPeriodSeconds > 0) {
      try {
        await call('finish_rotation', args);
        return true;
      } catch (rejection) {
        showError(rejection, 'Could not keep the rotation');
        return false;
      } finally {
        await this.loadReminders();
      }
    }
    const reminders = this.reminders;
    this.reminders = reminders.filter((r) => r.oldId !== old.id);
    const done = await this.revoke(old, () => call('finish_rotation', args));
    if (!done) this.reminders = reminders;
    await this.loadReminders();
    return done;
  }

  #unhighlight(id: string): void {
    if (!(id in this.highlights)) return;
    const highlights = { ...this.highlights };
    delete highlights[id];
    this.highlights = highlights;
  }

  async #loadScopes(): Promise<void> {
    try {
      this.scopes = await call('token_scopes');
    } catch {
      // Only tooltips depend on it; the table is complete without.
    }
  }

  sortBy(key: SortKey): void {
    this.sort = nextSort(this.sort, key);
  }
}

export const [getTokens, setTokens] = createContext<Tokens>();
