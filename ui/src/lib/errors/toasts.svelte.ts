import type { Severity } from './classify';

export interface Toast {
  id: number;
  severity: Severity;
  title: string;
  message: string;
  hint: string | null;
  requestId: string | null;
  /** The fix is in Settings: the toast offers to open it. */
  settings?: boolean;
}

type NewToast = Omit<Toast, 'id'> & { autoDismissMs?: number | null };

/** The toasts on screen. One instance for the whole window. */
class Toasts {
  items = $state<Toast[]>([]);
  #nextId = 1;
  #timers = new Map<number, ReturnType<typeof setTimeout>>();

  push({ autoDismissMs = null, ...toast }: NewToast): number {
    const id = this.#nextId++;
    this.items.push({ id, ...toast });
    if (autoDismissMs != null) {
      this.#timers.set(
        id,
        setTimeout(() => this.dismiss(id), autoDismissMs),
      );
    }
    return id;
  }

  /** A short note that something was done (dismissed after `autoDismissMs`). */
  info(title: string, message: string, autoDismissMs = 6000): number {
    return this.push({ severity: 'info', title, message, hint: null, requestId: null, autoDismissMs });
  }

  dismiss(id: number): void {
    const timer = this.#timers.get(id);
    if (timer) clearTimeout(timer);
    this.#timers.delete(id);
    this.items = this.items.filter((toast) => toast.id !== id);
  }

  clear(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.items = [];
  }
}

export const toasts = new Toasts();
