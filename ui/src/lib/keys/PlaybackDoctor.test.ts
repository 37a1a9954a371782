import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { computeAccessibleName } from 'dom-accessibility-api';
import { beforeAll, describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { appDefaults, mockBackend, portalError, type Handler } from '../../test/backend';
import type { PlaybackReport } from '../types';

const SIGNATURE = 'c2lnbmF0dXJlLXRoYXQtbXVzdC1uZXZlci1zaG93';
const JWT = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ2aWRfMSJ9.${SIGNATURE}`;
const URL = `https://watch.vidbeo.com/vid_1?jwt=${JWT}`;

const passed = (id: PlaybackReport['checks'][number]['id'], label: string) => ({
  id,
  label,
  status: 'passed' as const,
  detail: `${label}: yes.`,
});

const broken: PlaybackReport = {
  ok: false,
  verdict:
    'Will not play: signed with key lk_9 (‘Draft’) that was never uploaded: the server has no key lk_9.',
  checks: [
    passed('parse', 'The JWT parses'),
    passed('algorithm', 'The algorithm is RS256'),
    {
      id: 'key_id',
      label: 'The kid names a key on the server',
      status: 'failed',
      detail: 'Signed with key lk_9 (‘Draft’) that was never uploaded: the server has no key lk_9.',
    },
    {
      id: 'signature',
      label: 'The signature verifies with the server’s key',
      status: 'skipped',
      detail: 'There is no server key to verify with.',
    },
    passed('lifetime', 'exp and nbf hold'),
    passed('subject', 'sub matches the video (or is *)'),
    passed('url_form', 'The URL is the profile’s watch, embed or HLS form'),
    {
      id: 'playback',
      label: 'The sandbox player plays it',
      status: 'failed',
      detail: 'The sandbox player refused it (unknown_kid).',
    },
  ],
  failed: 'key_id',
  fix: {
    sentence: 'Resume its upload, then sign a new JWT with the key id it gets.',
    command: "portal keys upload lk_9 --profile 'Sandbox'",
  },
  clock: {
    local: '2026-12-06T07:00:00.000Z',
    service: '2026-12-06T07:02:00Z',
    offsetSeconds: 120,
    skewSeconds: 60,
  },
  header: { alg: 'RS256', kid: 'lk_9', typ: 'JWT' },
  claims: { sub: 'vid_1', exp: 1796540000 },
  urlForm: 'watch',
  videoId: 'vid_1',
};

function show(handlers: Record<string, Handler>) {
  const backend = mockBackend({ ...appDefaults, ...handlers });
  render(App);
  return backend;
}

async function openDoctor(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('nav-keys'));
  await user.click(await screen.findByTestId('doctor-open'));
  return screen.findByTestId('playback-doctor-dialog');
}

beforeAll(async () => {
  await import('./KeysPage.svelte');
});

