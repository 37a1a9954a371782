import '@testing-library/jest-dom/vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach } from 'vitest';
import { toasts } from '../lib/errors/toasts.svelte';

// Each test starts with no IPC mock, no toasts, no saved theme.
afterEach(() => {
  clearMocks();
  toasts.clear();
  localStorage.clear();
  document.documentElement.removeAttribute('data-theme');
});
