// Every call from the UI to the Rust side goes through this module.
// Command names and argument keys match `src-tauri` exactly; arguments use
// camelCase keys (Tauri maps them to the snake_case Rust parameters).
import { invoke } from '@tauri-apps/api/core';
import { writeText } from '@tauri-apps/plugin-clipboard-manager';
import { PortalError } from './errors/PortalError';
import { SERVICE_NAMES } from './services';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { COMMAND_FLAGS, type CommandName, type Commands } from './bindings/commands';
import type {
  ApiToken,
  ClipboardCopy,
  GenProgress,
  KeysOverview,
  RetireReport,
  ScanProgress,
  Service,
  UploadEvent,
} from './types';

export { PortalError };

// ---- How long the UI waits, and which service a command talks to.
//
// Rust has its own HTTP timeouts and retries (10 s connect, 30 s per attempt,
// up to 4 attempts for reads); these are the UI's backstop, so that no
// spinner runs forever even if a command never answers.

/** Milliseconds the UI waits: commands that stay on this computer, and the others. */
export const TIMEOUTS = { local: 20_000, network: 150_000 } as const;

/**
 * Learns how each call to a service ended: `error` null when a probe (a
 * page's list) answered; `probe` says whether the call was one.
 */
export type ServiceOutcome = (service: Service, error: PortalError | null, probe: boolean) => void;
const outcomeListeners = new Set<ServiceOutcome>();

/** Follows the outcome of every call to a service (the sidebar's status); returns the unsubscribe. */
export function onServiceOutcome(listener: ServiceOutcome): () => void {
  outcomeListeners.add(listener);
  return () => outcomeListeners.delete(listener);
}

function report(command: CommandName, error: PortalError | null): void {
  const flags = COMMAND_FLAGS[command];
  if (flags.unreported) return;
  const service = error?.service ?? flags.service;
  const probe = flags.probe;
  if (!service || (!error && !probe)) return;
  for (const listener of outcomeListeners) listener(service, error, probe);
}

/** Milliseconds the UI waits for `command`, or null when it waits as long as it takes. */
export function timeoutFor(command: CommandName): number | null {
  const flags = COMMAND_FLAGS[command];
  if (flags.untimed) return null;
  return flags.local ? TIMEOUTS.local : TIMEOUTS.network;
}

/** The error a command that never answered ends in. */
function noAnswer(command: CommandName, ms: number): PortalError {
  const flags = COMMAND_FLAGS[command];
  const service = flags.service;
  const who = service ? SERVICE_NAMES[service] : 'The app';
  const secs = Math.round(ms / 1000);
  const base = {
    service,
    request_id: null,
    status: null,
    service_code: null,
    retry_after_secs: null,
    hint: null,
  };
  if (flags.write) {
    return new PortalError({
      ...base,
      code: 'outcome_unknown',
      message: `${who} did not answer within ${secs} s: the change may or may not have been made.`,
    });
  }
  if (flags.local) {
    return new PortalError({
      ...base,
      code: 'internal',
      message: `The app did not answer within ${secs} s.`,
    });
  }
  const services = service ? who : 'The services';
  return new PortalError({
    ...base,
    code: 'unavailable',
    message: `${services} did not answer within ${secs} s.`,
  });
}

/** The arguments a command takes: none, or its generated argument object. */
type ArgsOf<K extends CommandName> = Commands[K]['args'] extends null ? [] : [Commands[K]['args']];
/** What a command answers (generated from its signature). */
export type AnswerOf<K extends CommandName> = Commands[K]['answer'];

