// Pure helpers of the Assets page (unit-tested in format.test.ts).
import type { AssetAction, Permission, Quota, Role } from '../types';

export { humanSize } from '../ui/size';

export type QuotaLevel = 'ok' | 'warn' | 'critical';

/** Amber from 80 %, red from 95 %. */
export function quotaLevel(percent: number): QuotaLevel {
  if (percent >= 95) return 'critical';
  if (percent >= 80) return 'warn';
  return 'ok';
}

export function percentOf(used: number, limit: number): number {
  if (!limit || limit <= 0) return 0;
  return (used / limit) * 100;
}

/** The worse of bytes and count. */
export function quotaSummary(q: Quota): { bytes: number; count: number; level: QuotaLevel } {
  const bytes = percentOf(q.bytes_used, q.bytes_limit);
  const count = percentOf(q.assets_used, q.assets_limit);
  return { bytes, count, level: quotaLevel(Math.max(bytes, count)) };
}

/** "5f3c2a1b-…" → "5f3c2a1b". */
export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}

export const ROLE_LABEL: Record<Role, string> = { user: 'User', organizer: 'Organizer', admin: 'Admin' };

/** Whether the action is allowed, and the tooltip when it is not. */
export function can(
  permissions: Permission[],
  action: AssetAction,
): { allowed: boolean; reason: string | null; needs: Role | null } {
  const p = permissions.find((x) => x.action === action);
  if (!p) return { allowed: false, reason: 'Log in to the vault first.', needs: null };
  return {
    allowed: p.allowed,
    reason: p.allowed ? null : (p.reason ?? `Needs the ${p.needs} role.`),
    needs: p.needs,
  };
}

/** The column headers' sort: first click ascending, second descending. */
export function nextSort(current: string | null, column: string): string {
  if (current === column) return `-${column}`;
  return column;
}

export function sortState(current: string | null, column: string): 'ascending' | 'descending' | 'none' {
  if (current === column) return 'ascending';
  if (current === `-${column}`) return 'descending';
  return 'none';
}

/** The slice of a list to render: visible rows plus overscan on each side. */
export function visibleWindow(
  count: number,
  rowHeight: number,
  scrollTop: number,
  viewport: number,
  overscan: number,
): { start: number; end: number } {
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const shown = Math.ceil(Math.max(viewport, rowHeight) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + shown + overscan);
  return { start, end };
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toISOString().slice(0, 16).replace('T', ' ');
}
