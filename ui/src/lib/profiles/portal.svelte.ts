// Moved to lib/app/portal.svelte.ts; kept for the settings files of another
// branch (NetworkSettings, ClipboardSetting, JwtTtlSetting) until their
// imports are updated. Do not import this from new code.
export * from '../app/portal.svelte';