/** Invokes a listed command with its typed arguments, under its deadline. */
export async function call<K extends CommandName>(command: K, ...argList: ArgsOf<K>): Promise<AnswerOf<K>> {
  type T = AnswerOf<K>;
  const args = argList[0] as Record<string, unknown> | undefined;
  if (!insideTauri()) {
    throw PortalError.internal(
      'The Partner Portal back end is not available in this window.',
      undefined,
      'Start the app with `cargo tauri dev` rather than opening the page in a browser.',
    );
  }
  const ms = timeoutFor(command);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline =
    ms === null
      ? null
      : new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(noAnswer(command, ms)), ms);
        });
  try {
    const pending = (args === undefined ? takeEarly<T>(command) : undefined) ?? invoke<T>(command, args);
    const result = await (deadline ? Promise.race([pending, deadline]) : pending);
    report(command, null);
    return result;
  } catch (rejection) {
    const error = PortalError.from(rejection);
    report(command, error);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An answer `index.html` asked for before the modules loaded (`app_state`,
 * `list_tokens`): the first call of that command takes it; later calls ask
 * afresh.
 */
function takeEarly<T>(command: string): Promise<T> | undefined {
  const early = (window as { __portalEarly?: Record<string, Promise<unknown> | undefined> }).__portalEarly;
  const answer = early?.[command];
  if (answer && early) delete early[command];
  return answer as Promise<T> | undefined;
}

function insideTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/** All pages of the active profile's API tokens (never with token values). */
export function listTokens(): Promise<ApiToken[]> {
  return call('list_tokens');
}

// ---- JWT signing keys. Private keys never come back over IPC: only
// fingerprints, public PEMs and signed JWTs do.

/**
 * Every server key (all pages) paired with the private keys kept here. When
 * only the local keys could be listed, the sidebar hears why.
 */
export async function keysOverview(): Promise<KeysOverview> {
  const overview = await call('keys_overview');
  if (overview.serverError) report('keys_overview', PortalError.from(overview.serverError));
  return overview;
}

/** Listens to a Tauri event; the stop function never throws (nor does listening outside Tauri). */
async function listenSafely<T>(event: string, handler: (payload: T) => void): Promise<UnlistenFn> {
  try {
    const stop = await listen<T>(event, (e) => handler(e.payload));
    return () => {
      void Promise.resolve()
        .then(stop)
        .catch(() => {});
    };
  } catch {
    return () => {};
  }
}

/** Progress of the generation under way; resolves to the unsubscribe function. */
export function onKeygenProgress(handler: (progress: GenProgress) => void): Promise<UnlistenFn> {
  return listenSafely<GenProgress>('keygen-progress', handler);
}

/** `portal://` links wait in Rust (`take_deep_links`); this event says some do. */
export function onDeepLink(handler: () => void): Promise<UnlistenFn> {
  return listenSafely<null>('deep-link', handler);
}

/** Scheduled key deletions the app carried out (`keys-retired`); resolves to the unsubscribe function. */
export function onKeysRetired(handler: (report: RetireReport) => void): Promise<UnlistenFn> {
  return listenSafely<RetireReport>('keys-retired', handler);
}

/** Progress of the leak check under way (`scan_folder`); resolves to the unsubscribe function. */
export function onScanProgress(handler: (progress: ScanProgress) => void): Promise<UnlistenFn> {
  return listenSafely<ScanProgress>('scan-progress', handler);
}

/**
 * Rust copies a held signed JWT, one of its URLs (`jwt`, `watch`, `embed`,
 * `hls`) or a share link (`url`) and clears the clipboard after the
 * configured delay, as for API tokens.
 */
export function copyHeld(copyId: string, part: string): Promise<ClipboardCopy> {
  return call('copy_held', { copyId, part });
}

/**
 * Copies text that is not a long-lived secret (a user JWT, a player snippet,
 * a public key) through the clipboard plugin. API token values, signed video
 * JWTs and share links never pass through here: Rust copies them itself
 * (`copyToken`, `copyHeld`) and clears the clipboard afterwards.
 */
export async function writeClipboard(text: string): Promise<void> {
  if (!insideTauri()) throw PortalError.internal('The clipboard is not available in this window.');
  try {
    await writeText(text);
  } catch (rejection) {
    throw PortalError.from(rejection);
  }
}

// --- Vault assets (issue 5) ------------------------------------------------

/** Progress and end of each upload. */
export function onUploadEvent(handler: (event: UploadEvent) => void): Promise<UnlistenFn> {
  return listenSafely<UploadEvent>('asset-upload', handler);
}

export type FileDrag = { kind: 'enter' } | { kind: 'leave' } | { kind: 'drop'; paths: string[] };

/** Files dragged over / dropped on the window (Tauri's own drag-drop events). */
export async function onFileDrag(handler: (drag: FileDrag) => void): Promise<UnlistenFn> {
  const stops = await Promise.all([
    listenSafely<unknown>('tauri://drag-enter', () => handler({ kind: 'enter' })),
    listenSafely<unknown>('tauri://drag-leave', () => handler({ kind: 'leave' })),
    listenSafely<{ paths?: string[] }>('tauri://drag-drop', (p) =>
      handler({ kind: 'drop', paths: p?.paths ?? [] }),
    ),
  ]);
  return () => stops.forEach((s) => s());
}
