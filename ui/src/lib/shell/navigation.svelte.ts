import { createContext } from 'svelte';
import { isLazyPage, LazyPages } from './lazyPages.svelte';
import type { PageId } from './pages';

/** Which page the main area shows. */
export class Navigation {
  page = $state<PageId>('tokens');
  /** The pages other than Tokens, loaded when first opened. */
  readonly pages = new LazyPages();

  go(page: PageId): void {
    this.prefetch(page);
    this.page = page;
  }

  /** Starts loading a page's code (hover, focus), so that opening it is immediate. */
  prefetch(page: PageId): void {
    if (isLazyPage(page)) void this.pages.load(page);
  }
}

export const [getNavigation, setNavigation] = createContext<Navigation>();
