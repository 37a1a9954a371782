import { describe, expect, it } from 'vitest';
import { Navigation } from './navigation.svelte';

describe('Navigation', () => {
  it('opens the page of an intent and hands the intent to that page once', () => {
    const prefetched: string[] = [];
    const nav = new Navigation((page) => prefetched.push(page));
    nav.request({ page: 'tokens', action: 'revoke', id: 'tok_1' });
    expect(nav.page).toBe('tokens');
    expect(prefetched).toEqual(['tokens']);
    expect(nav.take('keys')).toBeNull();
    expect(nav.take('tokens')).toEqual({ page: 'tokens', action: 'revoke', id: 'tok_1' });
    expect(nav.take('tokens')).toBeNull();
  });

  it('drops an intent not yet taken when the user opens another page', () => {
    const nav = new Navigation();
    nav.request({ page: 'keys', action: 'delete', id: 'lk_1' });
    nav.go('keys');
    expect(nav.intent).not.toBeNull();
    nav.go('activity');
    expect(nav.intent).toBeNull();
    nav.go('keys');
    expect(nav.take('keys')).toBeNull();
  });

  it('keeps a count per page for the sidebar', () => {
    const nav = new Navigation();
    nav.badge('health', 3);
    expect(nav.badges.health).toBe(3);
    nav.badge('health', 0);
    expect(nav.badges.health).toBe(0);
  });
});
