/* eslint-disable svelte/prefer-svelte-reactivity -- the selection Set is replaced, never mutated in place */
// The Assets page's state: the vault session, the asset list (server pages or
// everything in memory), folders, quota, selection and uploads.
import { call } from '../backend';
import { Loadable } from '../app/loadable.svelte';
import { guidance } from '../errors/classify';
import { PortalError } from '../errors/PortalError';
import { showError } from '../errors/showError';
import type {
  Asset,
  AssetAction,
  AssetPage,
  BulkDeleteSummary,
  Folder,
  PageInfo,
  Permission,
  Quota,
  UploadEvent,
  UploadStarted,
  UploadState,
  VaultIdentity,
} from '../types';
import { can } from './format';

export type SessionStatus = 'checking' | 'logged_out' | 'logged_in' | 'error';

export interface UploadRow {
  uploadId: string;
  name: string;
  state: UploadState | 'starting';
  sent: number;
  total: number;
  error: string | null;
}

/** Codes that mean "log in again": the login form shows, nothing retries. */
export function needsLogin(e: PortalError): boolean {
  return e.code === 'unauthorized' || e.code === 'no_credentials';
}

/** The vault could not be used at all (the list's error state says so). */
function offlineError(rejection: unknown): boolean {
  return guidance(PortalError.from(rejection).code).offline;
}

export const PAGE_LIMITS = [20, 50, 100];
/** In "all" mode the list is fetched 100 at a time into memory. */
const ALL_LIMIT = 100;
/** Pages "Load all" may take (portal-core `paging::MAX_PAGES`). */
const MAX_PAGES = 10_000;
/** Pages "Load all" asks for at a time once it knows the total (portal-core `PAGES_IN_FLIGHT`). */
const PAGES_IN_FLIGHT = 4;

export class AssetsStore extends Loadable<void> {
  session = $state<SessionStatus>('checking');
  identity = $state.raw<VaultIdentity | null>(null);
  permissions = $state.raw<Permission[]>([]);
  sessionError = $state.raw<PortalError | null>(null);

  items = $state.raw<Asset[]>([]);
  pageInfo = $state.raw<PageInfo>({ total: 0, page: 1, limit: 50, has_more: false });

  page = $state(1);
  limit = $state(50);
  q = $state('');
  sort = $state<string | null>(null);
  folderId = $state<string | null>(null);
  /** Every page in memory (virtualized), instead of one server page. */
  all = $state(false);
  loadingAll = $state(false);

  folders = $state.raw<Folder[]>([]);
  quota = $state.raw<Quota | null>(null);
  selected = $state.raw<Set<string>>(new Set());
  uploads = $state.raw<UploadRow[]>([]);

  /**
   * "Load all" of the current folder and sort with no search: every asset,
   * so a search filters it here (the API's rule: a case-insensitive
   * substring of the name) instead of fetching everything again.
   */
  #everything: Asset[] | null = null;
  /** `#everything`'s names in lower case (made at the first search, dropped with it). */
  #lowerNames: string[] | null = null;

  constructor() {
    // Every load shows `loading`: the page's spinner, the rows stay meanwhile.
    super({ refreshFailed: null });
  }

  can(action: AssetAction) {
    return can(this.permissions, action);
  }

  /** Reads the stored session; then loads everything when logged in. */
  async start(): Promise<void> {
    this.session = 'checking';
    try {
      const view = await call('vault_session');
      if (view) {
        this.identity = view.identity;
        this.permissions = view.permissions;
        this.session = 'logged_in';
        await this.refreshAll();
      } else {
        this.loggedOut();
      }
    } catch (rejection) {
      const e = PortalError.from(rejection);
      if (needsLogin(e)) this.loggedOut();
      else {
        this.sessionError = e;
        this.session = 'error';
      }
    }
  }

  loggedOut(): void {
    this.identity = null;
    this.permissions = [];
    this.items = [];
    this.folders = [];
    this.quota = null;
    this.selected = new Set();
    this.status = 'idle';
    this.session = 'logged_out';
  }

  /** Throws the PortalError for the form to show. */
  async login(email: string, password: string, remember: boolean): Promise<void> {
    const view = await call('vault_login', { email, password, remember });
    this.identity = view.identity;
    this.permissions = view.permissions;
    this.sessionError = null;
    this.session = 'logged_in';
    await this.refreshAll();
  }

  async logout(): Promise<void> {
    try {
      await call('vault_logout');
    } catch (rejection) {
      showError(rejection, 'Could not log out of the vault');
      return;
    }
    this.loggedOut();
  }

  /** A failed call: back to the login form when the session is gone. */
  handle(rejection: unknown, context: string): PortalError {
    const e = PortalError.from(rejection);
    if (needsLogin(e)) this.loggedOut();
    else showError(e, context);
    return e;
  }

  async refreshAll(): Promise<void> {
    // When the vault cannot be reached the list says so; no toasts on top.
    await Promise.all([this.load(), this.loadFolders(true), this.loadQuota(true)]);
    await this.refreshIdentity();
  }

