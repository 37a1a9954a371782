// The "connect your account" form's values and their checks, without the DOM.
import type { ConnectInput, Environment, ServiceUrls } from '../types';
import { DEFAULT_URLS } from '../ui/environment';

export interface ConnectValues {
  name: string;
  environment: Environment | '';
  urls: ServiceUrls;
  vaultstreamToken: string;
  jwtKeysApiKey: string;
  vaultEmail: string;
  vaultPassword: string;
}

export function emptyConnectValues(): ConnectValues {
  return {
    name: '',
    environment: '',
    urls: { ...DEFAULT_URLS },
    vaultstreamToken: '',
    jwtKeysApiKey: '',
    vaultEmail: '',
    vaultPassword: '',
  };
}

export type ConnectField =
  'name' | 'environment' | 'vaultstream' | 'jwtKeys' | 'vault' | 'vaultEmail' | 'vaultPassword';

/** Problems the user can fix before anything is sent; empty when fine. */
export function validateConnect(
  values: ConnectValues,
  existingNames: readonly string[],
): Partial<Record<ConnectField, string>> {
  const problems: Partial<Record<ConnectField, string>> = {};
  const name = values.name.trim();
  if (!name) problems.name = 'Give the profile a name.';
  else if (existingNames.some((n) => n.toLowerCase() === name.toLowerCase()))
    problems.name = `A profile named “${name}” already exists.`;
  if (!values.environment) problems.environment = 'Choose the environment these credentials belong to.';
  for (const key of ['vaultstream', 'jwtKeys', 'vault'] as const) {
    const problem = urlProblem(values.urls[key]);
    if (problem) problems[key] = problem;
  }
  const email = values.vaultEmail.trim();
  if (values.vaultPassword && !email)
    problems.vaultEmail = 'Enter the vault email that goes with the password.';
  if (email && !values.vaultPassword) problems.vaultPassword = 'Enter the vault password for this email.';
  return problems;
}

/** What `connect_account` receives: trimmed, empty credentials as null. */
export function toConnectInput(values: ConnectValues): ConnectInput {
  const orNull = (value: string) => (value.trim() ? value.trim() : null);
  return {
    name: values.name.trim(),
    environment: values.environment || 'other',
    urls: {
      vaultstream: values.urls.vaultstream.trim().replace(/\/+$/, ''),
      jwtKeys: values.urls.jwtKeys.trim().replace(/\/+$/, ''),
      vault: values.urls.vault.trim().replace(/\/+$/, ''),
    },
    vaultstreamToken: orNull(values.vaultstreamToken),
    jwtKeysApiKey: orNull(values.jwtKeysApiKey),
    vaultEmail: orNull(values.vaultEmail),
    // Passwords are sent as typed: spaces may be part of them.
    vaultPassword: values.vaultPassword ? values.vaultPassword : null,
  };
}

/**
 * Why a service URL cannot be used, or null. The same rule as the Rust side
 * (`portal_core::origin::check_base_url`, which decides): https://, or
 * plain http:// to this machine only (127.0.0.0/8, ::1, localhost).
 */
export function urlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'Enter an https:// URL.';
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') {
    return isLoopback(url.hostname)
      ? null
      : 'Use https:// (plain http:// is allowed only for this machine: 127.0.0.1, ::1, localhost).';
  }
  return 'Enter an https:// URL.';
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}
