import { fireEvent, render, screen } from '@testing-library/svelte';
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

  it('given only `closeTestid`, has a footer of one Close button that closes it', async () => {
    const user = userEvent.setup();
    render(DialogHarness, { withFooter: false, closeTestid: 'dialog-close' });
    await user.click(screen.getByTestId('opener'));
    const footer = screen.getByTestId('dialog').querySelector('footer') as HTMLElement;
    expect(footer.querySelectorAll('button')).toHaveLength(1);
    const close = screen.getByTestId('dialog-close');
    expect(footer).toContainElement(close);
    expect(close).toHaveAccessibleName('Close');
    await user.click(close);
    expect(screen.queryByTestId('dialog')).toBeNull();
  });

  /** The dialog's scrolling body, scrolled to `top` of `height` pixels with `shown` of them in view. */
  async function scrollBody(top: number, height = 1000, shown = 400) {
    const body = screen.getByTestId('dialog').querySelector('header + div') as HTMLElement;
    Object.defineProperty(body, 'scrollHeight', { configurable: true, value: height });
    Object.defineProperty(body, 'clientHeight', { configurable: true, value: shown });
    body.scrollTop = top;
    await fireEvent.scroll(body);
    return body;
  }

  it('draws a line under the header only once its body has scrolled off the top', async () => {
    const user = userEvent.setup();
    render(DialogHarness);
    await user.click(screen.getByTestId('opener'));
    const header = screen.getByTestId('dialog').querySelector('header') as HTMLElement;

    await scrollBody(0);
    expect(header).not.toHaveClass('divided');
    await scrollBody(120);
    expect(header).toHaveClass('divided');
    await scrollBody(0);
    expect(header).not.toHaveClass('divided');
  });

  it('without a footer, draws a line at the bottom while more of the body lies below', async () => {
    const user = userEvent.setup();
    render(DialogHarness, { withFooter: false });
    await user.click(screen.getByTestId('opener'));

    expect(await scrollBody(0)).toHaveClass('divided');
    expect(await scrollBody(300)).toHaveClass('divided');
    expect(await scrollBody(600)).not.toHaveClass('divided');
    // Nothing to scroll: no line.
    expect(await scrollBody(0, 400, 400)).not.toHaveClass('divided');
  });

  it("with a footer, leaves the bottom edge to the footer's own line", async () => {
    const user = userEvent.setup();
    render(DialogHarness);
    await user.click(screen.getByTestId('opener'));
    expect(await scrollBody(0)).not.toHaveClass('divided');
  });
});
