// The command palette's recent actions: their ids only (e.g. "tokens.create",
// "tokens.rotate:tok_…"), most recent first, capped, kept in the webview's
// local storage. An id names an action, never a secret: token values, keys
// and passwords are not actions' ids.

export const RECENTS_KEY = 'partner-portal.palette.recents';
/** How many recent actions are kept. */
export const RECENTS_CAP = 8;
/** An id longer than this is not one of ours: dropped when read. */
const MAX_ID_LENGTH = 200;

/** The subset of `Storage` used (a test passes its own). */
export type RecentsStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** Reads the kept ids; anything unreadable counts as none. */
export function loadRecents(storage: RecentsStorage | null): string[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(RECENTS_KEY) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((id): id is string => typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH)
      .slice(0, RECENTS_CAP);
  } catch {
    return [];
  }
}

/** `id` first, then the others without it, capped; saved when storage is given. */
export function pushRecent(recents: readonly string[], id: string, storage: RecentsStorage | null): string[] {
  const next = [id, ...recents.filter((r) => r !== id)].slice(0, RECENTS_CAP);
  try {
    storage?.setItem(RECENTS_KEY, JSON.stringify(next));
  } catch {
    // Storage full or unavailable: the list still holds for this session.
  }
  return next;
}

/** The webview's local storage, or null where there is none. */
export function browserStorage(): RecentsStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
