import { describe, expect, it } from 'vitest';
import { formatDuration } from '../ui/countdown.svelte';
import { clipboardSecondsProblem } from './clipboard';

describe('clipboard delay', () => {
  it('accepts 0 to 3600 whole seconds', () => {
    for (const ok of ['0', '30', ' 3600 ']) expect(clipboardSecondsProblem(ok)).toBeNull();
    for (const bad of ['', '-1', '2.5', '3601', 'soon']) expect(clipboardSecondsProblem(bad)).not.toBeNull();
  });
});

describe('formatDuration', () => {
  it('reads naturally', () => {
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(725)).toBe('12 min 05 s');
    expect(formatDuration(86399)).toBe('23 h 59 min');
    expect(formatDuration(-3)).toBe('0 s');
  });
});
