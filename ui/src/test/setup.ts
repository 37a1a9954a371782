import '@testing-library/jest-dom/vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeAll } from 'vitest';
import { toasts } from '../lib/errors/toasts.svelte';

beforeAll(() => {
  // jsdom has no matchMedia; the theme code asks it about dark mode.
  if (!window.matchMedia) {
    Object.defineProperty(window, 'matchMedia', {
      writable: true,
      value: (query: string) => ({
        matches: false,
        media: query,
        onchange: null,
        addEventListener: () => {},
        removeEventListener: () => {},
        addListener: () => {},
        removeListener: () => {},
        dispatchEvent: () => false,
      }),
    });
  }
});

afterEach(() => {
  clearMocks();
  toasts.clear();
  localStorage.clear();
  document.documentElement.removeAttribute('data-theme');
});
