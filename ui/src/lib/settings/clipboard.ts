// The "clear copied tokens after N seconds" preference.

export const MAX_CLIPBOARD_SECONDS = 3600;

/** What is wrong with the typed value, or null (0 = never clear is allowed). */
export function clipboardSecondsProblem(text: string): string | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return 'Enter a whole number of seconds.';
  const seconds = Number(trimmed);
  if (seconds > MAX_CLIPBOARD_SECONDS) return `At most ${MAX_CLIPBOARD_SECONDS} seconds (one hour).`;
  return null;
}
