import { createContext } from 'svelte';
import type { PageId } from './pages';

/** Which page the main area shows. */
export class Navigation {
  page = $state<PageId>('tokens');

  go(page: PageId): void {
    this.page = page;
  }
}

export const [getNavigation, setNavigation] = createContext<Navigation>();
