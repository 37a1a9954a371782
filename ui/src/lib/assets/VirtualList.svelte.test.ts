// VirtualList: windowing, row elements reused while scrolling, and keyboard
// focus staying with its item. A `.svelte.test.ts` file: the row fixture
// follows its item with `$effect`, as a real snippet does.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { describe, expect, it } from 'vitest';
import VirtualList from './VirtualList.svelte';

const items = Array.from({ length: 10_000 }, (_, i) => `Asset ${i}`);
const row = createRawSnippet((item: () => string) => ({
  render: () => `<button type="button" data-testid="vrow"></button>`,
  setup: (el) => {
    $effect(() => {
      el.textContent = item();
    });
  },
}));

async function scrollTo(viewport: HTMLElement, top: number) {
  viewport.scrollTop = top;
  await fireEvent.scroll(viewport);
}

describe('VirtualList', () => {
  it('renders far fewer DOM rows than items, and follows the scroll', async () => {
    render(VirtualList<string>, { items, rowHeight: 36, height: 360, overscan: 5, testid: 'list', row });
    const rendered = screen.getAllByTestId('vrow');
    expect(rendered.length).toBeLessThan(50);
    expect(rendered[0]).toHaveTextContent('Asset 0');
    const viewport = screen.getByTestId('list');
    viewport.scrollTop = 36 * 5000;
    await fireEvent.scroll(viewport);
    const after = screen.getAllByTestId('vrow');
    expect(after.length).toBeLessThan(50);
    expect(after.map((r) => r.textContent)).toContain('Asset 5000');
    expect(screen.queryByText('Asset 0')).toBeNull();
  });

  it('reuses the row elements when the window jumps, showing the new items in order', async () => {
    render(VirtualList<string>, { items, rowHeight: 36, height: 360, overscan: 5, testid: 'list', row });
    const before = screen.getAllByTestId('vrow');
    await scrollTo(screen.getByTestId('list'), 36 * 5000);
    const after = screen.getAllByTestId('vrow');
    expect(after.length).toBe(before.length + 5); // overscan above as well now
    // The same elements, in the same order, rewritten: none built again.
    after.slice(0, before.length).forEach((el, i) => expect(el).toBe(before[i]));
    expect(after.map((r) => r.textContent)).toEqual(
      Array.from({ length: after.length }, (_, i) => `Asset ${4995 + i}`),
    );
  });

  it('keeps keyboard focus on its item while it is in the window, and drops it after', async () => {
    render(VirtualList<string>, { items, rowHeight: 36, height: 360, overscan: 5, testid: 'list', row });
    const viewport = screen.getByTestId('list');
    screen.getByText('Asset 3').focus();
    expect(document.activeElement).toHaveTextContent('Asset 3');

    // Rows 2… are in the window now: Asset 3 is in the second slot, focused.
    await scrollTo(viewport, 36 * 7);
    expect(screen.getAllByTestId('vrow')[0]).toHaveTextContent('Asset 2');
    expect(document.activeElement).toHaveTextContent('Asset 3');
    expect(document.activeElement).toBe(screen.getAllByTestId('vrow')[1]);

    // Out of the window: nothing in the list keeps the focus.
    await scrollTo(viewport, 36 * 100);
    expect(viewport.contains(document.activeElement)).toBe(false);
  });
});
