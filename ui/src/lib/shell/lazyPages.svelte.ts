import { createContext, type Component } from 'svelte';
import type { PageId } from '../app/pages';

/** The pages loaded on demand: each is its own chunk, fetched when first opened. */
export type LazyPageId = Exclude<PageId, 'tokens'>;

export type PageImporters = Record<LazyPageId, () => Promise<{ default: Component }>>;

const IMPORTERS: PageImporters = {
  keys: () => import('../keys/KeysPage.svelte'),
  assets: () => import('../assets/AssetsPage.svelte'),
  activity: () => import('../activity/ActivityPage.svelte'),
  leaks: () => import('../leaks/LeaksPage.svelte'),
  health: () => import('../health/HealthPage.svelte'),
  settings: () => import('../settings/SettingsPage.svelte'),
};

/**
 * The Keys, Assets, Activity, Leak check, Health and Settings pages, loaded the first time they
 * are opened (the Tokens page is in the main bundle). Once loaded, a page's
 * component stays here, so switching back to it is immediate.
 */
export class LazyPages {
  /** Loaded components, by page. */
  loaded = $state.raw<Partial<Record<LazyPageId, Component>>>({});
  /** Why a page could not be loaded, by page. */
  failed = $state.raw<Partial<Record<LazyPageId, string>>>({});
  // Not rendered: a plain Map is enough.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #pending = new Map<LazyPageId, Promise<Component | null>>();
  readonly #importers: PageImporters;

  constructor(importers: PageImporters = IMPORTERS) {
    this.#importers = importers;
  }

  /** Starts loading a page (once); resolves to its component, or null if the chunk failed. */
  load(page: LazyPageId): Promise<Component | null> {
    const done = this.loaded[page];
    if (done) return Promise.resolve(done);
    let pending = this.#pending.get(page);
    if (!pending) {
      if (page in this.failed) {
        const failed = { ...this.failed };
        delete failed[page];
        this.failed = failed;
      }
      pending = this.#importers[page]().then(
        (module) => {
          this.loaded = { ...this.loaded, [page]: module.default };
          this.#pending.delete(page);
          return module.default;
        },
        (error: unknown) => {
          this.failed = { ...this.failed, [page]: error instanceof Error ? error.message : String(error) };
          this.#pending.delete(page);
          return null;
        },
      );
      this.#pending.set(page, pending);
    }
    return pending;
  }

  /** Starts loading a page's code if it is a lazy one. */
  prefetch(page: PageId): void {
    if (isLazyPage(page)) void this.load(page);
  }
}

export const [getLazyPages, setLazyPages] = createContext<LazyPages>();

export function isLazyPage(page: PageId): page is LazyPageId {
  return page in IMPORTERS;
}
