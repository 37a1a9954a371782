// Moved to lib/ui/environment.ts; kept for ProfileDetails.svelte (another
// branch's file) until its import is updated. Do not import this from new code.
export * from '../ui/environment';
