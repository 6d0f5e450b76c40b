import { createHash, randomBytes } from 'node:crypto';

/** API keys are stored as SHA-256 hashes; the key itself is shown once, when created. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newApiKey(): string {
  return `tl_sk_${randomBytes(24).toString('base64url')}`;
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}
