import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import DialogHarness from '../../test/DialogHarness.svelte';

describe('Dialog', () => {
  it('is a labelled modal dialog that takes focus and keeps Tab inside', async () => {
    const user = userEvent.setup();
    render(DialogHarness);
    await user.click(screen.getByTestId('opener'));

    const dialog = screen.getByRole('dialog', { name: 'Test dialog' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(screen.getByTestId('first')).toHaveFocus();

    await user.tab();
    expect(screen.getByTestId('done')).toHaveFocus();
    await user.tab();
    expect(screen.getByTestId('first')).toHaveFocus();
    await user.tab({ shift: true });
    expect(screen.getByTestId('done')).toHaveFocus();
  });

  it('closes on Escape and gives focus back to the opener', async () => {
    const user = userEvent.setup();
    render(DialogHarness);
    await user.click(screen.getByTestId('opener'));
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('dialog')).toBeNull();
    expect(screen.getByTestId('opener')).toHaveFocus();
  });

  it('can be told not to close on Escape (one-time reveals)', async () => {
    const user = userEvent.setup();
    render(DialogHarness, { closeOnEscape: false });
    await user.click(screen.getByTestId('opener'));
    await user.keyboard('{Escape}');
    expect(screen.getByTestId('dialog')).toBeVisible();
    await user.click(screen.getByTestId('done'));
    expect(screen.queryByTestId('dialog')).toBeNull();
  });
});
