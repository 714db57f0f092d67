import { describe, expect, it } from 'vitest';
import { canonicalEntities } from './canonicalEntities.ts';
import { normaliseFieldName, sourceFieldPaths, suggestMapping } from './suggestMapping.ts';

const byTarget = (records: unknown[]) =>
  Object.fromEntries(suggestMapping(canonicalEntities.customer, records).map((s) => [s.target, s.from]));

describe('suggestMapping', () => {
  it('matches German source fields through synonyms', () => {
    const suggested = byTarget([
      {
        Kundennummer: 'K-1',
        Firma: 'Muster GmbH',
        'E-Mail': 'a@b.de',
        Telefon: '030 123',
        'USt-IdNr': 'DE123',
        address: { Straße: 'Hauptstr. 1', PLZ: '10115', Ort: 'Berlin' },
      },
    ]);
    expect(suggested).toMatchObject({
      customerNumber: 'Kundennummer',
      name: 'Firma',
      email: 'E-Mail',
      phone: 'Telefon',
      vatId: 'USt-IdNr',
    });
  });

  it('matches English names exactly and by similarity, each source field once', () => {
    const suggested = byTarget([
      { number: 'K-1', name: 'Acme', emailAddress: 'x@y.z', phone: '1', vat_id: 'DE1' },
    ]);
    expect(suggested.customerNumber).toBe('number');
    expect(suggested.name).toBe('name');
    expect(suggested.phone).toBe('phone');
    expect(suggested.vatId).toBe('vat_id');
    const used = Object.values(suggested);
    expect(new Set(used).size).toBe(used.length);
  });

  it('maps nested address fields to the canonical address', () => {
    const suggestions = suggestMapping(canonicalEntities.customer, [
      { address: { zip: '1', city: 'X', street: 'Y' } },
    ]);
    const zip = suggestions.find((s) => s.target === 'address.zip');
    expect(zip?.from).toBe('address.zip');
    expect(suggestions.find((s) => s.target === 'address.city')?.from).toBe('address.city');
  });

  it('suggests nothing for unrelated names', () => {
    expect(suggestMapping(canonicalEntities.customer, [{ foo: 1, bar: 2 }])).toEqual([]);
  });

  it('normalises umlauts and separators', () => {
    expect(normaliseFieldName('Straße')).toBe('strasse');
    expect(normaliseFieldName('USt-IdNr.')).toBe('ustidnr');
    expect(sourceFieldPaths([{ a: { b: 1 }, c: [1] }])).toEqual(['a.b', 'c']);
  });
});
