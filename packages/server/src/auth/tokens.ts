import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

const ISSUER = 'threadline';
const AUDIENCE = 'visitor';
/** Visitor tokens are refreshed on every connection, so a year only bounds an abandoned device. */
const TOKEN_TTL = '365d';

export interface VisitorClaims {
  appId: string;
  visitorId: string;
  /** Set only on tokens issued to a connection that proved this identity. */
  userId: string | null;
}

/**
 * Signs and verifies visitor tokens (HS256 JWTs under a server key). A token proves "this browser
 * is visitor V of app A" (and, on HTTP only, the user that visitor last proved to be). The socket
 * never trusts the token for identity: it is proven again on every connection.
 */
export class VisitorTokens {
  readonly #key: Uint8Array;

  constructor(key: string) {
    this.#key = new TextEncoder().encode(key);
  }

  async sign(claims: VisitorClaims): Promise<string> {
    return new SignJWT(claims.userId ? { app: claims.appId, uid: claims.userId } : { app: claims.appId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.visitorId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(TOKEN_TTL)
      .sign(this.#key);
  }

  /** The claims, or null for any token that is malformed, forged, expired or for another audience. */
  async verify(token: string): Promise<VisitorClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      if (typeof payload.sub !== 'string' || typeof payload.app !== 'string') return null;
      return { appId: payload.app, visitorId: payload.sub, userId: typeof payload.uid === 'string' ? payload.uid : null };
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return null;
      throw err;
    }
  }
}

/** Cheap shape check so HTTP auth can tell a visitor token from an API key without verifying. */
export function looksLikeJwt(value: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(value);
}
