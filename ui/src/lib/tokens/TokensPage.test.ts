import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import {
  appState,
  connectedStatuses,
  deferred,
  mockBackend,
  portalError,
  profile,
  sampleTokens,
  type Handler,
} from '../../test/backend';
import type { ApiToken } from '../types';

function showTokens(listTokens: Handler) {
  const backend = mockBackend({
    app_state: () => appState({ profiles: [profile()] }),
    service_status: () => connectedStatuses,
    list_tokens: listTokens,
    token_scopes: () => [
      { scope: 'content:write', area: 'content', description: 'Upload, update and delete content' },
    ],
  });
  render(App);
  return backend;
}

const rowIds = () => screen.getAllByTestId('token-row').map((row) => row.getAttribute('data-token-id'));

describe('Tokens page', () => {
  it('renders one row per token from list_tokens, with scopes, dates and hygiene badges', async () => {
    showTokens(() => sampleTokens);
    const table = await screen.findByTestId('tokens-table');
    expect(within(table).getAllByTestId('token-row')).toHaveLength(3);

    const ci = table.querySelector('[data-token-id="tok_ci"]') as HTMLElement;
    expect(ci).toHaveTextContent('CI/CD Pipeline');
    expect(
      within(ci)
        .getAllByTestId('scope-chip')
        .map((c) => c.textContent),
    ).toEqual(['content:write', 'content:read']);
    expect(within(ci).queryAllByTestId('token-badge')).toHaveLength(0);
    await waitFor(() =>
      expect(within(ci).getAllByTestId('scope-chip')[0]).toHaveAttribute(
        'title',
        'Upload, update and delete content',
      ),
    );
    const created = ci.querySelector('time') as HTMLElement;
    expect(created).toHaveTextContent('10 days ago');
    expect(created.getAttribute('title')).toMatch(/\d{4}/); // the absolute date on hover

    const admin = table.querySelector('[data-token-id="tok_admin"]') as HTMLElement;
    const kinds = within(admin)
      .getAllByTestId('token-badge')
      .map((b) => b.getAttribute('data-kind'));
    expect(kinds).toEqual(['admin_write', 'no_expiry', 'old']);
    expect(within(admin).getAllByTestId('token-badge')[0].getAttribute('title')).toMatch(/admin:write/);
    expect(admin).toHaveTextContent('Never');

    const analytics = table.querySelector('[data-token-id="tok_analytics"]') as HTMLElement;
    expect(within(analytics).getByTestId('token-badge')).toHaveAttribute('data-kind', 'expiring_soon');
    expect(analytics).toHaveTextContent('in 5 days');

    // Compact icon buttons, still named for what they do and to which token.
    expect(within(ci).getByTestId('token-rotate')).toHaveAccessibleName('Rotate CI/CD Pipeline (tok_ci)');
    expect(within(ci).getByTestId('token-revoke')).toHaveAccessibleName('Revoke CI/CD Pipeline (tok_ci)');
    expect(within(ci).getByRole('button', { name: /^Revoke CI\/CD Pipeline/ })).toHaveAttribute('title');

    const summary = screen.getByTestId('tokens-hygiene-summary');
    expect(summary).toHaveAttribute('data-flagged', '2');
    expect(summary).toHaveTextContent('2 of 3');
  });

  it('narrows the rows with the filter box', async () => {
    const user = userEvent.setup();
    showTokens(() => sampleTokens);
    await screen.findByTestId('tokens-table');

    await user.type(screen.getByTestId('tokens-filter'), 'analytics');
    expect(rowIds()).toEqual(['tok_analytics']);
    expect(screen.getByTestId('tokens-count')).toHaveTextContent('1 of 3 tokens');

    await user.clear(screen.getByTestId('tokens-filter'));
    await user.type(screen.getByTestId('tokens-filter'), 'CONTENT:');
    expect(rowIds()).toEqual(['tok_ci']);

    await user.type(screen.getByTestId('tokens-filter'), 'nothing');
    expect(screen.queryAllByTestId('token-row')).toHaveLength(0);
    expect(screen.getByTestId('tokens-no-match')).toBeVisible();
  });

  it('sorts by a column when its header is clicked, and reverses on a second click', async () => {
    const user = userEvent.setup();
    showTokens(() => sampleTokens);
    await screen.findByTestId('tokens-table');
    // Default: newest first.
    expect(rowIds()).toEqual(['tok_ci', 'tok_analytics', 'tok_admin']);

    await user.click(screen.getByTestId('tokens-sort-name'));
    expect(rowIds()).toEqual(['tok_admin', 'tok_analytics', 'tok_ci']);
    expect(screen.getByTestId('tokens-sort-name').closest('th')).toHaveAttribute('aria-sort', 'ascending');

    await user.click(screen.getByTestId('tokens-sort-name'));
    expect(rowIds()).toEqual(['tok_ci', 'tok_analytics', 'tok_admin']);

    await user.click(screen.getByTestId('tokens-sort-expires'));
    expect(rowIds()).toEqual(['tok_analytics', 'tok_ci', 'tok_admin']);
  });

  it('shows the empty state when there are no tokens', async () => {
    showTokens(() => []);
    const empty = await screen.findByTestId('tokens-empty');
    expect(empty).toHaveTextContent('No tokens yet');
    expect(screen.queryByTestId('tokens-table')).toBeNull();
  });

  it('shows a loading state until list_tokens answers', async () => {
    const pending = deferred<ApiToken[]>();
    showTokens(() => pending.promise);
    expect(await screen.findByTestId('tokens-loading')).toHaveTextContent('Loading tokens');
    expect(screen.getByTestId('tokens-page')).toHaveAttribute('aria-busy', 'true');
    pending.resolve(sampleTokens);
    expect(await screen.findByTestId('tokens-table')).toBeVisible();
    expect(screen.queryByTestId('tokens-loading')).toBeNull();
  });

  it('shows the error with its hint, and Retry calls list_tokens again', async () => {
    const user = userEvent.setup();
    let fail = true;
    const backend = showTokens(() => {
      if (fail) {
        throw portalError({
          code: 'unavailable',
          message: 'VaultStream did not answer (connection refused).',
          service: 'vault_stream',
          request_id: 'req_123',
          hint: 'Check the VaultStream URL in Settings.',
        });
      }
      return sampleTokens;
    });

    const error = await screen.findByTestId('tokens-error');
    expect(error).toHaveAttribute('role', 'alert');
    expect(screen.getByTestId('tokens-error-message')).toHaveTextContent(
      'VaultStream did not answer (connection refused).',
    );
    expect(screen.getByTestId('tokens-error-hint')).toHaveTextContent(
      'Check the VaultStream URL in Settings.',
    );
    expect(error).toHaveTextContent('req_123');
    expect(screen.queryByTestId('tokens-loading')).toBeNull();
    expect(backend.count('list_tokens')).toBe(1);

    fail = false;
    await user.click(screen.getByTestId('tokens-error-retry'));
    await waitFor(() => expect(backend.count('list_tokens')).toBe(2));
    expect(await screen.findAllByTestId('token-row')).toHaveLength(3);
    expect(screen.queryByTestId('tokens-error')).toBeNull();
  });

  it('refreshes with the button, keeping the rows and toasting a failure', async () => {
    const user = userEvent.setup();
    let calls = 0;
    const backend = showTokens(() => {
      calls++;
      if (calls === 1) return sampleTokens;
      if (calls === 2) return sampleTokens.slice(0, 1);
      throw portalError({ code: 'rate_limited', message: 'Too many requests.', retry_after_secs: 30 });
    });
    await screen.findByTestId('tokens-table');

    await user.click(screen.getByTestId('tokens-refresh'));
    await waitFor(() => expect(screen.getAllByTestId('token-row')).toHaveLength(1));

    await user.click(screen.getByTestId('tokens-refresh'));
    const toast = await screen.findByTestId('toast');
    expect(toast).toHaveTextContent('Could not refresh tokens');
    expect(toast).toHaveTextContent('Too many requests.');
    expect(toast).toHaveTextContent('Try again in 30 s.');
    expect(screen.getAllByTestId('token-row')).toHaveLength(1);
    expect(backend.count('list_tokens')).toBe(3);
  });

  it('does not reload when coming back to the page for the same profile', async () => {
    const user = userEvent.setup();
    const backend = showTokens(() => sampleTokens);
    await screen.findByTestId('tokens-table');
    await user.click(screen.getByTestId('nav-keys'));
    await waitFor(() => expect(screen.getByTestId('page-title')).toHaveTextContent('JWT keys'));
    await user.click(screen.getByTestId('nav-tokens'));
    expect(await screen.findByTestId('tokens-table')).toBeVisible();
    expect(backend.count('list_tokens')).toBe(1);
  });
});
