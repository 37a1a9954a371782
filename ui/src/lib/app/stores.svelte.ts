import { createContext } from 'svelte';
import type { PageId } from './pages';

/**
 * Where a page loaded on demand keeps its store for the app's lifetime
 * (Activity's filters, a leak check under way, the last health report
 * survive a switch to another page). App sets the empty map; the page fills
 * its entry the first time it is opened, so the store's code stays out of
 * the start-up bundle.
 */
export class PageStores {
  // Not rendered: a plain Map is enough.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #stores = new Map<PageId, unknown>();

  /** The page's store: the one kept, or a new one from `create` (kept from now on). */
  get<T>(page: PageId, kind: abstract new (...args: never[]) => T, create: () => T): T {
    const kept = this.#stores.get(page);
    if (kept instanceof kind) return kept;
    // Created in a root of its own: a `$derived` field would otherwise belong
    // to the page that first opened it, and stop updating once that page is
    // closed.
    let store!: T;
    $effect.root(() => {
      store = create();
    });
    this.#stores.set(page, store);
    return store;
  }
}

export const [getPageStores, setPageStores] = createContext<PageStores>();
