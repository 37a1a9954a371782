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

const AUTO_DISMISS_MS = 8000;

const TABLE: Record<ErrorCode, { severity: Severity | null; title: string }> = {
  unauthorized: { severity: 'critical', title: 'Not signed in to the service' },
  forbidden: { severity: 'critical', title: 'Not allowed' },
  not_found: { severity: 'warning', title: 'Not found' },
  validation: { severity: 'warning', title: 'Check the input' },
  conflict: { severity: 'warning', title: 'Conflict' },
  rate_limited: { severity: 'warning', title: 'Rate limited' },
  unavailable: { severity: 'warning', title: 'Service unavailable' },
  outcome_unknown: { severity: 'critical', title: 'Outcome unknown' },
  bad_response: { severity: 'critical', title: 'Unexpected response' },
  no_credentials: { severity: 'info', title: 'No credentials' },
  keychain_unavailable: { severity: 'critical', title: 'Keychain unavailable' },
  secrets_locked: { severity: 'critical', title: 'Secrets are locked' },
  config: { severity: 'critical', title: 'Configuration problem' },
  cancelled: { severity: null, title: 'Cancelled' },
  io: { severity: 'critical', title: 'File error' },
  internal: { severity: 'critical', title: 'Something went wrong' },
};

/** Decides how loudly to report an error, from its code alone. */
export function classify(error: Pick<PortalError, 'code'>): Classified {
  const entry = TABLE[error.code] ?? TABLE.internal;
  return {
    ...entry,
    autoDismissMs: entry.severity === 'critical' || entry.severity === null ? null : AUTO_DISMISS_MS,
  };
}

/** The hint to show: the backend's, or one derived from the error. */
export function hintFor(error: PortalError): string | null {
  if (error.hint) return error.hint;
  if (error.code === 'rate_limited' && error.retry_after_secs != null) {
    return `Try again in ${error.retry_after_secs} s.`;
  }
  return null;
}
