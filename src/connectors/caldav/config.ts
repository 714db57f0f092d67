// Settings of the CalDAV connector: one calendar collection, read with basic auth.
import { z } from 'zod';

export const caldavConfigSchema = z
  .strictObject({
    /** The calendar collection itself, or the server root when calendarPath or calendarName says which. */
    serverUrl: z.url({ protocol: /^https?$/ }),
    /** The calendar collection's path (or URL on the same server), e.g. /disposition/kalender/. */
    calendarPath: z.string().min(1).optional(),
    /** The calendar's display name, looked up in the user's calendar home. */
    calendarName: z.string().min(1).optional(),
    /** Calendar objects fetched per calendar-multiget request. */
    pageSize: z.number().int().min(1).max(1000).default(100),
    timeoutMs: z.number().int().min(100).max(120_000).default(20_000),
  })
  .refine((config) => !(config.calendarPath && config.calendarName), {
    message: 'give calendarPath or calendarName, not both',
    path: ['calendarName'],
  });

export const caldavCredentialsSchema = z.strictObject({
  username: z.string().min(1),
  password: z.string().min(1),
});

export type CaldavConfig = z.output<typeof caldavConfigSchema>;
export type CaldavCredentials = z.infer<typeof caldavCredentialsSchema>;
