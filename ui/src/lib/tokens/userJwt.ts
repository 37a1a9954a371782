// The user JWT form (player embedding): its checks, the request it sends,
// and the player snippet. Pure.
import type { UserJwtRequest, UserJwtView } from '../types';

/** The service's maximum, and the documented lifetime of a user JWT: 24 h. */
export const MAX_TTL_SECONDS = 86400;

export const TTL_PRESETS: ReadonlyArray<{ seconds: number; label: string }> = [
  { seconds: 900, label: '15 minutes' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86400, label: '24 hours' },
];

export type TtlChoice = '900' | '3600' | '86400' | 'custom';

export interface UserJwtValues {
  userId: string;
  contentId: string;
  ttl: TtlChoice;
  /** Seconds, as typed, for `ttl: 'custom'`. */
  customTtl: string;
  /** '' = the profile's admin token; otherwise a saved token's id. */
  tokenId: string;
}

export type UserJwtField = 'userId' | 'contentId' | 'ttl';
export type UserJwtProblems = Partial<Record<UserJwtField, string>>;

export function emptyUserJwt(): UserJwtValues {
  return { userId: '', contentId: '', ttl: '3600', customTtl: '', tokenId: '' };
}

export function ttlSeconds(values: Pick<UserJwtValues, 'ttl' | 'customTtl'>): number {
  return values.ttl === 'custom' ? Number(values.customTtl.trim()) : Number(values.ttl);
}

export function validateUserJwt(values: UserJwtValues): UserJwtProblems {
  const problems: UserJwtProblems = {};
  if (!values.userId.trim()) problems.userId = 'Enter the id of the viewing user, e.g. usr_xyz789.';
  if (!values.contentId.trim()) problems.contentId = 'Enter the content id, e.g. c_7a3b9f1d.';
  if (values.ttl === 'custom') {
    const text = values.customTtl.trim();
    const seconds = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_TTL_SECONDS) {
      problems.ttl = `Enter whole seconds from 1 to ${MAX_TTL_SECONDS} (24 hours).`;
    }
  }
  return problems;
}

export function toUserJwtRequest(values: UserJwtValues): UserJwtRequest {
  return {
    user_id: values.userId.trim(),
    content_id: values.contentId.trim(),
    ttl_seconds: ttlSeconds(values),
  };
}

/** A single-quoted JavaScript string literal. */
function jsString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** The documented player embedding. */
export function playerSnippet(contentId: string, jwt: string): string {
  return `VSPlayer.mount('#player', { contentId: ${jsString(contentId)}, jwt: ${jsString(jwt)} });`;
}

/** When the JWT expires: `expiresAt`, else the `exp` claim; null if neither is known. */
export function jwtExpiry(view: Pick<UserJwtView, 'expiresAt' | 'claims'>): Date | null {
  if (view.expiresAt) {
    const date = new Date(view.expiresAt);
    if (!Number.isNaN(date.getTime())) return date;
  }
  const claims = view.claims;
  if (claims && typeof claims === 'object' && 'exp' in claims) {
    const exp = (claims as { exp: unknown }).exp;
    if (typeof exp === 'number' && Number.isFinite(exp)) return new Date(exp * 1000);
  }
  return null;
}
