// Settings of the Salesforce connector: the org's instance, the connected app's client id and
// the token endpoint; the client secret and the tokens are credentials.
import { z } from 'zod';

export const salesforceConfigSchema = z.strictObject({
  /** The org's instance, e.g. https://acme.my.salesforce.com */
  instanceUrl: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
  /** Where tokens are refreshed: https://login.salesforce.com (or test.salesforce.com for sandboxes). */
  loginUrl: z.url({ protocol: /^https?$/ }).default('https://login.salesforce.com'),
  clientId: z.string().min(1),
  apiVersion: z
    .string()
    .regex(/^v\d+\.\d$/, 'must look like v65.0')
    .default('v65.0'),
  batchSize: z.number().int().min(200).max(2000).default(2000),
  timeoutMs: z.number().int().min(100).max(120_000).default(30_000),
  lookbackSeconds: z.number().int().min(0).max(86_400).default(300),
});

export const salesforceCredentialsSchema = z.strictObject({
  clientSecret: z.string().min(1),
  /** Stored by the hub's OAuth flow (Connect); may be given directly when it was obtained elsewhere. */
  refreshToken: z.string().min(1).optional(),
  accessToken: z.string().min(1).optional(),
  expiresAt: z.string().optional(),
});

export type SalesforceConfig = z.output<typeof salesforceConfigSchema>;
export type SalesforceCredentials = z.infer<typeof salesforceCredentialsSchema>;

/** Each entity: its sObject, the fields read, and the canonical entity it becomes. */
export const salesforceEntities = {
  account: {
    object: 'Account',
    fields: [
      'Id',
      'Name',
      'AccountNumber',
      'Type',
      'BillingStreet',
      'BillingPostalCode',
      'BillingCity',
      'BillingCountry',
      'Phone',
      'SystemModstamp',
    ],
    canonical: 'customer',
  },
  contact: {
    object: 'Contact',
    fields: ['Id', 'AccountId', 'FirstName', 'LastName', 'Email', 'SystemModstamp'],
    canonical: 'contact',
  },
} as const;
