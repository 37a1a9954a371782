// The Activity page's pure logic: labels for actions, the rows (newest
// first, suspect ones marked), and the filters.
import type { IconName } from '../ui/Icon.svelte';
import type { Action, ActivityEntry, ActivityReport } from '../types';
import { compareText } from '../ui/compare';

export type ActionGroup = 'tokens' | 'keys' | 'assets' | 'legal_holds' | 'profiles';

/** How an action looks: `add` green, `remove` red, `change` blue, `hold` amber, `neutral` grey. */
export type Tone = 'add' | 'remove' | 'change' | 'hold' | 'neutral';

export interface ActionInfo {
  label: string;
  group: ActionGroup;
  tone: Tone;
}

export const ACTIONS: Readonly<Record<Action, ActionInfo>> = {
  token_create: { label: 'Token created', group: 'tokens', tone: 'add' },
  token_revoke: { label: 'Token revoked', group: 'tokens', tone: 'remove' },
  token_rotate: { label: 'Token rotated', group: 'tokens', tone: 'change' },
  rotation_held: { label: 'Old token kept', group: 'tokens', tone: 'hold' },
  key_upload: { label: 'Key uploaded', group: 'keys', tone: 'add' },
  key_delete: { label: 'Key deleted', group: 'keys', tone: 'remove' },
  key_delete_scheduled: { label: 'Key deletion scheduled', group: 'keys', tone: 'change' },
  key_delete_unscheduled: { label: 'Key deletion cancelled', group: 'keys', tone: 'neutral' },
  key_default_set: { label: 'Default signing key set', group: 'keys', tone: 'neutral' },
  asset_delete: { label: 'Asset deleted', group: 'assets', tone: 'remove' },
  asset_upload: { label: 'Asset uploaded', group: 'assets', tone: 'add' },
  asset_update: { label: 'Asset changed', group: 'assets', tone: 'change' },
  asset_share: { label: 'Share link created', group: 'assets', tone: 'neutral' },
  transform_request: { label: 'Transform requested', group: 'assets', tone: 'neutral' },
  folder_create: { label: 'Folder created', group: 'assets', tone: 'add' },
  legal_hold_set: { label: 'Legal hold set', group: 'legal_holds', tone: 'hold' },
  legal_hold_clear: { label: 'Legal hold cleared', group: 'legal_holds', tone: 'change' },
  profile_add: { label: 'Profile added', group: 'profiles', tone: 'add' },
  profile_remove: { label: 'Profile removed', group: 'profiles', tone: 'remove' },
  profile_switch: { label: 'Profile switched', group: 'profiles', tone: 'neutral' },
  profile_edit: { label: 'Profile changed', group: 'profiles', tone: 'change' },
  secrets_backend: { label: 'Secrets storage changed', group: 'profiles', tone: 'neutral' },
  credential_replace: { label: 'Credential replaced', group: 'profiles', tone: 'change' },
  credential_use: { label: 'Credential used', group: 'profiles', tone: 'neutral' },
};

export interface GroupInfo {
  id: ActionGroup;
  label: string;
  /** "All token changes" in the action filter. */
  allLabel: string;
  icon: IconName;
  actions: Action[];
}

const groupActions = (group: ActionGroup) =>
  (Object.keys(ACTIONS) as Action[]).filter((action) => ACTIONS[action].group === group);

const GROUP_LIST: ReadonlyArray<Omit<GroupInfo, 'actions'>> = [
  { id: 'tokens', label: 'Tokens', allLabel: 'All token changes', icon: 'tokens' },
  { id: 'keys', label: 'Keys', allLabel: 'All key changes', icon: 'keys' },
  { id: 'assets', label: 'Assets', allLabel: 'All asset changes', icon: 'assets' },
  { id: 'legal_holds', label: 'Legal holds', allLabel: 'All legal hold changes', icon: 'lock' },
  { id: 'profiles', label: 'Profiles', allLabel: 'All profile changes', icon: 'user' },
];

/** The action filter's groups, in order, each with its actions. */
export const GROUPS: readonly GroupInfo[] = GROUP_LIST.map((group) => ({
  ...group,
  actions: groupActions(group.id),
}));

/** The label, group and tone of an action; an action this UI does not know keeps its raw name. */
export function actionInfo(action: string): ActionInfo & { icon: IconName } {
  const info: ActionInfo = ACTIONS[action as Action] ?? { label: action, group: 'profiles', tone: 'neutral' };
  const group = action in ACTIONS ? GROUPS.find((g) => g.id === info.group) : undefined;
  return { ...info, icon: group?.icon ?? 'activity' };
}

/** "App", "CLI", or whatever else the log says. */
export function viaLabel(via: string): string {
  if (via === 'app') return 'App';
  if (via === 'cli') return 'CLI';
  return via;
}

export interface ActivityRow {
  entry: ActivityEntry;
  /** Position in the log file (0-based, oldest first): a stable key even if seqs repeat. */
  index: number;
  /** At or after the line where the hash chain breaks. */
  suspect: boolean;
}

/**
 * The report's entries, newest first. When the chain is broken, the entries
 * from `brokenAtLine` on are suspect. Entries carry no line numbers: the
 * n-th entry is taken to be on line n (Rust writes one entry a line).
 */
export function activityRows(report: ActivityReport): ActivityRow[] {
  const firstSuspect = !report.intact ? Math.max(0, (report.brokenAtLine ?? 1) - 1) : Infinity;
  const rows = report.entries.map((entry, index) => ({ entry, index, suspect: index >= firstSuspect }));
  const time = (row: ActivityRow) => {
    const ms = Date.parse(row.entry.at);
    return Number.isNaN(ms) ? -Infinity : ms;
  };
  return rows.sort((a, b) => time(b) - time(a) || b.index - a.index);
}

/** The profiles that appear in the log, with `active` among them, active first, then by name. */
export function profilesInLog(entries: readonly ActivityEntry[], active: string | null): string[] {
  const names = new Set(entries.map((e) => e.profile));
  if (active) names.delete(active);
  const sorted = [...names].sort(compareText);
  return active ? [active, ...sorted] : sorted;
}

/** `all`, a whole group (`group:tokens`) or one action. */
export type ActionFilter = 'all' | `group:${ActionGroup}` | Action;

export interface Filters {
  /** `null`: every profile. */
  profile: string | null;
  action: ActionFilter;
  query: string;
}

export function matchesAction(action: string, filter: ActionFilter): boolean {
  if (filter === 'all') return true;
  if (filter.startsWith('group:')) return ACTIONS[action as Action]?.group === filter.slice('group:'.length);
  return action === filter;
}

/** Case-insensitive, on the target, summary, profile, action (label and name) and via. */
export function matchesQuery(entry: ActivityEntry, query: string): boolean {
  const needle = query.trim().toLowerCase();
  if (!needle) return true;
  const haystack = [
    entry.target,
    entry.summary,
    entry.profile,
    entry.action,
    actionInfo(entry.action).label,
    viaLabel(entry.via),
  ];
  return haystack.some((field) => field.toLowerCase().includes(needle));
}

export function inProfile(row: ActivityRow, profile: string | null): boolean {
  return profile === null || row.entry.profile === profile;
}

export function filterRows(rows: readonly ActivityRow[], filters: Filters): ActivityRow[] {
  return rows.filter(
    (row) =>
      inProfile(row, filters.profile) &&
      matchesAction(row.entry.action, filters.action) &&
      matchesQuery(row.entry, filters.query),
  );
}

/** "1 entry", "12 entries". */
export function entries(count: number): string {
  return count === 1 ? '1 entry' : `${count} entries`;
}
