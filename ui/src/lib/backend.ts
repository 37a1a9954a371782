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
  DeleteKeyOutcome,
  GenProgress,
  ImportedKeyView,
  ImportKeyInput,
  KeyDetails,
  KeysOverview,
  LocalKey,
  LocalKeyView,
  PlaybackVerdict,
  SignedVideoJwt,
  SignVideoRequest,
  UploadedKey,
  UploadVerification,
  Verdict,
  VideoUrls,
} from './types';
import type { Service, ApiToken, ClipboardCopy } from './types';

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

/** A server key id, or the local id (`lk_…`) of a key not uploaded. */
export function keyDetails(id: string): Promise<KeyDetails> {
  return call('key_details', { id });
}

/**
 * Generates a key pair in Rust (progress: `onKeygenProgress`; stop with
 * `cancelKeygen`, which rejects this with code `cancelled`) and keeps it in
 * the keychain, not uploaded yet.
 */
export function generateKey(name: string, bits: number): Promise<LocalKey> {
  return call('generate_key', { name, bits });
}

export function cancelKeygen(): Promise<null> {
  return call('cancel_keygen');
}

/** Progress of the generation under way; resolves to the unsubscribe function. */
export async function onKeygenProgress(handler: (progress: GenProgress) => void): Promise<UnlistenFn> {
  try {
    const stop = await listen<GenProgress>('keygen-progress', (event) => handler(event.payload));
    return () => {
      void Promise.resolve()
        .then(stop)
        .catch(() => {});
    };
  } catch {
    return () => {};
  }
}

/** Reads a PEM; with `keepPrivate`, its private half (if any) goes to the keychain. */
export function importKey(input: ImportKeyInput): Promise<ImportedKeyView> {
  return call('import_key', { input });
}

/** A local key with its public half: what `uploadKey` sends. */
export function localKey(localId: string): Promise<LocalKeyView> {
  return call('local_key', { localId });
}

/** Rust opens the save dialog and writes the PEM (mode 0600). The path, or null if cancelled. */
export function exportPrivateKey(localId: string, passphrase: string | null): Promise<string | null> {
  return call('export_private_key', { localId, passphrase });
}

/** Uploads only the public half of a local key and links the two. Never retried. */
export function uploadKey(localId: string): Promise<UploadedKey> {
  return call('upload_key', { localId });
}

/** Uploads an imported public key (its private half is not on this computer). */
export function uploadPublicKey(name: string, pem: string): Promise<UploadedKey> {
  return call('upload_public_key', { name, pem });
}

/** Fetches the key back, compares fingerprints and checks a test JWT signed here. */
export function verifyUploadedKey(serverId: string): Promise<UploadVerification> {
  return call('verify_uploaded_key', { serverId });
}

/** A server key (`serverId`), and/or a local key (`localId`: required when never uploaded). */
export function deleteKey(
  serverId: string | null,
  localId: string | null,
  deleteLocal: boolean,
): Promise<DeleteKeyOutcome> {
  return call('delete_key', { serverId, localId, deleteLocal });
}

/** A private-video JWT signed with the key's private half kept here. */
/** Signs (for no longer than the profile's cap); the JWT and its URLs are held in Rust for `copyHeld`. */
export function signVideoJwt(request: SignVideoRequest): Promise<SignedVideoJwt> {
  return call('sign_video_jwt', { request });
}

/**
 * Rust copies a held signed JWT, one of its URLs (`jwt`, `watch`, `embed`,
 * `hls`) or a share link (`url`) and clears the clipboard after the
 * configured delay, as for API tokens.
 */
export function copyHeld(copyId: string, part: string): Promise<ClipboardCopy> {
  return call('copy_held', { copyId, part });
}

/** Sandbox profiles only: asks the sandbox player whether it would play the video. */
export function testPlayback(videoId: string, jwt: string): Promise<PlaybackVerdict> {
  return call('test_playback', { videoId, jwt });
}

/** The active profile's watch / embed / HLS URL templates (`{video_id}` placeholder). */
export function videoUrlTemplates(): Promise<VideoUrls> {
  return call('video_url_templates');
}

export function setVideoUrlTemplates(templates: VideoUrls): Promise<VideoUrls> {
  return call('set_video_url_templates', { templates });
}

/** Any JWT, checked against the uploaded key its kid names. */
export function verifyAnyJwt(jwt: string): Promise<Verdict> {
  return call('verify_any_jwt', { jwt });
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

import type {
  Asset,
  AssetDetails,
  AssetPage,
  AssetQuery,
  AssetUpdate,
  BulkDeleteSummary,
  Deleted,
  Folder,
  LegalHold,
  Quota,
  ShareView,
  Transform,
  TransformKind,
  UploadEvent,
  UploadStarted,
  VaultSessionView,
} from './types';

/** Who is logged in to the vault (from the stored token), or null. No token crosses. */
export function vaultSession(): Promise<VaultSessionView | null> {
  return call('vault_session');
}

/** The password goes UI → Rust only; the identity and permissions come back. */
export function vaultLogin(email: string, password: string, remember: boolean): Promise<VaultSessionView> {
  return call('vault_login', { email, password, remember });
}

export function vaultLogout(): Promise<null> {
  return call('vault_logout');
}

export function listAssets(query: AssetQuery): Promise<AssetPage> {
  return call('list_assets', { query });
}

export function assetDetails(id: string): Promise<AssetDetails> {
  return call('asset_details', { id });
}

export function listTransforms(id: string): Promise<Transform[]> {
  return call('list_transforms', { id });
}

export function requestTransform(id: string, kind: TransformKind): Promise<Transform> {
  return call('request_transform', { id, kind });
}

/** A share link, held in Rust for `copyHeld(copyId, 'url')`. */
export function shareAsset(id: string, expiresInSeconds: number | null): Promise<ShareView> {
  return call('share_asset', { id, expiresInSeconds });
}

export function updateAsset(id: string, update: AssetUpdate): Promise<Asset> {
  return call('update_asset', { id, update });
}

/** Refused in Rust (code `conflict`) when the asset is under legal hold. */
export function deleteAsset(id: string): Promise<Deleted> {
  return call('delete_asset', { id });
}

export function deleteAssets(ids: string[]): Promise<BulkDeleteSummary> {
  return call('delete_assets', { ids });
}

export function listFolders(): Promise<Folder[]> {
  return call('list_folders');
}

export function vaultQuota(): Promise<Quota> {
  return call('vault_quota');
}

export function setLegalHold(id: string, reason: string): Promise<LegalHold> {
  return call('set_legal_hold', { id, reason });
}

export function clearLegalHold(id: string): Promise<LegalHold> {
  return call('clear_legal_hold', { id });
}

/** Rust opens the file dialog (several files) and starts the uploads; [] = closed. */
export function pickAndUpload(folderId: string | null): Promise<UploadStarted[]> {
  return call('pick_and_upload', { folderId });
}

/** Paths from Tauri's drag-drop event; Rust checks each is a regular readable file. */
export function uploadDropped(paths: string[], folderId: string | null): Promise<UploadStarted[]> {
  return call('upload_dropped', { paths, folderId });
}

export function cancelUpload(uploadId: string): Promise<boolean> {
  return call('cancel_upload', { uploadId });
}

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
