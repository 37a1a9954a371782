import { fireEvent, render, screen } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { describe, expect, it } from 'vitest';
import VirtualList from './VirtualList.svelte';

const items = Array.from({ length: 10_000 }, (_, i) => `Asset ${i}`);
const row = createRawSnippet((item: () => string) => ({
  render: () => `<span data-testid="vrow">${item()}</span>`,
}));

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
});
