// The new-key wizard as a state machine: the states (one a step of the
// wizard, plus the close confirmation over any of them), the events the
// wizard's calls and buttons send, and the pure `next(state, event)`.
// KeyWizard.svelte makes the calls and renders the step the state names.
//
//   source ──generate──▶ generate ──generated──▶ store ──to_review──▶ review
//     │  ▲                  │                                           ▲ │
//     │  └─generate_failed──┘ (cancelled: a notice, else the error)     │ │
//     └──import──▶ imported: store (private key kept) or review ────────┘ │
//   review ──upload──▶ uploaded: verify ──verify──▶ verified              │
//          ◀─upload_failed (retry now, or close and resume from the list)─┘
//
// A rotation (`start(null, old key)`) generates the new key and goes on
// after a good verdict (#16 §2):
//   verify ──to_default──▶ default ──made_default──▶ retire
//   retire ──retire_checked (hours left)──schedule──▶ scheduled (Done)
// Closing at default or retire leaves the new key uploaded, the old one in
// place (and, at retire, the new one the default).
//
// A resumed key (stored, never uploaded) starts at review. The private key
// is stored before anything is uploaded, so closing the wizard while a key
// is stored and not uploaded (or while one is being generated) asks first.
import { PortalError } from '../../errors/PortalError';
import type {
  DeletionCheck,
  GenProgress,
  ImportedKeyView,
  KeySummary,
  LocalKey,
  LocalKeyView,
  ScheduledDeletion,
  UploadedKey,
  UploadVerification,
} from '../../types';

export type WizardStep = 'source' | 'generate' | 'store' | 'review' | 'verify' | 'default' | 'retire';

/** The steps of a new key, in order. */
export const WIZARD_STEPS: ReadonlyArray<WizardStep> = ['source', 'generate', 'store', 'review', 'verify'];

/** The steps of a rotation: a new key, then it signs, then the old one goes. */
export const ROTATION_STEPS: ReadonlyArray<WizardStep> = [...WIZARD_STEPS, 'default', 'retire'];

/** The key a rotation replaces. */
export interface RotatingFrom {
  kid: string;
  name: string;
}

/** What the step list calls each step. */
export const STEP_LABELS: Record<WizardStep, string> = {
  source: 'Name',
  generate: 'Generate',
  store: 'Store',
  review: 'Review',
  verify: 'Verify',
  default: 'Default',
  retire: 'Retire old',
};

export interface WizardState {
  step: WizardStep;
  /** A call is under way (generate, import, export, read, upload, check). */
  busy: boolean;
  /** "Close the wizard?" is asked over the current step. */
  confirmClose: boolean;
  /** The wizard may close now. */
  closed: boolean;
  error: PortalError | null;
  notice: string | null;
  progress: GenProgress | null;
  /** The private key stored on this computer (generated, imported and kept, or resumed). */
  local: LocalKey | null;
  /** The public key to review and upload. */
  summary: KeySummary | null;
  exportedTo: string | null;
  uploaded: UploadedKey | null;
  uploadFailed: boolean;
  verification: UploadVerification | null;
  /** A rotation away from this key (null: a new key). */
  rotating: RotatingFrom | null;
  /** The new key is the profile's default signing key. */
  madeDefault: boolean;
  /** What deleting the old key now would break. */
  retireCheck: DeletionCheck | null;
  /** The old key's deletion, once scheduled. */
  scheduled: ScheduledDeletion | null;
}

export type WizardEvent =
  /** Step 1's form is sent (its name is valid): the last error and notice go. */
  | { type: 'submit' }
  | { type: 'generate' }
  | { type: 'progress'; progress: GenProgress }
  | { type: 'generated'; local: LocalKey }
  | { type: 'generate_failed'; error: PortalError }
  | { type: 'import' }
  | { type: 'imported'; view: Pick<ImportedKeyView, 'summary' | 'local'> }
  | { type: 'import_failed'; error: PortalError }
  /** Found here before any call (an empty PEM, an unreadable file); null clears the error. */
  | { type: 'problem'; message: string | null }
  | { type: 'export' }
  /** `path` is null when the save dialog was cancelled. */
  | { type: 'exported'; path: string | null }
  | { type: 'export_failed'; error: PortalError }
  | { type: 'to_review' }
  | { type: 'read' }
  | { type: 'read_done'; view: LocalKeyView }
  | { type: 'read_failed'; error: PortalError }
  | { type: 'upload' }
  | { type: 'uploaded'; key: UploadedKey }
  | { type: 'upload_failed'; error: PortalError }
  | { type: 'verify' }
  | { type: 'verified'; verification: UploadVerification }
  | { type: 'verify_failed'; error: PortalError }
  /** A rotation's good verdict: on to making the new key the default. */
  | { type: 'to_default' }
  | { type: 'make_default' }
  | { type: 'made_default' }
  | { type: 'make_default_failed'; error: PortalError }
  | { type: 'retire_check' }
  | { type: 'retire_checked'; check: DeletionCheck }
  | { type: 'retire_check_failed'; error: PortalError }
  | { type: 'schedule' }
  | { type: 'scheduled'; deletion: ScheduledDeletion }
  | { type: 'schedule_failed'; error: PortalError }
  /** Escape, the backdrop or Cancel: asks first when a key could be lost track of. */
  | { type: 'close' }
  | { type: 'keep_going' }
  | { type: 'close_anyway' }
  | { type: 'done' };

