// Settings of the Microsoft Graph connector (Outlook calendar and mail of one mailbox).
import { z } from 'zod';

export const graphConfigSchema = z.strictObject({
  clientId: z.string().min(1),
  tenant: z.string().min(1).default('common'),
  apiBaseUrl: z.url({ protocol: /^https?$/ }).default('https://graph.microsoft.com'),
  loginUrl: z.url({ protocol: /^https?$/ }).default('https://login.microsoftonline.com'),
  /** The calendar window read by the calendarView delta. */
  calendarPastDays: z.number().int().min(0).max(3650).default(30),
  calendarFutureDays: z.number().int().min(1).max(3650).default(365),
  pageSize: z.number().int().min(1).max(1000).default(100),
  timeoutMs: z.number().int().min(100).max(120_000).default(20_000),
});

export const graphCredentialsSchema = z.strictObject({
  clientSecret: z.string().min(1),
  /** Stored by the hub's OAuth flow (Connect); may be given directly when it was obtained elsewhere. */
  refreshToken: z.string().min(1).optional(),
  accessToken: z.string().min(1).optional(),
  expiresAt: z.string().optional(),
});

export type GraphConfig = z.output<typeof graphConfigSchema>;
export type GraphCredentials = z.infer<typeof graphCredentialsSchema>;
