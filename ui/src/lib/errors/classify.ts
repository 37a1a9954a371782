import type { ErrorCode } from '../types';
import type { PortalError } from './PortalError';
import { ERROR_HINTS } from '../bindings/errorHints';

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

/**
 * A code's row. `nextStep` only where core gives no hint: core's hints
 * (`ErrorCode::hint`, generated into `bindings/errorHints.ts`) are the one
 * source of the sentences both the app and the CLI show.
 */
type Row = Omit<Guidance, 'offline' | 'nextStep'> & { offline?: boolean; nextStep?: string | null };

// One row per ErrorCode: the compiler fails when a code is added without one.
const TABLE: Record<ErrorCode, Row> = {
  unauthorized: {
    severity: 'critical',
    title: 'Not signed in to the service',
    retry: false,
    settings: true,
  },
  forbidden: {
    severity: 'critical',
    title: 'Not allowed',
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
    retry: true,
    settings: false,
  },
  unavailable: {
    severity: 'warning',
    title: 'Service unavailable',
    retry: true,
    settings: false,
    offline: true,
  },
  certificate: {
    severity: 'critical',
    title: 'Certificate not trusted',
    // The same certificate is refused again until something changes here.
    retry: false,
    settings: true,
  },
  outcome_unknown: {
    severity: 'critical',
    title: 'Outcome unknown',
    retry: true,
    settings: false,
    offline: true,
  },
  bad_response: {
    severity: 'critical',
    title: 'Unexpected response',
    retry: true,
    settings: false,
    offline: true,
  },
  foreign_origin: {
    severity: 'critical',
    title: 'Service pointed elsewhere',
    retry: false,
    settings: true,
  },
  no_credentials: {
    severity: 'info',
    title: 'No credentials',
    retry: false,
    settings: true,
  },
  keychain_unavailable: {
    severity: 'critical',
    title: 'Keychain unavailable',
    // The fix may happen outside the app (unlocking the OS keyring).
    retry: true,
    settings: true,
  },
  secrets_locked: {
    severity: 'critical',
    title: 'Secrets are locked',
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
  // The team's policy file refused it: the request must change (or the
  // policy, in Settings → Policy); retrying the same cannot help.
  policy: {
    severity: 'warning',
    title: 'Refused by policy',
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
  const known = code in TABLE ? code : 'internal';
  const row = TABLE[known];
  return { ...row, nextStep: ERROR_HINTS[known] ?? row.nextStep ?? null, offline: row.offline ?? false };
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
