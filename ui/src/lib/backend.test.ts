import { afterEach, describe, expect, it } from 'vitest';
import { appState, mockBackend, portalError, profile, sampleTokens } from '../test/backend';
import { call, listTokens, onServiceOutcome } from './backend';

const readAppState = () => call('app_state');

type Early = { __portalEarly?: Record<string, Promise<unknown> | undefined> };

/** What index.html does before the modules load. */
function askedEarly(answers: Record<string, Promise<unknown>>) {
  (window as Early).__portalEarly = answers;
}

afterEach(() => {
  delete (window as Early).__portalEarly;
});

describe('answers asked for by index.html', () => {
  it('serve the first call of their command only; later calls ask afresh', async () => {
    const atLaunch = appState({ profiles: [profile()], activeProfile: 'Sandbox' });
    const backend = mockBackend({ app_state: () => appState(), list_tokens: () => [] });
    askedEarly({ app_state: Promise.resolve(atLaunch), list_tokens: Promise.resolve(sampleTokens) });

    expect(await readAppState()).toEqual(atLaunch);
    expect(await listTokens()).toEqual(sampleTokens);
    expect(backend.count('app_state')).toBe(0);
    expect(backend.count('list_tokens')).toBe(0);

    expect((await readAppState()).activeProfile).toBeNull();
    expect(await listTokens()).toEqual([]);
    expect(backend.count('app_state')).toBe(1);
    expect(backend.count('list_tokens')).toBe(1);
  });

  it('fail like the command itself, and the sidebar hears of it', async () => {
    mockBackend({});
    const heard: Array<[string, string | null]> = [];
    const stop = onServiceOutcome((service, error) => heard.push([service, error?.code ?? null]));
    const refused = Promise.reject(
      portalError({ code: 'unauthorized', message: 'Token revoked', service: 'vault_stream' }),
    );
    refused.catch(() => {});
    askedEarly({ list_tokens: refused });

    await expect(listTokens()).rejects.toMatchObject({ code: 'unauthorized', message: 'Token revoked' });
    expect(heard).toContainEqual(['vault_stream', 'unauthorized']);
    stop();
  });

  it('are not there outside the app: every call asks the backend', async () => {
    const backend = mockBackend({ app_state: () => appState() });
    await readAppState();
    expect(backend.count('app_state')).toBe(1);
  });
});
