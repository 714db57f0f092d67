// The transforms of a mapping, compiled once into plain functions. A transform that cannot do its
// work throws TransformError with a sentence naming the value; the mapping collects those per field.
import { parseDate, parseLocaleNumber, toE164 } from './germanFormats.ts';
import type { Transform } from './mappingSchema.ts';

export class TransformError extends Error {
  override name = 'TransformError';
}

export type CompiledTransform = (value: unknown) => unknown;

/** Shows a source value in an error message: quoted, and never longer than 60 characters. */
export function show(value: unknown): string {
  const text = typeof value === 'string' ? `"${value}"` : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

const isEmpty = (value: unknown) => value === undefined || value === null || value === '';

/** Applies a scalar operation to a value, or to each element of an array. */
function eachValue(apply: (value: unknown) => unknown): CompiledTransform {
  return (value) => {
    if (Array.isArray(value)) return value.map((item) => (isEmpty(item) ? item : apply(item)));
    return isEmpty(value) ? value : apply(value);
  };
}

const asText = (value: unknown) => (typeof value === 'string' ? value : String(value));

export function compileTransform(transform: Transform): CompiledTransform {
  switch (transform.op) {
    case 'trim':
      return eachValue((value) => asText(value).trim());
    case 'lowercase':
      return eachValue((value) => asText(value).toLocaleLowerCase('de-DE'));
    case 'uppercase':
      return eachValue((value) => asText(value).toLocaleUpperCase('de-DE'));
    case 'titlecase':
      return eachValue((value) =>
        asText(value)
          .toLocaleLowerCase('de-DE')
          .replace(
            /(^|[\s-])(\p{L})/gu,
            (_all, before: string, letter: string) => before + letter.toLocaleUpperCase('de-DE'),
          ),
      );
    case 'string':
      return eachValue((value) => (typeof value === 'object' ? JSON.stringify(value) : String(value)));
    case 'number':
    case 'integer':
      return eachValue((value) => {
        const parsed = parseLocaleNumber(value, transform.locale);
        if (parsed === undefined)
          throw new TransformError(`${show(value)} is not a number (locale ${transform.locale})`);
        if (transform.op === 'integer' && !Number.isInteger(parsed)) {
          throw new TransformError(`${show(value)} is not a whole number`);
        }
        return parsed;
      });
    case 'round': {
      const factor = 10 ** transform.digits;
      return eachValue((value) => {
        if (typeof value !== 'number') throw new TransformError(`${show(value)} is not a number to round`);
        return Math.round(value * factor) / factor;
      });
    }
    case 'boolean':
      return eachValue((value) => {
        if (typeof value === 'boolean') return value;
        const text = asText(value).trim().toLowerCase();
        if (['true', 'ja', 'yes', '1', 'j', 'y', 'wahr'].includes(text)) return true;
        if (['false', 'nein', 'no', '0', 'n', 'falsch'].includes(text)) return false;
        throw new TransformError(`${show(value)} is not a yes or no`);
      });
    case 'date':
      return eachValue((value) => {
        const parsed = parseDate(value, transform.format, transform.timezone);
        if (parsed === undefined)
          throw new TransformError(`${show(value)} is not a date in the format ${transform.format}`);
        return parsed;
      });
    case 'map': {
      const { values, otherwise } = transform;
      return eachValue((value) => {
        const key = asText(value);
        if (Object.hasOwn(values, key)) return values[key];
        if (otherwise === 'keep') return value;
        if (otherwise === 'null') return null;
        if (otherwise === 'error') {
          throw new TransformError(
            `${show(value)} is not one of ${Object.keys(values).slice(0, 8).join(', ')}`,
          );
        }
        return otherwise.value;
      });
    }
    case 'join':
      return (value) => {
        if (!Array.isArray(value)) return value;
        const parts = value.filter((item) => !isEmpty(item)).map(asText);
        return parts.length > 0 ? parts.join(transform.separator) : undefined;
      };
    case 'split':
      return (value) =>
        isEmpty(value) || Array.isArray(value)
          ? value
          : asText(value)
              .split(transform.separator)
              .map((part) => part.trim())
              .filter((part) => part !== '');
    case 'pick':
      return (value) => (Array.isArray(value) ? value.at(transform.index) : value);
    case 'replace': {
      const pattern = new RegExp(transform.pattern, transform.flags);
      return eachValue((value) => asText(value).replace(pattern, transform.with));
    }
    case 'phone':
      return eachValue((value) => {
        const phone = toE164(value, transform.defaultCountry);
        if (phone === undefined) throw new TransformError(`${show(value)} is not a phone number`);
        return phone;
      });
    case 'email':
      return eachValue((value) => {
        const email = asText(value).trim().toLowerCase();
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(email))
          throw new TransformError(`${show(value)} is not an email address`);
        return email;
      });
  }
}
