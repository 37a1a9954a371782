// The new-key wizard's state machine: every transition, the guards that
// refuse an event, closing (asked, kept going, forced), resume and errors;
// and a rotation's two more steps (the default key, the old key's deletion).
import { describe, expect, it } from 'vitest';
import { PortalError } from '../../errors/PortalError';
import type {
  DeletionCheck,
  Fingerprints,
  KeySummary,
  LocalKey,
  ScheduledDeletion,
  UploadedKey,
  UploadVerification,
} from '../../types';
import {
  atRisk,
  CANCELLED_NOTICE,
  next,
  rotatedName,
  start,
  stepsOf,
  STEP_LABELS,
  verdictOk,
  WIZARD_STEPS,
  wizardButtons,
  type WizardEvent,
  type WizardState,
} from './keyWizard';

function fp(n: number): Fingerprints {
  const sha256 = Array.from({ length: 32 }, () => String(n).padStart(2, '0')).join(':');
  return { sha256, sha256Base64url: `b64-${n}`, jwkThumbprint: `thumb-${n}` };
}

const local: LocalKey = {
  localId: 'lk_1',
  name: 'Web player',
  bits: 2048,
  fingerprints: fp(1),
  created: '2026-01-02T10:00:00.000Z',
  serverKeyId: null,
};
const summary: KeySummary = { bits: 2048, fingerprints: fp(1), publicKeyPem: '-----BEGIN PUBLIC KEY-----' };
const uploaded: UploadedKey = {
  server: {
    id: 'key_1',
    name: 'Web player',
    public_key: summary.publicKeyPem,
    created_by: null,
    created_time: null,
    updated_by: null,
    updated_time: null,
  },
  local,
};
const verification: UploadVerification = {
  ok: true,
  message: 'Verified.',
  serverFingerprints: fp(1),
  localFingerprints: fp(1),
  fingerprintsMatch: true,
  testJwt: null,
};

function error(code: 'unavailable' | 'cancelled' | 'validation' = 'unavailable'): PortalError {
  return PortalError.from({
    code,
    message: `${code} happened`,
    service: null,
    request_id: null,
    status: null,
    service_code: null,
    retry_after_secs: null,
    hint: null,
  });
}

/** The state after each event in turn. */
function run(state: WizardState, ...events: WizardEvent[]): WizardState {
  return events.reduce(next, state);
}

const generated = run(start(null), { type: 'submit' }, { type: 'generate' }, { type: 'generated', local });
const reviewing = run(
  generated,
  { type: 'to_review' },
  { type: 'read' },
  { type: 'read_done', view: { local, summary } },
);
const verifying = run(reviewing, { type: 'upload' }, { type: 'uploaded', key: uploaded }, { type: 'verify' });

describe('the wizard’s start', () => {
  it('starts at the name and source, or at review for a resumed key', () => {
    expect(start(null)).toMatchObject({ step: 'source', local: null, busy: false, closed: false });
    expect(start(local)).toMatchObject({ step: 'review', local, summary: null });
  });

  it('lists the five steps in order', () => {
    expect(WIZARD_STEPS.map((s) => STEP_LABELS[s])).toEqual([
      'Name',
      'Generate',
      'Store',
      'Review',
      'Verify',
    ]);
  });
});

describe('generating', () => {
  it('submits (clearing the last error and notice), generates and stores', () => {
    const failed = run(start(null), { type: 'problem', message: 'Paste a PEM key or choose a file.' });
    expect(failed.error?.code).toBe('validation');
    const submitted = next({ ...failed, notice: 'old' }, { type: 'submit' });
    expect(submitted).toMatchObject({ error: null, notice: null });

    const generating = next(submitted, { type: 'generate' });
    expect(generating).toMatchObject({ step: 'generate', busy: true, progress: null });
    const progress = { bits: 2048, primesFound: 1, candidatesTested: 40, elapsedMs: 900 };
    expect(next(generating, { type: 'progress', progress }).progress).toEqual(progress);

    expect(next(generating, { type: 'generated', local })).toMatchObject({
      step: 'store',
      busy: false,
      local,
    });
  });

  it('ignores progress outside generation and a second start while busy', () => {
    const s = start(null);
    const progress = { bits: 2048, primesFound: 1, candidatesTested: 1, elapsedMs: 1 };
    expect(next(s, { type: 'progress', progress })).toBe(s);
    const generating = next(s, { type: 'generate' });
    expect(next(generating, { type: 'generate' })).toBe(generating);
    expect(next(generating, { type: 'import' })).toBe(generating);
    expect(next(generating, { type: 'submit' })).toBe(generating);
  });

  it('goes back to the first step with a notice when cancelled, with the error otherwise', () => {
    const generating = run(start(null), { type: 'generate' });
    expect(next(generating, { type: 'generate_failed', error: error('cancelled') })).toMatchObject({
      step: 'source',
      busy: false,
      notice: CANCELLED_NOTICE,
      error: null,
      local: null,
    });
    const failed = next(generating, { type: 'generate_failed', error: error() });
    expect(failed).toMatchObject({ step: 'source', busy: false, notice: null });
    expect(failed.error?.code).toBe('unavailable');
  });
});

