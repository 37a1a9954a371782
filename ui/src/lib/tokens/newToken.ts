// The "New token" form: its values, their checks, and the exact
// NewTokenInput it sends. Pure: the current time is an argument.
import type { NewTokenInput, ScopeInfo } from '../types';
import { DAY_MS } from '../ui/time';
import { ADMIN_WRITE_SCOPE } from './hygiene';

export type ExpiryChoice = '30' | '90' | '365' | 'custom' | 'never';

export const EXPIRY_CHOICES: ReadonlyArray<{ value: ExpiryChoice; label: string }> = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '365 days' },
  { value: 'custom', label: 'Custom date' },
  { value: 'never', label: 'Never' },
];

/** Quarterly, as the rotation advice says. */
export const DEFAULT_EXPIRY: ExpiryChoice = '90';

/** The documented best practices the form quotes. */
export const ADVICE = {
  minimalScopes: 'Scope tokens minimally — A content ingestion script needs content:write, not admin:write',
  rotate: 'Rotate tokens regularly — Revoke and regenerate tokens quarterly',
} as const;

export interface NewTokenValues {
  name: string;
  scopes: string[];
  expiry: ExpiryChoice;
  /** `YYYY-MM-DD` from the date input, for `expiry: 'custom'`. */
  customDate: string;
}

export type NewTokenField = 'name' | 'scopes' | 'expiry';
export type NewTokenProblems = Partial<Record<NewTokenField, string>>;

export function emptyNewToken(): NewTokenValues {
  return { name: '', scopes: [], expiry: DEFAULT_EXPIRY, customDate: '' };
}

/** Least-privilege starting points: each grants one thing. */
export interface ScopePreset {
  id: string;
  label: string;
  scopes: string[];
}

export const SCOPE_PRESETS: readonly ScopePreset[] = [
  { id: 'ingestion', label: 'Content ingestion', scopes: ['content:write'] },
  { id: 'read-content', label: 'Read-only content', scopes: ['content:read'] },
  { id: 'analytics', label: 'Analytics reader', scopes: ['analytics:read'] },
  { id: 'webhooks', label: 'Webhook manager', scopes: ['webhook:manage'] },
];

/** The areas in the order the picker shows them; unknown areas follow. */
const AREA_ORDER = ['content', 'admin', 'analytics', 'webhooks'];

export interface ScopeGroup {
  area: string;
  scopes: ScopeInfo[];
}

/** Scopes grouped by area (Content, Admin, Analytics, Webhooks), in that order. */
export function groupScopes(scopes: readonly ScopeInfo[]): ScopeGroup[] {
  const groups: ScopeGroup[] = [];
  for (const info of scopes) {
    const label = areaLabel(info.area);
    let group = groups.find((g) => g.area === label);
    if (!group) {
      group = { area: label, scopes: [] };
      groups.push(group);
    }
    group.scopes.push(info);
  }
  const rank = (area: string) => {
    const i = AREA_ORDER.indexOf(area.toLowerCase());
    return i === -1 ? AREA_ORDER.length : i;
  };
  return groups.sort((a, b) => rank(a.area) - rank(b.area));
}

function areaLabel(area: string): string {
  const trimmed = area.trim() || 'Other';
  return trimmed[0].toUpperCase() + trimmed.slice(1);
}

/** Whether exactly the preset's scopes are chosen. */
export function presetActive(preset: ScopePreset, chosen: readonly string[]): boolean {
  return preset.scopes.length === chosen.length && preset.scopes.every((s) => chosen.includes(s));
}

export function grantsAdminWrite(scopes: readonly string[]): boolean {
  return scopes.includes(ADMIN_WRITE_SCOPE);
}

/** `YYYY-MM-DD` of a local date, as a date input uses. */
export function localDateString(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The end (23:59:59.999 local time) of a `YYYY-MM-DD` day; null if malformed. */
export function endOfDay(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day, 23, 59, 59, 999);
  // Reject 2026-02-31 and the like, which Date would roll over.
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  return date;
}

/** What is wrong with the form, field by field (empty when it can be sent). */
export function validateNewToken(values: NewTokenValues, now: Date): NewTokenProblems {
  const problems: NewTokenProblems = {};
  if (!values.name.trim()) problems.name = 'Give the token a name, e.g. the service that will use it.';
  if (values.scopes.length === 0) problems.scopes = 'Choose at least one scope.';
  if (values.expiry === 'custom') {
    const end = endOfDay(values.customDate);
    if (!end) problems.expiry = 'Choose the expiry date.';
    else if (values.customDate <= localDateString(now) || end.getTime() <= now.getTime()) {
      problems.expiry = 'The expiry date must be in the future.';
    }
  }
  return problems;
}

/** RFC 3339 expiry for the choice: now + N days, the end of the custom day, or null. */
export function expiresAt(values: Pick<NewTokenValues, 'expiry' | 'customDate'>, now: Date): string | null {
  switch (values.expiry) {
    case 'never':
      return null;
    case 'custom': {
      const end = endOfDay(values.customDate);
      if (!end) throw new Error(`Not a date: ${values.customDate}`);
      return end.toISOString();
    }
    default:
      return new Date(now.getTime() + Number(values.expiry) * DAY_MS).toISOString();
  }
}

/** Exactly what `create_token` takes. Call after `validateNewToken` found nothing. */
export function toNewTokenInput(values: NewTokenValues, now: Date): NewTokenInput {
  return {
    name: values.name.trim(),
    scopes: [...values.scopes],
    expiresAt: expiresAt(values, now),
  };
}
