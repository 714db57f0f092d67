// What an event type may be called: dot-separated words (`credit.checked`,
// `sample.status.changed`), so that the type is safe as it stands in a URL and in `dataschema`.
import { z } from 'zod';

export const eventTypeName = z
  .string()
  .min(3)
  .max(200)
  .regex(
    /^[a-z][a-zA-Z0-9_-]*(\.[a-zA-Z][a-zA-Z0-9_-]*)+$/,
    'must be dot-separated words of letters, digits, _ or -, such as credit.checked',
  );
