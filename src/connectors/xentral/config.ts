// Settings of the Xentral connector (new API): the instance URL and a personal access token.
import { z } from 'zod';

export const xentralConfigSchema = z.strictObject({
  /** The instance, e.g. https://acme.xentral.biz */
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
  /** Xentral allows at most 50 records a page. */
  pageSize: z.number().int().min(1).max(50).default(50),
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  /** Changes made this long before a sync started are read again by the next one. */
  lookbackSeconds: z.number().int().min(0).max(86_400).default(300),
  /**
   * Fetch the addresses of every customer a sync reads: one request or more per customer, so a
   * full sync of many customers takes minutes at 100 requests a minute. Off saves that budget.
   */
  customerAddresses: z.boolean().default(true),
  /** How many customers' addresses are requested at once; the rate limit paces them all the same. */
  addressConcurrency: z.number().int().min(1).max(8).default(4),
});

export const xentralCredentialsSchema = z.strictObject({
  token: z.string().min(1, 'the personal access token is required'),
});

export type XentralConfig = z.output<typeof xentralConfigSchema>;
export type XentralCredentials = z.infer<typeof xentralCredentialsSchema>;

/** Where each entity lives, and the canonical entity it becomes. */
export const xentralEntities = {
  customer: { path: '/api/v1/customers', canonical: 'customer' },
  product: { path: '/api/v1/products', canonical: 'product' },
  salesOrder: { path: '/api/v1/salesOrders', canonical: 'order' },
  invoice: { path: '/api/v1/invoices', canonical: 'invoice' },
} as const;
export type XentralEntity = keyof typeof xentralEntities;

export const XENTRAL_MEDIA_TYPE = 'application/vnd.xentral.default.v1+json';
