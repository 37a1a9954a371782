// Every interactive element carries a data-testid (E2E tests find elements
// by it) and an accessible name (screen readers, and tests by role).
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { computeAccessibleName } from 'dom-accessibility-api';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import {
  appState,
  connectedStatuses,
  mockBackend,
  profile,
  readySecrets,
  sampleTokens,
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
    await user.click(screen.getByTestId('secrets-opt-in'));
    expect(unlabelled()).toEqual([]);
    await user.click(screen.getByTestId('remove-profile'));
    expect(unlabelled()).toEqual([]);
  });
});
