import { describe, expect, it } from 'vitest';
import { type CompatibilityMode, checkCompatibility, versionsToCheck } from './compatibility.ts';
import type { JsonSchema } from './readability.ts';

const object = (properties: Record<string, JsonSchema>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  ...extra,
});
const customer = object({ customerId: { type: 'string' } }, { required: ['customerId'] });

function check(mode: CompatibilityMode, before: JsonSchema, after: JsonSchema) {
  return checkCompatibility(mode, { version: 2, schema: after }, [{ version: 1, schema: before }]);
}

describe('required properties', () => {
  it('accepts an optional property added', () => {
    const after = object(
      { ...customer.properties, creditLimit: { type: 'number' } },
      { required: ['customerId'] },
    );
    expect(check('FULL', customer, after)).toEqual([]);
  });

  it('refuses a property added as required without a default, naming it (BACKWARD)', () => {
    const after = object(
      { ...customer.properties, creditLimit: { type: 'number' } },
      { required: ['customerId', 'creditLimit'] },
    );
    expect(check('BACKWARD', customer, after)).toEqual([
      {
        field: 'data.creditLimit',
        message: 'added as required without a default: data written by version 1 lacks it (BACKWARD)',
      },
    ]);
  });

  it('accepts a required property added with a default', () => {
    const after = object(
      { ...customer.properties, currency: { type: 'string', default: 'EUR' } },
      { required: ['customerId', 'currency'] },
    );
    expect(check('BACKWARD', customer, after)).toEqual([]);
  });

  it('refuses an optional property made required', () => {
    const before = object({ note: { type: 'string' } });
    const after = object({ note: { type: 'string' } }, { required: ['note'] });
    expect(check('BACKWARD', before, after)[0]?.message).toMatch(/^made required without a default/);
    expect(check('FORWARD', before, after)).toEqual([]);
  });

  it('refuses removing a required property for readers of the previous version (FORWARD)', () => {
    const after = object({});
    expect(check('FORWARD', customer, after)).toEqual([
      {
        field: 'data.customerId',
        message:
          'removed, but version 1 requires it without a default: data written by version 2 lacks it (FORWARD)',
      },
    ]);
    expect(check('BACKWARD', customer, after)).toEqual([]);
  });
});

describe('types', () => {
  it('refuses a narrowed type and accepts a widened one under BACKWARD', () => {
    const number = object({ limit: { type: 'number' } });
    const integer = object({ limit: { type: 'integer' } });
    expect(check('BACKWARD', number, integer)).toEqual([
      {
        field: 'data.limit',
        message: 'type narrowed from number to integer: data written by version 1 may hold number (BACKWARD)',
      },
    ]);
    expect(check('BACKWARD', integer, number)).toEqual([]);
    expect(check('FORWARD', integer, number)[0]?.message).toBe(
      'type widened from integer to number: version 1 cannot read number written by version 2 (FORWARD)',
    );
  });

  it('treats null as a member of a type union and of nullable', () => {
    const nullable = object({ note: { type: ['string', 'null'] } });
    const openApiNullable = object({ note: { type: 'string', nullable: true } });
    const plain = object({ note: { type: 'string' } });
    expect(check('BACKWARD', nullable, plain)[0]?.message).toMatch(
      /from string\|null to string: .* may hold null/,
    );
    expect(check('BACKWARD', openApiNullable, plain)[0]?.field).toBe('data.note');
    expect(check('BACKWARD', plain, nullable)).toEqual([]);
  });

  it('compares anyOf unions branch by branch', () => {
    const either = object({ id: { anyOf: [{ type: 'string' }, { type: 'integer' }] } });
    const text = object({ id: { type: 'string' } });
    expect(check('BACKWARD', text, either)).toEqual([]);
    expect(check('BACKWARD', either, text)[0]).toMatchObject({ field: 'data.id' });
    expect(check('BACKWARD', either, text)[0]?.message).toMatch(/may hold integer/);
  });
});

