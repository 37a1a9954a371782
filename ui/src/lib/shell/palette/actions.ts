// What the command palette finds: every action of the app as data (a title,
// words that find it, and the command it runs), built from the current token
// list and profiles; and how a command is run. A command opens a page, or
// asks a page to open its own dialog (`PageIntent`), so a destructive action
// goes through the same confirmation as the page's button.
import type { PageIntent } from '../../app/navigation.svelte';
import { PAGES, SETTINGS_SECTIONS, type PageId } from '../../app/pages';
import type { Rankable } from './rank';

export type Command =
  | { kind: 'go'; page: PageId }
  | { kind: 'intent'; intent: PageIntent }
  | { kind: 'switch'; profile: string }
  /** The Add profile dialog (the profile switcher's). */
  | { kind: 'add-profile' };

export interface PaletteAction extends Rankable {
  /** Where the action belongs, shown beside it ("Tokens", "Page", "Settings"…). */
  group: string;
  /** Its keyboard shortcut, shown beside it (e.g. "Ctrl+1"). */
  shortcut?: string;
  command: Command;
}

export interface PaletteSources {
  /** The active profile's tokens (rotate and revoke by name). */
  tokens: ReadonlyArray<{ id: string; name: string }>;
  profiles: ReadonlyArray<{ name: string }>;
  activeProfile: string | null;
  /** "Ctrl+1" or "⌘1" for a page's digit. */
  shortcutLabel: (key: string) => string;
}

/** Extra words that find a page. */
const PAGE_KEYWORDS: Partial<Record<PageId, string[]>> = {
  tokens: ['API tokens'],
  keys: ['signing keys', 'public keys'],
  assets: ['vault', 'videos', 'files'],
  activity: ['audit log', 'history'],
  leaks: ['scan for leaked secrets', 'find tokens in files'],
  health: ['health check', 'findings', 'expiring tokens'],
  settings: ['preferences', 'options'],
};

const intent = (value: PageIntent): Command => ({ kind: 'intent', intent: value });

/** An action that asks a page to open its own dialog; its id is "page.action", with ":id" for one item's. */
function dialogAction(
  value: PageIntent,
  title: string,
  group: string,
  keywords: string[],
  ids: string[] = [],
): PaletteAction {
  const item = 'id' in value ? `:${value.id}` : '';
  return { id: `${value.page}.${value.action}${item}`, title, keywords, ids, group, command: intent(value) };
}

/**
 * The page dialogs the palette opens, in their order when nothing is typed:
 * the intent that opens one, its title, its group and the words that find it.
 */
const DIALOGS: ReadonlyArray<[PageIntent, string, string, string[]]> = [
  [{ page: 'tokens', action: 'create' }, 'New token', 'Tokens', ['create an API token', 'add token']],
  [
    { page: 'keys', action: 'create' },
    'New key',
    'JWT keys',
    ['create a JWT key', 'generate a key pair', 'import a public key'],
  ],
  [
    { page: 'keys', action: 'sign' },
    'Sign a video JWT',
    'JWT keys',
    ['sign for a video', 'private video playback'],
  ],
  [{ page: 'keys', action: 'verify' }, 'Verify a JWT', 'JWT keys', ['check a JWT', 'decode a JWT']],
  [
    { page: 'keys', action: 'doctor' },
    'Playback doctor',
    'JWT keys',
    ['why does a video not play', 'diagnose a JWT'],
  ],
  [{ page: 'assets', action: 'upload' }, 'Upload files…', 'Assets', ['upload an asset', 'add a video']],
  [{ page: 'tokens', action: 'user-jwt' }, 'Create a user JWT', 'Tokens', ['player embedding', 'user token']],
];

/** Every action the palette offers, in their order when nothing is typed. */
export function paletteActions(sources: PaletteSources): PaletteAction[] {
  const actions = DIALOGS.map((dialog) => dialogAction(...dialog));
  for (const page of PAGES) {
    actions.push({
      id: `page.${page.id}`,
      title: `Go to ${page.label}`,
      keywords: [page.label, ...(PAGE_KEYWORDS[page.id] ?? [])],
      group: 'Page',
      shortcut: sources.shortcutLabel(page.shortcut),
      command: { kind: 'go', page: page.id },
    });
  }
  for (const section of SETTINGS_SECTIONS) {
    actions.push({
      id: `settings.${section.id}`,
      title: `Settings: ${section.title}`,
      group: 'Settings',
      command: intent({ page: 'settings', action: 'section', id: section.id }),
    });
  }
  for (const profile of sources.profiles) {
    if (profile.name === sources.activeProfile) continue;
    actions.push({
      id: `profile.switch:${profile.name}`,
      title: `Switch to profile “${profile.name}”`,
      keywords: ['use profile', 'change profile'],
      group: 'Profile',
      command: { kind: 'switch', profile: profile.name },
    });
  }
  actions.push({
    id: 'profile.add',
    title: 'Add profile…',
    keywords: ['connect an account', 'new profile'],
    group: 'Profile',
    command: { kind: 'add-profile' },
  });
  for (const token of sources.tokens) {
    const id = token.id;
    actions.push(
      dialogAction(
        { page: 'tokens', action: 'rotate', id },
        `Rotate token “${token.name}”`,
        'Tokens',
        ['replace token'],
        [id],
      ),
      dialogAction(
        { page: 'tokens', action: 'revoke', id },
        `Revoke token “${token.name}”…`,
        'Tokens',
        ['delete token'],
        [id],
      ),
    );
  }
  return actions;
}

/** What running a command needs: the app's navigation and profile switch. */
export interface CommandTarget {
  nav: { go(page: PageId): void; request(intent: PageIntent): void };
  switchTo(profile: string): Promise<void>;
  addProfile(): void;
  /** Reports a failed switch (a toast). */
  failed(error: unknown, context: string): void;
}

/** Runs a palette command. */
export async function runCommand(command: Command, target: CommandTarget): Promise<void> {
  if (command.kind === 'go') target.nav.go(command.page);
  else if (command.kind === 'intent') target.nav.request(command.intent);
  else if (command.kind === 'add-profile') target.addProfile();
  else {
    try {
      await target.switchTo(command.profile);
    } catch (error) {
      target.failed(error, `Could not switch to “${command.profile}”`);
    }
  }
}

/** The title cut into runs of matched (`hit`) and unmatched characters, for highlighting. */
export function highlight(
  title: string,
  positions: readonly number[],
): Array<{ text: string; hit: boolean }> {
  const hits = new Set(positions);
  const runs: Array<{ text: string; hit: boolean }> = [];
  title.split('').forEach((char, i) => {
    const hit = hits.has(i);
    const last = runs[runs.length - 1];
    if (last && last.hit === hit) last.text += char;
    else runs.push({ text: char, hit });
  });
  return runs;
}
