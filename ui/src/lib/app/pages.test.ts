import { describe, expect, it } from 'vitest';
import { isPaletteShortcut, pageForShortcut } from './pages';

const key = (over: Partial<KeyboardEvent>) => ({
  key: '',
  code: '',
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...over,
});

describe('pageForShortcut', () => {
  it('maps Ctrl or Cmd with 1..7 to the pages in sidebar order', () => {
    expect(pageForShortcut(key({ ctrlKey: true, key: '1', code: 'Digit1' }))).toBe('tokens');
    expect(pageForShortcut(key({ metaKey: true, key: '2', code: 'Digit2' }))).toBe('keys');
    expect(pageForShortcut(key({ ctrlKey: true, key: '3', code: 'Digit3' }))).toBe('assets');
    expect(pageForShortcut(key({ ctrlKey: true, key: '4', code: 'Digit4' }))).toBe('activity');
    expect(pageForShortcut(key({ ctrlKey: true, key: '5', code: 'Digit5' }))).toBe('leaks');
    expect(pageForShortcut(key({ ctrlKey: true, key: '6', code: 'Digit6' }))).toBe('health');
    expect(pageForShortcut(key({ ctrlKey: true, key: '7', code: 'Digit7' }))).toBe('settings');
  });
  it('uses the physical key on layouts where digits need Shift-free symbols', () => {
    expect(pageForShortcut(key({ ctrlKey: true, key: '&', code: 'Digit1' }))).toBe('tokens');
  });
  it('ignores other digits, plain digits and other modifiers', () => {
    expect(pageForShortcut(key({ ctrlKey: true, key: '8', code: 'Digit8' }))).toBeNull();
    expect(pageForShortcut(key({ key: '1', code: 'Digit1' }))).toBeNull();
    expect(pageForShortcut(key({ ctrlKey: true, altKey: true, key: '1', code: 'Digit1' }))).toBeNull();
  });
});

describe('isPaletteShortcut', () => {
  it('is Ctrl+K, or Cmd+K (macOS)', () => {
    expect(isPaletteShortcut(key({ ctrlKey: true, key: 'k', code: 'KeyK' }))).toBe(true);
    expect(isPaletteShortcut(key({ metaKey: true, key: 'k', code: 'KeyK' }))).toBe(true);
    // Another layout's letter on the same key, or K elsewhere.
    expect(isPaletteShortcut(key({ ctrlKey: true, key: 'л', code: 'KeyK' }))).toBe(true);
  });
  it('ignores K alone, with Shift or Alt, and other letters', () => {
    expect(isPaletteShortcut(key({ key: 'k', code: 'KeyK' }))).toBe(false);
    expect(isPaletteShortcut(key({ ctrlKey: true, shiftKey: true, key: 'K', code: 'KeyK' }))).toBe(false);
    expect(isPaletteShortcut(key({ ctrlKey: true, altKey: true, key: 'k', code: 'KeyK' }))).toBe(false);
    expect(isPaletteShortcut(key({ ctrlKey: true, key: 'j', code: 'KeyJ' }))).toBe(false);
  });
});
