import type { ErrorCode, PortalErrorData, Service } from '../types';

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'unauthorized',
  'forbidden',
  'not_found',
  'validation',
  'conflict',
  'rate_limited',
  'unavailable',
  'certificate',
  'outcome_unknown',
  'bad_response',
  'foreign_origin',
  'no_credentials',
  'keychain_unavailable',
  'secrets_locked',
  'config',
  'policy',
  'cancelled',
  'io',
  'internal',
]);

/**
 * The one error type the UI handles. The backend rejects every command with
 * an `Error` binding (`{code, message, …}`); anything else (a string from
 * Tauri itself, a thrown TypeError) becomes code `internal`.
 */
export class PortalError extends globalThis.Error implements PortalErrorData {
  readonly code: ErrorCode;
  readonly service: Service | null;
  readonly request_id: string | null;
  readonly status: number | null;
  readonly service_code: string | null;
  readonly retry_after_secs: number | null;
  readonly hint: string | null;

  constructor(data: PortalErrorData, options?: { cause?: unknown }) {
    super(data.message, options);
    this.name = 'PortalError';
    this.code = data.code;
    this.service = data.service;
    this.request_id = data.request_id;
    this.status = data.status;
    this.service_code = data.service_code;
    this.retry_after_secs = data.retry_after_secs;
    this.hint = data.hint;
  }

  /** Turns whatever a promise rejected with into a PortalError. */
  static from(value: unknown): PortalError {
    if (value instanceof PortalError) return value;
    if (typeof value === 'string') return PortalError.internal(value, value);
    if (value instanceof globalThis.Error) return PortalError.internal(value.message, value);
    if (isRecord(value)) {
      const message = typeof value.message === 'string' && value.message ? value.message : undefined;
      if (typeof value.code === 'string' && ERROR_CODES.has(value.code)) {
        return new PortalError(
          {
            code: value.code as ErrorCode,
            message: message ?? 'Something went wrong.',
            service: stringOrNull(value.service) as Service | null,
            request_id: stringOrNull(value.request_id),
            status: numberOrNull(value.status),
            service_code: stringOrNull(value.service_code),
            retry_after_secs: numberOrNull(value.retry_after_secs),
            hint: stringOrNull(value.hint),
          },
          { cause: value },
        );
      }
      return PortalError.internal(message ?? safeJson(value), value);
    }
    return PortalError.internal(String(value), value);
  }

  static internal(message: string, cause?: unknown, hint: string | null = null): PortalError {
    return new PortalError(
      {
        code: 'internal',
        message: message || 'Something went wrong.',
        service: null,
        request_id: null,
        status: null,
        service_code: null,
        retry_after_secs: null,
        hint,
      },
      { cause },
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return 'Something went wrong.';
  }
}
