import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SettingsStore } from '../store/settings-store.js';

/** The `settings` row holding the key that signs email links and reply addresses. */
export const LINK_KEY_SETTING = 'link_key';

/** Hex characters of a signature: 96 bits, short enough for a reply address's local part. */
const SIG_HEX = 24;

/**
 * Loads the key that signs what emails carry (file links, reply addresses, unsubscribe links), the
 * same on every node: stored once in the database's `settings`, like the token key. Its own key,
 * so that rotating the visitor-token key does not break every email already sent, nor the reverse.
 */
export async function loadLinkKey(settings: Pick<SettingsStore, 'putIfAbsent'>): Promise<string> {
  return settings.putIfAbsent(LINK_KEY_SETTING, randomBytes(32).toString('base64url'));
}

/**
 * Signs and checks what an email carries that works without a session. Every signature covers a
 * purpose prefix, so a signature made for one use (an unsubscribe link) is worthless for another
 * (a reply address). Lower-case hex only: mail systems may change the case of an address's local part.
 */
export class LinkSigner {
  readonly #key: Buffer;

  constructor(key: string) {
    this.#key = Buffer.from(key, 'utf8');
  }

  sign(purpose: string, value: string): string {
    return createHmac('sha256', this.#key).update(`${purpose}\n${value}`).digest('hex').slice(0, SIG_HEX);
  }

  verify(purpose: string, value: string, sig: string): boolean {
    if (!/^[0-9a-f]+$/i.test(sig) || sig.length !== SIG_HEX) return false;
    return timingSafeEqual(Buffer.from(this.sign(purpose, value), 'hex'), Buffer.from(sig.toLowerCase(), 'hex'));
  }

  /** Query of a file link valid until `exp` (epoch ms): `exp=…&sig=…`. */
  fileQuery(fileId: string, exp: number): string {
    return `exp=${exp}&sig=${this.sign('file', `${fileId}:${exp}`)}`;
  }

  /** True for an unexpired link to this file. */
  fileLinkValid(fileId: string, exp: number, sig: string, now: number): boolean {
    return Number.isSafeInteger(exp) && exp > now && this.verify('file', `${fileId}:${exp}`, sig);
  }

  /** The local part's token of an email's reply address: its notification id and a signature, 56 hex characters. */
  replyToken(notificationId: string): string {
    const id = notificationId.replace(/-/g, '');
    return `${id}${this.sign('reply', id)}`;
  }

  /** The notification id a reply token names, or null when it is not one this server signed. */
  openReplyToken(token: string): string | null {
    const m = /^([0-9a-f]{32})([0-9a-f]{24})$/.exec(token.toLowerCase());
    if (!m || !this.verify('reply', m[1]!, m[2]!)) return null;
    const h = m[1]!;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /**
   * The token of an email's continue link: `<notification id, hex>.<exp ms>.<signature>`. It names
   * one email, so one thread; it opens that thread on any device until `exp`.
   */
  continueToken(notificationId: string, exp: number): string {
    const id = notificationId.replace(/-/g, '');
    return `${id}.${exp}.${this.sign('continue', `${id}:${exp}`)}`;
  }

  /** The notification id a continue token names, or null when it is not one this server signed or it has expired. */
  openContinueToken(token: string, now: number): string | null {
    const m = /^([0-9a-f]{32})\.([0-9]{1,16})\.([0-9a-f]{24})$/.exec(token);
    if (!m) return null;
    const exp = Number(m[2]);
    if (!Number.isSafeInteger(exp) || exp <= now || !this.verify('continue', `${m[1]}:${exp}`, m[3]!)) return null;
    const h = m[1]!;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  unsubscribeSig(notificationId: string, scope: 'thread' | 'address'): string {
    return this.sign('unsubscribe', `${scope}:${notificationId}`);
  }
}
