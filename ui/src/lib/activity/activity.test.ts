import { describe, expect, it } from 'vitest';
import { activityEntry, activityReport, sampleActivity } from '../../test/backend';
import type { Action } from '../types';
import {
  ACTIONS,
  GROUPS,
  actionInfo,
  activityRows,
  entries,
  filterRows,
  matchesAction,
  profilesInLog,
  viaLabel,
} from './activity';

const seqs = (rows: ReturnType<typeof activityRows>) => rows.map((row) => row.entry.seq);

describe('activity rows', () => {
  it('puts the newest first, whatever the file order', () => {
    expect(seqs(activityRows(activityReport()))).toEqual([6, 5, 4, 3, 2, 1]);
    const at = '2026-03-01T10:00:00Z';
    const sameTime = [activityEntry({ seq: 1, at }), activityEntry({ seq: 2, at })];
    expect(seqs(activityRows(activityReport(sameTime)))).toEqual([2, 1]);
    const outOfOrder = [
      activityEntry({ seq: 1, at: '2026-03-02T00:00:00Z' }),
      activityEntry({ seq: 2, at: '2026-03-01T00:00:00Z' }),
    ];
    expect(seqs(activityRows(activityReport(outOfOrder)))).toEqual([1, 2]);
  });

  it('marks nothing suspect in an intact log', () => {
    expect(activityRows(activityReport()).some((row) => row.suspect)).toBe(false);
  });

  it('marks the entries from the broken line on as suspect', () => {
    const report = activityReport(sampleActivity, {
      intact: false,
      brokenAtLine: 4,
      problem: 'Line 4 of the activity log: its content does not match its hash (it was edited).',
    });
    const suspect = activityRows(report)
      .filter((row) => row.suspect)
      .map((row) => row.entry.seq);
    expect(suspect).toEqual([6, 5, 4]);
  });

  it('marks everything suspect when the break has no line', () => {
    const report = activityReport(sampleActivity, { intact: false, brokenAtLine: null, problem: 'x' });
    expect(activityRows(report).every((row) => row.suspect)).toBe(true);
  });
});

describe('activity filters', () => {
  const rows = activityRows(activityReport());

  it('keeps one profile, or all', () => {
    expect(seqs(filterRows(rows, { profile: 'Sandbox', action: 'all', query: '' }))).toEqual([6, 5, 2, 1]);
    expect(seqs(filterRows(rows, { profile: 'Acme live', action: 'all', query: '' }))).toEqual([4, 3]);
    expect(filterRows(rows, { profile: null, action: 'all', query: '' })).toHaveLength(6);
  });

  it('filters by action or by group', () => {
    expect(seqs(filterRows(rows, { profile: null, action: 'token_revoke', query: '' }))).toEqual([6, 4]);
    expect(seqs(filterRows(rows, { profile: null, action: 'group:tokens', query: '' }))).toEqual([
      6, 5, 4, 2,
    ]);
    expect(seqs(filterRows(rows, { profile: null, action: 'group:profiles', query: '' }))).toEqual([3, 1]);
    expect(filterRows(rows, { profile: null, action: 'group:keys', query: '' })).toEqual([]);
    expect(matchesAction('secrets_backend', 'group:profiles')).toBe(true);
    expect(matchesAction('legal_hold_clear', 'group:legal_holds')).toBe(true);
  });

  it('matches the text on target, summary, action label and via, ignoring case', () => {
    const by = (query: string) => seqs(filterRows(rows, { profile: null, action: 'all', query }));
    expect(by('TOK_CI_2')).toEqual([5]);
    expect(by('pipeline')).toEqual([5, 2]);
    expect(by('token revoked')).toEqual([6, 4]);
    expect(by('cli')).toEqual([6, 4, 3]);
    expect(by('  ')).toHaveLength(6);
  });

  it('lists the profiles of the log, the active one first', () => {
    expect(profilesInLog(sampleActivity, 'Sandbox')).toEqual(['Sandbox', 'Acme live']);
    expect(profilesInLog(sampleActivity, 'Staging')).toEqual(['Staging', 'Acme live', 'Sandbox']);
    expect(profilesInLog([], null)).toEqual([]);
  });
});

describe('labels', () => {
  it('puts every action in exactly one group', () => {
    const grouped = GROUPS.flatMap((group) => group.actions).sort();
    expect(grouped).toEqual((Object.keys(ACTIONS) as Action[]).sort());
    expect(GROUPS.map((group) => group.label)).toEqual([
      'Tokens',
      'Keys',
      'Assets',
      'Legal holds',
      'Profiles',
    ]);
  });

  it('names actions, sources and counts', () => {
    expect(actionInfo('token_create')).toMatchObject({ label: 'Token created', tone: 'add', icon: 'tokens' });
    expect(actionInfo('legal_hold_set')).toMatchObject({ label: 'Legal hold set', icon: 'lock' });
    expect(actionInfo('something_new')).toMatchObject({ label: 'something_new', icon: 'activity' });
    expect(viaLabel('app')).toBe('App');
    expect(viaLabel('cli')).toBe('CLI');
    expect(entries(1)).toBe('1 entry');
    expect(entries(0)).toBe('0 entries');
  });
});
