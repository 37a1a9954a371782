import { createContext } from 'svelte';

/**
 * Where the Activity page keeps its store for the app's lifetime (filters
 * survive a switch to another page). App sets the empty slot; the page,
 * loaded on demand, fills it the first time it is opened, so the store's
 * code stays out of the start-up bundle.
 */
export interface ActivitySlot {
  current: unknown;
}

export const [getActivitySlot, setActivitySlot] = createContext<ActivitySlot>();
