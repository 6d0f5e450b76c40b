import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SettingsStore } from '../store/settings-store.js';
import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';

const ISSUER = 'threadline';
const AUDIENCE = 'visitor';

export interface VisitorClaims {
  appId: string;
  visitorId: string;
  /** Set only on tokens issued to a connection that proved this identity. */
  userId: string | null;
  /** The server-side session (`sid`); null on tokens issued before sessions existed. */
  sessionId: string | null;
  /** When the token was issued, epoch ms. */
  issuedAt: number;
}

/**
 * Signs and verifies visitor tokens (HS256 JWTs under a server key). A token proves "this browser
 * is visitor V of app A, in session S" (and, on HTTP only, the user that visitor last proved to
 * be). A valid signature is not enough: the session must still be live (see sessions.ts). The
 * socket never trusts the token for identity: it is proven again on every connection.
 */
export class VisitorTokens {
  readonly #key: Uint8Array;

  /** @param ttlMs token life; each connection gets a fresh token, so this bounds an idle device. */
  constructor(
    key: string,
    readonly ttlMs: number,
  ) {
    this.#key = new TextEncoder().encode(key);
  }

  async sign(claims: Omit<VisitorClaims, 'issuedAt'> & { sessionId: string }): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = { app: claims.appId, sid: claims.sessionId };
    if (claims.userId) payload.uid = claims.userId;
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.visitorId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + Math.round(this.ttlMs / 1000))
      .sign(this.#key);
  }

  /** The claims, or null for any token that is malformed, forged, expired or for another audience. */
  async verify(token: string): Promise<VisitorClaims | null> {
    const seen = await this.inspect(token);
    return seen && !seen.expired ? seen.claims : null;
  }

  /**
   * Like `verify`, but an authentic token past its `exp` is returned with `expired: true` (logout
   * answers it as done). jose checks the signature, issuer and audience before the expiry.
   */
  async inspect(token: string): Promise<{ claims: VisitorClaims; expired: boolean } | null> {
    let payload: JWTPayload;
    let expired = false;
    try {
      ({ payload } = await jwtVerify(token, this.#key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) {
        payload = err.payload;
        expired = true;
      } else if (err instanceof joseErrors.JOSEError) {
        return null;
      } else {
        throw err;
      }
    }
    if (typeof payload.sub !== 'string' || typeof payload.app !== 'string' || typeof payload.iat !== 'number') return null;
    const claims: VisitorClaims = {
      appId: payload.app,
      visitorId: payload.sub,
      userId: typeof payload.uid === 'string' ? payload.uid : null,
      sessionId: typeof payload.sid === 'string' ? payload.sid : null,
      issuedAt: payload.iat * 1000,
    };
    return { claims, expired };
  }
}

/** Cheap shape check so HTTP auth can tell a visitor token from an API key without verifying. */
export function looksLikeJwt(value: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(value);
}

/** The `settings` row holding the token key when THREADLINE_TOKEN_KEY is unset. */
export const TOKEN_KEY_SETTING = 'token_key';

/** Where the key lived before it moved to the database: `token.key` in the data directory. */
export const LEGACY_TOKEN_KEY_FILE = 'token.key';

interface TokenKeyLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * The key that signs visitor tokens, the same on every node: `config.tokenKey`
 * (THREADLINE_TOKEN_KEY) when set; else the database's setting `token_key`; else, on a database
 * that has none yet, the data directory's `token.key` written by an earlier version (so visitors
 * keep their tokens across the upgrade) or a new random key, stored if absent and read back, so
 * nodes starting together agree. Call it under the startup lock. The key is never logged.
 */
export async function loadTokenKey(
  config: { tokenKey?: string; dataDir: string },
  settings: Pick<SettingsStore, 'get' | 'putIfAbsent'>,
  log: TokenKeyLog,
): Promise<string> {
  if (config.tokenKey) return config.tokenKey;
  const file = path.join(config.dataDir, LEGACY_TOKEN_KEY_FILE);
  let legacy = '';
  try {
    legacy = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const stored = await settings.get(TOKEN_KEY_SETTING);
  if (stored) {
    if (legacy && legacy !== stored) {
      log.warn({ file }, 'token.key in the data directory is not the key in the database, which signs tokens: tokens signed with the file are refused (the file can be deleted)');
    }
    return stored;
  }
  const key = await settings.putIfAbsent(TOKEN_KEY_SETTING, legacy || randomBytes(32).toString('base64url'));
  if (legacy && key === legacy) log.info({ file }, 'imported the token key from token.key in the data directory into the database (the file can be deleted)');
  return key;
}
