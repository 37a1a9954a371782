import { classify, guidance, hintFor } from './classify';
import { PortalError } from './PortalError';
import { toasts } from './toasts.svelte';

/**
 * The one way the UI reports an error it does not show inline: classify it
 * by code and raise a toast. Returns the PortalError for callers that also
 * keep it (e.g. to render an error state). `context` replaces the generic
 * title with what was being done ("Could not refresh tokens").
 */
export function showError(error: unknown, context?: string): PortalError {
  const portalError = PortalError.from(error);
  const { severity, title, autoDismissMs } = classify(portalError);
  if (severity === null) return portalError;
  toasts.push({
    severity,
    title: context ?? title,
    message: portalError.message,
    hint: hintFor(portalError),
    requestId: portalError.request_id,
    settings: guidance(portalError.code).settings,
    autoDismissMs,
  });
  return portalError;
}
