import { describe, expect, it } from 'vitest';
import { jwtCapLabel } from './jwtCap';

describe('JWT lifetime cap', () => {
  it('reads as its largest whole unit', () => {
    expect(jwtCapLabel(7 * 86_400)).toBe('7 days');
    expect(jwtCapLabel(3600)).toBe('1 hour');
    expect(jwtCapLabel(90 * 60)).toBe('90 minutes');
    expect(jwtCapLabel(45)).toBe('45 seconds');
  });
});
