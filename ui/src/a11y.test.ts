// Every interactive element carries a data-testid (E2E tests find elements
// by it) and an accessible name (screen readers, and tests by role).
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { computeAccessibleName } from 'dom-accessibility-api';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import {
  activityReport,
  appDefaults,
  appState,
  connectedStatuses,
  createdView,
  documentedScopes,
  finding,
  mockBackend,
  profile,
  readySecrets,
  report,
  sampleTokens,
  usageSnippets,
} from './test/backend';

const INTERACTIVE = 'button, input, select, textarea, a[href], [role^="menuitem"]';

function unlabelled(): string[] {
  return Array.from(document.body.querySelectorAll<HTMLElement>(INTERACTIVE))
    .filter((el) => !el.dataset.testid || !computeAccessibleName(el).trim())
    .map((el) => el.outerHTML.slice(0, 120));
}

describe('every interactive element has a test id and an accessible name', () => {
  it('on the welcome screen and the connect form', async () => {
    const user = userEvent.setup();
    mockBackend({
      app_state: () =>
        appState({
          secrets: { ...readySecrets, ready: false, problem: null },
        }),
    });
    render(App);
    await screen.findByTestId('welcome');
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('connect-account'));
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('secrets-banner-fix'));
    expect(screen.getByTestId('secrets-dialog')).toBeVisible();
    expect(unlabelled()).toEqual([]);
  });

  it('in the shell: tokens, menus, settings and dialogs', async () => {
    const user = userEvent.setup();
    mockBackend({
      app_state: () =>
        appState({ profiles: [profile(), profile({ name: 'Live', environment: 'production' })] }),
      list_tokens: () => sampleTokens,
      service_status: () => connectedStatuses,
    });
    render(App);
    await screen.findByTestId('tokens-table');
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('profile-switcher'));
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('profile-add'));
    expect(unlabelled()).toEqual([]);
    await user.keyboard('{Escape}');
    await user.click(screen.getByTestId('nav-settings'));
    await user.click(await screen.findByTestId('secrets-opt-in'));
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('remove-profile'));
    expect(unlabelled()).toEqual([]);
  });

  it('in the token dialogs: create, reveal, revoke, rotation reminders, user JWT, clipboard setting', async () => {
    const user = userEvent.setup();
    mockBackend({
      app_state: () => appState({ profiles: [profile({ name: 'Live', environment: 'production' })] }),
      list_tokens: () => sampleTokens,
      service_status: () => connectedStatuses,
      token_scopes: () => documentedScopes,
      rotation_reminders: () => [
        {
          profile: 'Live',
          oldId: 'tok_ci',
          oldName: 'CI/CD Pipeline',
          newId: 'tok_ci_2',
          newName: 'CI/CD Pipeline',
          createdAt: new Date().toISOString(),
          remindAt: new Date().toISOString(),
        },
      ],
      create_token: () => createdView(),
      token_snippets: () => usageSnippets,
      reveal_token: () => 'vst_live_x',
      copy_token: () => ({ clearsInSeconds: 30 }),
      close_reveal: () => null,
      saved_tokens: () => [],
      create_user_jwt: () => ({ jwt: 'eyJ.a.b', header: {}, claims: {}, expiresAt: null, copyId: 'c' }),
    });
    render(App);
    await screen.findByTestId('rotation-reminders');
    expect(unlabelled()).toEqual([]);

    await user.click(screen.getByTestId('token-new'));
    await user.click(await screen.findByTestId('expiry-custom'));
    await user.click(screen.getByTestId('scope-admin:write'));
    expect(unlabelled()).toEqual([]);
    await user.type(screen.getByTestId('new-token-name'), 'Ingest');
    await user.click(screen.getByTestId('expiry-90'));
    await user.click(screen.getByTestId('new-token-submit'));
    await screen.findByTestId('snippet-curl');
    await user.click(screen.getByTestId('reveal-copy'));
    await screen.findByTestId('reveal-countdown');
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('reveal-confirm'));
    await user.click(screen.getByTestId('reveal-done'));

    await user.click(screen.getAllByTestId('token-revoke')[0]);
    expect(screen.getByTestId('revoke-confirm-name')).toBeVisible();
    expect(unlabelled()).toEqual([]);
    await user.keyboard('{Escape}');

    await user.click(screen.getByTestId('user-jwt-open'));
    await user.selectOptions(await screen.findByTestId('user-jwt-ttl'), 'custom');
    await user.type(screen.getByTestId('user-jwt-user-id'), 'u');
    await user.type(screen.getByTestId('user-jwt-content-id'), 'c');
    await user.type(screen.getByTestId('user-jwt-ttl-custom'), '60');
    await user.click(screen.getByTestId('user-jwt-submit'));
    await screen.findByTestId('user-jwt-value');
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('user-jwt-close'));

    await user.click(screen.getByTestId('nav-settings'));
    expect(screen.getByTestId('clipboard-setting')).toBeVisible();
    expect(unlabelled()).toEqual([]);
  });

  it('on the activity page, with a broken chain and every profile shown', async () => {
    const user = userEvent.setup();
    mockBackend({
      app_state: () => appState({ profiles: [profile()] }),
      list_tokens: () => [],
      service_status: () => connectedStatuses,
      activity_log: () => activityReport(undefined, { intact: false, brokenAtLine: 2, problem: 'edited' }),
    });
    render(App);
    await user.click(await screen.findByTestId('nav-activity'));
    await screen.findByTestId('activity-table');
    expect(unlabelled()).toEqual([]);
    await user.selectOptions(screen.getByTestId('activity-profile-filter'), 'All profiles');
    await user.selectOptions(screen.getByTestId('activity-action-filter'), 'All key changes');
    expect(screen.getByTestId('activity-no-match')).toBeVisible();
    expect(unlabelled()).toEqual([]);
  });

  it('on the leak check (findings with their fixes) and health pages (a confirmation open)', async () => {
    const user = userEvent.setup();
    mockBackend({
      ...appDefaults,
      scan_folder: () =>
        report({
          files: 3,
          findings: [
            finding({ profile: 'Sandbox', tokenId: 'tok_ci' }),
            finding({ kind: 'private_key', profile: 'Sandbox', keyId: 'key_1', masked: '-----BEGIN…' }),
          ],
        }),
      health_report: () => ({
        profile: 'Sandbox',
        notes: [],
        findings: [
          {
            kind: 'saved_token_gone',
            action: true,
            subject: "saved token 'Deploy' (tok_1)",
            detail: 'Gone.',
            fix: { label: 'Forget', command: 'portal tokens forget tok_1' },
            id: 'tok_1',
          },
        ],
      }),
    });
    render(App);
    await user.click(await screen.findByTestId('nav-leaks'));
    await user.type(await screen.findByTestId('leaks-root'), '/srv/app');
    await user.click(screen.getByTestId('leaks-start'));
    await screen.findAllByTestId('leak-row');
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('nav-health'));
    await user.click(await screen.findByTestId('health-fix'));
    await screen.findByTestId('forget-dialog');
    expect(unlabelled()).toEqual([]);
  });
});
