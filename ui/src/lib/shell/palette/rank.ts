// The command palette's ranking: a fuzzy subsequence match of what is typed
// against each action's title (and, weaker, its keywords), scored with
// bonuses for matches at word starts and for runs of adjacent characters;
// recent actions first. Pure functions, no DOM.

/** What the ranking needs of an action. */
export interface Rankable {
  /** Stable id (the recents list holds these). */
  id: string;
  /** What the palette shows and is matched first. */
  title: string;
  /** Other words that find it (e.g. "create" for "New token"); matched at a discount. */
  keywords?: readonly string[];
  /**
   * Identifiers that find it (a token's id), matched from their start only:
   * a fuzzy match inside a random id would find actions nobody asked for.
   */
  ids?: readonly string[];
}

/** A match of the query in a text: its score and the matched character indices. */
export interface Match {
  score: number;
  positions: number[];
}

export interface Ranked<T> {
  item: T;
  score: number;
  /** Indices of the title's characters that matched (for highlighting); empty for a keyword match. */
  positions: number[];
  /** Whether the action is among the recents. */
  recent: boolean;
}

/** Score of each matched character. */
const CHAR = 1;
/** A matched character at the start of a word (after a space, a punctuation mark, or a lower→upper case change). */
const WORD_START = 8;
/** A matched character right after the previous matched one. */
const CONTIGUOUS = 5;
/** The first character of the text: a word start worth a little more. */
const FIRST = 2;
/** Each skipped character between two matched ones (capped per gap). */
const GAP = 1;
const GAP_CAP = 3;
/** A keyword match counts for this share of its score (the title is what the user reads). */
const KEYWORD_SHARE = 0.8;
/** The most recent action's bonus when there is a query; it decreases with age. */
const RECENT_BONUS = 6;

function isWordStart(text: string, i: number): boolean {
  if (i === 0) return true;
  const prev = text[i - 1];
  const here = text[i];
  if (!/[\p{L}\p{N}]/u.test(prev)) return true;
  return prev === prev.toLowerCase() && here !== here.toLowerCase();
}

/**
 * The best fuzzy match of `query` (whitespace ignored, case-insensitive) in
 * `text` as a subsequence, or null when some character of the query is
 * missing. The best alignment is found by dynamic programming, so "tok" in
 * "Rotate token" matches the word "token", not the scattered t…o…k.
 */
export function fuzzyMatch(query: string, text: string): Match | null {
  // By UTF-16 unit, each lowercased on its own: indices stay the title's.
  const q = query.replace(/\s+/g, '').toLowerCase().split('');
  const t = text.split('').map((c) => c.toLowerCase());
  if (q.length === 0) return { score: 0, positions: [] };
  if (q.length > t.length) return null;
  const n = t.length;
  const m = q.length;
  // best[i][j]: best score with q[0..=i] matched and q[i] at t[j]; from[i][j]: the previous j.
  const best: number[][] = [];
  const from: number[][] = [];
  for (let i = 0; i < m; i++) {
    best.push(new Array<number>(n).fill(-Infinity));
    from.push(new Array<number>(n).fill(-1));
    for (let j = i; j < n; j++) {
      if (t[j] !== q[i]) continue;
      const start = isWordStart(text, j);
      const base = CHAR + (start ? WORD_START : 0) + (j === 0 ? FIRST : 0);
      if (i === 0) {
        best[i][j] = base;
        continue;
      }
      for (let k = i - 1; k < j; k++) {
        const prev = best[i - 1][k];
        if (prev === -Infinity) continue;
        const gap = j - k - 1;
        const score = prev + base + (gap === 0 ? CONTIGUOUS : -Math.min(gap, GAP_CAP) * GAP);
        if (score > best[i][j]) {
          best[i][j] = score;
          from[i][j] = k;
        }
      }
    }
  }
  let end = -1;
  for (let j = 0; j < n; j++)
    if (best[m - 1][j] > -Infinity && (end < 0 || best[m - 1][j] > best[m - 1][end])) end = j;
  if (end < 0) return null;
  const positions: number[] = [];
  for (let i = m - 1, j = end; i >= 0; j = from[i][j], i--) positions.unshift(j);
  // A match covering more of a short text is a better one.
  const score = best[m - 1][end] + m / n;
  return { score, positions };
}

/** The action's best match: its title's, or a keyword's at a discount. */
function matchAction(query: string, item: Rankable): { score: number; positions: number[] } | null {
  const title = fuzzyMatch(query, item.title);
  let score = title?.score ?? -Infinity;
  const prefixes = (item.ids ?? []).filter((id) => id.toLowerCase().startsWith(query.toLowerCase()));
  for (const keyword of [...(item.keywords ?? []), ...prefixes]) {
    const match = fuzzyMatch(query, keyword);
    if (match && match.score * KEYWORD_SHARE > score) score = match.score * KEYWORD_SHARE;
  }
  if (score === -Infinity) return null;
  return { score, positions: title && title.score >= score ? title.positions : [] };
}

/**
 * The actions to show for `query`, best first. With no query: the recent
 * actions (most recent first), then the others in their given order. With a
 * query: only the actions that match, by score, a recent action getting a
 * bonus that shrinks with its age; ties keep the given order.
 */
export function rank<T extends Rankable>(
  items: readonly T[],
  query: string,
  recents: readonly string[],
): Ranked<T>[] {
  const age = new Map(recents.map((id, index) => [id, index]));
  const recentBonus = (id: string) => {
    const index = age.get(id);
    return index === undefined ? 0 : RECENT_BONUS * (1 - index / Math.max(recents.length, 1));
  };
  const order = (a: { index: number }, b: { index: number }) => a.index - b.index;
  if (query.trim() === '') {
    const ranked = items.map((item, index) => ({
      item,
      score: 0,
      positions: [],
      recent: age.has(item.id),
      index: age.has(item.id) ? (age.get(item.id) ?? 0) - recents.length : index,
    }));
    return ranked.sort(order).map(strip);
  }
  const ranked: Array<Ranked<T> & { index: number }> = [];
  items.forEach((item, index) => {
    const match = matchAction(query, item);
    if (!match) return;
    const recent = age.has(item.id);
    ranked.push({
      item,
      score: match.score + recentBonus(item.id),
      positions: match.positions,
      recent,
      index,
    });
  });
  return ranked.sort((a, b) => b.score - a.score || order(a, b)).map(strip);
}

function strip<T>({ item, score, positions, recent }: Ranked<T> & { index: number }): Ranked<T> {
  return { item, score, positions, recent };
}
