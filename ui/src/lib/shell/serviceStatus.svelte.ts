// Moved to lib/app/serviceStatus.svelte.ts; kept for Credentials.svelte (another
// branch's file) until its import is updated. Do not import this from new code.
export * from '../app/serviceStatus.svelte';
