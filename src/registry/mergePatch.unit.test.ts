import { expect, it } from 'vitest';
import { mergePatch } from './mergePatch.ts';

it('follows RFC 7396', () => {
  expect(mergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } })).toEqual({
    a: 'z',
    c: { d: 'e' },
  });
  expect(mergePatch({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
  expect(mergePatch({ a: 1 }, { b: { c: null } })).toEqual({ a: 1, b: {} });
  expect(mergePatch('x', { a: 1 })).toEqual({ a: 1 });
});
