import type { Service } from './types';

/** The services' names as the user knows them. */
export const SERVICE_NAMES: Record<Service, string> = {
  vault_stream: 'VaultStream',
  jwt_keys: 'JWT keys',
  vault: 'Vault',
};