  /** The token may have been renewed by Rust: show its new expiry. */
  async refreshIdentity(): Promise<void> {
    if (this.session !== 'logged_in') return;
    try {
      const view = await call('vault_session');
      if (view) {
        this.identity = view.identity;
        this.permissions = view.permissions;
      }
    } catch {
      // The identity shown stays; the next call reports any real problem.
    }
  }

  async loadFolders(quietIfOffline = false): Promise<void> {
    try {
      this.folders = await call('list_folders');
    } catch (rejection) {
      if (!(quietIfOffline && offlineError(rejection))) this.handle(rejection, 'Could not load the folders');
    }
  }

  async loadQuota(quietIfOffline = false): Promise<void> {
    try {
      this.quota = await call('vault_quota');
    } catch (rejection) {
      if (!(quietIfOffline && offlineError(rejection))) this.handle(rejection, 'Could not load the quota');
    }
  }

  query(page: number, limit: number) {
    return {
      page,
      limit,
      folder_id: this.folderId,
      q: this.q.trim() ? this.q.trim() : null,
      sort: this.sort,
    };
  }

  override async load(): Promise<void> {
    if (this.session !== 'logged_in') return;
    this.#everything = null;
    this.#lowerNames = null;
    await super.load();
  }

  protected async fetch(current: () => boolean): Promise<void> {
    if (this.all) {
      await this.loadEverything(current);
    } else {
      const result = await call('list_assets', { query: this.query(this.page, this.limit) });
      if (!current()) return;
      this.items = result.items;
      this.pageInfo = result.page;
    }
  }

  protected apply(): void {
    this.#keepSelected();
  }

