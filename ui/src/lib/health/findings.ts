// Pure helpers of the Health page (unit-tested in findings.test.ts).
import type { PageIntent } from '../app/navigation.svelte';
import type { HealthFinding, HealthKind } from '../types';

/** Each kind's heading, in the words of the page. */
export const KIND_TITLES: Record<HealthKind, string> = {
  credential_refused: 'Refused credentials',
  rotation_overdue: 'Overdue rotations',
  token_expired: 'Expired tokens never revoked',
  saved_token_gone: 'Saved token values whose token is gone',
  saved_token_expired: 'Saved token values of expired tokens',
  key_server_gone: 'Keys whose uploaded half is gone',
  key_not_uploaded: 'Keys never uploaded',
  key_no_private_half: 'Server keys without their private half here',
  policy_violation: 'Tokens and keys against the policy',
  key_deletion_due: 'Key deletions due',
  key_deletion_scheduled: 'Key deletions scheduled',
};

/** What the app does for a finding's fix: null when only the command can. */
export type HealthAction =
  | { kind: 'forget'; id: string }
  | { kind: 'open'; intent: PageIntent }
  | { kind: 'settings' }
  | { kind: 'retire' };

export function actionFor(finding: HealthFinding): HealthAction | null {
  if (!finding.fix) return null;
  const id = finding.id;
  switch (finding.kind) {
    case 'credential_refused':
      return { kind: 'settings' };
    case 'key_deletion_due':
      return { kind: 'retire' };
    case 'saved_token_gone':
    case 'saved_token_expired':
      return id ? { kind: 'forget', id } : null;
    case 'token_expired':
    case 'rotation_overdue':
      return id ? { kind: 'open', intent: { page: 'tokens', action: 'revoke', id } } : null;
    case 'key_server_gone':
      return id ? { kind: 'open', intent: { page: 'keys', action: 'delete', id } } : null;
    case 'key_not_uploaded':
      return id ? { kind: 'open', intent: { page: 'keys', action: 'resume', id } } : null;
    case 'policy_violation':
      // A token is revoked, a key deleted, each through its page's dialog.
      if (!id) return null;
      return finding.fix.label.startsWith('Revoke')
        ? { kind: 'open', intent: { page: 'tokens', action: 'revoke', id } }
        : { kind: 'open', intent: { page: 'keys', action: 'delete', id } };
    default:
      return null;
  }
}

/** The button's text: a confirmation follows wherever the label ends in "…". */
export function actionLabel(finding: HealthFinding, action: HealthAction): string {
  if (action.kind === 'forget') return 'Forget…';
  return finding.fix?.label ?? 'Fix';
}

export interface HealthGroup {
  kind: HealthKind;
  title: string;
  findings: HealthFinding[];
}

/** The findings by kind, in the report's order (what needs action first). */
export function groupFindings(findings: HealthFinding[]): HealthGroup[] {
  const groups: HealthGroup[] = [];
  for (const finding of findings) {
    let group = groups.find((g) => g.kind === finding.kind);
    if (!group) {
      group = { kind: finding.kind, title: KIND_TITLES[finding.kind], findings: [] };
      groups.push(group);
    }
    group.findings.push(finding);
  }
  return groups;
}

/** How many findings need action (the sidebar's count). */
export function needingAction(findings: HealthFinding[]): number {
  return findings.filter((f) => f.action).length;
}
