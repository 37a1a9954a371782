import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { appDefaults, deferred, mockBackend, portalError, type Handler } from '../../test/backend';
import type { HealthFinding, HealthReport } from '../types';

beforeAll(async () => {
  await import('./HealthPage.svelte');
}, 30_000);

const savedGone: HealthFinding = {
  kind: 'saved_token_gone',
  action: true,
  subject: "saved token 'Deploy' (tok_saved)",
  detail: 'Its token is gone from the service (revoked or deleted): the saved value no longer works.',
  fix: { label: 'Forget', command: "portal tokens forget tok_saved --profile 'Sandbox'" },
  id: 'tok_saved',
};
const expired: HealthFinding = {
  kind: 'token_expired',
  action: true,
  subject: "token 'CI/CD Pipeline' (tok_ci)",
  detail: 'It has expired but was never revoked: it still shows in every list.',
  fix: { label: 'Revoke…', command: "portal tokens revoke tok_ci --profile 'Sandbox'" },
  id: 'tok_ci',
};
const noPrivate: HealthFinding = {
  kind: 'key_no_private_half',
  action: false,
  subject: "JWT key 'Old CMS' (key_2)",
  detail: 'Its private half is not on this machine: this portal cannot sign with it.',
  fix: null,
  id: 'key_2',
};

const healthReport = (findings: HealthFinding[], notes: string[] = []): HealthReport => ({
  profile: 'Sandbox',
  findings,
  notes,
});

function show(handlers: Record<string, Handler> = {}) {
  const backend = mockBackend({ ...appDefaults, ...handlers });
  render(App);
  return backend;
}

async function openHealth(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('nav-health'));
  return screen.findByTestId('health-page');
}

