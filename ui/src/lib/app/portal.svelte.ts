import { createContext } from 'svelte';
import * as backend from '../backend';
import { PortalError } from '../errors/PortalError';
import type { AppState, ConnectInput, Preferences, Profile, RemovedProfile, SecretsInfo } from '../types';

export const DEFAULT_PREFERENCES: Preferences = { clipboardClearSeconds: 30 };

/**
 * How long the launch waits for the first page's data before it shows the
 * shell anyway (with the page's own loading state). Past this, a second
 * frame costs less than the wait.
 */
export const LAUNCH_HOLD_MS = 120;

/** Resolves when `promise` settles (either way) or after `ms`, whichever is first. */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    promise.then(done, done);
  });
}

/**
 * The app state from the backend: profiles, the active one, where secrets
 * live. Every action that changes it reloads it from the backend, so the
 * UI never guesses what Rust decided.
 */
export class Portal {
  state = $state.raw<AppState | null>(null);
  loadError = $state.raw<PortalError | null>(null);
  /**
   * Bumped whenever the data behind the pages may have changed (another
   * profile, new credentials, secrets unlocked). Pages reload when it moves.
   */
  epoch = $state(0);

  profiles = $derived(this.state?.profiles ?? []);
  activeProfile = $derived(this.profiles.find((p) => p.name === this.state?.activeProfile) ?? null);
  secrets = $derived(this.state?.secrets ?? null);
  version = $derived(this.state?.version ?? '');
  preferences = $derived<Preferences>(this.state?.preferences ?? DEFAULT_PREFERENCES);

  /**
   * Reads the app state. At launch, `alongside` is the first page's data
   * (the token list, asked for at the same time): the state is kept back
   * until that has settled too, for up to `holdMs`, so that the shell and
   * the page's rows are built and drawn in one frame, not one after the other.
   */
  async load(alongside?: Promise<unknown>, holdMs = LAUNCH_HOLD_MS): Promise<void> {
    try {
      const state = await backend.call('app_state');
      if (alongside) await settledWithin(alongside, holdMs);
      this.state = state;
      this.loadError = null;
    } catch (error) {
      this.loadError = PortalError.from(error);
    }
  }

  exploreSandbox(): Promise<Profile> {
    return this.#thenReload(backend.call('explore_sandbox'));
  }

  connect(input: ConnectInput): Promise<Profile> {
    return this.#thenReload(backend.call('connect_account', { input }));
  }

  async switchTo(name: string): Promise<void> {
    await this.#thenReload(backend.call('switch_profile', { name }));
  }

  /** Sets or clears a profile's CA certificate file and proxy URL. */
  setNetwork(name: string, caFile: string | null, proxy: string | null): Promise<Profile> {
    return this.#thenReload(backend.call('set_profile_network', { name, caFile, proxy }));
  }

  remove(name: string): Promise<RemovedProfile> {
    return this.#thenReload(backend.call('remove_profile', { name }));
  }

  /** The active profile's longest signed-JWT lifetime, in seconds. */
  setJwtMaxTtl(seconds: number): Promise<Profile> {
    return this.#thenReload(backend.call('set_jwt_max_ttl', { seconds }));
  }

  useEncryptedFile(passphrase: string): Promise<SecretsInfo> {
    return this.#thenReload(backend.call('use_encrypted_file', { passphrase }));
  }

  unlockSecrets(passphrase: string): Promise<SecretsInfo> {
    return this.#thenReload(backend.call('unlock_secrets', { passphrase }));
  }

  /** Saves app-wide preferences; does not start a new epoch (no data changes). */
  async setPreferences(prefs: Preferences): Promise<Preferences> {
    const saved = await backend.call('set_preferences', { prefs });
    if (this.state) this.state = { ...this.state, preferences: saved };
    return saved;
  }

  /** Waits for a change the backend makes, then reloads the state; the change's answer. */
  async #thenReload<T>(change: Promise<T>): Promise<T> {
    const answer = await change;
    await this.#reload();
    return answer;
  }

  async #reload(): Promise<void> {
    this.state = await backend.call('app_state');
    this.loadError = null;
    this.epoch++;
  }
}

export const [getPortal, setPortal] = createContext<Portal>();