export const CANCELLED_NOTICE = 'Key generation was cancelled. Nothing was stored.';

/**
 * The wizard's first state: at Review for a resumed key (read it next:
 * `read`); a rotation away from `rotating` starts at step 1.
 */
export function start(resume: LocalKey | null, rotating: RotatingFrom | null = null): WizardState {
  return {
    step: resume ? 'review' : 'source',
    busy: false,
    confirmClose: false,
    closed: false,
    error: null,
    notice: null,
    progress: null,
    local: resume,
    summary: null,
    exportedTo: null,
    uploaded: null,
    uploadFailed: false,
    verification: null,
    rotating: resume ? null : rotating,
    madeDefault: false,
    retireCheck: null,
    scheduled: null,
  };
}

/** The steps this wizard shows. */
export function stepsOf(s: WizardState): ReadonlyArray<WizardStep> {
  return s.rotating ? ROTATION_STEPS : WIZARD_STEPS;
}

/** The new key's name offered by a rotation: the old one's, marked with the day, at most 50 characters. */
export function rotatedName(old: string, today: Date): string {
  const mark = ` (rotated ${today.toISOString().slice(0, 10)})`;
  return (
    [...old.trim()]
      .slice(0, 50 - mark.length)
      .join('')
      .trimEnd() + mark
  );
}

/** A key exists that the user could lose track of by closing. */
export function atRisk(s: WizardState): boolean {
  return (s.local !== null && s.uploaded === null) || s.step === 'generate';
}

/**
 * The service holds the key: for a stored key, Rust's check (fetched back,
 * test JWT); for an imported public key, the same SHA-256 fingerprint.
 */
export function verdictOk(s: WizardState): boolean {
  if (s.verification === null) return false;
  if (s.local) return s.verification.ok;
  return s.verification.serverFingerprints?.sha256 === s.summary?.fingerprints.sha256;
}

/** A problem found here, before any call: shown like a validation error from Rust. */
export function localProblem(message: string): PortalError {
  return PortalError.from({
    code: 'validation',
    message,
    service: null,
    request_id: null,
    status: null,
    service_code: null,
    retry_after_secs: null,
    hint: null,
  });
}

/** A call starts: busy, and the last error is cleared. */
function begin(s: WizardState, more: Partial<WizardState> = {}): WizardState {
  return { ...s, busy: true, error: null, ...more };
}

/** A call ends. */
function end(s: WizardState, more: Partial<WizardState>): WizardState {
  return { ...s, busy: false, ...more };
}

/** The state after `event`; the same object when the event does not apply. */
export function next(s: WizardState, event: WizardEvent): WizardState {
  switch (event.type) {
    case 'submit':
      return s.step === 'source' && !s.busy ? { ...s, error: null, notice: null } : s;
    case 'generate':
      if (s.step !== 'source' || s.busy) return s;
      return begin(s, { step: 'generate', notice: null, progress: null });
    case 'progress':
      return s.step === 'generate' ? { ...s, progress: event.progress } : s;
    case 'generated':
      return end(s, { step: 'store', local: event.local });
    case 'generate_failed':
      return event.error.code === 'cancelled'
        ? end(s, { step: 'source', notice: CANCELLED_NOTICE })
        : end(s, { step: 'source', error: event.error });

    case 'import':
      if (s.step !== 'source' || s.busy) return s;
      return begin(s, { notice: null });
    case 'imported':
      return end(s, {
        summary: event.view.summary,
        local: event.view.local ?? s.local,
        step: event.view.local ? 'store' : 'review',
      });
    case 'import_failed':
      return end(s, { error: event.error });
    case 'problem':
      return { ...s, error: event.message === null ? null : localProblem(event.message) };

    case 'export':
      if (s.step !== 'store' || s.busy || !s.local) return s;
      return begin(s);
    case 'exported':
      return end(s, { exportedTo: event.path ?? s.exportedTo });
    case 'export_failed':
      return end(s, { error: event.error });

    case 'to_review':
      return s.step === 'store' && !s.busy ? { ...s, step: 'review' } : s;
    case 'read':
      return s.step === 'review' && s.local ? begin(s) : s;
    case 'read_done':
      return end(s, { summary: event.view.summary, local: event.view.local });
    case 'read_failed':
      return end(s, { error: event.error });

    case 'upload':
      if (s.step !== 'review' || s.busy || !s.summary) return s;
      return begin(s, { uploadFailed: false });
    case 'uploaded':
      return end(s, { step: 'verify', uploaded: event.key });
    case 'upload_failed':
      return end(s, { error: event.error, uploadFailed: true });

    case 'verify':
      return s.step === 'verify' && s.uploaded ? begin(s) : s;
    case 'verified':
      return end(s, { verification: event.verification });
    case 'verify_failed':
      return end(s, { error: event.error });

    case 'to_default':
      return s.step === 'verify' && s.rotating && !s.busy && verdictOk(s)
        ? { ...s, step: 'default', error: null }
        : s;
    case 'make_default':
      return s.step === 'default' && !s.busy ? begin(s) : s;
    case 'made_default':
      return end(s, { step: 'retire', madeDefault: true });
    case 'make_default_failed':
      return end(s, { error: event.error });
    case 'retire_check':
      return s.step === 'retire' && !s.busy ? begin(s) : s;
    case 'retire_checked':
      return end(s, { retireCheck: event.check });
    case 'retire_check_failed':
      return end(s, { error: event.error });
    case 'schedule':
      return s.step === 'retire' && !s.busy && s.scheduled === null ? begin(s) : s;
    case 'scheduled':
      return end(s, { scheduled: event.deletion });
    case 'schedule_failed':
      return end(s, { error: event.error });

    case 'close':
      if (s.confirmClose) return { ...s, confirmClose: false };
      if (s.busy && s.step !== 'generate') return s;
      return atRisk(s) ? { ...s, confirmClose: true } : { ...s, closed: true };
    case 'keep_going':
      return { ...s, confirmClose: false };
    case 'close_anyway':
      return { ...s, confirmClose: false, closed: true };
    case 'done':
      return s.busy ? s : { ...s, closed: true };
  }
}

