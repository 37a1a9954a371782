import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { appDefaults, appState, mockBackend, noPolicy, portalError, profile } from '../../test/backend';
import type { PolicyReport, PolicyStatus } from '../types';

const account = profile({ name: 'Acme prod', environment: 'production', embeddedSandbox: false });
const FILE = '/team/portal-policy.toml';

const chosen: PolicyStatus = {
  file: FILE,
  source: 'settings',
  environment: 'production',
  rules: {
    max_token_lifetime_days: 30,
    require_expiry: true,
    forbidden_scopes: null,
    max_scopes: null,
    min_rsa_bits: 3072,
    max_key_age_days: null,
    name_pattern: null,
  },
  described: [
    'Tokens may live at most 30 days.',
    'Every token must have an expiry.',
    'RSA keys need at least 3072 bits.',
  ],
  error: null,
};

function showSettings(initial: PolicyStatus) {
  let current = initial;
  const backend = mockBackend({
    ...appDefaults,
    app_state: () => appState({ profiles: [account] }),
    policy_status: () => current,
  });
  render(App);
  return {
    backend,
    setStatus: (s: PolicyStatus) => {
      current = s;
    },
  };
}

async function openPolicy(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('nav-settings'));
  return screen.findByTestId('policy');
}

describe('Settings: policy', () => {
  it('says when no file is chosen, and offers only Choose…', async () => {
    const user = userEvent.setup();
    showSettings(noPolicy);
    const section = await openPolicy(user);
    expect(within(section).getByTestId('policy-file')).toHaveTextContent(
      'None: creates and uploads are not checked',
    );
    expect(within(section).getByRole('button', { name: 'Choose…' })).toBeEnabled();
    expect(within(section).queryByTestId('policy-clear')).toBeNull();
    expect(within(section).queryByTestId('policy-check')).toBeNull();
  });

  it('chooses a file through the native dialog and shows its rules for the environment in plain words', async () => {
    const user = userEvent.setup();
    const { backend, setStatus } = showSettings(noPolicy);
    backend.on({
      pick_policy_file: () => FILE,
      set_policy_file: () => {
        setStatus(chosen);
        return chosen;
      },
    });
    const section = await openPolicy(user);
    await user.click(within(section).getByTestId('policy-choose'));

    await waitFor(() => expect(within(section).getByTestId('policy-file')).toHaveTextContent(FILE));
    expect(backend.argsOf('set_policy_file')).toEqual([{ path: FILE }]);
    expect(within(section).getByTestId('policy-file')).toHaveTextContent('(chosen here)');
    expect(within(section).getByRole('heading', { name: 'Rules for Production' })).toBeInTheDocument();
    const rules = within(section).getByTestId('policy-rules');
    expect(
      within(rules)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(chosen.described);
  });

  it('does not save when the dialog is cancelled', async () => {
    const user = userEvent.setup();
    const { backend } = showSettings(noPolicy);
    backend.on({ pick_policy_file: () => null, set_policy_file: () => chosen });
    const section = await openPolicy(user);
    await user.click(within(section).getByTestId('policy-choose'));
    await waitFor(() => expect(backend.count('pick_policy_file')).toBe(1));
    expect(backend.count('set_policy_file')).toBe(0);
  });

  it('shows why a chosen file was refused, with its line, and keeps the previous one', async () => {
    const user = userEvent.setup();
    const { backend } = showSettings(chosen);
    backend.on({
      pick_policy_file: () => '/team/bad.toml',
      set_policy_file: () => {
        throw portalError({
          code: 'config',
          message: '/team/bad.toml, line 2, column 14: must be a whole number from 1 to 4294967295, not 0',
        });
      },
    });
    const section = await openPolicy(user);
    await user.click(within(section).getByRole('button', { name: 'Choose another…' }));
    expect(await within(section).findByTestId('policy-error')).toHaveTextContent('line 2, column 14');
    expect(within(section).getByTestId('policy-file')).toHaveTextContent(FILE);
  });

  it('shows a malformed file’s error instead of its rules', async () => {
    const user = userEvent.setup();
    showSettings({
      ...chosen,
      rules: null,
      described: [],
      error: portalError({
        code: 'config',
        message: `${FILE}, line 4, column 1: unknown field \`max_token_days\``,
      }),
    });
    const section = await openPolicy(user);
    expect(within(section).getByTestId('policy-file-error')).toHaveTextContent('line 4, column 1');
    expect(within(section).queryByTestId('policy-rules')).toBeNull();
    expect(within(section).queryByTestId('policy-check')).toBeNull();
  });

  it('clears the file', async () => {
    const user = userEvent.setup();
    const { backend, setStatus } = showSettings(chosen);
    backend.on({
      set_policy_file: () => {
        setStatus(noPolicy);
        return noPolicy;
      },
    });
    const section = await openPolicy(user);
    await user.click(within(section).getByRole('button', { name: 'Clear the policy file' }));
    await waitFor(() => expect(within(section).getByTestId('policy-file')).toHaveTextContent('None'));
    expect(backend.argsOf('set_policy_file')).toEqual([{ path: null }]);
  });

  it('checks now: each violation with its rule and fix, or that everything follows', async () => {
    const user = userEvent.setup();
    const { backend } = showSettings(chosen);
    const report: PolicyReport = {
      profile: 'Acme prod',
      file: FILE,
      environment: 'production',
      findings: [
        {
          target: 'token',
          id: 'tok_1',
          name: 'CI',
          rule: 'require_expiry',
          message: 'tokens must have an expiry; this one never expires',
          fix: "portal tokens revoke tok_1 --profile 'Acme prod'",
        },
        {
          target: 'key',
          id: 'key_2',
          name: 'Web player',
          rule: 'min_rsa_bits',
          message: 'RSA keys need at least 3072 bits; this one has 2048',
          fix: "portal keys delete key_2 --profile 'Acme prod'",
        },
      ],
    };
    backend.on({ check_policy: () => report });
    const section = await openPolicy(user);
    await user.click(within(section).getByRole('button', { name: 'Check now' }));
    const found = await within(section).findAllByTestId('policy-finding');
    expect(found).toHaveLength(2);
    expect(within(section).getByTestId('policy-count')).toHaveTextContent('2 violations');
    expect(found[0]).toHaveTextContent("Token 'CI'");
    expect(found[0]).toHaveTextContent('tokens must have an expiry; this one never expires');
    expect(found[0]).toHaveTextContent("portal tokens revoke tok_1 --profile 'Acme prod'");
    expect(found[1]).toHaveTextContent("JWT key 'Web player'");

    backend.on({ check_policy: () => ({ ...report, findings: [] }) });
    await user.click(within(section).getByRole('button', { name: 'Check now' }));
    expect(await within(section).findByTestId('policy-clean')).toHaveTextContent(
      'Every token and key follows',
    );

    backend.on({
      check_policy: () => {
        throw portalError({ code: 'unavailable', message: 'VaultStream did not answer.' });
      },
    });
    await user.click(within(section).getByRole('button', { name: 'Check now' }));
    expect(await within(section).findByTestId('policy-check-error')).toHaveTextContent(
      'VaultStream did not answer.',
    );
  });
});
