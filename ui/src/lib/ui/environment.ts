import type { Environment, ServiceUrls } from '../types';

export const ENVIRONMENTS: readonly Environment[] = ['production', 'staging', 'sandbox', 'other'];

export const ENVIRONMENT_LABELS: Record<Environment, string> = {
  production: 'PRODUCTION',
  staging: 'STAGING',
  sandbox: 'SANDBOX',
  other: 'OTHER',
};

export const ENVIRONMENT_NAMES: Record<Environment, string> = {
  production: 'Production',
  staging: 'Staging',
  sandbox: 'Sandbox',
  other: 'Other',
};

/** The documented public base URLs. */
export const DEFAULT_URLS: ServiceUrls = {
  vaultstream: 'https://api.cyfr.technology',
  jwtKeys: 'https://api.vidbeo.com/v2',
  vault: 'https://535ubezkse.execute-api.us-east-1.amazonaws.com',
};
