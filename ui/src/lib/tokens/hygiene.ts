// Token hygiene: the documented best practices (rotate quarterly, minimal
// scopes, tokens that expire) turned into per-token badges. Pure: the
// current time is an argument.
import type { ApiToken } from '../types';
import { DAY_MS, parseTime } from '../ui/time';

export type HygieneKind = 'expired' | 'expiring_soon' | 'no_expiry' | 'old' | 'admin_write';

export interface HygieneBadge {
  kind: HygieneKind;
  /** Short text on the badge. */
  label: string;
  /** Why, for the tooltip. */
  reason: string;
  severity: 'danger' | 'warning';
}

/** A token created more than this many days ago should be rotated. */
export const MAX_AGE_DAYS = 90;
/** A token expiring within this many days needs a replacement soon. */
export const EXPIRY_WARNING_DAYS = 14;
export const ADMIN_WRITE_SCOPE = 'admin:write';

/** The order badges appear in, most urgent first. */
export const HYGIENE_KINDS: readonly HygieneKind[] = [
  'expired',
  'expiring_soon',
  'admin_write',
  'no_expiry',
  'old',
];

export const HYGIENE_LABELS: Record<HygieneKind, string> = {
  expired: 'Expired',
  expiring_soon: 'Expires soon',
  admin_write: 'admin:write',
  no_expiry: 'No expiry',
  old: `Older than ${MAX_AGE_DAYS} days`,
};

/** "3 expired", "2 without expiry": the words after a count in the summary. */
export const HYGIENE_SUMMARY_LABELS: Record<HygieneKind, string> = {
  expired: 'expired',
  expiring_soon: `expiring within ${EXPIRY_WARNING_DAYS} days`,
  admin_write: 'with admin:write',
  no_expiry: 'without expiry',
  old: `older than ${MAX_AGE_DAYS} days`,
};

type TokenDates = Pick<ApiToken, 'scopes' | 'created_at' | 'expires_at'>;

/**
 * The badges for one token.
 * - expired: `expires_at` is at or before `now`.
 * - expiring_soon: `expires_at` is after `now` and at most 14 days away.
 * - no_expiry: `expires_at` is null (valid until revoked).
 * - old: created more than 90 days before `now` (exactly 90 days is fine).
 * - admin_write: holds `admin:write`.
 * Unparseable dates produce no date badge (unknown is not a finding).
 */
export function tokenHygiene(token: TokenDates, now: Date): HygieneBadge[] {
  const badges: HygieneBadge[] = [];
  const nowMs = now.getTime();

  if (token.expires_at === null) {
    badges.push(
      badge(
        'no_expiry',
        'warning',
        'Valid until revoked. Give tokens an expiry date so a leaked one stops working by itself.',
      ),
    );
  } else {
    const expires = parseTime(token.expires_at);
    if (expires) {
      const remaining = expires.getTime() - nowMs;
      if (remaining <= 0) {
        badges.push(
          badge(
            'expired',
            'danger',
            `Expired ${daysText(-remaining)} ago. Services using it are failing; revoke it and remove it from their configuration.`,
          ),
        );
      } else if (remaining <= EXPIRY_WARNING_DAYS * DAY_MS) {
        badges.push(
          badge(
            'expiring_soon',
            'warning',
            `Expires in ${daysText(remaining)}. Create its replacement and roll it out before then.`,
          ),
        );
      }
    }
  }

  const created = parseTime(token.created_at);
  if (created) {
    const age = nowMs - created.getTime();
    if (age > MAX_AGE_DAYS * DAY_MS) {
      badges.push(
        badge(
          'old',
          'warning',
          `Created ${Math.floor(age / DAY_MS)} days ago. Rotate tokens at least every ${MAX_AGE_DAYS} days (revoke and regenerate).`,
        ),
      );
    }
  }

  if (token.scopes.includes(ADMIN_WRITE_SCOPE)) {
    badges.push(
      badge(
        'admin_write',
        'danger',
        'Holds admin:write: it can manage users and create tokens. Only admin tokens should; give scripts the minimal scopes they need.',
      ),
    );
  }

  return badges.sort((a, b) => HYGIENE_KINDS.indexOf(a.kind) - HYGIENE_KINDS.indexOf(b.kind));
}

export type HygieneSummary = {
  /** Tokens with at least one badge. */
  flagged: number;
  counts: Record<HygieneKind, number>;
};

/** How many tokens carry each badge. */
export function hygieneSummary(tokens: readonly TokenDates[], now: Date): HygieneSummary {
  const counts: Record<HygieneKind, number> = {
    expired: 0,
    expiring_soon: 0,
    admin_write: 0,
    no_expiry: 0,
    old: 0,
  };
  let flagged = 0;
  for (const token of tokens) {
    const badges = tokenHygiene(token, now);
    if (badges.length > 0) flagged++;
    for (const b of badges) counts[b.kind]++;
  }
  return { flagged, counts };
}

function badge(kind: HygieneKind, severity: HygieneBadge['severity'], reason: string): HygieneBadge {
  return { kind, label: HYGIENE_LABELS[kind], reason, severity };
}

function daysText(ms: number): string {
  if (ms < DAY_MS) {
    const hours = Math.max(1, Math.round(ms / (60 * 60 * 1000)));
    return hours === 1 ? '1 hour' : `${hours} hours`;
  }
  const days = Math.round(ms / DAY_MS);
  return days === 1 ? '1 day' : `${days} days`;
}
