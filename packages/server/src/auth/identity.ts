import { createHmac, timingSafeEqual } from 'node:crypto';
import { jwtVerify, errors as joseErrors } from 'jose';
import { ServerError } from '../errors.js';

/** `hex(HMAC-SHA256(secret, userId))`: what the brand's backend computes for a signed-in user. */
export function userHashOf(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId).digest('hex');
}

/** hex(HMAC-SHA256): exactly 32 bytes, in either case. */
const USER_HASH = /^[0-9a-f]{64}$/i;

export interface VerifiedIdentity {
  userId: string;
  name?: string;
  email?: string;
}

export interface IdentityClaim {
  userId?: string;
  userHash?: string;
  jwt?: string;
}

/**
 * Verifies a claimed identity against the app secret. Returns null when no identity was claimed;
 * throws `identity_invalid` for any claim that does not verify. An unsigned userId or an email
 * never identifies anyone.
 */
export async function verifyIdentity(secret: string, claim: IdentityClaim): Promise<VerifiedIdentity | null> {
  if (claim.jwt) return verifyIdentityJwt(secret, claim.jwt);
  if (claim.userId === undefined && claim.userHash === undefined) return null;
  if (!claim.userId || !claim.userHash) {
    throw new ServerError('identity_invalid', 'userId and userHash must be given together');
  }
  // Buffer.from(…, 'hex') stops at the first non-hex pair, so a correct hash followed by junk would
  // decode to the right 32 bytes: the exact shape is checked first.
  if (!USER_HASH.test(claim.userHash)) {
    throw new ServerError('identity_invalid', 'userHash must be 64 hexadecimal characters');
  }
  const expected = Buffer.from(userHashOf(secret, claim.userId), 'hex');
  const given = Buffer.from(claim.userHash, 'hex');
  if (!timingSafeEqual(given, expected)) {
    throw new ServerError('identity_invalid', 'userHash does not match userId');
  }
  return { userId: claim.userId };
}

async function verifyIdentityJwt(secret: string, token: string): Promise<VerifiedIdentity> {
  try {
    // Only HS256: `alg: none` and asymmetric algorithms are refused by the allow-list.
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub'],
    });
    const userId = payload.sub;
    if (!userId || userId.length > 128) throw new ServerError('identity_invalid', 'identity JWT has no usable sub');
    const identity: VerifiedIdentity = { userId };
    if (typeof payload.name === 'string') identity.name = payload.name.slice(0, 120);
    if (typeof payload.email === 'string') identity.email = payload.email.slice(0, 254);
    return identity;
  } catch (err) {
    if (err instanceof ServerError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new ServerError('identity_invalid', 'identity JWT has expired');
    if (err instanceof joseErrors.JOSEError) {
      throw new ServerError('identity_invalid', `identity JWT refused: ${err.code}`);
    }
    throw err;
  }
}
