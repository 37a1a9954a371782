// Every call from the UI to the Rust side goes through this module.
// Command names and argument keys match `src-tauri` exactly; arguments use
// camelCase keys (Tauri maps them to the snake_case Rust parameters).
import { invoke } from '@tauri-apps/api/core';
import { PortalError } from './errors/PortalError';
import type {
  ApiToken,
  AppState,
  ConnectInput,
  Profile,
  ScopeInfo,
  SecretsInfo,
  ServiceStatus,
} from './types';

export { PortalError };

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!insideTauri()) {
    throw PortalError.internal(
      'The Partner Portal back end is not available in this window.',
      undefined,
      'Start the app with `cargo tauri dev` rather than opening the page in a browser.',
    );
  }
  try {
    return await invoke<T>(command, args);
  } catch (rejection) {
    throw PortalError.from(rejection);
  }
}

function insideTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/** Profiles, the active profile, where secrets are kept, the app version. */
export function appState(): Promise<AppState> {
  return call<AppState>('app_state');
}

/** Starts the in-process sandbox if needed and activates the "Sandbox" profile. */
export function exploreSandbox(): Promise<Profile> {
  return call<Profile>('explore_sandbox');
}

/** Checks the credentials with a real call, then saves and activates the profile. */
export function connectAccount(input: ConnectInput): Promise<Profile> {
  return call<Profile>('connect_account', { input });
}

export function switchProfile(name: string): Promise<null> {
  return call<null>('switch_profile', { name });
}

/** Removes the profile and its stored credentials. */
export function removeProfile(name: string): Promise<null> {
  return call<null>('remove_profile', { name });
}

/** One entry per service: vault_stream, jwt_keys, vault. */
export function serviceStatus(): Promise<ServiceStatus[]> {
  return call<ServiceStatus[]>('service_status');
}

/** All pages of the active profile's API tokens (never with token values). */
export function listTokens(): Promise<ApiToken[]> {
  return call<ApiToken[]>('list_tokens');
}

export function tokenScopes(): Promise<ScopeInfo[]> {
  return call<ScopeInfo[]>('token_scopes');
}

/** Opts in to the encrypted secrets file: creates it, or unlocks an existing one. */
export function useEncryptedFile(passphrase: string): Promise<SecretsInfo> {
  return call<SecretsInfo>('use_encrypted_file', { passphrase });
}

export function unlockSecrets(passphrase: string): Promise<SecretsInfo> {
  return call<SecretsInfo>('unlock_secrets', { passphrase });
}
