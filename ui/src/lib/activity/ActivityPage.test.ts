import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import {
  activityReport,
  appState,
  connectedStatuses,
  deferred,
  mockBackend,
  portalError,
  profile,
  sampleActivity,
  type Handler,
} from '../../test/backend';
import type { ActivityReport } from '../types';

const sandbox = profile();
const live = profile({ name: 'Acme live', environment: 'production', embeddedSandbox: false });

function showActivity(handlers: Record<string, Handler>) {
  let active = 'Sandbox';
  const backend = mockBackend({
    app_state: () => appState({ profiles: [sandbox, live], activeProfile: active }),
    switch_profile: (args) => {
      active = args.name as string;
      return null;
    },
    service_status: () => connectedStatuses,
    list_tokens: () => [],
    rotation_reminders: () => [],
    token_scopes: () => [],
    activity_log: () => activityReport(),
    ...handlers,
  });
  const user = userEvent.setup();
  render(App);
  return { backend, user };
}

async function openActivity(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('nav-activity'));
  return screen.findByTestId('activity-page');
}

const rowSeqs = () =>
  screen.queryAllByTestId('activity-row').map((row) => Number(row.getAttribute('data-seq')));

describe('Activity page', () => {
  it('shows the active profile’s entries, newest first, with labels, targets, via and times', async () => {
    const { backend, user } = showActivity({});
    await openActivity(user);
    await screen.findByTestId('activity-table');

    expect(backend.argsOf('activity_log')).toEqual([{}]);
    expect(rowSeqs()).toEqual([6, 5, 2, 1]);
    expect(screen.getByTestId('activity-profile-filter')).toHaveValue('Sandbox');

    const rows = screen.getAllByTestId('activity-row');
    expect(rows.map((row) => row.getAttribute('data-action'))).toEqual([
      'token_revoke',
      'token_rotate',
      'token_create',
      'profile_add',
    ]);
    const newest = within(rows[0]);
    expect(newest.getByTestId('activity-action')).toHaveTextContent('Token revoked');
    expect(newest.getByTestId('activity-target')).toHaveTextContent('tok_ci');
    expect(newest.getByTestId('activity-target').tagName).toBe('CODE');
    expect(newest.getByTestId('activity-summary')).toHaveTextContent('Revoked token tok_ci');
    expect(newest.getByTestId('activity-via')).toHaveTextContent('CLI');
    expect(within(rows[1]).getByTestId('activity-via')).toHaveTextContent('App');
    const time = rows[0].querySelector('time') as HTMLElement;
    expect(time).toHaveTextContent('5 minutes ago');
    expect(time.getAttribute('title')).toMatch(/\d{4}/); // the absolute time on hover
    // One profile shown: no Profile column.
    expect(screen.queryAllByTestId('activity-profile')).toHaveLength(0);

    expect(screen.getByTestId('activity-chain-ok')).toHaveTextContent(
      'Log intact — 6 entries, hash chain verified',
    );
    expect(screen.queryByTestId('activity-chain-broken')).toBeNull();
    expect(rows.some((row) => row.hasAttribute('data-suspect'))).toBe(false);
    expect(screen.getByTestId('activity-count')).toHaveTextContent('4 entries for Sandbox');
  });

  it('offers "All profiles" and each profile of the log; All shows the others too', async () => {
    const { user } = showActivity({});
    await openActivity(user);
    const select = await screen.findByTestId('activity-profile-filter');
    await screen.findByTestId('activity-table');

    const options = within(select)
      .getAllByRole('option')
      .map((o) => o.textContent);
    expect(options).toEqual(['All profiles', 'Sandbox (active)', 'Acme live']);

    await user.selectOptions(select, 'All profiles');
    expect(rowSeqs()).toEqual([6, 5, 4, 3, 2, 1]);
    expect(screen.getAllByTestId('activity-profile').map((c) => c.textContent)).toContain('Acme live');
    expect(screen.getByTestId('activity-count')).toHaveTextContent('6 entries in all profiles');

    await user.selectOptions(select, 'Acme live');
    expect(rowSeqs()).toEqual([4, 3]);
  });

  it('filters by action group, single action and text', async () => {
    const { user } = showActivity({});
    await openActivity(user);
    await screen.findByTestId('activity-table');
    const actions = screen.getByTestId('activity-action-filter');

    const groups = Array.from(actions.querySelectorAll('optgroup')).map((g) => g.getAttribute('label'));
    expect(groups).toEqual(['Tokens', 'Keys', 'Assets', 'Legal holds', 'Profiles']);

    await user.selectOptions(actions, 'All token changes');
    expect(rowSeqs()).toEqual([6, 5, 2]);
    await user.selectOptions(actions, 'Token rotated');
    expect(rowSeqs()).toEqual([5]);
    expect(screen.getByTestId('activity-count')).toHaveTextContent('1 of 4 entries for Sandbox');

    await user.selectOptions(actions, 'All actions');
    await user.type(screen.getByTestId('activity-filter'), 'TOK_CI');
    expect(rowSeqs()).toEqual([6, 5, 2]);

    await user.selectOptions(actions, 'All key changes');
    expect(screen.getByTestId('activity-no-match')).toBeVisible();
    await user.click(screen.getByTestId('activity-clear-filters'));
    expect(rowSeqs()).toEqual([6, 5, 2, 1]);
    expect(screen.getByTestId('activity-filter')).toHaveValue('');
  });

  it('says when the log could only be checked without a key, and why', async () => {
    const reason = 'Checked with SHA-256 only: no secret store is available here.';
    const { user } = showActivity({
      activity_log: () =>
        activityReport(sampleActivity, {
          problem: reason,
          verdict: { kind: 'unkeyed', legacy: false, reason },
        }),
    });
    await openActivity(user);
    const ok = await screen.findByTestId('activity-chain-ok');
    expect(ok).toHaveAttribute('data-verdict', 'unkeyed');
    expect(screen.getByTestId('activity-chain-unkeyed')).toHaveTextContent(`without a key: ${reason}`);
    expect(screen.queryByTestId('activity-chain-broken')).toBeNull();
  });

  it('shows a red alert for a cut tail', async () => {
    const problem =
      'The activity log should hold at least 9 entries ending with the one recorded in the keychain.';
    const { user } = showActivity({
      activity_log: () =>
        activityReport(sampleActivity, {
          intact: false,
          problem,
          verdict: { kind: 'truncated', recorded: 9, found: 6 },
        }),
    });
    await openActivity(user);
    expect(await screen.findByTestId('activity-chain-broken')).toHaveTextContent(problem);
  });

  it('shows a red alert for a tampered log and marks the entries from the broken line on', async () => {
    const problem = 'Line 4 of the activity log: its content does not match its hash (it was edited).';
    const { user } = showActivity({
      activity_log: () =>
        activityReport(sampleActivity, {
          intact: false,
          brokenAtLine: 4,
          problem,
          verdict: { kind: 'broken', line: 4 },
        }),
    });
    await openActivity(user);
    const banner = await screen.findByTestId('activity-chain-broken');
    expect(banner).toHaveAttribute('role', 'alert');
    expect(banner).toHaveTextContent(`The activity log was altered: ${problem}`);
    expect(screen.queryByTestId('activity-chain-ok')).toBeNull();

    await user.selectOptions(screen.getByTestId('activity-profile-filter'), 'All profiles');
    const suspect = screen
      .getAllByTestId('activity-row')
      .filter((row) => row.getAttribute('data-suspect') === 'true')
      .map((row) => Number(row.getAttribute('data-seq')));
    expect(suspect).toEqual([6, 5, 4]);
    expect(screen.getAllByTestId('activity-suspect')).toHaveLength(3);
  });

  it('exports the selected profile as JSON or CSV, toasts the count, and says nothing on cancel', async () => {
    let written: number | null = 4;
    const { backend, user } = showActivity({ export_activity: () => written });
    await openActivity(user);
    await screen.findByTestId('activity-table');

    await user.click(screen.getByTestId('activity-export-json'));
    expect(backend.argsOf('export_activity')).toEqual([{ format: 'json', profile: 'Sandbox' }]);
    const toast = await screen.findByTestId('toast');
    expect(toast).toHaveTextContent('Activity exported');
    expect(toast).toHaveTextContent('Wrote 4 entries as JSON.');
    await user.click(screen.getByTestId('toast-dismiss'));

    await user.selectOptions(screen.getByTestId('activity-profile-filter'), 'All profiles');
    written = 6;
    await user.click(screen.getByTestId('activity-export-csv'));
    expect(backend.argsOf('export_activity')[1]).toEqual({ format: 'csv', profile: null });
    expect(await screen.findByTestId('toast')).toHaveTextContent('Wrote 6 entries as CSV.');
    await user.click(screen.getByTestId('toast-dismiss'));

    written = null;
    await user.click(screen.getByTestId('activity-export-csv'));
    await waitFor(() => expect(backend.count('export_activity')).toBe(3));
    await waitFor(() => expect(screen.getByTestId('activity-export-csv')).toBeEnabled());
    expect(screen.queryByTestId('toast')).toBeNull();
  });

  it('disables the export buttons while the save dialog is open and toasts a failed export', async () => {
    const pending = deferred<number | null>();
    const { backend, user } = showActivity({ export_activity: () => pending.promise });
    await openActivity(user);
    await screen.findByTestId('activity-table');

    await user.click(screen.getByTestId('activity-export-json'));
    expect(screen.getByTestId('activity-export-json')).toBeDisabled();
    expect(screen.getByTestId('activity-export-csv')).toBeDisabled();
    pending.reject(portalError({ code: 'io', message: 'Permission denied (os error 13)' }));
    const toast = await screen.findByTestId('toast');
    expect(toast).toHaveTextContent('Could not export the activity log');
    expect(toast).toHaveTextContent('Permission denied');
    expect(screen.getByTestId('activity-export-json')).toBeEnabled();
    expect(backend.count('export_activity')).toBe(1);
  });

  it('says when a profile has no entries yet', async () => {
    const { user } = showActivity({
      activity_log: () => activityReport(sampleActivity.filter((e) => e.profile !== 'Sandbox')),
    });
    await openActivity(user);
    const empty = await screen.findByTestId('activity-empty');
    expect(empty).toHaveTextContent('No changes recorded yet for this profile');
    expect(screen.queryByTestId('activity-table')).toBeNull();
    expect(screen.getByTestId('activity-chain-ok')).toHaveTextContent('2 entries');

    await user.selectOptions(screen.getByTestId('activity-profile-filter'), 'All profiles');
    expect(rowSeqs()).toEqual([4, 3]);
  });

  it('shows an empty log', async () => {
    const { user } = showActivity({ activity_log: () => activityReport([]) });
    await openActivity(user);
    expect(await screen.findByTestId('activity-empty')).toHaveTextContent(
      'No changes recorded yet for this profile',
    );
    expect(screen.getByTestId('activity-chain-ok')).toHaveTextContent('0 entries');
  });

  it('shows a failed read with its message, a hint and Retry', async () => {
    let fail = true;
    const { backend, user } = showActivity({
      activity_log: () => {
        if (fail) throw portalError({ code: 'io', message: 'Permission denied (os error 13)' });
        return activityReport();
      },
    });
    await openActivity(user);
    const error = await screen.findByTestId('activity-error');
    expect(screen.queryByTestId('activity-loading')).toBeNull();
    expect(screen.getByTestId('activity-error-message')).toHaveTextContent('Permission denied (os error 13)');
    expect(screen.getByTestId('activity-error-hint')).toHaveTextContent('activity.jsonl');
    expect(error).toHaveAttribute('data-code', 'io');

    fail = false;
    await user.click(screen.getByTestId('activity-error-retry'));
    await screen.findByTestId('activity-table');
    expect(backend.count('activity_log')).toBe(2);
    expect(screen.queryByTestId('activity-error')).toBeNull();
  });

  it('shows loading until the log arrives', async () => {
    const pending = deferred<ActivityReport>();
    const { user } = showActivity({ activity_log: () => pending.promise });
    await openActivity(user);
    expect(screen.getByTestId('activity-loading')).toBeVisible();
    expect(screen.getByTestId('activity-export-json')).toBeDisabled();
    pending.resolve(activityReport());
    await screen.findByTestId('activity-table');
    expect(screen.queryByTestId('activity-loading')).toBeNull();
  });

  it('refreshes on demand, keeping the rows (and toasting) if the refresh fails', async () => {
    let calls = 0;
    const { backend, user } = showActivity({
      activity_log: () => {
        calls++;
        if (calls === 3) throw portalError({ code: 'io', message: 'Disk on fire' });
        return calls === 1 ? activityReport(sampleActivity.slice(0, 5)) : activityReport();
      },
    });
    await openActivity(user);
    await screen.findByTestId('activity-table');
    expect(rowSeqs()).toEqual([5, 2, 1]);

    await user.click(screen.getByTestId('activity-refresh'));
    await waitFor(() => expect(rowSeqs()).toEqual([6, 5, 2, 1]));

    await user.click(screen.getByTestId('activity-refresh'));
    expect(await screen.findByTestId('toast')).toHaveTextContent('Could not refresh the activity log');
    expect(rowSeqs()).toEqual([6, 5, 2, 1]);
    expect(backend.count('activity_log')).toBe(3);
  });

  it('reloads and follows the new active profile when the profile changes', async () => {
    const { backend, user } = showActivity({});
    await openActivity(user);
    await screen.findByTestId('activity-table');
    await user.selectOptions(screen.getByTestId('activity-action-filter'), 'All token changes');
    expect(rowSeqs()).toEqual([6, 5, 2]);

    await user.click(screen.getByTestId('profile-switcher'));
    await user.click(screen.getByRole('menuitemradio', { name: /Acme live/ }));
    await waitFor(() => expect(backend.count('activity_log')).toBe(2));
    await waitFor(() => expect(screen.getByTestId('activity-profile-filter')).toHaveValue('Acme live'));
    expect(screen.getByTestId('activity-action-filter')).toHaveValue('all');
    expect(rowSeqs()).toEqual([4, 3]);
  });

  it('reads the log again each time the page is opened', async () => {
    const { backend, user } = showActivity({});
    await openActivity(user);
    await screen.findByTestId('activity-table');
    await user.selectOptions(screen.getByTestId('activity-profile-filter'), 'All profiles');
    await user.click(screen.getByTestId('nav-tokens'));
    await openActivity(user);
    await waitFor(() => expect(backend.count('activity_log')).toBe(2));
    // Same profile: the filters stay as they were.
    expect(screen.getByTestId('activity-profile-filter')).toHaveValue('');
    expect(rowSeqs()).toHaveLength(6);
  });

  it('shows entries added while the page was closed on the next visit (the store outlives the page)', async () => {
    const reports = [activityReport(sampleActivity.slice(0, 2)), activityReport()];
    const { user } = showActivity({ activity_log: () => reports.shift() ?? activityReport() });
    await openActivity(user);
    await waitFor(() => expect(rowSeqs()).toEqual([2, 1]));
    await user.click(screen.getByTestId('nav-tokens'));
    await openActivity(user);
    await waitFor(() => expect(rowSeqs()).toEqual([6, 5, 2, 1]));
  });
});
