// The dialog a page shows (one at a time, some leading to the next) and the
// element focus goes back to when the last one closes.
import { tick } from 'svelte';

/** A page's dialogs: `current` is the one on screen (null: none). */
export class DialogFlow<T> {
  current = $state.raw<T | null>(null);
  /** Where focus goes back to when the flow ends (not reactive). */
  trigger: HTMLElement | null = null;
  readonly #fallback: () => HTMLElement | undefined;

  /** `fallback`: focused when the trigger is gone or disabled (e.g. the page's New button). */
  constructor(fallback: () => HTMLElement | undefined) {
    this.#fallback = fallback;
  }

  /** Shows `next`, opened from `from`. */
  start = (next: T, from: HTMLElement | null): void => {
    this.trigger = from;
    this.current = next;
  };

  /** Closes the dialog and gives focus back. */
  end = async (): Promise<void> => {
    this.current = null;
    await tick();
    const trigger = this.trigger;
    const target =
      trigger?.isConnected && !(trigger as HTMLButtonElement).disabled ? trigger : this.#fallback();
    target?.focus();
    this.trigger = null;
  };
}
