import { describe, expect, it } from 'vitest';
import type { ApiToken } from '../types';
import { filterTokens, nextSort, sortTokens } from './table';

function token(id: string, overrides: Partial<ApiToken> = {}): ApiToken {
  return {
    id,
    name: id,
    scopes: [],
    created_at: null,
    expires_at: null,
    last_used_at: null,
    ...overrides,
  };
}

const tokens = [
  token('tok_b', {
    name: 'Backup job',
    scopes: ['content:read'],
    created_at: '2026-03-01T00:00:00Z',
    expires_at: '2026-09-01T00:00:00Z',
  }),
  token('tok_a', {
    name: 'analytics export',
    scopes: ['analytics:read'],
    created_at: '2026-01-01T00:00:00Z',
    expires_at: null,
    last_used_at: '2026-07-01T00:00:00Z',
  }),
  token('tok_c', {
    name: 'CI pipeline',
    scopes: ['content:write', 'content:read'],
    created_at: null,
    expires_at: '2026-08-01T00:00:00Z',
  }),
];

const ids = (list: ApiToken[]) => list.map((t) => t.id);

describe('filterTokens', () => {
  it('returns everything for an empty or blank query', () => {
    expect(ids(filterTokens(tokens, ''))).toEqual(['tok_b', 'tok_a', 'tok_c']);
    expect(ids(filterTokens(tokens, '   '))).toHaveLength(3);
  });
  it('matches the name case-insensitively', () => {
    expect(ids(filterTokens(tokens, 'ci PIPE'))).toEqual(['tok_c']);
  });
  it('matches a scope', () => {
    expect(ids(filterTokens(tokens, 'content:read'))).toEqual(['tok_b', 'tok_c']);
  });
  it('matches the id', () => {
    expect(ids(filterTokens(tokens, 'tok_a'))).toEqual(['tok_a']);
  });
  it('returns nothing when nothing matches', () => {
    expect(filterTokens(tokens, 'zzz')).toEqual([]);
  });
});

describe('sortTokens', () => {
  it('sorts by name case-insensitively, both ways', () => {
    expect(ids(sortTokens(tokens, { key: 'name', dir: 'asc' }))).toEqual(['tok_a', 'tok_b', 'tok_c']);
    expect(ids(sortTokens(tokens, { key: 'name', dir: 'desc' }))).toEqual(['tok_c', 'tok_b', 'tok_a']);
  });
  it('puts unknown creation dates last in either direction', () => {
    expect(ids(sortTokens(tokens, { key: 'created', dir: 'asc' }))).toEqual(['tok_a', 'tok_b', 'tok_c']);
    expect(ids(sortTokens(tokens, { key: 'created', dir: 'desc' }))).toEqual(['tok_b', 'tok_a', 'tok_c']);
  });
  it('treats no expiry as the furthest expiry', () => {
    expect(ids(sortTokens(tokens, { key: 'expires', dir: 'asc' }))).toEqual(['tok_c', 'tok_b', 'tok_a']);
  });
  it('sorts age as the reverse of creation', () => {
    expect(ids(sortTokens(tokens, { key: 'age', dir: 'asc' }))).toEqual(['tok_b', 'tok_a', 'tok_c']);
  });
  it('does not modify its input', () => {
    const copy = [...tokens];
    sortTokens(tokens, { key: 'name', dir: 'desc' });
    expect(tokens).toEqual(copy);
  });
});

describe('nextSort', () => {
  it('flips the direction of the same column', () => {
    expect(nextSort({ key: 'name', dir: 'asc' }, 'name')).toEqual({ key: 'name', dir: 'desc' });
    expect(nextSort({ key: 'name', dir: 'desc' }, 'name')).toEqual({ key: 'name', dir: 'asc' });
  });
  it('starts a new column ascending', () => {
    expect(nextSort({ key: 'name', dir: 'desc' }, 'expires')).toEqual({ key: 'expires', dir: 'asc' });
  });
});
