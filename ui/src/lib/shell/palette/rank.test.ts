import { describe, expect, it } from 'vitest';
import { fuzzyMatch, rank, type Rankable } from './rank';
import { loadRecents, pushRecent, RECENTS_CAP, RECENTS_KEY } from './recents';

const items: Rankable[] = [
  { id: 'page.tokens', title: 'Go to Tokens' },
  { id: 'tokens.create', title: 'New token', keywords: ['create token', 'add token'] },
  { id: 'keys.create', title: 'New key', keywords: ['create JWT key'] },
  { id: 'tokens.rotate:tok_1', title: 'Rotate token “CI pipeline”' },
  { id: 'tokens.revoke:tok_1', title: 'Revoke token “CI pipeline”' },
  { id: 'keys.verify', title: 'Verify a JWT' },
  { id: 'page.settings', title: 'Go to Settings' },
];
const ids = (query: string, recents: string[] = []) => rank(items, query, recents).map((r) => r.item.id);

describe('fuzzyMatch', () => {
  it('matches a subsequence, case and spaces aside', () => {
    expect(fuzzyMatch('nwtkn', 'New token')).not.toBeNull();
    expect(fuzzyMatch('NEW TOKEN', 'New token')?.positions).toEqual([0, 1, 2, 4, 5, 6, 7, 8]);
    expect(fuzzyMatch('xyz', 'New token')).toBeNull();
    expect(fuzzyMatch('tokens', 'token')).toBeNull();
  });

  it('prefers word starts: "tok" is the word token, not t…o…k scattered', () => {
    expect(fuzzyMatch('tok', 'Rotate token')?.positions).toEqual([7, 8, 9]);
    expect(fuzzyMatch('nt', 'New token')?.positions).toEqual([0, 4]);
  });

  it('scores word starts and adjacent runs above scattered letters', () => {
    const wordStarts = fuzzyMatch('vj', 'Verify a JWT')!.score;
    const scattered = fuzzyMatch('ej', 'Verify a JWT')!.score;
    expect(wordStarts).toBeGreaterThan(scattered);
    const run = fuzzyMatch('ver', 'Verify a JWT')!.score;
    const apart = fuzzyMatch('vfy', 'Verify a JWT')!.score;
    expect(run).toBeGreaterThan(apart);
  });

  it('counts a lower-to-upper case change as a word start', () => {
    expect(fuzzyMatch('pd', 'playbackDoctor')?.positions).toEqual([0, 8]);
  });
});

describe('rank', () => {
  it('lists everything in the given order when nothing is typed and nothing is recent', () => {
    expect(ids('')).toEqual(items.map((i) => i.id));
  });

  it('puts recent actions first, most recent first, when nothing is typed', () => {
    const ranked = rank(items, '  ', ['keys.verify', 'tokens.create']);
    expect(ranked.slice(0, 2).map((r) => r.item.id)).toEqual(['keys.verify', 'tokens.create']);
    expect(ranked.slice(0, 2).every((r) => r.recent)).toBe(true);
    expect(ranked[2]).toMatchObject({ item: { id: 'page.tokens' }, recent: false });
    expect(ranked).toHaveLength(items.length);
  });

  it('keeps only the matches, the best first', () => {
    expect(ids('new token')[0]).toBe('tokens.create');
    expect(ids('new key')[0]).toBe('keys.create');
    expect(ids('revoke')).toEqual(['tokens.revoke:tok_1']);
    expect(ids('zzz')).toEqual([]);
  });

  it('ranks a word-start match above a scattered one', () => {
    // "rt": Rotate Token (two word starts) beats the r…t inside other titles.
    expect(ids('rt')[0]).toBe('tokens.rotate:tok_1');
    // "set": Go to Settings (word start, adjacent) beats scattered s…e…t.
    expect(ids('set')[0]).toBe('page.settings');
  });

  it('finds an action by a keyword, below an equal title match', () => {
    expect(ids('create jwt')).toEqual(['keys.create']);
    const byTitle = rank(
      [
        { id: 'a', title: 'Create' },
        { id: 'b', title: 'Other', keywords: ['Create'] },
      ],
      'create',
      [],
    );
    expect(byTitle.map((r) => r.item.id)).toEqual(['a', 'b']);
    // Keyword matches highlight nothing in the title.
    expect(byTitle[1].positions).toEqual([]);
  });

  it('puts a recent action first among equally good matches', () => {
    expect(ids('token “ci')).toEqual(['tokens.rotate:tok_1', 'tokens.revoke:tok_1']);
    expect(ids('token “ci', ['tokens.revoke:tok_1'])).toEqual(['tokens.revoke:tok_1', 'tokens.rotate:tok_1']);
  });

  it('does not let recency lift a poor match above a clearly better one', () => {
    // "new t": New token (word starts, a run) stays above the recent scattered match.
    expect(ids('new t', ['keys.create'])[0]).toBe('tokens.create');
  });

  it('returns the matched positions for highlighting', () => {
    const [first] = rank(items, 'vjwt', []);
    expect(first.item.id).toBe('keys.verify');
    expect(first.positions.map((i) => first.item.title[i]).join('')).toBe('VJWT');
  });
});

describe('recents', () => {
  const memory = () => {
    const data = new Map<string, string>();
    return {
      data,
      getItem: (key: string) => data.get(key) ?? null,
      setItem: (key: string, value: string) => void data.set(key, value),
    };
  };

  it('moves an action to the front, without duplicates, and keeps it', () => {
    const storage = memory();
    let recents = pushRecent([], 'a', storage);
    recents = pushRecent(recents, 'b', storage);
    recents = pushRecent(recents, 'a', storage);
    expect(recents).toEqual(['a', 'b']);
    expect(loadRecents(storage)).toEqual(['a', 'b']);
    expect(JSON.parse(storage.data.get(RECENTS_KEY)!)).toEqual(['a', 'b']);
  });

  it('keeps at most RECENTS_CAP ids', () => {
    const storage = memory();
    let recents: string[] = [];
    for (let i = 0; i < RECENTS_CAP + 5; i++) recents = pushRecent(recents, `action-${i}`, storage);
    expect(recents).toHaveLength(RECENTS_CAP);
    expect(recents[0]).toBe(`action-${RECENTS_CAP + 4}`);
    expect(loadRecents(storage)).toEqual(recents);
  });

  it('reads anything unexpected as no recents', () => {
    const storage = memory();
    expect(loadRecents(storage)).toEqual([]);
    expect(loadRecents(null)).toEqual([]);
    storage.setItem(RECENTS_KEY, '{not json');
    expect(loadRecents(storage)).toEqual([]);
    storage.setItem(RECENTS_KEY, '{"a":1}');
    expect(loadRecents(storage)).toEqual([]);
    storage.setItem(RECENTS_KEY, JSON.stringify(['ok', 3, null, '', 'x'.repeat(500)]));
    expect(loadRecents(storage)).toEqual(['ok']);
  });

  it('still works when the storage refuses to write', () => {
    const full = {
      getItem: () => null,
      setItem: () => {
        throw new Error('quota');
      },
    };
    expect(pushRecent(['a'], 'b', full)).toEqual(['b', 'a']);
  });

  it('finds an action by an id from its start only, not by letters scattered in it', () => {
    const items = [{ id: 'tokens.revoke:x', title: 'Revoke token “CI”', ids: ['tok_9r8e7v'] }];
    expect(rank(items, 'tok_9', []).map((r) => r.item.id)).toEqual(['tokens.revoke:x']);
    expect(rank([{ ...items[0], title: 'Rotate' }], 'rev', [])).toEqual([]);
  });
});