describe('importing', () => {
  it('goes to store when the private key was kept, straight to review otherwise', () => {
    const importing = run(start(null), { type: 'import' });
    expect(importing).toMatchObject({ step: 'source', busy: true });
    expect(next(importing, { type: 'imported', view: { summary, local } })).toMatchObject({
      step: 'store',
      busy: false,
      local,
      summary,
    });
    expect(next(importing, { type: 'imported', view: { summary, local: null } })).toMatchObject({
      step: 'review',
      busy: false,
      local: null,
      summary,
    });
  });

  it('stays on the first step with the error', () => {
    const failed = run(
      start(null),
      { type: 'import' },
      { type: 'import_failed', error: error('validation') },
    );
    expect(failed).toMatchObject({ step: 'source', busy: false });
    expect(failed.error?.code).toBe('validation');
  });

  it('shows a problem found here like a validation error, and clears it', () => {
    const s = run(start(null), { type: 'problem', message: 'key.pem is too large to be a PEM key.' });
    expect(s.error).toBeInstanceOf(PortalError);
    expect(s.error).toMatchObject({ code: 'validation', message: 'key.pem is too large to be a PEM key.' });
    expect(next(s, { type: 'problem', message: null }).error).toBeNull();
  });
});

describe('storing and exporting', () => {
  it('exports the stored key, keeping the last path when the save dialog is cancelled', () => {
    const exporting = next(generated, { type: 'export' });
    expect(exporting).toMatchObject({ busy: true, error: null });
    const saved = next(exporting, { type: 'exported', path: '/home/ana/key.pem' });
    expect(saved).toMatchObject({ busy: false, exportedTo: '/home/ana/key.pem' });
    const cancelled = run(saved, { type: 'export' }, { type: 'exported', path: null });
    expect(cancelled.exportedTo).toBe('/home/ana/key.pem');
  });

  it('keeps the step on an export error, and exports nothing without a stored key', () => {
    const failed = run(generated, { type: 'export' }, { type: 'export_failed', error: error() });
    expect(failed).toMatchObject({ step: 'store', busy: false });
    expect(failed.error?.code).toBe('unavailable');
    const noKey = { ...generated, local: null };
    expect(next(noKey, { type: 'export' })).toBe(noKey);
  });

  it('goes to review and reads the stored key', () => {
    const review = next(generated, { type: 'to_review' });
    expect(review.step).toBe('review');
    const reading = next(review, { type: 'read' });
    expect(reading).toMatchObject({ busy: true, error: null });
    expect(next(reading, { type: 'read_done', view: { local, summary } })).toMatchObject({
      busy: false,
      summary,
      local,
    });
    const failed = next(reading, { type: 'read_failed', error: error() });
    expect(failed).toMatchObject({ step: 'review', busy: false, summary: null });
    expect(failed.error?.code).toBe('unavailable');
  });

  it('reads nothing when no key is stored here, and does not leave a busy step', () => {
    const publicOnly = run(
      start(null),
      { type: 'import' },
      { type: 'imported', view: { summary, local: null } },
    );
    expect(next(publicOnly, { type: 'read' })).toBe(publicOnly);
    const exporting = next(generated, { type: 'export' });
    expect(next(exporting, { type: 'to_review' })).toBe(exporting);
  });
});

