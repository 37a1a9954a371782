export type PageId = 'tokens' | 'keys' | 'assets' | 'activity' | 'leaks' | 'health' | 'settings';

export interface PageInfo {
  id: PageId;
  label: string;
  /** Ctrl/Cmd + this digit opens the page. */
  shortcut: string;
}

export const PAGES: readonly PageInfo[] = [
  { id: 'tokens', label: 'Tokens', shortcut: '1' },
  { id: 'keys', label: 'JWT keys', shortcut: '2' },
  { id: 'assets', label: 'Assets', shortcut: '3' },
  { id: 'activity', label: 'Activity', shortcut: '4' },
  { id: 'leaks', label: 'Leak check', shortcut: '5' },
  { id: 'health', label: 'Health', shortcut: '6' },
  { id: 'settings', label: 'Settings', shortcut: '7' },
];

type KeyInput = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>;

/** The page a Ctrl+digit (Cmd+digit on macOS) press opens, if any. */
export function pageForShortcut(event: KeyInput): PageId | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return null;
  const digit = /^Digit(\d)$/.exec(event.code)?.[1] ?? event.key;
  return PAGES.find((page) => page.shortcut === digit)?.id ?? null;
}

/** "Ctrl+1" or "⌘1", for tooltips. */
export function shortcutLabel(digit: string): string {
  const mac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform ?? '');
  return mac ? `⌘${digit}` : `Ctrl+${digit}`;
}
