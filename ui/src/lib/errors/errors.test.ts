import { mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listTokens, PortalError } from '../backend';
import { portalError } from '../../test/backend';
import { classify } from './classify';
import { showError } from './showError';
import { toasts } from './toasts.svelte';

describe('PortalError.from', () => {
  it('keeps every field of a backend Error', () => {
    const data = portalError({
      code: 'rate_limited',
      message: 'Slow down.',
      service: 'vault_stream',
      request_id: 'req_1',
      status: 429,
      service_code: 'rate_limited',
      retry_after_secs: 12,
      hint: 'Wait a little.',
    });
    const error = PortalError.from(data);
    expect(error).toBeInstanceOf(PortalError);
    expect(error).toBeInstanceOf(globalThis.Error);
    expect(error).toMatchObject(data);
  });

  it('turns a string rejection into code internal', () => {
    const error = PortalError.from('Command list_tokens not found');
    expect(error.code).toBe('internal');
    expect(error.message).toBe('Command list_tokens not found');
  });

  it('turns an object without a known code into code internal', () => {
    expect(PortalError.from({ code: 'weird', message: 'hm' })).toMatchObject({
      code: 'internal',
      message: 'hm',
    });
    expect(PortalError.from(new TypeError('boom'))).toMatchObject({ code: 'internal', message: 'boom' });
  });
});

describe('backend', () => {
  it('passes results through and wraps rejections in PortalError', async () => {
    mockIPC((cmd) => {
      if (cmd === 'list_tokens')
        throw portalError({ code: 'unauthorized', message: 'Bad token', status: 401 });
    });
    const rejection = await listTokens().catch((e: unknown) => e);
    expect(rejection).toBeInstanceOf(PortalError);
    expect(rejection).toMatchObject({ code: 'unauthorized', message: 'Bad token', status: 401 });

    mockIPC(() => []);
    await expect(listTokens()).resolves.toEqual([]);
  });
});

describe('classify', () => {
  it('keeps critical errors on screen and lets the others go by themselves', () => {
    expect(classify({ code: 'outcome_unknown' })).toMatchObject({
      severity: 'critical',
      autoDismissMs: null,
    });
    expect(classify({ code: 'unauthorized' })).toMatchObject({ severity: 'critical', autoDismissMs: null });
    expect(classify({ code: 'unavailable' }).severity).toBe('warning');
    expect(classify({ code: 'unavailable' }).autoDismissMs).toBeGreaterThan(0);
    expect(classify({ code: 'cancelled' }).severity).toBeNull();
  });
});

describe('showError', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('toasts a non-critical error with its hint and dismisses it by itself', () => {
    vi.useFakeTimers();
    showError(portalError({ code: 'unavailable', message: 'No answer.', hint: 'Check the network.' }));
    expect(toasts.items).toHaveLength(1);
    expect(toasts.items[0]).toMatchObject({
      severity: 'warning',
      message: 'No answer.',
      hint: 'Check the network.',
    });
    vi.advanceTimersByTime(10_000);
    expect(toasts.items).toHaveLength(0);
  });

  it('keeps a critical error until dismissed', () => {
    vi.useFakeTimers();
    showError(
      portalError({ code: 'outcome_unknown', message: 'The token may have been created.' }),
      'Create token',
    );
    vi.advanceTimersByTime(60_000);
    expect(toasts.items).toHaveLength(1);
    expect(toasts.items[0].title).toBe('Create token');
    toasts.dismiss(toasts.items[0].id);
    expect(toasts.items).toHaveLength(0);
  });

  it('says nothing when the user cancelled', () => {
    showError(portalError({ code: 'cancelled', message: 'Cancelled.' }));
    expect(toasts.items).toHaveLength(0);
  });

  it('accepts anything thrown and returns a PortalError', () => {
    const error = showError('plain string');
    expect(error.code).toBe('internal');
    expect(toasts.items[0]).toMatchObject({ severity: 'critical', message: 'plain string' });
  });
});
