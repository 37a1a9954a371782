import { createContext } from 'svelte';
import { listTokens, tokenScopes } from '../backend';
import { PortalError } from '../errors/PortalError';
import { showError } from '../errors/showError';
import type { ApiToken, ScopeInfo } from '../types';
import { hygieneSummary } from './hygiene';
import { DEFAULT_SORT, filterTokens, nextSort, sortTokens, type Sort, type SortKey } from './table';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** The active profile's tokens, with the table's filter and sort. */
export class Tokens {
  items = $state.raw<ApiToken[]>([]);
  status = $state<LoadStatus>('idle');
  /** A reload while rows are already shown. */
  refreshing = $state(false);
  error = $state.raw<PortalError | null>(null);
  query = $state('');
  sort = $state.raw<Sort>(DEFAULT_SORT);
  /** When the rows were fetched; hygiene is judged against this instant. */
  // Replaced, never mutated, so a plain Date in $state.raw is enough.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  fetchedAt = $state.raw(new Date());

  /** The documented scopes, for the chips' tooltips. */
  scopes = $state.raw<ScopeInfo[]>([]);

  visible = $derived(sortTokens(filterTokens(this.items, this.query), this.sort));
  summary = $derived(hygieneSummary(this.items, this.fetchedAt));

  #request = 0;
  #epoch: number | null = null;

  /** Loads once per epoch (profile, credentials); a new epoch starts empty. */
  ensureLoaded(epoch: number): void {
    if (this.#epoch === epoch && this.status !== 'idle') return;
    this.#epoch = epoch;
    this.items = [];
    this.status = 'idle';
    this.query = '';
    void this.load();
  }

  async load(): Promise<void> {
    if (this.scopes.length === 0) void this.#loadScopes();
    const request = ++this.#request;
    const hadRows = this.status === 'ready';
    if (hadRows) this.refreshing = true;
    else this.status = 'loading';
    try {
      const items = await listTokens();
      if (request !== this.#request) return;
      this.items = items;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      this.fetchedAt = new Date();
      this.error = null;
      this.status = 'ready';
    } catch (rejection) {
      if (request !== this.#request) return;
      if (hadRows) {
        // Keep the rows on screen; say what went wrong.
        showError(rejection, 'Could not refresh tokens');
      } else {
        this.error = PortalError.from(rejection);
        this.status = 'error';
      }
    } finally {
      if (request === this.#request) this.refreshing = false;
    }
  }

  async #loadScopes(): Promise<void> {
    try {
      this.scopes = await tokenScopes();
    } catch {
      // Only tooltips depend on it; the table is complete without.
    }
  }

  sortBy(key: SortKey): void {
    this.sort = nextSort(this.sort, key);
  }
}

export const [getTokens, setTokens] = createContext<Tokens>();