describe('Health', () => {
  it('lists findings by kind with their fix and command, notes, and a count in the sidebar', async () => {
    const user = userEvent.setup();
    show({
      health_report: () =>
        healthReport([expired, savedGone, noPrivate], ['Vault was not checked: it did not answer.']),
    });
    await openHealth(user);
    const groups = await screen.findAllByTestId('health-group');
    expect(groups.map((g) => g.getAttribute('data-kind'))).toEqual([
      'token_expired',
      'saved_token_gone',
      'key_no_private_half',
    ]);
    expect(within(groups[0]).getByRole('heading')).toHaveTextContent('Expired tokens never revoked (1)');
    expect(within(groups[0]).getByTestId('health-command')).toHaveTextContent(
      "portal tokens revoke tok_ci --profile 'Sandbox'",
    );
    expect(within(groups[0]).getByRole('button', { name: /Copy the command/ })).toBeVisible();
    expect(within(groups[0]).getByTestId('health-fix')).toHaveTextContent('Revoke…');
    expect(within(groups[1]).getByTestId('health-fix')).toHaveTextContent('Forget…');
    // Worth knowing, nothing to do.
    expect(within(groups[2]).queryByTestId('health-fix')).toBeNull();
    expect(within(groups[2]).getByText('For information')).toBeVisible();
    expect(screen.getByTestId('health-note')).toHaveTextContent('Vault was not checked');
    expect(screen.getByTestId('nav-health-count')).toHaveTextContent('2 need action');
  });

  it('Forget… asks first, forgets the value, then checks again: all healthy', async () => {
    const user = userEvent.setup();
    const reports = [healthReport([savedGone]), healthReport([])];
    const backend = show({ health_report: () => reports.shift(), forget_saved_token: () => null });
    await openHealth(user);
    await user.click(await screen.findByTestId('health-fix'));
    const dialog = await screen.findByTestId('forget-dialog');
    expect(dialog).toHaveTextContent("saved token 'Deploy' (tok_saved)");
    expect(backend.count('forget_saved_token')).toBe(0);
    await user.click(within(dialog).getByTestId('forget-dialog-confirm'));
    await waitFor(() => expect(backend.argsOf('forget_saved_token')).toEqual([{ id: 'tok_saved' }]));
    expect(await screen.findByTestId('health-empty')).toHaveTextContent('All healthy');
    expect(screen.queryByTestId('forget-dialog')).toBeNull();
    expect(screen.queryByTestId('nav-health-count')).toBeNull();
    expect(backend.count('health_report')).toBe(2);
  });

  it('Cancel in the confirmation forgets nothing', async () => {
    const user = userEvent.setup();
    const backend = show({ health_report: () => healthReport([savedGone]) });
    await openHealth(user);
    await user.click(await screen.findByTestId('health-fix'));
    await user.click(await screen.findByTestId('forget-dialog-cancel'));
    expect(screen.queryByTestId('forget-dialog')).toBeNull();
    expect(backend.count('forget_saved_token')).toBe(0);
    await waitFor(() => expect(screen.getByTestId('health-fix')).toHaveFocus());
  });

  it('Revoke… opens the Tokens page’s confirmation for that token', async () => {
    const user = userEvent.setup();
    show({ health_report: () => healthReport([expired]) });
    await openHealth(user);
    await user.click(await screen.findByTestId('health-fix'));
    const dialog = await screen.findByTestId('revoke-dialog');
    expect(within(dialog).getByTestId('revoke-token-name')).toHaveTextContent('CI/CD Pipeline');
  });

  it('Refresh checks again; a failed first check is an error with Retry', async () => {
    const user = userEvent.setup();
    let fail = true;
    const backend = show({
      health_report: () => {
        if (fail) throw portalError({ code: 'internal', message: 'The keychain did not answer.' });
        return healthReport([]);
      },
    });
    await openHealth(user);
    expect(await screen.findByTestId('health-error')).toHaveTextContent('The keychain did not answer.');
    fail = false;
    await user.click(screen.getByTestId('health-error-retry'));
    expect(await screen.findByTestId('health-empty')).toBeVisible();
    await user.click(screen.getByTestId('health-refresh'));
    await waitFor(() => expect(backend.count('health_report')).toBe(3));
  });

  it('exports the calendar and says how many events it wrote; a cancelled dialog says nothing', async () => {
    const user = userEvent.setup();
    const answers: Array<number | null> = [3, null];
    const pending = deferred<void>();
    const backend = show({
      health_report: () => healthReport([]),
      export_calendar: () => {
        pending.resolve();
        return answers.shift();
      },
    });
    await openHealth(user);
    await user.click(await screen.findByTestId('calendar-export'));
    await pending.promise;
    expect(await screen.findByText(/Wrote 3 events/)).toBeVisible();
    await user.click(screen.getByTestId('calendar-export'));
    await waitFor(() => expect(backend.count('export_calendar')).toBe(2));
    expect(screen.getAllByText(/Wrote \d+ events?/)).toHaveLength(1);
  });

  it('a finding that appeared while the page was closed shows on the next visit', async () => {
    const user = userEvent.setup();
    const reports = [healthReport([noPrivate]), healthReport([savedGone, noPrivate])];
    show({ health_report: () => reports.shift() ?? healthReport([savedGone, noPrivate]) });
    await openHealth(user);
    expect(await screen.findAllByTestId('health-group')).toHaveLength(1);
    await user.click(screen.getByTestId('nav-tokens'));
    await openHealth(user);
    await waitFor(() => expect(screen.getAllByTestId('health-group')).toHaveLength(2));
    expect(screen.getByTestId('nav-health-count')).toHaveTextContent('1');
  });

  it('Resume upload opens the Keys page’s upload wizard for that key', async () => {
    const user = userEvent.setup();
    const draft = {
      localId: 'lk_3',
      name: 'Staging',
      bits: 2048,
      fingerprints: { sha256: '03', sha256Base64url: 'b64-3', jwkThumbprint: 'thumb-3' },
      created: new Date().toISOString(),
      serverKeyId: null,
    };
    show({
      health_report: () =>
        healthReport([
          {
            kind: 'key_not_uploaded',
            action: true,
            subject: "key 'Staging' (lk_3)",
            detail: 'It was made here but its upload never finished.',
            fix: { label: 'Resume upload', command: "portal keys upload lk_3 --profile 'Sandbox'" },
            id: 'lk_3',
          },
        ]),
      keys_overview: () => ({
        rows: [{ server: null, local: draft, fingerprints: draft.fingerprints, pairing: 'not_uploaded' }],
        sandbox: true,
        serverError: null,
      }),
      local_key: () => ({
        local: draft,
        summary: {
          bits: 2048,
          fingerprints: draft.fingerprints,
          publicKeyPem: '-----BEGIN PUBLIC KEY-----\n',
        },
      }),
    });
    await openHealth(user);
    await user.click(await screen.findByTestId('health-fix'));
    // The Keys page is a chunk of its own, loaded now.
    expect(await screen.findByTestId('key-wizard', {}, { timeout: 5000 })).toBeVisible();
    expect(screen.getByTestId('nav-keys')).toHaveAttribute('aria-current', 'page');
  });
});
