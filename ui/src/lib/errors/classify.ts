import type { ErrorCode } from '../types';
import type { PortalError } from './PortalError';

export type Severity = 'info' | 'warning' | 'critical';

export interface Classified {
  /** `null`: the user cancelled; say nothing. */
  severity: Severity | null;
  title: string;
  /** Milliseconds before the toast goes away by itself; `null` = stays. */
  autoDismissMs: number | null;
}

/** What the UI offers for an error, from its code alone. */
export interface Guidance {
  severity: Severity | null;
  title: string;
  /** The next step when the backend sent no hint. */
  nextStep: string | null;
  /** Trying the same call again can succeed without changing anything here. */
  retry: boolean;
  /** The fix is in Settings (credentials, secret storage, the profile). */
  settings: boolean;
  /** The service could not be used at all: shown as that service being offline. */
  offline: boolean;
}

const AUTO_DISMISS_MS = 8000;

type Row = Omit<Guidance, 'offline'> & { offline?: boolean };

// One row per ErrorCode: the compiler fails when a code is added without one.
const TABLE: Record<ErrorCode, Row> = {
  unauthorized: {
    severity: 'critical',
    title: 'Not signed in to the service',
    nextStep: 'Check the credential in Settings, or log in again.',
    retry: false,
    settings: true,
  },
  forbidden: {
    severity: 'critical',
    title: 'Not allowed',
    nextStep: 'Use a credential with the scope or role this needs (see Settings).',
    retry: false,
    settings: true,
  },
  not_found: {
    severity: 'warning',
    title: 'Not found',
    nextStep: 'It may have been deleted or moved. Refresh, then try again.',
    retry: true,
    settings: false,
  },
  validation: {
    severity: 'warning',
    title: 'Check the input',
    nextStep: 'Correct the values and try again.',
    retry: false,
    settings: false,
  },
  conflict: {
    severity: 'warning',
    title: 'Conflict',
    nextStep: 'Refresh to see the current state, then try again.',
    retry: true,
    settings: false,
  },
  rate_limited: {
    severity: 'warning',
    title: 'Rate limited',
    nextStep: 'Wait a moment and try again.',
    retry: true,
    settings: false,
  },
  unavailable: {
    severity: 'warning',
    title: 'Service unavailable',
    nextStep: 'Check the connection and the service URL, then retry.',
    retry: true,
    settings: false,
    offline: true,
  },
  certificate: {
    severity: 'critical',
    title: 'Certificate not trusted',
    nextStep:
      "Install the company's CA certificate in the system's store, or set the profile's CA file in Settings.",
    // The same certificate is refused again until something changes here.
    retry: false,
    settings: true,
  },
  outcome_unknown: {
    severity: 'critical',
    title: 'Outcome unknown',
    nextStep: 'Refresh the list to see whether it happened before trying again.',
    retry: true,
    settings: false,
    offline: true,
  },
  bad_response: {
    severity: 'critical',
    title: 'Unexpected response',
    nextStep: 'Check that the base URL points at the right service, then retry.',
    retry: true,
    settings: false,
    offline: true,
  },
  foreign_origin: {
    severity: 'critical',
    title: 'Service pointed elsewhere',
    nextStep: 'Check the base URL in Settings: use the address the service answers on directly.',
    retry: false,
    settings: true,
  },
  no_credentials: {
    severity: 'info',
    title: 'No credentials',
    nextStep: 'Add the credential for this service: open Settings, or connect the account again.',
    retry: false,
    settings: true,
  },
  keychain_unavailable: {
    severity: 'critical',
    title: 'Keychain unavailable',
    nextStep: 'Unlock the keychain and retry, or opt in to the encrypted secrets file in Settings.',
    // The fix may happen outside the app (unlocking the OS keyring).
    retry: true,
    settings: true,
  },
  secrets_locked: {
    severity: 'critical',
    title: 'Secrets are locked',
    nextStep: 'Enter the passphrase of the encrypted secrets file in Settings.',
    retry: false,
    settings: true,
  },
  config: {
    severity: 'critical',
    title: 'Configuration problem',
    nextStep: "Check the profile's URLs in Settings.",
    retry: false,
    settings: true,
  },
  cancelled: { severity: null, title: 'Cancelled', nextStep: null, retry: true, settings: false },
  io: {
    severity: 'critical',
    title: 'File error',
    nextStep: 'Check that the file exists and can be read, then retry.',
    retry: true,
    settings: false,
  },
  internal: {
    severity: 'critical',
    title: 'Something went wrong',
    nextStep: 'Try again; if it keeps happening, restart the app.',
    retry: true,
    settings: false,
  },
};

/** Retry, Settings, offline and the next step for an error code. */
export function guidance(code: ErrorCode): Guidance {
  const row = TABLE[code] ?? TABLE.internal;
  return { ...row, offline: row.offline ?? false };
}

/** Decides how loudly to report an error, from its code alone. */
export function classify(error: Pick<PortalError, 'code'>): Classified {
  const { severity, title } = guidance(error.code);
  return {
    severity,
    title,
    autoDismissMs: severity === 'critical' || severity === null ? null : AUTO_DISMISS_MS,
  };
}

/**
 * The hint to show: the backend's; else one derived from the error; else the
 * caller's `fallback` (what to try in this place); else the code's next step.
 */
export function hintFor(error: PortalError, fallback: string | null = null): string | null {
  if (error.hint) return error.hint;
  if (error.code === 'rate_limited' && error.retry_after_secs != null) {
    return `Try again in ${error.retry_after_secs} s.`;
  }
  return fallback ?? guidance(error.code).nextStep;
}
