import { createContext } from 'svelte';
import { serviceStatus } from '../backend';
import { PortalError } from '../errors/PortalError';
import type { Service, ServiceStatus } from '../types';

export const SERVICE_NAMES: Record<Service, string> = {
  vault_stream: 'VaultStream',
  jwt_keys: 'JWT keys',
  vault: 'Vault',
};

/** The connection state of each service for the active profile. */
export class ServiceStatuses {
  items = $state.raw<ServiceStatus[]>([]);
  loading = $state(false);
  error = $state.raw<PortalError | null>(null);
  #request = 0;

  async refresh(options: { clear?: boolean } = {}): Promise<void> {
    const request = ++this.#request;
    if (options.clear) this.items = [];
    this.loading = true;
    try {
      const items = await serviceStatus();
      if (request !== this.#request) return;
      this.items = items;
      this.error = null;
    } catch (rejection) {
      if (request !== this.#request) return;
      this.error = PortalError.from(rejection);
    } finally {
      if (request === this.#request) this.loading = false;
    }
  }
}

export const [getServiceStatuses, setServiceStatuses] = createContext<ServiceStatuses>();