describe('uploading and verifying', () => {
  it('uploads the reviewed key, then checks it', () => {
    const uploading = next(reviewing, { type: 'upload' });
    expect(uploading).toMatchObject({ busy: true, error: null, uploadFailed: false });
    const done = next(uploading, { type: 'uploaded', key: uploaded });
    expect(done).toMatchObject({ step: 'verify', busy: false, uploaded });
    expect(next(done, { type: 'verify' })).toMatchObject({ busy: true, error: null });
    const checked = next(verifying, { type: 'verified', verification });
    expect(checked).toMatchObject({ busy: false, verification });
    expect(verdictOk(checked)).toBe(true);
  });

  it('uploads nothing before the key is read, nor twice at once', () => {
    const unread = run(generated, { type: 'to_review' });
    expect(next(unread, { type: 'upload' })).toBe(unread);
    const uploading = next(reviewing, { type: 'upload' });
    expect(next(uploading, { type: 'upload' })).toBe(uploading);
  });

  it('stays at review after a failed upload, and a retry clears the failure', () => {
    const failed = run(reviewing, { type: 'upload' }, { type: 'upload_failed', error: error() });
    expect(failed).toMatchObject({ step: 'review', busy: false, uploadFailed: true, local });
    expect(failed.error?.code).toBe('unavailable');
    expect(next(failed, { type: 'upload' })).toMatchObject({ busy: true, uploadFailed: false, error: null });
  });

  it('keeps the verify step on a failed check, and checks again', () => {
    const failed = next(verifying, { type: 'verify_failed', error: error() });
    expect(failed).toMatchObject({ step: 'verify', busy: false, verification: null });
    expect(verdictOk(failed)).toBe(false);
    expect(next(failed, { type: 'verify' })).toMatchObject({ busy: true, error: null });
    expect(next(reviewing, { type: 'verify' })).toBe(reviewing);
  });

  it('judges a stored key by Rust’s check, an imported public key by its fingerprint', () => {
    const checked = next(verifying, { type: 'verified', verification: { ...verification, ok: false } });
    expect(verdictOk(checked)).toBe(false);
    const publicOnly = { ...verifying, local: null, summary };
    expect(
      verdictOk(next(publicOnly, { type: 'verified', verification: { ...verification, ok: false } })),
    ).toBe(true);
    const other = { ...verification, serverFingerprints: fp(2) };
    expect(verdictOk(next(publicOnly, { type: 'verified', verification: other }))).toBe(false);
    const none = { ...verification, serverFingerprints: null };
    expect(verdictOk(next(publicOnly, { type: 'verified', verification: none }))).toBe(false);
  });

  it('resumes a stored key at review: read, upload, verify', () => {
    const resumed = run(
      start(local),
      { type: 'read' },
      { type: 'read_done', view: { local, summary } },
      { type: 'upload' },
      { type: 'uploaded', key: uploaded },
      { type: 'verify' },
      { type: 'verified', verification },
    );
    expect(resumed).toMatchObject({ step: 'verify', busy: false, uploaded, verification });
    expect(verdictOk(resumed)).toBe(true);
  });
});

describe('closing', () => {
  it('closes at once while nothing could be lost', () => {
    expect(next(start(null), { type: 'close' }).closed).toBe(true);
    const publicOnly = run(
      start(null),
      { type: 'import' },
      { type: 'imported', view: { summary, local: null } },
    );
    expect(atRisk(publicOnly)).toBe(false);
    expect(next(publicOnly, { type: 'close' }).closed).toBe(true);
  });

  it('asks first while a key is generated, or stored and not uploaded', () => {
    const generating = run(start(null), { type: 'generate' });
    expect(atRisk(generating)).toBe(true);
    expect(next(generating, { type: 'close' })).toMatchObject({ confirmClose: true, closed: false });
    for (const s of [generated, reviewing, start(local)]) {
      expect(atRisk(s)).toBe(true);
      expect(next(s, { type: 'close' })).toMatchObject({ confirmClose: true, closed: false });
    }
  });

  it('keeps going, or closes anyway; a second Escape dismisses the question', () => {
    const asked = next(generated, { type: 'close' });
    expect(next(asked, { type: 'keep_going' })).toMatchObject({
      step: 'store',
      confirmClose: false,
      closed: false,
    });
    expect(next(asked, { type: 'close' })).toMatchObject({ confirmClose: false, closed: false });
    expect(next(asked, { type: 'close_anyway' })).toMatchObject({ confirmClose: false, closed: true });
  });

  it('does not close during a call other than generation', () => {
    const uploading = next(reviewing, { type: 'upload' });
    expect(next(uploading, { type: 'close' })).toBe(uploading);
    const importing = next(start(null), { type: 'import' });
    expect(next(importing, { type: 'close' })).toBe(importing);
  });

  it('closes without asking once uploaded, and Done waits for the check', () => {
    expect(atRisk(verifying)).toBe(false);
    expect(next(verifying, { type: 'done' })).toBe(verifying);
    const checked = next(verifying, { type: 'verified', verification });
    expect(next(checked, { type: 'done' }).closed).toBe(true);
    expect(next(checked, { type: 'close' }).closed).toBe(true);
  });
});

