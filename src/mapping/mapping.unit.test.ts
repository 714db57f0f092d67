import { describe, expect, it } from 'vitest';
import {
  compileMapping,
  entityMappingSchema,
  mappingSchema,
  parseDate,
  parseLocaleNumber,
  toE164,
} from './index.ts';

const compile = (spec: unknown) => compileMapping(entityMappingSchema.parse(spec));

describe('German formats', () => {
  it('parses numbers in German, English and guessed notation', () => {
    expect(parseLocaleNumber('1.234,56', 'de')).toBe(1234.56);
    expect(parseLocaleNumber('-1.234', 'de')).toBe(-1234);
    expect(parseLocaleNumber('12.500,00 €', 'de')).toBe(12500);
    expect(parseLocaleNumber('1,234.56', 'en')).toBe(1234.56);
    expect(parseLocaleNumber('1.234,5', 'auto')).toBe(1234.5);
    expect(parseLocaleNumber('1,5', 'auto')).toBe(1.5);
    expect(parseLocaleNumber('1.5', 'auto')).toBe(1.5);
    expect(parseLocaleNumber('12,34,5', 'de')).toBeUndefined();
    expect(parseLocaleNumber('abc', 'de')).toBeUndefined();
  });

  it('parses dates, refuses impossible ones, and converts local times to UTC', () => {
    expect(parseDate('31.12.2026', 'DD.MM.YYYY')).toBe('2026-12-31');
    expect(parseDate('1.2.2026', 'D.M.YYYY')).toBe('2026-02-01');
    expect(parseDate('31.02.2026', 'DD.MM.YYYY')).toBeUndefined();
    expect(parseDate('29.02.2028', 'DD.MM.YYYY')).toBe('2028-02-29');
    expect(parseDate('05/11/2026', 'MM/DD/YYYY')).toBe('2026-05-11');
    expect(parseDate('31.12.26', 'DD.MM.YY')).toBe('2026-12-31');
    // Berlin is UTC+1 in winter and UTC+2 in summer.
    expect(parseDate('15.01.2026 09:30', 'DD.MM.YYYY HH:mm')).toBe('2026-01-15T08:30:00.000Z');
    expect(parseDate('15.07.2026 09:30:15', 'DD.MM.YYYY HH:mm:ss')).toBe('2026-07-15T07:30:15.000Z');
    expect(parseDate('1767225600', 'unix')).toBe('2026-01-01T00:00:00.000Z');
    expect(parseDate('2026-03-01T10:00:00+01:00', 'iso')).toBe('2026-03-01T09:00:00.000Z');
  });

  it('writes phone numbers as E.164', () => {
    expect(toE164('0171 1234567')).toBe('+491711234567');
    expect(toE164('+49 (0) 30 123456')).toBe('+4930123456');
    expect(toE164('0049 30 123456')).toBe('+4930123456');
    expect(toE164('01 234 5678', 'AT')).toBe('+4312345678');
    expect(toE164('123')).toBeUndefined();
  });
});

