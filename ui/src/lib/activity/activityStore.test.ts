import { afterEach, describe, expect, it, vi } from 'vitest';
import { activityReport, mockBackend } from '../../test/backend';
import { TIMEOUTS } from '../backend';
import { hintFor } from '../errors/classify';
import { Activity } from './activity.svelte';

afterEach(() => {
  vi.useRealTimers();
});

describe('Activity store', () => {
  it('gives up on a read that never answers instead of spinning forever', async () => {
    vi.useFakeTimers();
    mockBackend({ activity_log: () => new Promise(() => {}) });
    const activity = new Activity();
    activity.show(1, 'Sandbox');
    expect(activity.status).toBe('loading');
    await vi.advanceTimersByTimeAsync(TIMEOUTS.local - 1);
    expect(activity.status).toBe('loading');
    await vi.advanceTimersByTimeAsync(1);
    expect(activity.status).toBe('error');
    expect(activity.error?.message).toMatch(/did not answer within/);
    expect(activity.error?.code).toBe('internal');
    expect(hintFor(activity.error!)).toMatch(/Try again/);
  });

  it('starts over on the active profile in a new epoch, and keeps the filters within one', async () => {
    const backend = mockBackend({ activity_log: () => activityReport() });
    const activity = new Activity();
    activity.show(1, 'Sandbox');
    await vi.waitFor(() => expect(activity.status).toBe('ready'));
    activity.profile = null;
    activity.query = 'tok';

    activity.show(1, 'Sandbox');
    expect(activity.status).toBe('ready'); // a quiet reload: rows stay
    await vi.waitFor(() => expect(backend.count('activity_log')).toBe(2));
    expect(activity.profile).toBeNull();
    expect(activity.query).toBe('tok');

    activity.show(2, 'Acme live');
    expect(activity.status).toBe('loading');
    expect(activity.profile).toBe('Acme live');
    expect(activity.query).toBe('');
    await vi.waitFor(() => expect(activity.status).toBe('ready'));
    expect(activity.visible.map((row) => row.entry.seq)).toEqual([4, 3]);
  });
});