describe('Playback doctor', () => {
  it('sends the pasted URL and shows each check, the verdict, the fix and the clocks, never the JWT', async () => {
    const user = userEvent.setup();
    const backend = show({ diagnose_playback: () => broken });
    const dialog = await openDoctor(user);
    const submit = within(dialog).getByTestId('doctor-submit');
    expect(submit).toBeDisabled();
    await user.click(within(dialog).getByTestId('doctor-input'));
    await user.paste(`  ${URL}\n`);
    await user.click(submit);

    const verdict = await within(dialog).findByTestId('doctor-verdict');
    expect(backend.argsOf('diagnose_playback')).toEqual([{ input: URL, skewSeconds: 60 }]);
    expect(verdict).toHaveAttribute('data-failed', 'key_id');
    expect(verdict).toHaveTextContent('that was never uploaded');
    expect(within(dialog).getByTestId('doctor-fix')).toHaveTextContent('Fix: Resume its upload');
    expect(within(dialog).getByTestId('doctor-fix-command')).toHaveTextContent(
      "portal keys upload lk_9 --profile 'Sandbox'",
    );

    const checks = within(dialog).getAllByTestId('doctor-check');
    expect(checks.map((c) => [c.dataset.check, c.dataset.status])).toEqual([
      ['parse', 'passed'],
      ['algorithm', 'passed'],
      ['key_id', 'failed'],
      ['signature', 'skipped'],
      ['lifetime', 'passed'],
      ['subject', 'passed'],
      ['url_form', 'passed'],
      ['playback', 'failed'],
    ]);
    // The status is read out, not only drawn.
    expect(checks[2]).toHaveTextContent('Failed: The kid names a key on the server');
    expect(checks[3]).toHaveTextContent('Skipped: The signature verifies');
    for (const check of checks) {
      expect(check.querySelector('.mark')).toHaveAttribute('aria-hidden', 'true');
    }
    expect(within(dialog).getByRole('list', { name: 'Checks' })).toBe(
      within(dialog).getByTestId('doctor-checks'),
    );

    expect(within(dialog).getByTestId('doctor-clock')).toHaveTextContent(
      'This computer: 07:00:00 UTC; the service: 07:02:00 UTC (+120 s); skew allowed: 60 s.',
    );
    expect(within(dialog).getByTestId('doctor-clock-warning')).toBeVisible();
    expect(within(dialog).getByTestId('doctor-decoded')).toHaveTextContent('"kid": "lk_9"');

    // Nothing shown carries the JWT's signature (the textarea holds what was pasted).
    const shown = Array.from(dialog.querySelectorAll('*'))
      .filter((el) => el.tagName !== 'TEXTAREA' && el.children.length === 0)
      .map((el) => el.textContent ?? '')
      .join('\n');
    expect(shown).not.toContain(SIGNATURE);

    // Every control is labelled.
    for (const el of dialog.querySelectorAll<HTMLElement>('button, input, textarea')) {
      expect(computeAccessibleName(el).trim(), el.outerHTML).not.toBe('');
    }
  });

  it('a healthy answer is a passing verdict with no fix; the skew goes with it', async () => {
    const user = userEvent.setup();
    const backend = show({
      diagnose_playback: () => ({
        ...broken,
        ok: true,
        verdict: 'Plays: every check passed, and the sandbox player played it.',
        checks: broken.checks.map((c) => ({ ...c, status: 'passed' as const })),
        failed: null,
        fix: null,
        clock: { ...broken.clock, service: broken.clock.local, offsetSeconds: 0 },
      }),
    });
    const dialog = await openDoctor(user);
    await user.click(within(dialog).getByTestId('doctor-input'));
    await user.paste(JWT);
    const skew = within(dialog).getByTestId('doctor-skew');
    await user.clear(skew);
    await user.type(skew, '-5');
    expect(within(dialog).getByTestId('doctor-submit')).toBeDisabled();
    expect(skew).toHaveAttribute('aria-invalid', 'true');
    await user.clear(skew);
    await user.type(skew, '300');
    await user.click(within(dialog).getByTestId('doctor-submit'));
    const verdict = await within(dialog).findByTestId('doctor-verdict');
    expect(verdict).toHaveTextContent('Plays: every check passed');
    expect(within(dialog).queryByTestId('doctor-fix')).toBeNull();
    expect(within(dialog).queryByTestId('doctor-clock-warning')).toBeNull();
    expect(backend.argsOf('diagnose_playback')).toEqual([{ input: JWT, skewSeconds: 300 }]);
  });

  it('says why it could not check (the service refused the credential)', async () => {
    const user = userEvent.setup();
    show({
      diagnose_playback: () => {
        throw portalError({ code: 'unauthorized', message: 'The JWT keys API refused the API key.' });
      },
    });
    const dialog = await openDoctor(user);
    await user.click(within(dialog).getByTestId('doctor-input'));
    await user.paste(URL);
    await user.keyboard('{Tab}{Tab}');
    await user.click(within(dialog).getByTestId('doctor-submit'));
    const error = await within(dialog).findByTestId('doctor-error');
    expect(error).toHaveAttribute('data-code', 'unauthorized');
    expect(within(dialog).queryByTestId('doctor-verdict')).toBeNull();
    await user.click(within(dialog).getByTestId('doctor-close'));
    expect(screen.queryByTestId('playback-doctor-dialog')).toBeNull();
    expect(screen.getByTestId('doctor-open')).toHaveFocus();
  });
});