describe('a compiled mapping', () => {
  const customer = compile({
    target: 'customer',
    fields: {
      customerNumber: { from: 'kundennummer', transforms: [{ op: 'trim' }], required: true },
      name: {
        from: ['ansprechpartner.vorname', 'ansprechpartner.nachname'],
        transforms: [{ op: 'join', separator: ' ' }],
      },
      'address.street': { from: '["Straße Nr"]' },
      'address.zip': { from: 'adresse.plz', transforms: [{ op: 'trim' }] },
      'address.country': {
        from: 'adresse.land',
        transforms: [{ op: 'map', values: { Deutschland: 'DE', Österreich: 'AT' }, otherwise: 'keep' }],
        default: 'DE',
      },
      creditLimit: { from: 'kreditlimit', transforms: [{ op: 'number', locale: 'de' }] },
      customerSince: { from: 'kunde_seit', transforms: [{ op: 'date', format: 'DD.MM.YYYY' }] },
      tags: { from: 'tags[*].name', transforms: [{ op: 'uppercase' }] },
      firstOrderSku: { from: 'orders[0].lines[*].sku', transforms: [{ op: 'pick', index: -1 }] },
      active: { from: 'aktiv', transforms: [{ op: 'boolean' }] },
      phone: { from: 'telefon', transforms: [{ op: 'phone' }] },
      source: { const: 'xentral' },
    },
  });

  it('maps nested paths, arrays, quoted keys, transforms, defaults and constants', () => {
    const result = customer.map({
      kundennummer: '  K-10042 ',
      ansprechpartner: { vorname: 'Jürgen', nachname: 'Müller' },
      'Straße Nr': 'Hauptstraße 12a',
      adresse: { plz: ' 80331', land: '' },
      kreditlimit: '12.500,00',
      kunde_seit: '31.12.2019',
      tags: [{ name: 'Bio' }, { name: 'Stammkunde' }],
      orders: [{ lines: [{ sku: 'A-1' }, { sku: 'B-2' }] }],
      aktiv: 'ja',
      telefon: '0171 2345678',
    });
    expect(result).toEqual({
      ok: true,
      record: {
        customerNumber: 'K-10042',
        name: 'Jürgen Müller',
        address: { street: 'Hauptstraße 12a', zip: '80331', country: 'DE' },
        creditLimit: 12500,
        customerSince: '2019-12-31',
        tags: ['BIO', 'STAMMKUNDE'],
        firstOrderSku: 'B-2',
        active: true,
        phone: '+491712345678',
        source: 'xentral',
      },
    });
  });

  it('collects every field problem of a record, naming the target field and the source value', () => {
    const result = customer.map({ kreditlimit: '12,34,5', kunde_seit: '31.02.2026', aktiv: 'vielleicht' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => error.field).sort()).toEqual([
      'active',
      'creditLimit',
      'customerNumber',
      'customerSince',
    ]);
    expect(result.errors.find((error) => error.field === 'creditLimit')?.message).toBe(
      'kreditlimit "12,34,5" is not a number (locale de)',
    );
  });

  it('keeps unmapped top-level fields under extra when asked', () => {
    const mapping = compile({ target: 'product', fields: { sku: { from: 'nummer' } }, keepUnmapped: true });
    expect(mapping.map({ nummer: 'A-1', gewicht: '1,5 kg' })).toEqual({
      ok: true,
      record: { sku: 'A-1', extra: { gewicht: '1,5 kg' } },
    });
  });

  it('maps 100,000 records', () => {
    const sources = Array.from({ length: 100_000 }, (_, index) => ({
      kundennummer: `K-${index}`,
      ansprechpartner: { vorname: 'Anna', nachname: 'Schmidt' },
      adresse: { plz: '10115', land: 'Deutschland' },
      kreditlimit: '1.000,50',
      kunde_seit: '01.03.2020',
      tags: [],
      aktiv: 'nein',
    }));
    const mapped = sources.map((source) => customer.map(source));
    expect(mapped.every((result) => result.ok)).toBe(true);
    const last = mapped.at(-1);
    expect(last?.ok && last.record.customerNumber).toBe('K-99999');
    expect(last?.ok && last.record.creditLimit).toBe(1000.5);
  });
});

describe('the mapping schema', () => {
  it('names the exact place of a problem', () => {
    const parsed = mappingSchema.safeParse({
      customer: {
        target: 'customer',
        fields: {
          creditLimit: { from: 'kreditlimit', transforms: [{ op: 'numbr' }] },
          name: { from: 'a', const: 'b' },
          zip: { from: 'adresse[plz' },
          code: { from: 'x', transforms: [{ op: 'replace', pattern: '(' }] },
        },
      },
      order: { target: 'spaceship', fields: { a: { from: 'b' } } },
    });
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((issue) => issue.path.join('.')) ?? [];
    expect(paths).toEqual(
      expect.arrayContaining([
        'customer.fields.creditLimit.transforms.0.op',
        'customer.fields.name.const',
        'customer.fields.zip.from',
        'customer.fields.code.transforms.0.pattern',
        'order.target',
      ]),
    );
  });
});
