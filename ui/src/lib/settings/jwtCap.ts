/** The caps offered for a profile's longest signed-JWT lifetime, in seconds. */
export const JWT_CAP_CHOICES: readonly number[] = [
  60 * 60,
  24 * 60 * 60,
  7 * 24 * 60 * 60,
  30 * 24 * 60 * 60,
  90 * 24 * 60 * 60,
  365 * 24 * 60 * 60,
];

/** "7 days", "1 hour", "90 minutes": the largest whole unit, as Rust words it. */
export function jwtCapLabel(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds > 0 && seconds % 86_400 === 0) return plural(seconds / 86_400, 'day');
  if (seconds > 0 && seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds > 0 && seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}
