import { describe, expect, it } from 'vitest';
import type { Permission } from '../types';
import { can, humanSize, nextSort, quotaLevel, quotaSummary, visibleWindow } from './format';

describe('assets formatting', () => {
  it('sizes read as people write them', () => {
    expect(humanSize(0)).toBe('0 B');
    expect(humanSize(1536)).toBe('1.5 KB');
    expect(humanSize(5 * 1024 * 1024)).toBe('5 MB');
    expect(humanSize(null)).toBe('—');
  });

  it('quota turns amber at 80 % and red at 95 %', () => {
    expect(quotaLevel(79)).toBe('ok');
    expect(quotaLevel(80)).toBe('warn');
    expect(quotaLevel(94.9)).toBe('warn');
    expect(quotaLevel(95)).toBe('critical');
    expect(quotaSummary({ bytes_used: 10, bytes_limit: 100, assets_used: 96, assets_limit: 100 }).level).toBe(
      'critical',
    );
  });

  it('sorts ascending then descending', () => {
    expect(nextSort(null, 'name')).toBe('name');
    expect(nextSort('name', 'name')).toBe('-name');
    expect(nextSort('-name', 'name')).toBe('name');
  });

  it('windows a long list', () => {
    expect(visibleWindow(10_000, 36, 36 * 5000, 360, 5)).toEqual({ start: 4995, end: 5015 });
    expect(visibleWindow(3, 36, 0, 360, 5)).toEqual({ start: 0, end: 3 });
  });

  it('a missing permission is denied', () => {
    const perms: Permission[] = [
      {
        action: 'delete',
        allowed: false,
        needs: 'admin',
        reason: 'Only an admin can delete assets; you are a user.',
      },
    ];
    expect(can(perms, 'delete')).toEqual({
      allowed: false,
      reason: 'Only an admin can delete assets; you are a user.',
      needs: 'admin',
    });
    expect(can([], 'share').allowed).toBe(false);
  });
});
