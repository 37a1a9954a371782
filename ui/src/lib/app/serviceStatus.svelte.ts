import { createContext } from 'svelte';
import { call } from '../backend';
import { guidance } from '../errors/classify';
import { PortalError } from '../errors/PortalError';
import { SERVICE_NAMES } from '../services';
import type { ClockStatus, ConnectionState, PortalErrorData, Service, ServiceStatus } from '../types';
import { setServiceClockOffset } from '../ui/serviceClock';

export { SERVICE_NAMES };

/**
 * The state a failed call shows a service in, as Rust's status check decides
 * it; null: no news. One action refused (403) says nothing about the
 * service; a refused list does.
 */
function stateAfter(error: PortalError, probe: boolean): ConnectionState | null {
  if (error.code === 'no_credentials') return 'not_configured';
  if (error.code === 'unauthorized' || (error.code === 'forbidden' && probe)) return 'unauthorized';
  if (error.code !== 'outcome_unknown' && guidance(error.code).offline) return 'offline';
  return null;
}

function data(error: PortalError): PortalErrorData {
  const { code, message, service, request_id, status, service_code, retry_after_secs, hint } = error;
  return { code, message, service, request_id, status, service_code, retry_after_secs, hint };
}

/** The connection state of each service for the active profile. */
export class ServiceStatuses {
  items = $state.raw<ServiceStatus[]>([]);
  /** The services' clock against this computer's, learned from their answers (after a check). */
  clock = $state.raw<ClockStatus | null>(null);
  loading = $state(false);
  error = $state.raw<PortalError | null>(null);
  #request = 0;
  /** No check started since launch or since `clear`: what pages learn meanwhile is kept for it. */
  #awaiting = true;
  // Not rendered: plain collections are enough.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #reloaders = new Map<Service, Set<() => unknown>>();
  /** What pages learned while a check was under way: newer than its answer. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #learned = new Map<Service, ServiceStatus>();

  /** Forgets the statuses shown (another profile) until the next check; an answer under way is ignored. */
  clear(): void {
    this.#request++;
    this.items = [];
    this.error = null;
    this.loading = false;
    // Kept when nothing was checked yet: learned at launch, for this profile.
    if (!this.#awaiting) this.#learned.clear();
    this.#awaiting = true;
  }

  async refresh(options: { clear?: boolean } = {}): Promise<void> {
    const request = ++this.#request;
    if (options.clear) this.items = [];
    // What pages learned since `clear` is newer than the check about to start.
    if (!this.#awaiting) this.#learned.clear();
    this.#awaiting = false;
    this.loading = true;
    try {
      const items = await call('service_status');
      if (request !== this.#request) return;
      this.items = items.map((item) => this.#learned.get(item.service) ?? item);
      this.error = null;
      await this.#readClock(request);
    } catch (rejection) {
      if (request !== this.#request) return;
      this.error = PortalError.from(rejection);
    } finally {
      if (request === this.#request) this.loading = false;
    }
  }

  /** The clock the check's answers gave (their `Date` headers); JWT countdowns follow it. */
  async #readClock(request: number): Promise<void> {
    try {
      const clock = await call('service_clock');
      if (request !== this.#request) return;
      this.clock = clock;
      setServiceClockOffset(clock.offsetSeconds);
    } catch {
      // Only the warning depends on it.
    }
  }

  /**
   * What a page's own call learned about a service (see `onServiceOutcome`):
   * a list that loaded means connected; a failure that says the service is
   * offline, refused the credential or has none changes the state shown.
   */
  report(service: Service, error: PortalError | null, probe = true): void {
    const state = error ? stateAfter(error, probe) : 'connected';
    if (!state) return;
    const next: ServiceStatus = { service, state, error: error ? data(error) : null };
    if (this.loading || this.#awaiting) this.#learned.set(service, next);
    const current = this.items.find((item) => item.service === service);
    if (!current || (state === current.state && !error && !current.error)) return;
    this.items = this.items.map((item) => (item.service === service ? next : item));
  }

  /** A page registers how to reload its data when the service is retried; returns the unsubscribe. */
  onRetry(service: Service, reload: () => unknown): () => void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const set = this.#reloaders.get(service) ?? new Set();
    set.add(reload);
    this.#reloaders.set(service, set);
    return () => set.delete(reload);
  }

  /** Retry from the sidebar: checks the services again and reloads the pages of this one. */
  async retry(service: Service): Promise<void> {
    const reloads = [...(this.#reloaders.get(service) ?? [])].map((reload) => reload());
    await Promise.all([this.refresh(), ...reloads]);
  }
}

export const [getServiceStatuses, setServiceStatuses] = createContext<ServiceStatuses>();