  /** Drops from the selection what the list no longer shows (one pass over the list). */
  #keepSelected(): void {
    if (this.selected.size === 0) return;
    const shown = new Set(this.items.map((a) => a.id));
    this.selected = new Set([...this.selected].filter((id) => shown.has(id)));
  }

  protected override handled(error: PortalError): boolean {
    if (!needsLogin(error)) return false;
    this.loggedOut();
    return true;
  }

  /**
   * Pages of 100 into memory; the list shows as it grows. Once the first page
   * gives the total, the numbered pages are asked for PAGES_IN_FLIGHT at a
   * time and taken in order (as Rust's `list_all_assets`): it stops where
   * page-by-page would, and goes on page by page while the last page still
   * says `has_more`. As in Rust's paging checks (portal-core `paging.rs`), a
   * page that repeats an asset already listed, rows well past the total the
   * vault announced, or more than MAX_PAGES pages stop it with
   * `bad_response`, and nothing partial stays shown: never a row twice,
   * never a loop.
   */
  async loadEverything(current: () => boolean): Promise<void> {
    this.loadingAll = true;
    const asked = new Map<number, Promise<AssetPage>>();
    /** Page `page`, with the numbered pages after it up to `last` asked for too. */
    const take = (page: number, last: number): Promise<AssetPage> => {
      for (let p = page; p < page + PAGES_IN_FLIGHT && (p === page || p <= last); p++) {
        if (asked.has(p)) continue;
        const answer = call('list_assets', { query: this.query(p, ALL_LIMIT) });
        answer.catch(() => {}); // an answer not waited for (stopped before it) is dropped
        asked.set(p, answer);
      }
      const answer = asked.get(page)!;
      asked.delete(page);
      return answer;
    };
    try {
      let page = 1;
      let numbered = 1;
      const collected: Asset[] = [];
      const ids = new Set<string>();
      let announced = 0;
      for (;;) {
        const result = await take(page, numbered);
        if (!current()) return;
        for (const item of result.items) {
          if (ids.has(item.id)) {
            throw this.#pagingError(
              `page ${page} repeats ${item.id} already listed; the list changed while it was read, or the service repeats pages.`,
            );
          }
          ids.add(item.id);
          collected.push(item);
        }
        announced = Math.max(announced, result.page.total);
        if (page === 1 && result.page.limit > 0) {
          numbered = Math.min(MAX_PAGES, Math.ceil(result.page.total / result.page.limit));
        }
        if (announced > 0 && collected.length > announced + ALL_LIMIT) {
          throw this.#pagingError(
            `the vault gave ${collected.length} assets in ${page} pages but announced ${announced} in all.`,
          );
        }
        if (page >= MAX_PAGES && result.page.has_more) {
          throw this.#pagingError(`the vault gave more than ${MAX_PAGES} pages.`);
        }
        const last = !result.page.has_more || result.items.length === 0;
        // Show the first page at once, then every 10 pages (not O(n²) copies).
        if (page === 1 || page % 10 === 0 || last) {
          this.items = collected.slice();
          this.pageInfo = { ...result.page, total: Math.max(result.page.total, collected.length) };
        }
        if (page === 1) this.status = 'ready';
        if (last) {
          if (!this.q.trim()) {
            this.#everything = collected;
            this.#lowerNames = null;
          }
          return;
        }
        page++;
      }
    } catch (e) {
      if (current()) this.items = [];
      throw e;
    } finally {
      if (current()) this.loadingAll = false;
    }
  }

  #pagingError(what: string): PortalError {
    return new PortalError({
      code: 'bad_response',
      message: `Loading all assets: ${what}`,
      service: 'vault',
      request_id: null,
      status: null,
      service_code: null,
      retry_after_secs: null,
      hint: 'Try again; if it keeps happening, report it to the service.',
    });
  }

  goTo(page: number): void {
    this.page = Math.max(1, page);
    void this.load();
  }

  setSort(sort: string | null): void {
    this.sort = sort;
    this.page = 1;
    void this.load();
  }

  setSearch(q: string): void {
    this.q = q;
    this.page = 1;
    if (this.all && this.#everything) {
      this.#filterLoaded();
      return;
    }
    void this.load();
  }

  /** Search within "Load all" without a round trip; the full list stays kept. */
  #filterLoaded(): void {
    const everything = this.#everything;
    if (!everything) return;
    this.supersede(); // an older answer still on its way must not replace this
    const needle = this.q.trim().toLowerCase();
    if (needle) {
      const names = (this.#lowerNames ??= everything.map((a) => a.name.toLowerCase()));
      const found: Asset[] = [];
      for (let i = 0; i < names.length; i++) if (names[i].includes(needle)) found.push(everything[i]);
      this.items = found;
    } else {
      this.items = everything.slice();
    }
    this.pageInfo = { ...this.pageInfo, total: this.items.length, page: 1, has_more: false };
    this.#keepSelected();
    this.loadingAll = false;
    this.error = null;
    this.status = 'ready';
  }

  setFolder(folderId: string | null): void {
    this.folderId = folderId;
    this.page = 1;
    this.selected = new Set();
    void this.load();
  }

  setAll(all: boolean): void {
    this.all = all;
    this.page = 1;
    void this.load();
  }

  toggle(id: string): void {
    const next = new Set(this.selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.selected = next;
  }

  toggleAll(): void {
    this.selected =
      this.selected.size === this.items.length ? new Set() : new Set(this.items.map((a) => a.id));
  }

  replace(asset: Asset): void {
    this.items = this.items.map((a) => (a.id === asset.id ? asset : a));
    if (this.#everything) {
      this.#everything = this.#everything.map((a) => (a.id === asset.id ? asset : a));
      this.#lowerNames = null;
    }
  }

  /** Deletes one asset (Rust refuses one under legal hold). */
  async remove(asset: Asset): Promise<boolean> {
    try {
      await call('delete_asset', { id: asset.id });
      this.items = this.items.filter((a) => a.id !== asset.id);
      void this.load();
      void this.loadQuota();
      return true;
    } catch (rejection) {
      this.handle(rejection, `Could not delete “${asset.name}”`);
      return false;
    }
  }

  async removeSelected(ids: string[]): Promise<BulkDeleteSummary | null> {
    try {
      const summary = await call('delete_assets', { ids });
      this.selected = new Set();
      void this.load();
      void this.loadQuota();
      return summary;
    } catch (rejection) {
      this.handle(rejection, 'Could not delete the selected assets');
      return null;
    }
  }

  // --- uploads ---------------------------------------------------------

  #track(started: UploadStarted[]): void {
    const rows: UploadRow[] = started.map((s) => ({
      uploadId: s.uploadId,
      name: s.name,
      state: 'starting',
      sent: 0,
      total: s.total,
      error: null,
    }));
    // An event can arrive before the command answers: keep what it said.
    const known = new Set(this.uploads.map((u) => u.uploadId));
    this.uploads = [...this.uploads, ...rows.filter((r) => !known.has(r.uploadId))];
  }

  async pick(): Promise<void> {
    try {
      this.#track(await call('pick_and_upload', { folderId: this.folderId }));
    } catch (rejection) {
      this.handle(rejection, 'Could not start the upload');
    }
  }

  async drop(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    try {
      this.#track(await call('upload_dropped', { paths, folderId: this.folderId }));
    } catch (rejection) {
      this.handle(rejection, 'Could not upload the dropped files');
    }
  }

  onEvent(e: UploadEvent): void {
    const row: UploadRow = {
      uploadId: e.uploadId,
      name: e.name,
      state: e.state,
      sent: e.sent,
      total: e.total,
      error: e.error?.message ?? null,
    };
    const exists = this.uploads.some((u) => u.uploadId === e.uploadId);
    this.uploads = exists
      ? this.uploads.map((u) =>
          u.uploadId === e.uploadId ? { ...row, total: row.total || u.total, sent: row.sent || u.sent } : u,
        )
      : [...this.uploads, row];
    if (e.state === 'done') {
      void this.load();
      void this.loadQuota();
    }
  }

  async cancel(uploadId: string): Promise<void> {
    try {
      await call('cancel_upload', { uploadId });
    } catch (rejection) {
      showError(rejection, 'Could not cancel the upload');
    }
  }

  clearFinished(): void {
    this.uploads = this.uploads.filter((u) => u.state === 'uploading' || u.state === 'starting');
  }
}
