import "server-only";
/**
 * The HTTP client for Shared Signals push endpoints (docs/decisions/034). A receiver is an outside
 * application that names its own endpoint, so the console must not become its window into the
 * console's network: connections to loopback, private, link-local, carrier-grade NAT and other
 * non-public addresses are refused at connection time, after DNS resolution (a name that
 * resolves to an internal address, or re-resolves to one later, is caught where it connects),
 * and for addresses written as IP literals. Development and the tests run their receivers on
 * this machine: SSF_PRIVATE_ENDPOINTS=allow lets them through.
 *
 * undici's fetch with an Agent whose connector checks every address it is given.
 */
import dns from "node:dns";
import net from "node:net";
import { Agent, fetch as undiciFetch } from "undici";

const NOT_PUBLIC = new net.BlockList();
for (const [address, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const)
  NOT_PUBLIC.addSubnet(address, prefix, "ipv4");
for (const [address, prefix] of [
  ["::", 127],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  NOT_PUBLIC.addSubnet(address, prefix, "ipv6");

/** Whether an IP address is one a receiver's endpoint must not reach. */
export function isNonPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    // An IPv4 address written as IPv6 (::ffff:127.0.0.1) is judged as the IPv4 one.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return NOT_PUBLIC.check(mapped[1]!, "ipv4");
    return NOT_PUBLIC.check(address, "ipv6");
  }
  return NOT_PUBLIC.check(address, "ipv4");
}

export class NonPublicEndpoint extends Error {
  constructor() {
    super("the endpoint is not on a public address");
  }
}

function privateEndpointsAllowed(): boolean {
  return process.env.SSF_PRIVATE_ENDPOINTS === "allow";
}

const guardedLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 0);
    const list = addresses as dns.LookupAddress[];
    if (list.length === 0 || list.some((entry) => isNonPublicAddress(entry.address)))
      return callback(new NonPublicEndpoint(), "", 0);
    if (options.all)
      return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

const cache = globalThis as unknown as { ssfReceiverAgent?: Agent };

/** fetch for receivers' endpoints: the same as fetch, but never to a non-public address. */
export const receiverFetch: typeof fetch = async (input, init) => {
  if (privateEndpointsAllowed()) return fetch(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (net.isIP(host) !== 0 && isNonPublicAddress(host)) throw new NonPublicEndpoint();
  cache.ssfReceiverAgent ??= new Agent({ connect: { lookup: guardedLookup } });
  const response = await undiciFetch(url, {
    ...(init as Parameters<typeof undiciFetch>[1]),
    dispatcher: cache.ssfReceiverAgent,
  });
  return response as unknown as Response;
};
