// Sorting and filtering of the tokens table. Pure, so it is tested without a DOM.
import type { ApiToken } from '../types';
import { parseTime } from '../ui/time';
import { compareText } from '../ui/compare';

export type SortKey = 'name' | 'scopes' | 'created' | 'expires' | 'last_used' | 'age';
export type SortDir = 'asc' | 'desc';
export interface Sort {
  key: SortKey;
  dir: SortDir;
}

export const DEFAULT_SORT: Sort = { key: 'created', dir: 'desc' };

/** Tokens whose name, id or one of whose scopes contains the query (case-insensitive). */
export function filterTokens(tokens: readonly ApiToken[], query: string): ApiToken[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return [...tokens];
  return tokens.filter(
    (t) =>
      t.name.toLowerCase().includes(needle) ||
      t.id.toLowerCase().includes(needle) ||
      t.scopes.some((s) => s.toLowerCase().includes(needle)),
  );
}

type Value = string | number | null;

function time(value: string | null): number | null {
  return parseTime(value)?.getTime() ?? null;
}

function sortValue(token: ApiToken, key: SortKey): Value {
  switch (key) {
    case 'name':
      return token.name.toLowerCase();
    case 'scopes':
      return [...token.scopes].sort().join(' ');
    case 'created':
      return time(token.created_at);
    case 'expires':
      // No expiry sorts after every date: it is the furthest away.
      return token.expires_at === null ? Number.POSITIVE_INFINITY : time(token.expires_at);
    case 'last_used':
      return time(token.last_used_at);
    case 'age': {
      const created = time(token.created_at);
      return created === null ? null : -created;
    }
  }
}

/** A sorted copy. Unknown values (no date, unparseable) always go last. */
export function sortTokens(tokens: readonly ApiToken[], sort: Sort): ApiToken[] {
  const factor = sort.dir === 'asc' ? 1 : -1;
  return [...tokens].sort((a, b) => {
    const va = sortValue(a, sort.key);
    const vb = sortValue(b, sort.key);
    if (va === null && vb === null) return compareText(a.name, b.name);
    if (va === null) return 1;
    if (vb === null) return -1;
    let cmp: number;
    if (typeof va === 'string' && typeof vb === 'string') cmp = compareText(va, vb);
    else cmp = va < vb ? -1 : va > vb ? 1 : 0;
    return cmp === 0 ? compareText(a.name, b.name) : cmp * factor;
  });
}

/** Clicking a header: the same column flips direction, a new one starts ascending. */
export function nextSort(current: Sort, key: SortKey): Sort {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: 'asc' };
}