describe('the footer’s buttons', () => {
  const shown = (s: WizardState, source: 'generate' | 'import' = 'generate') =>
    wizardButtons(s, source).map((b) => `${b.testid}:${b.label}${b.disabled ? ' (disabled)' : ''}`);

  it('offers Cancel and Generate or Import first, with a spinner while the call runs', () => {
    expect(shown(start(null))).toEqual(['wizard-close:Cancel', 'wizard-next:Generate']);
    expect(shown(start(null), 'import')).toEqual(['wizard-close:Cancel', 'wizard-next:Import']);
    const importing = next(start(null), { type: 'import' });
    expect(shown(importing, 'import')).toEqual(['wizard-close:Cancel', 'wizard-next:Import (disabled)']);
    expect(wizardButtons(importing, 'import')[1]).toMatchObject({
      action: 'submit',
      spinner: true,
      tone: 'primary',
    });
  });

  it('offers only Cancel generation while generating, then Next: review', () => {
    expect(shown(next(start(null), { type: 'generate' }))).toEqual([
      'wizard-cancel-generate:Cancel generation',
    ]);
    expect(shown(generated)).toEqual(['wizard-next:Next: review']);
    expect(shown(next(generated, { type: 'export' }))).toEqual(['wizard-next:Next: review (disabled)']);
  });

  it('offers upload once the key is read, and says what a failed upload left', () => {
    expect(shown(next(generated, { type: 'to_review' }))).toEqual([
      'wizard-close:Cancel',
      'wizard-upload:Upload public key (disabled)',
    ]);
    expect(shown(reviewing)).toEqual(['wizard-close:Cancel', 'wizard-upload:Upload public key']);
    const failed = run(reviewing, { type: 'upload' }, { type: 'upload_failed', error: error() });
    expect(shown(failed)).toEqual(['wizard-close:Close, upload later', 'wizard-upload:Retry upload']);
  });

  it('offers Check again only after a failed check, and Done once the check ends', () => {
    expect(shown(verifying)).toEqual(['wizard-done:Done (disabled)']);
    expect(shown(next(verifying, { type: 'verified', verification }))).toEqual(['wizard-done:Done']);
    expect(shown(next(verifying, { type: 'verify_failed', error: error() }))).toEqual([
      'wizard-verify-retry:Check again',
      'wizard-done:Done',
    ]);
  });

  it('asks Keep going (focused) or Close while the close question is shown', () => {
    const asked = next(generated, { type: 'close' });
    expect(shown(asked)).toEqual([
      'wizard-close-confirm-cancel:Keep going',
      'wizard-close-confirm-confirm:Close',
    ]);
    expect(wizardButtons(asked, 'generate').map((b) => [b.action, b.tone, b.autofocus])).toEqual([
      ['keep_going', 'default', true],
      ['close_anyway', 'danger', false],
    ]);
  });
});

