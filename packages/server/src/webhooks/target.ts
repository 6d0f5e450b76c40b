import { promises as dns } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { ServerError } from '../errors.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address of a host name. @default `dns.lookup(host, { all: true })` (the OS resolver, /etc/hosts included) */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** A webhook URL whose addresses were checked: deliveries connect to these and nothing else. */
export interface PinnedTarget {
  url: URL;
  /** The URL's host without IPv6 brackets. */
  host: string;
  addresses: ResolvedAddress[];
}

export interface TargetPolicy {
  /** Private, loopback, link-local and reserved addresses are allowed (development and tests). */
  allowPrivate: boolean;
  resolve: HostResolver;
}

const ALLOW_HINT = 'set THREADLINE_WEBHOOK_ALLOW_PRIVATE=1 to allow it';

const refused = (message: string) => new ServerError('webhook_url_not_allowed', message);

/**
 * At registration: refuses a URL whose host is, or resolves to, an address that is not public.
 * The URL was already normalised by the WHATWG parser, so `2130706433`, `0177.0.0.1` and
 * `0x7f.1` arrive as `127.0.0.1`. A name that does not resolve yet is accepted: every delivery
 * checks again.
 */
export async function checkWebhookUrl(raw: string, policy: TargetPolicy): Promise<void> {
  const { url, host } = parse(raw);
  if (policy.allowPrivate) return;
  refuseLocalName(host);
  if (isIP(host)) return refuseAddresses(host, [{ address: host, family: isIP(host) }]);
  let addresses: ResolvedAddress[];
  try {
    addresses = await policy.resolve(host);
  } catch {
    // Not resolvable now (not published yet, resolver down): the delivery-time check decides.
    return;
  }
  refuseAddresses(url.hostname, addresses);
}

/**
 * At delivery: resolves the host once, checks every address, and returns them so the connection
 * goes to exactly these (DNS rebinding between the check and the connection cannot redirect it).
 * Throws `webhook_url_not_allowed` with a readable reason.
 */
export async function pinWebhookTarget(raw: string, policy: TargetPolicy): Promise<PinnedTarget> {
  const { url, host } = parse(raw);
  if (!policy.allowPrivate) refuseLocalName(host);
  const family = isIP(host);
  const addresses = family ? [{ address: host, family }] : await policy.resolve(host);
  if (!addresses.length) throw new Error(`${host} has no address`);
  if (!policy.allowPrivate) refuseAddresses(host, addresses);
  return { url, host, addresses };
}

/**
 * POSTs `body` to a pinned target and resolves with the status code. Redirects are not followed;
 * no connection is reused (each delivery connects to the addresses it checked just before).
 * For https, the certificate is checked against the host name (SNI and Host carry the name).
 */
export function postPinned(target: PinnedTarget, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  const { url, host, addresses } = target;
  const lookup: LookupFunction = (_hostname, options, callback) => {
    const usable = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
    if (!usable.length) return callback(Object.assign(new Error(`no IPv${options.family} address was checked for ${host}`), { code: 'ENOTFOUND' }), '', 0);
    if (options.all) return (callback as (err: null, addresses: ResolvedAddress[]) => void)(null, usable);
    callback(null, usable[0]!.address, usable[0]!.family);
  };
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      {
        method: 'POST',
        hostname: host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup,
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        resolve(res.statusCode ?? 0);
        res.resume(); // the answer's body is not used; drain it so the socket closes
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function parse(raw: string): { url: URL; host: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ServerError('bad_request', 'the webhook URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ServerError('bad_request', 'the webhook URL must start with http:// or https://');
  return { url, host: url.hostname.replace(/^\[(.*)\]$/, '$1') };
}

/** `localhost` and `*.localhost` always mean this machine (RFC 6761), whatever DNS says. */
function refuseLocalName(host: string): void {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) throw refused(`${host} is a loopback name; ${ALLOW_HINT}`);
}

function refuseAddresses(host: string, addresses: ResolvedAddress[]): void {
  for (const { address } of addresses) {
    const kind = nonPublicKind(address);
    if (kind === null) continue;
    const article = /^[aeiou]/.test(kind) ? 'an' : 'a';
    const what = host === address ? `${address} is` : `${host} resolves to ${address},`;
    throw refused(`${what} ${article} ${kind} address; ${ALLOW_HINT}`);
  }
}

type Range = readonly [prefix: number[], bits: number, kind: string];

// IPv4 ranges that are not a public unicast host (RFC 6890 and friends).
const V4: Range[] = [
  [[0], 8, 'unspecified'],
  [[10], 8, 'private'],
  [[100, 64], 10, 'shared (carrier-grade NAT)'],
  [[127], 8, 'loopback'],
  [[169, 254], 16, 'link-local'],
  [[172, 16], 12, 'private'],
  [[192, 0, 0], 24, 'IETF reserved'],
  [[192, 0, 2], 24, 'documentation'],
  [[192, 88, 99], 24, 'relay'],
  [[192, 168], 16, 'private'],
  [[198, 18], 15, 'benchmarking'],
  [[198, 51, 100], 24, 'documentation'],
  [[203, 0, 113], 24, 'documentation'],
  [[224], 4, 'multicast'],
  [[240], 4, 'reserved'],
];

// IPv6 ranges, after the forms that embed an IPv4 address were unwrapped.
const V6: Range[] = [
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'discard'],
  [[0x20, 0x01, 0, 0], 32, 'Teredo'],
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'documentation'],
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48, 'local NAT64'],
  [[0xfc], 7, 'private (unique local)'],
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'site-local'],
  [[0xff], 8, 'multicast'],
];

/** Why `ip` is not a public unicast address ("loopback", "private", …), or null if it is one. */
function nonPublicKind(ip: string): string | null {
  const family = isIP(ip);
  if (family === 4) return kindIn(V4, ip.split('.').map(Number));
  if (family !== 6) return 'unparsable';
  const bytes = ipv6Bytes(ip.replace(/%.*$/, ''));
  if (bytes.every((b) => b === 0)) return 'unspecified';
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return 'loopback';
  const v4 = embeddedIpv4(bytes);
  if (v4) return kindIn(V4, v4);
  return kindIn(V6, bytes);
}

/** IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16). */
function embeddedIpv4(b: number[]): number[] | null {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12);
  if (zeros(0, 12)) return b.slice(12);
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return b.slice(12);
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6);
  return null;
}

function kindIn(ranges: Range[], bytes: number[]): string | null {
  for (const [prefix, bits, kind] of ranges) {
    let ok = true;
    for (let i = 0; i < bits && ok; i += 8) {
      const mask = bits - i >= 8 ? 0xff : (0xff << (8 - (bits - i))) & 0xff;
      ok = ((bytes[i / 8] ?? 0) & mask) === ((prefix[i / 8] ?? 0) & mask);
    }
    if (ok) return kind;
  }
  return null;
}

/** 16 bytes of an IPv6 address already validated by `isIP` (with `::` and a trailing dotted quad). */
function ipv6Bytes(ip: string): number[] {
  let text = ip;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return all.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}
