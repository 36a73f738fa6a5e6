/**
 * Who is calling, as the server's edge decides it (scripts/lib/edge.ts, docs/decisions/014-the-edge.md):
 * from the TCP connection, never from what a client says about itself
 * (docs/security-requirements.md G7).
 *
 * With no trusted proxy in front (`TRUSTED_PROXY_HOPS=0`, the default) the client address is the
 * socket's, and X-Forwarded-For, X-Forwarded-Host and X-Forwarded-Proto count for nothing: any
 * client can send them. With N trusted proxies, each appends the address it saw to
 * X-Forwarded-For, so the N-th entry from the right is the one the outermost trusted proxy saw;
 * whatever is left of it came from the client (or from proxies we do not trust) and is ignored.
 * Fewer than N entries means the request did not pass through them all: the socket's address.
 * An entry that is not an IP address (a misconfigured proxy) also falls back to the socket's.
 * Host and protocol are taken from the nearest proxy (the rightmost value), which sets them.
 */

export type Forwarding = {
  /** The client's IP address, or null when not even the socket has one (a closed connection). */
  clientAddress: string | null;
  /** The public host as the trusted proxy reports it, or null (not trusted, or not a host). */
  host: string | null;
  /** The public protocol as the trusted proxy reports it, or null. */
  proto: "http" | "https" | null;
};

export type ForwardingInput = {
  socketAddress: string | undefined;
  forwardedFor: string | undefined;
  forwardedHost: string | undefined;
  forwardedProto: string | undefined;
  /** TRUSTED_PROXY_HOPS: how many proxies in front of the console append to X-Forwarded-For. */
  hops: number;
};

export const MAX_TRUSTED_PROXY_HOPS = 10;

export function resolveForwarding(input: ForwardingInput): Forwarding {
  const socket = input.socketAddress ? ipAddress(input.socketAddress) : null;
  if (input.hops <= 0) return { clientAddress: socket, host: null, proto: null };
  const entries = listEntries(input.forwardedFor);
  const seen = entries.length >= input.hops ? entries[entries.length - input.hops] : undefined;
  const fromProxy = seen === undefined ? null : ipAddress(seen);
  const host = listEntries(input.forwardedHost).at(-1);
  const proto = listEntries(input.forwardedProto).at(-1)?.toLowerCase();
  return {
    clientAddress: fromProxy ?? socket,
    host: host !== undefined && HOST.test(host) ? host.toLowerCase() : null,
    proto: proto === "http" || proto === "https" ? proto : null,
  };
}

/** The comma-separated entries of a list header, trimmed; none for a missing or blank header. */
function listEntries(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/**
 * The address in an X-Forwarded-For entry or a socket's remoteAddress, or null if it is not one:
 * IPv4 ("203.0.113.7", optionally with ":port"), IPv6 ("2001:db8::1", optionally "[…]:port"),
 * IPv4-mapped IPv6 as Node reports it ("::ffff:127.0.0.1"). Zone ids are not accepted.
 */
export function ipAddress(entry: string): string | null {
  const value = entry.trim();
  if (value.length === 0 || value.length > 64) return null;
  const v4 = /^([0-9.]+)(?::\d{1,5})?$/.exec(value);
  if (v4) return IPV4.test(v4[1]!) ? v4[1]! : null;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  const v6 = bracketed ? bracketed[1]! : value;
  return isIpv6(v6) ? v6.toLowerCase() : null;
}

/** True for a valid IPv6 address (the WHATWG URL parser checks the syntax). */
export function isIpv6(value: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(value) || !value.includes(":")) return false;
  try {
    new URL(`http://[${value}]/`);
    return true;
  } catch {
    return false;
  }
}

/** True for a single IPv4 or IPv6 address with nothing around it (what the edge hands the app). */
export function isIpAddress(value: string): boolean {
  return IPV4.test(value) || isIpv6(value);
}
