// Which page the main area shows; shared by the shell and the pages (context).
import { createContext } from 'svelte';
import type { PageId, SettingsSectionId } from './pages';

/**
 * Something another page is asked to do when it is next shown: the Leak
 * check and Health pages send a finding's fix to the page that owns the
 * confirmation (features never import each other), the command palette
 * any action, and a `portal://` link asks to `show` an item. The page takes
 * it once its list is loaded, and shows its own dialog for it (a
 * destructive one its own confirmation), or selects the row.
 */
export type PageIntent =
  /** `leaked`: a rotation from a leak finding revokes the old token at once (quiet period 0). */
  | { page: 'tokens'; action: 'revoke' | 'rotate' | 'show'; id: string; leaked?: boolean }
  | { page: 'tokens'; action: 'create' | 'user-jwt' }
  /** `id`: the server key id or the local key id (`lk_…`). */
  | { page: 'keys'; action: 'delete' | 'resume' | 'show'; id: string }
  /** `sign`: the signing panel of the first key that can sign. */
  | { page: 'keys'; action: 'create' | 'sign' | 'verify' }
  /** The playback doctor; a `portal://doctor` link prefills its input with `url`. */
  | { page: 'keys'; action: 'doctor'; url?: string }
  | { page: 'assets'; action: 'upload' }
  /** The asset's details panel. */
  | { page: 'assets'; action: 'show'; id: string }
  /** Scrolls to a section of Settings and moves focus to its heading. */
  | { page: 'settings'; action: 'section'; id: SettingsSectionId };

type IntentFor<P extends PageIntent['page']> = Extract<PageIntent, { page: P }>;

/** Which page the main area shows. */
export class Navigation {
  page = $state<PageId>('tokens');
  /** What the page being opened is asked to do (one at a time). */
  intent = $state.raw<PageIntent | null>(null);
  /** A count shown beside a page's name in the sidebar (e.g. Health's findings). */
  badges = $state.raw<Partial<Record<PageId, number>>>({});
  readonly #prefetch: (page: PageId) => void;

  /** `prefetch` starts loading a page's code (the shell's lazy pages). */
  constructor(prefetch: (page: PageId) => void = () => {}) {
    this.#prefetch = prefetch;
  }

  /** Opens `page`; an intent for another page is dropped (the user went elsewhere). */
  go(page: PageId): void {
    if (this.intent && this.intent.page !== page) this.intent = null;
    this.prefetch(page);
    this.page = page;
  }

  /** Opens the intent's page and asks it to act (see `PageIntent`). */
  request(intent: PageIntent): void {
    this.intent = intent;
    this.go(intent.page);
  }

  /** The intent for `page`, if any, now cleared: the page acts on it once. */
  take<P extends PageIntent['page']>(page: P): IntentFor<P> | null {
    const intent = this.intent;
    if (intent?.page !== page) return null;
    this.intent = null;
    return intent as IntentFor<P>;
  }

  /** Sets the sidebar's count for `page` (0: none shown). */
  badge(page: PageId, count: number): void {
    if ((this.badges[page] ?? 0) !== count) this.badges = { ...this.badges, [page]: count };
  }

  /** Starts loading a page's code (hover, focus), so that opening it is immediate. */
  prefetch(page: PageId): void {
    this.#prefetch(page);
  }
}

export const [getNavigation, setNavigation] = createContext<Navigation>();
