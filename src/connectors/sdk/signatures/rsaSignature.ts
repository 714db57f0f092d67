// A base64 RSA-SHA256 signature over the raw body, checked with the sender's public key
// (sipgate.io signs its webhooks this way).
import { createPublicKey, type KeyObject, verify } from 'node:crypto';

const keys = new Map<string, KeyObject>();

export function verifyRsaSha256(
  body: Buffer,
  signatureBase64: string | undefined,
  publicKeyPem: string,
): boolean {
  if (!signatureBase64) return false;
  let key = keys.get(publicKeyPem);
  if (!key) {
    key = createPublicKey(publicKeyPem);
    keys.set(publicKeyPem, key);
  }
  try {
    return verify('sha256', body, key, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
