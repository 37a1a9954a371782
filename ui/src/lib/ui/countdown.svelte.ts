// A ticking countdown to an instant, for "Clipboard clears in 30 s" and a
// JWT's remaining lifetime. Create it in a component (or an $effect root):
// `stop()` it when the component goes away.

export class Countdown {
  /** Epoch milliseconds of the end, or null when not running. */
  until = $state<number | null>(null);
  #now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | null = null;

  /** Whole seconds left (rounded up), 0 once the end has passed; null when not running. */
  remaining = $derived(this.until === null ? null : Math.max(0, Math.ceil((this.until - this.#now) / 1000)));

  /** Counts down `seconds` from now. */
  startSeconds(seconds: number): void {
    this.startUntil(Date.now() + seconds * 1000);
  }

  /** Counts down to an instant. */
  startUntil(until: number): void {
    this.stop();
    this.until = until;
    this.#now = Date.now();
    this.#timer = setInterval(() => {
      this.#now = Date.now();
      if (this.until !== null && this.#now >= this.until) this.#clearTimer();
    }, 1000);
  }

  stop(): void {
    this.#clearTimer();
    this.until = null;
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}

/** "45 s", "12 min 05 s", "23 h 59 min". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  if (minutes > 0) return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
  return `${seconds} s`;
}
