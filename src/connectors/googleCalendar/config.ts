// Settings of the Google Calendar connector: one calendar, read with OAuth2.
import { z } from 'zod';

export const googleCalendarConfigSchema = z.strictObject({
  calendarId: z.string().min(1).default('primary'),
  clientId: z.string().min(1),
  apiBaseUrl: z.url({ protocol: /^https?$/ }).default('https://www.googleapis.com'),
  tokenUrl: z.url({ protocol: /^https?$/ }).default('https://oauth2.googleapis.com/token'),
  authorizationUrl: z.url({ protocol: /^https?$/ }).default('https://accounts.google.com/o/oauth2/v2/auth'),
  /** Google allows up to 2500 events a page. */
  pageSize: z.number().int().min(1).max(2500).default(250),
  timeoutMs: z.number().int().min(100).max(120_000).default(20_000),
});

export const googleCalendarCredentialsSchema = z.strictObject({
  clientSecret: z.string().min(1),
  /** Stored by the hub's OAuth flow (Connect); may be given directly when it was obtained elsewhere. */
  refreshToken: z.string().min(1).optional(),
  accessToken: z.string().min(1).optional(),
  expiresAt: z.string().optional(),
});

export type GoogleCalendarConfig = z.output<typeof googleCalendarConfigSchema>;
export type GoogleCalendarCredentials = z.infer<typeof googleCalendarCredentialsSchema>;
