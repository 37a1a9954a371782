import { tick } from 'svelte';

/** How long the secondary start-up calls wait for the token list at most. */
export const DEFER_LIMIT_MS = 1000;

interface ListStatus {
  readonly status: 'idle' | 'loading' | 'ready' | 'error';
}

/**
 * Runs `run` once the token list has settled (shown, or failed) and the
 * browser has had a turn to paint it, or after `DEFER_LIMIT_MS` at most
 * (another page, no profile). At start-up every command is cold and they
 * share two cores: the checks that only feed the sidebar and tooltips go
 * after the list the window opens on. Returns a cancel function.
 */
export function afterFirstList(list: ListStatus, run: () => void): () => void {
  let done = false;
  let stopWatching: (() => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const fire = () => {
    if (done) return;
    done = true;
    clearTimeout(limit);
    cancel();
    run();
  };
  const cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    stopWatching?.();
    stopWatching = null;
  };

  const limit = setTimeout(fire, DEFER_LIMIT_MS);
  // After the pending effects (the page's own load starts there).
  void tick().then(() => {
    if (done) return;
    stopWatching = $effect.root(() => {
      $effect(() => {
        const settled = list.status === 'ready' || list.status === 'error';
        if (settled && timer === null) timer = setTimeout(fire, 0);
      });
    });
  });

  return () => {
    done = true;
    clearTimeout(limit);
    cancel();
  };
}
