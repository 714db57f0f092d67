// The bad input the fuzzing is made of (fast-check arbitraries): JSON of every shape, wrong types
// in place of right ones, huge strings, unicode (lone surrogates, combining marks, emoji), NUL
// bytes, deep nesting, prototype keys, bodies that are not JSON at all, and content types that
// do not say JSON.
import fc from 'fast-check';

/** Strings that have broken parsers, validators, SQL and templates before. */
const nastyStrings = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  'e\u0301\u0301\u0301',
  '\u202eevil',
  '💥',
  '../../../../etc/passwd',
  '%00',
  '%',
  '%zz',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the log4j lookup, as an attacker sends it
  '${jndi:ldap://127.0.0.1/a}',
  "'; DROP TABLE integration_configs; --",
  '<script>alert(1)</script>',
  '{{7*7}}',
  '0',
  '-1',
  '1e309',
  'NaN',
  'Infinity',
  'null',
  'true',
  '{}',
  '[]',
  '__proto__',
  'constructor',
  '2026-02-30T25:61:61Z',
  '00000000-0000-0000-0000-000000000000',
  'customer.*',
  '*/15 * * * *',
  'http://169.254.169.254/latest/meta-data/',
  'https://erp.invalid/api',
);

const hugeString = fc
  .tuple(fc.constantFrom('x', 'ä', '💥', '\u0000', '%'), fc.integer({ min: 1_000, max: 200_000 }))
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)));

export const fuzzString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 1 },
  { arbitrary: nastyStrings, weight: 4 },
  { arbitrary: hugeString, weight: 1 },
);

export const fuzzKey: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    '',
    'name',
    'config',
    'credentials',
    'baseUrl',
    'type',
    'data',
    'schema',
    'mapping',
    'entities',
    'url',
    'role',
    'use',
    'fields',
    'values',
  ),
);

const fuzzNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, -1, 2 ** 31, 2 ** 53 + 1, 1e300, -1e300, 5e-324),
);

const scalar: fc.Arbitrary<unknown> = fc.oneof(fuzzString, fuzzNumber, fc.boolean(), fc.constant(null));

/** Any JSON value, a few levels deep, with bad strings and keys inside. */
export const fuzzJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fuzzKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Arrays or objects nested thousands deep, as text (building them as values would be as deep). */
export const deeplyNested: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 100, max: 20_000 }), fc.boolean())
  .map(([depth, objects]) =>
    objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`,
  );

/** A deeply nested value placed inside an otherwise plausible body, as text. */
export function nestedInside(body: Record<string, unknown>, key: string): fc.Arbitrary<string> {
  return deeplyNested.map((nested) => {
    const text = JSON.stringify({ ...body, [key]: '__NESTED__' });
    return text.replace('"__NESTED__"', nested);
  });
}

/** Bytes that are not UTF-8, or not JSON, or JSON cut short. */
export const notJson: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ maxLength: 100 }),
  fc.constantFrom(
    '{',
    '{"a":',
    '[1,2',
    '{"a":1}}',
    'null',
    '"',
    '\u0000',
    '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{"x":1}}}',
  ),
);

export const contentTypes: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 12 },
  {
    arbitrary: fc.constantFrom(
      undefined,
      '',
      'application/merge-patch+json',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'text/plain',
      'text/html',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/octet-stream',
      'application/problem+json',
      'application/json, text/plain',
      '*/*',
      'application/',
      ';;;',
    ),
    weight: 3,
  },
  { arbitrary: headerValueOf(60), weight: 1 },
);

/** What may travel in an HTTP header value (visible ASCII and Latin-1), sometimes long. */
export function headerValueOf(maxLength: number): fc.Arbitrary<string> {
  return fc
    .array(
      fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09)),
      { maxLength },
    )
    .map((codes) => String.fromCharCode(...codes).trim());
}

/** Headers a client might add to any request; garbage trace context and preconditions included. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    traceparent: fc.oneof(
      headerValueOf(60),
      fc.constantFrom(
        '00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-ff',
        '00-00000000000000000000000000000000-0000000000000000-00',
        'zz',
      ),
    ),
    tracestate: headerValueOf(120),
    accept: fc.oneof(headerValueOf(30), fc.constantFrom('text/html', 'application/xml', '*/*;q=0')),
    'accept-language': headerValueOf(20),
    'if-match': fc.oneof(
      headerValueOf(12),
      fc.constantFrom('*', '"1"', 'W/"1"', '"-1"', '"99999999999999999999"'),
    ),
    'x-forwarded-for': headerValueOf(40),
    'user-agent': headerValueOf(2_000),
  },
  { requiredKeys: [] },
);
