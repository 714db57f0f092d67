// AES-256-GCM with a random 96-bit nonce per value; the caller's additional data binds a
// ciphertext to where it is stored, so a value copied to another row does not decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface SealedBox {
  iv: string;
  ciphertext: string;
  tag: string;
}

export function encrypt(key: Buffer, plaintext: Buffer, additionalData: string): SealedBox {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    iv: iv.toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
}

/** Throws when the box was altered, or when key or additional data are not the ones it was sealed with. */
export function decrypt(key: Buffer, box: SealedBox, additionalData: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(box.iv, 'base64url'));
  decipher.setAAD(Buffer.from(additionalData, 'utf8'));
  decipher.setAuthTag(Buffer.from(box.tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(box.ciphertext, 'base64url')), decipher.final()]);
}