describe('enums', () => {
  const results = (...values: string[]) => object({ result: { type: 'string', enum: values } });

  it('refuses a removed enum value under BACKWARD and an added one under FORWARD', () => {
    expect(
      check('BACKWARD', results('approved', 'declined', 'review'), results('approved', 'declined')),
    ).toEqual([
      {
        field: 'data.result',
        message: 'enum value "review" removed: data written by version 1 may hold it (BACKWARD)',
      },
    ]);
    expect(check('BACKWARD', results('approved'), results('approved', 'review'))).toEqual([]);
    expect(check('FORWARD', results('approved'), results('approved', 'review'))[0]?.message).toBe(
      'enum value "review" added: version 1 cannot read it when version 2 writes it (FORWARD)',
    );
  });

  it('refuses an enum laid over a free value, and a const counts as an enum of one', () => {
    const free = object({ result: { type: 'string' } });
    expect(check('BACKWARD', free, results('approved'))[0]?.message).toMatch(
      /^values narrowed from any value/,
    );
    expect(
      check('BACKWARD', results('approved', 'declined'), object({ result: { const: 'approved' } })),
    ).toHaveLength(1);
  });
});

describe('objects', () => {
  it('names nested fields by their path', () => {
    const before = object({ address: object({ zip: { type: 'string' } }) });
    const after = object({ address: object({ zip: { type: 'integer' } }) });
    expect(check('BACKWARD', before, after).map((problem) => problem.field)).toEqual(['data.address.zip']);
  });

  it('refuses a removed property when the new version closes the object', () => {
    const before = object({ a: { type: 'string' }, b: { type: 'string' } }, { additionalProperties: false });
    const after = object({ a: { type: 'string' } }, { additionalProperties: false });
    expect(check('BACKWARD', before, after)).toEqual([
      {
        field: 'data.b',
        message:
          'removed while additionalProperties is false: data written by version 1 carries it (BACKWARD)',
      },
    ]);
  });

  it('refuses a property added where readers of the previous version refuse undeclared ones', () => {
    const before = object({ a: { type: 'string' } }, { additionalProperties: false });
    const after = object({ a: { type: 'string' }, b: { type: 'string' } }, { additionalProperties: false });
    expect(check('BACKWARD', before, after)).toEqual([]);
    expect(check('FORWARD', before, after)[0]).toMatchObject({ field: 'data.b' });
    expect(check('FORWARD', before, after)[0]?.message).toMatch(/refuses undeclared properties/);
  });

  it('refuses closing an open object under BACKWARD', () => {
    const before = object({ a: { type: 'string' } });
    const after = object({ a: { type: 'string' } }, { additionalProperties: false });
    expect(check('BACKWARD', before, after)[0]).toMatchObject({ field: 'data' });
    expect(check('BACKWARD', before, after)[0]?.message).toMatch(
      /^additionalProperties narrowed from allowed to false/,
    );
    expect(check('FORWARD', before, after)).toEqual([]);
  });

  it('checks undeclared properties against a schema of additionalProperties', () => {
    const before = object({}, { additionalProperties: { type: 'string' } });
    const after = object({}, { additionalProperties: { type: 'integer' } });
    expect(check('BACKWARD', before, after).map((problem) => problem.field)).toEqual(['data.*']);
  });
});

