// After a create whose answer was lost (code `outcome_unknown`), the token
// may exist. These are the listed tokens that could be it.
import type { ApiToken } from '../types';
import { parseTime } from '../ui/time';

/** How far back a same-name token counts as possibly the lost one. */
export const OUTCOME_WINDOW_MS = 10 * 60 * 1000;
/** Clock skew allowed between this computer and the service. */
const SKEW_MS = 2 * 60 * 1000;

/** Tokens named `name` (after trimming) created within the last 10 minutes. */
export function possiblyCreated(tokens: readonly ApiToken[], name: string, now: Date): ApiToken[] {
  const wanted = name.trim();
  const nowMs = now.getTime();
  return tokens.filter((token) => {
    if (token.name.trim() !== wanted) return false;
    const created = parseTime(token.created_at)?.getTime();
    return created !== undefined && created >= nowMs - OUTCOME_WINDOW_MS && created <= nowMs + SKEW_MS;
  });
}
