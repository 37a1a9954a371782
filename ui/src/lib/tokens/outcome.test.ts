import { describe, expect, it } from 'vitest';
import type { ApiToken } from '../types';
import { possiblyCreated } from './outcome';

const NOW = new Date('2026-07-04T12:00:00Z');
const token = (id: string, name: string, created_at: string | null): ApiToken => ({
  id,
  name,
  scopes: [],
  created_at,
  expires_at: null,
  last_used_at: null,
});

describe('possiblyCreated', () => {
  it('finds same-name tokens created in the last 10 minutes', () => {
    const tokens = [
      token('a', 'Ingest', '2026-07-04T11:55:00Z'),
      token('b', 'Ingest', '2026-07-04T11:49:00Z'),
      token('c', 'Other', '2026-07-04T11:59:00Z'),
      token('d', 'Ingest', null),
      token('e', ' Ingest', '2026-07-04T12:00:30Z'),
    ];
    expect(possiblyCreated(tokens, 'Ingest ', NOW).map((t) => t.id)).toEqual(['a', 'e']);
  });
});