describe('arrays, bounds and references', () => {
  it('compares array items', () => {
    const lines = (qty: JsonSchema) => object({ lines: { type: 'array', items: object({ qty }) } });
    expect(check('BACKWARD', lines({ type: 'number' }), lines({ type: 'integer' }))[0]?.field).toBe(
      'data.lines[].qty',
    );
    expect(check('BACKWARD', lines({ type: 'integer' }), lines({ type: 'number' }))).toEqual([]);
  });

  it('refuses a tightened bound, and a loosened one under FORWARD', () => {
    const name = (maxLength: number) => object({ name: { type: 'string', maxLength } });
    expect(check('BACKWARD', name(200), name(100))[0]?.message).toBe(
      'maxLength narrowed from 200 to 100: data written by version 1 may hold values above 100 (BACKWARD)',
    );
    expect(check('BACKWARD', name(100), name(200))).toEqual([]);
    expect(check('FORWARD', name(100), name(200))[0]?.field).toBe('data.name');
    const dated = object({ at: { type: 'string', format: 'date-time' } });
    expect(check('BACKWARD', object({ at: { type: 'string' } }), dated)[0]?.message).toMatch(
      /^format narrowed/,
    );
  });

  it('follows local $refs', () => {
    const withRef = (zip: JsonSchema) => ({
      ...object({ billing: { $ref: '#/$defs/address' } }),
      $defs: { address: object({ zip }) },
    });
    expect(check('BACKWARD', withRef({ type: 'string' }), withRef({ type: 'string' }))).toEqual([]);
    expect(check('BACKWARD', withRef({ type: 'string' }), withRef({ type: 'integer' }))[0]?.field).toBe(
      'data.billing.zip',
    );
    const broken = object({ a: { $ref: '#/$defs/missing' } });
    expect(check('BACKWARD', object({ a: { type: 'string' } }), broken)[0]?.message).toMatch(
      /does not resolve/,
    );
  });

  it('stops at recursive $refs', () => {
    const tree = (type: string) => ({
      $defs: {
        node: object({ name: { type }, children: { type: 'array', items: { $ref: '#/$defs/node' } } }),
      },
      $ref: '#/$defs/node',
    });
    expect(check('BACKWARD', tree('string'), tree('string'))).toEqual([]);
    expect(check('BACKWARD', tree('number'), tree('integer')).map((problem) => problem.field)).toEqual([
      'data.name',
    ]);
  });

  it('refuses a changed keyword it cannot compare, and lets an unchanged one pass', () => {
    const guarded = (minimum: number) => ({ allOf: [object({ n: { type: 'number', minimum } })] });
    expect(check('BACKWARD', guarded(0), guarded(0))).toEqual([]);
    expect(check('BACKWARD', guarded(0), guarded(1))[0]?.message).toMatch(/^uses allOf/);
  });
});

describe('modes', () => {
  const v1 = object({ name: { type: 'string' } });
  const v2 = object(
    { name: { type: 'string' }, code: { type: 'string', default: 'X' } },
    { required: ['code'] },
  );
  const v3 = object({ name: { type: 'string' }, code: { type: 'string' } }, { required: ['code'] });
  const history = [
    { version: 1, schema: v1 },
    { version: 2, schema: v2 },
  ];

  it('checks the latest version only, or every earlier one when transitive', () => {
    expect(checkCompatibility('BACKWARD', { version: 3, schema: v3 }, history)).toEqual([]);
    expect(checkCompatibility('BACKWARD_TRANSITIVE', { version: 3, schema: v3 }, history)).toEqual([
      {
        field: 'data.code',
        message:
          'added as required without a default: data written by version 1 lacks it (BACKWARD_TRANSITIVE)',
      },
    ]);
  });

  it('FULL asks both directions; FULL_TRANSITIVE and FORWARD_TRANSITIVE reach back', () => {
    const closed = object({ a: { type: 'string' } }, { additionalProperties: false });
    const added = object({ a: { type: 'string' }, b: { type: 'string' } }, { additionalProperties: false });
    expect(check('FULL', closed, added)[0]?.message).toMatch(/\(FULL\)$/);
    const chain = [
      { version: 1, schema: closed },
      { version: 2, schema: object({ a: { type: 'string' } }) },
    ];
    expect(checkCompatibility('FORWARD', { version: 3, schema: added }, chain)).toEqual([]);
    expect(
      checkCompatibility('FORWARD_TRANSITIVE', { version: 3, schema: added }, chain)[0]?.message,
    ).toMatch(/version 1 refuses undeclared properties .*\(FORWARD_TRANSITIVE\)$/);
    const full = checkCompatibility('FULL_TRANSITIVE', { version: 3, schema: added }, chain);
    // Version 1 cannot read b (forward); version 3, closed, cannot read what open version 2 allowed.
    expect(full.map((problem) => problem.field)).toEqual(['data.b', 'data']);
  });

  it('NONE accepts anything', () => {
    expect(check('NONE', customer, { type: 'string' })).toEqual([]);
    expect(versionsToCheck('NONE', history)).toEqual([]);
    expect(versionsToCheck('FULL', history).map((each) => each.version)).toEqual([2]);
  });
});
