// Which page the main area shows; shared by the shell and the pages (context).
import { createContext } from 'svelte';
import type { PageId } from './pages';

/** Which page the main area shows. */
export class Navigation {
  page = $state<PageId>('tokens');
  readonly #prefetch: (page: PageId) => void;

  /** `prefetch` starts loading a page's code (the shell's lazy pages). */
  constructor(prefetch: (page: PageId) => void = () => {}) {
    this.#prefetch = prefetch;
  }

  go(page: PageId): void {
    this.prefetch(page);
    this.page = page;
  }

  /** Starts loading a page's code (hover, focus), so that opening it is immediate. */
  prefetch(page: PageId): void {
    this.#prefetch(page);
  }
}

export const [getNavigation, setNavigation] = createContext<Navigation>();
