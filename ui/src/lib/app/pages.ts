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

/** The sections of Settings, in page order (ids: `settings-{id}-heading`). */
export const SETTINGS_SECTIONS = [
  { id: 'profile', title: 'Profile' },
  { id: 'credentials', title: 'Credentials' },
  { id: 'jwt', title: 'Signed video JWTs' },
  { id: 'network', title: 'Network' },
  { id: 'policy', title: 'Policy' },
  { id: 'secrets', title: 'Secret storage' },
  { id: 'clipboard', title: 'Clipboard' },
  { id: 'theme', title: 'Appearance' },
  { id: 'updates', title: 'Updates' },
  { id: 'remove', title: 'Remove this profile' },
] as const;

export type SettingsSectionId = (typeof SETTINGS_SECTIONS)[number]['id'];

/** A settings section's heading. */
export function sectionTitle(id: SettingsSectionId): string {
  return SETTINGS_SECTIONS.find((s) => s.id === id)?.title ?? id;
}

/** Ctrl/Cmd + this letter opens the command palette. */
export const PALETTE_SHORTCUT = 'K';

type KeyInput = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>;

/** The page a Ctrl+digit (Cmd+digit on macOS) press opens, if any. */
export function pageForShortcut(event: KeyInput): PageId | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return null;
  const digit = /^Digit(\d)$/.exec(event.code)?.[1] ?? event.key;
  return PAGES.find((page) => page.shortcut === digit)?.id ?? null;
}

/** Whether a key press is Ctrl+K (⌘K on macOS): the command palette. */
export function isPaletteShortcut(event: KeyInput): boolean {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return false;
  return event.code === `Key${PALETTE_SHORTCUT}` || event.key.toUpperCase() === PALETTE_SHORTCUT;
}

/** "Ctrl+1" or "⌘1", for tooltips. */
export function shortcutLabel(digit: string): string {
  const mac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform ?? '');
  return mac ? `⌘${digit}` : `Ctrl+${digit}`;
}
