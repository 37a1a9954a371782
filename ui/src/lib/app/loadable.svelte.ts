// A list loaded from the backend (tokens, keys, activity, assets): its load
// status, the error of a first load, and the quiet reload of rows on screen.
import { PortalError } from '../errors/PortalError';
import { showError } from '../errors/showError';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface LoadableOptions {
  /**
   * The toast's title when a reload of rows already shown fails (they stay);
   * null: every load shows `loading` and a failure becomes `error`.
   */
  refreshFailed: string | null;
}

/**
 * The load status of a store's rows. A first load shows `loading`, then
 * `ready` or `error` (with `error`); a reload while rows are shown keeps them
 * (`refreshing`) and a failure is a toast. Only the latest request's answer
 * counts: an older one still on its way is dropped.
 */
export abstract class Loadable<T> {
  status = $state<LoadStatus>('idle');
  /** A reload while rows are already shown. */
  refreshing = $state(false);
  error = $state.raw<PortalError | null>(null);

  readonly #refreshFailed: string | null;
  #request = 0;

  constructor(options: LoadableOptions) {
    this.#refreshFailed = options.refreshFailed;
  }

  /** A load (first or reload) is under way. */
  get busy(): boolean {
    return this.status === 'loading' || this.refreshing;
  }

  /** Loads the rows (see the class). */
  load(): Promise<void> {
    return this.loadFrom((current) => this.fetch(current));
  }

  /** Back to nothing loaded (a new profile or credentials). */
  reset(): void {
    this.status = 'idle';
    this.error = null;
  }

  /** Asks the backend for the rows. */
  protected abstract fetch(current: () => boolean): Promise<T>;
  /** Shows the rows an answer brought. */
  protected abstract apply(value: T): void;
  /** A first load failed: true when the store dealt with it (no error state). */
  protected handled(_error: PortalError): boolean {
    return false;
  }

  /** Drops any answer still on its way. */
  protected supersede(): void {
    ++this.#request;
  }

  /** `load` with another source; `current()` says the request is still the latest. */
  protected async loadFrom(fetch: (current: () => boolean) => Promise<T>): Promise<void> {
    const request = ++this.#request;
    const current = () => request === this.#request;
    const quiet = this.#refreshFailed !== null && this.status === 'ready';
    if (quiet) this.refreshing = true;
    else this.status = 'loading';
    try {
      const value = await fetch(current);
      if (!current()) return;
      this.apply(value);
      this.error = null;
      this.status = 'ready';
    } catch (rejection) {
      if (!current()) return;
      if (quiet) {
        // Keep the rows on screen; say what went wrong.
        showError(rejection, this.#refreshFailed ?? undefined);
      } else {
        const error = PortalError.from(rejection);
        if (this.handled(error)) return;
        this.error = error;
        this.status = 'error';
      }
    } finally {
      if (current()) this.refreshing = false;
    }
  }
}
