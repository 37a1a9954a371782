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

/** Every action the palette offers, in their order when nothing is typed. */
export function paletteActions(sources: PaletteSources): PaletteAction[] {
  const actions: PaletteAction[] = [
    {
      id: 'tokens.create',
      title: 'New token',
      keywords: ['create an API token', 'add token'],
      group: 'Tokens',
      command: intent({ page: 'tokens', action: 'create' }),
    },
    {
      id: 'keys.create',
      title: 'New key',
      keywords: ['create a JWT key', 'generate a key pair', 'import a public key'],
      group: 'JWT keys',
      command: intent({ page: 'keys', action: 'create' }),
    },
    {
      id: 'keys.sign',
      title: 'Sign a video JWT',
      keywords: ['sign for a video', 'private video playback'],
      group: 'JWT keys',
      command: intent({ page: 'keys', action: 'sign' }),
    },
    {
      id: 'keys.verify',
      title: 'Verify a JWT',
      keywords: ['check a JWT', 'decode a JWT'],
      group: 'JWT keys',
      command: intent({ page: 'keys', action: 'verify' }),
    },
    {
      id: 'keys.doctor',
      title: 'Playback doctor',
      keywords: ['why does a video not play', 'diagnose a JWT'],
      group: 'JWT keys',
      command: intent({ page: 'keys', action: 'doctor' }),
    },
    {
      id: 'assets.upload',
      title: 'Upload files…',
      keywords: ['upload an asset', 'add a video'],
      group: 'Assets',
      command: intent({ page: 'assets', action: 'upload' }),
    },
    {
      id: 'tokens.user-jwt',
      title: 'Create a user JWT',
      keywords: ['player embedding', 'user token'],
      group: 'Tokens',
      command: intent({ page: 'tokens', action: 'user-jwt' }),
    },
  ];
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
    actions.push(
      {
        id: `tokens.rotate:${token.id}`,
        title: `Rotate token “${token.name}”`,
        keywords: [token.id, 'replace token'],
        group: 'Tokens',
        command: intent({ page: 'tokens', action: 'rotate', id: token.id }),
      },
      {
        id: `tokens.revoke:${token.id}`,
        title: `Revoke token “${token.name}”…`,
        keywords: [token.id, 'delete token'],
        group: 'Tokens',
        command: intent({ page: 'tokens', action: 'revoke', id: token.id }),
      },
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