/** What a footer button does: an event, or a call the wizard makes. */
export type WizardAction =
  | 'keep_going'
  | 'close_anyway'
  | 'close'
  | 'submit'
  | 'cancel_generation'
  | 'to_review'
  | 'upload'
  | 'verify'
  | 'to_default'
  | 'make_default'
  | 'schedule'
  | 'done';

export interface WizardButton {
  action: WizardAction;
  label: string;
  testid: string;
  tone: 'default' | 'primary' | 'danger';
  disabled: boolean;
  /** A call of this button is under way. */
  spinner: boolean;
  autofocus: boolean;
}

function button(
  action: WizardAction,
  label: string,
  testid: string,
  more: Partial<Omit<WizardButton, 'action' | 'label' | 'testid'>> = {},
): WizardButton {
  return {
    action,
    label,
    testid,
    tone: 'default',
    disabled: false,
    spinner: false,
    autofocus: false,
    ...more,
  };
}

/**
 * The footer's buttons in `s`, left to right. `source` is what step 1's
 * form would do (its submit button says Generate or Import).
 */
export function wizardButtons(s: WizardState, source: 'generate' | 'import'): WizardButton[] {
  const busy = s.busy;
  if (s.confirmClose) {
    return [
      button('keep_going', 'Keep going', 'wizard-close-confirm-cancel', { autofocus: true }),
      button('close_anyway', 'Close', 'wizard-close-confirm-confirm', { tone: 'danger' }),
    ];
  }
  switch (s.step) {
    case 'source':
      return [
        button('close', 'Cancel', 'wizard-close'),
        button('submit', source === 'generate' ? 'Generate' : 'Import', 'wizard-next', {
          tone: 'primary',
          disabled: busy,
          spinner: busy,
        }),
      ];
    case 'generate':
      return [button('cancel_generation', 'Cancel generation', 'wizard-cancel-generate')];
    case 'store':
      return [button('to_review', 'Next: review', 'wizard-next', { tone: 'primary', disabled: busy })];
    case 'review':
      return [
        button('close', s.uploadFailed ? 'Close, upload later' : 'Cancel', 'wizard-close', {
          disabled: busy,
        }),
        button('upload', s.uploadFailed ? 'Retry upload' : 'Upload public key', 'wizard-upload', {
          tone: 'primary',
          disabled: busy || !s.summary,
          spinner: busy,
        }),
      ];
    case 'verify': {
      const again = s.error
        ? [button('verify', 'Check again', 'wizard-verify-retry', { disabled: busy })]
        : [];
      if (!s.rotating)
        return [...again, button('done', 'Done', 'wizard-done', { tone: 'primary', disabled: busy })];
      return verdictOk(s)
        ? [
            button('to_default', 'Next: make it the default', 'wizard-next', {
              tone: 'primary',
              disabled: busy,
            }),
          ]
        : [...again, button('done', 'Close', 'wizard-done', { disabled: busy })];
    }
    case 'default':
      return [
        button('close', 'Close', 'wizard-close', { disabled: busy }),
        button('make_default', 'Make default', 'wizard-make-default', {
          tone: 'primary',
          disabled: busy,
          spinner: busy,
        }),
      ];
    case 'retire':
      if (s.scheduled) return [button('done', 'Done', 'wizard-done', { tone: 'primary' })];
      return [
        button('done', 'Keep old key', 'wizard-keep-old', { disabled: busy }),
        button('schedule', 'Schedule deletion', 'wizard-schedule', {
          tone: 'primary',
          disabled: busy || !s.retireCheck,
          spinner: busy,
        }),
      ];
  }
}
