// Signing secrets of HTTP subscriptions: whsec_ + base64 of 24 random bytes (Standard Webhooks),
// shown once when made and kept sealed by the vault, bound to the subscription's row.
import { randomBytes } from 'node:crypto';

export const subscriptionSecretAad = (id: string) => `event_subscriptions.secret:${id}`;

export function newSigningSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}