describe('a rotation', () => {
  const from = { kid: 'key_old', name: 'Old player' };
  const rotatingVerified = run(
    start(null, from),
    { type: 'submit' },
    { type: 'generate' },
    { type: 'generated', local },
    { type: 'to_review' },
    { type: 'read' },
    { type: 'read_done', view: { local, summary } },
    { type: 'upload' },
    { type: 'uploaded', key: uploaded },
    { type: 'verify' },
    { type: 'verified', verification },
  );
  const check: DeletionCheck = {
    kid: 'key_old',
    name: 'Old player',
    now: '2026-12-06T10:00:00Z',
    liveUntil: '2026-12-06T13:00:00Z',
    hoursLeft: 3,
    scheduled: null,
  };
  const deletion: ScheduledDeletion = {
    profile: 'Sandbox',
    kid: 'key_old',
    name: 'Old player',
    dueAt: '2026-12-06T13:00:00Z',
    scheduledAt: '2026-12-06T10:00:00Z',
    deleteLocal: true,
  };
  const shown = (s: WizardState) =>
    wizardButtons(s, 'generate').map((b) => `${b.testid}:${b.label}${b.disabled ? ' (disabled)' : ''}`);

  it('has seven steps, a resumed key none of the rotation', () => {
    expect(stepsOf(start(null, from)).map((s) => STEP_LABELS[s])).toEqual([
      'Name',
      'Generate',
      'Store',
      'Review',
      'Verify',
      'Default',
      'Retire old',
    ]);
    expect(stepsOf(start(null))).toEqual(WIZARD_STEPS);
    expect(start(local, from).rotating).toBeNull();
  });

  it('offers a name marked with the day, within 50 characters', () => {
    const day = new Date('2026-12-06T09:00:00Z');
    expect(rotatedName('Web player ', day)).toBe('Web player (rotated 2026-12-06)');
    const long = rotatedName('x'.repeat(60), day);
    expect([...long].length).toBe(50);
    expect(long.endsWith(' (rotated 2026-12-06)')).toBe(true);
  });

  it('goes on to the default only after a good verdict', () => {
    expect(shown(rotatingVerified)).toEqual(['wizard-next:Next: make it the default']);
    const bad = next(rotatingVerified, { type: 'verified', verification: { ...verification, ok: false } });
    expect(next(bad, { type: 'to_default' })).toBe(bad);
    expect(shown(bad)).toEqual(['wizard-done:Close']);
    // A new key (no rotation) never goes there.
    const plain = next(verifying, { type: 'verified', verification });
    expect(next(plain, { type: 'to_default' })).toBe(plain);
    expect(shown(plain)).toEqual(['wizard-done:Done']);
  });

  it('makes the new key the default, then checks and schedules the old key’s deletion', () => {
    const atDefault = next(rotatingVerified, { type: 'to_default' });
    expect(atDefault.step).toBe('default');
    expect(shown(atDefault)).toEqual(['wizard-close:Close', 'wizard-make-default:Make default']);
    const making = next(atDefault, { type: 'make_default' });
    expect(making.busy).toBe(true);
    expect(next(making, { type: 'make_default' })).toBe(making);
    const failed = next(making, { type: 'make_default_failed', error: error() });
    expect(failed).toMatchObject({ step: 'default', busy: false, madeDefault: false });
    expect(failed.error?.message).toBe('unavailable happened');

    const retiring = run(atDefault, { type: 'make_default' }, { type: 'made_default' });
    expect(retiring).toMatchObject({ step: 'retire', madeDefault: true, busy: false });
    // Nothing to schedule until the old key is checked.
    expect(shown(retiring)).toEqual([
      'wizard-keep-old:Keep old key',
      'wizard-schedule:Schedule deletion (disabled)',
    ]);
    expect(next(retiring, { type: 'schedule' })).toMatchObject({ busy: true });
    const checked = run(retiring, { type: 'retire_check' }, { type: 'retire_checked', check });
    expect(checked).toMatchObject({ retireCheck: check, busy: false });
    expect(shown(checked)).toEqual(['wizard-keep-old:Keep old key', 'wizard-schedule:Schedule deletion']);
    const scheduled = run(checked, { type: 'schedule' }, { type: 'scheduled', deletion });
    expect(scheduled).toMatchObject({ scheduled: deletion, busy: false });
    expect(shown(scheduled)).toEqual(['wizard-done:Done']);
    // Scheduled once: a second schedule does nothing.
    expect(next(scheduled, { type: 'schedule' })).toBe(scheduled);
    expect(run(scheduled, { type: 'done' }).closed).toBe(true);
  });

  it('keeps the step with the error when scheduling fails, and closes without asking', () => {
    const checked = run(
      rotatingVerified,
      { type: 'to_default' },
      { type: 'make_default' },
      { type: 'made_default' },
      { type: 'retire_check' },
      { type: 'retire_checked', check },
    );
    const failed = run(checked, { type: 'schedule' }, { type: 'schedule_failed', error: error() });
    expect(failed).toMatchObject({ step: 'retire', scheduled: null, busy: false });
    expect(failed.error?.code).toBe('unavailable');
    expect(atRisk(failed)).toBe(false);
    expect(next(failed, { type: 'close' }).closed).toBe(true);
  });
});
