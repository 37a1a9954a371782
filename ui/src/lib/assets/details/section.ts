// What the asset details panel hands its sections: the permission a control
// needs, how an action runs (one at a time, errors to the store), and the
// short confirmation toast an action ends with.
import { toasts } from '../../errors/toasts.svelte';

/** Whether the vault session may do an action, and why not. */
export interface Permission {
  allowed: boolean;
  reason: string | null;
}

/** A control the session may not use: disabled, with the reason as its tooltip. */
export function guard(perm: Permission): { disabled: boolean; title: string } {
  return { disabled: !perm.allowed, title: perm.reason ?? '' };
}

/**
 * Runs an action of the panel: `what` is marked busy (every action button
 * waits), a failure goes to the store's error path with `context`.
 */
export type RunAction = (what: string, action: () => Promise<void>, context: string) => Promise<void>;

/** A short info toast that goes away on its own. */
export function notify(title: string, message: string): void {
  toasts.push({ severity: 'info', title, message, hint: null, requestId: null, autoDismissMs: 4000 });
}
