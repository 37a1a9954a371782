import { describe, expect, it } from 'vitest';
import { compareText } from './compare';

const sign = (n: number) => Math.sign(n);

describe('compareText', () => {
  it('orders letters, digits and spaces as localeCompare does', () => {
    const names = [
      'beta',
      'Beta',
      'alpha',
      'Alpha 2',
      'alpha 10',
      'a',
      'A',
      'ab',
      'a b',
      'zeta',
      'Z',
      '9 lives',
      '10',
      'web',
      'Web player',
    ];
    for (const a of names)
      for (const b of names) expect(sign(compareText(a, b)), `${a} ~ ${b}`).toBe(sign(a.localeCompare(b)));
  });

  it('falls back to localeCompare beyond ASCII', () => {
    expect(sign(compareText('été', 'ete'))).toBe(sign('été'.localeCompare('ete')));
    expect(sign(compareText('Émile', 'Zoe'))).toBe(-1);
  });

  it('sorts a list the same way', () => {
    const list = ['CI', 'ci', 'backup', 'Alpha', 'alpha'];
    expect([...list].sort(compareText)).toEqual([...list].sort((a, b) => a.localeCompare(b)));
  });
});
