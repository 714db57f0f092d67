// Settings of a webhook-only system: how its webhooks are signed, and how a payload becomes the
// records of an entity (which payloads belong to it, where the records are, which field is the id,
// which value marks a deletion).
import { z } from 'zod';
import { webhookSignatureSchema } from '../sdk/signatures/configuredWebhooks.ts';

const fieldValue = z.union([z.string(), z.number(), z.boolean()]);
const fieldTest = z.strictObject({ field: z.string().min(1).max(200), equals: fieldValue });

export const webhookEntitySchema = z.strictObject({
  /** Which payloads carry this entity; without it, every payload does. */
  when: fieldTest.optional(),
  /** Where the records are in the payload: a list, or one record; empty means the payload itself. */
  recordsPath: z.string().max(200).default(''),
  idField: z.string().min(1).max(200),
  /** A record with this value is a deletion. */
  deletedWhen: fieldTest.optional(),
});

export const webhookConfigSchema = z.strictObject({
  signature: webhookSignatureSchema,
  entities: z
    .record(z.string().min(1).max(50), webhookEntitySchema)
    .refine((entities) => Object.keys(entities).length > 0, { message: 'name at least one entity' }),
});
export type WebhookConfig = z.output<typeof webhookConfigSchema>;
export type WebhookEntity = z.infer<typeof webhookEntitySchema>;

export const webhookCredentialsSchema = z.strictObject({
  /** The shared signing secret (whsec_… for Standard Webhooks). */
  webhookSecret: z.string().min(8, 'must be at least 8 characters').max(500),
});
export type WebhookCredentials = z.infer<typeof webhookCredentialsSchema>;
