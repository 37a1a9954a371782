import { describe, expect, it } from 'vitest';
import type { HealthFinding } from '../types';
import { actionFor, actionLabel, groupFindings, needingAction } from './findings';

function f(
  kind: HealthFinding['kind'],
  id: string | null,
  label: string | null,
  action = true,
): HealthFinding {
  return {
    kind,
    action,
    subject: `${kind} ${id}`,
    detail: 'Something went stale.',
    fix: label ? { label, command: `portal something ${id} --profile 'Sandbox'` } : null,
    id,
  };
}

describe('actionFor', () => {
  it('maps each fix to the app’s own way of doing it', () => {
    expect(actionFor(f('saved_token_gone', 'tok_1', 'Forget'))).toEqual({ kind: 'forget', id: 'tok_1' });
    expect(actionFor(f('saved_token_expired', 'tok_1', 'Forget'))).toEqual({ kind: 'forget', id: 'tok_1' });
    expect(actionFor(f('token_expired', 'tok_2', 'Revoke…'))).toEqual({
      kind: 'open',
      intent: { page: 'tokens', action: 'revoke', id: 'tok_2' },
    });
    expect(actionFor(f('rotation_overdue', 'tok_3', 'Revoke…'))).toEqual({
      kind: 'open',
      intent: { page: 'tokens', action: 'revoke', id: 'tok_3' },
    });
    expect(actionFor(f('key_server_gone', 'lk_1', 'Delete key…'))).toEqual({
      kind: 'open',
      intent: { page: 'keys', action: 'delete', id: 'lk_1' },
    });
    expect(actionFor(f('key_not_uploaded', 'lk_2', 'Resume upload'))).toEqual({
      kind: 'open',
      intent: { page: 'keys', action: 'resume', id: 'lk_2' },
    });
    expect(actionFor(f('credential_refused', null, 'Replace…'))).toEqual({ kind: 'settings' });
    // A due key deletion is carried out here; a later one only has its command.
    expect(actionFor(f('key_deletion_due', 'key_7', 'Delete due keys'))).toEqual({ kind: 'retire' });
    expect(actionFor(f('key_deletion_scheduled', 'key_8', 'Cancel schedule', false))).toBeNull();
    // A policy violation: the token revoked, the key deleted, by their pages.
    expect(actionFor(f('policy_violation', 'tok_4', 'Revoke…'))).toEqual({
      kind: 'open',
      intent: { page: 'tokens', action: 'revoke', id: 'tok_4' },
    });
    expect(actionFor(f('policy_violation', 'key_9', 'Delete key…'))).toEqual({
      kind: 'open',
      intent: { page: 'keys', action: 'delete', id: 'key_9' },
    });
  });

  it('offers no button without a fix or an id', () => {
    expect(actionFor(f('key_no_private_half', 'key_1', null, false))).toBeNull();
    expect(actionFor(f('token_expired', null, 'Revoke…'))).toBeNull();
  });

  it('labels Forget with an ellipsis, since a confirmation follows', () => {
    const forget = f('saved_token_gone', 'tok_1', 'Forget');
    expect(actionLabel(forget, actionFor(forget)!)).toBe('Forget…');
    const revoke = f('token_expired', 'tok_1', 'Revoke…');
    expect(actionLabel(revoke, actionFor(revoke)!)).toBe('Revoke…');
  });
});

describe('groupFindings', () => {
  it('groups by kind in the report’s order and counts what needs action', () => {
    const findings = [
      f('token_expired', 'tok_1', 'Revoke…'),
      f('saved_token_gone', 'tok_2', 'Forget'),
      f('token_expired', 'tok_3', 'Revoke…'),
      f('key_no_private_half', 'key_1', null, false),
    ];
    const groups = groupFindings(findings);
    expect(groups.map((g) => [g.kind, g.findings.length])).toEqual([
      ['token_expired', 2],
      ['saved_token_gone', 1],
      ['key_no_private_half', 1],
    ]);
    expect(groups[0].title).toBe('Expired tokens never revoked');
    expect(needingAction(findings)).toBe(3);
  });
});
