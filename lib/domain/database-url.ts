/**
 * The console's database URL, in libpq's syntax (docs/decisions/043-database-failover.md): one
 * host as always, or a list of hosts the console tries in order until one takes writes, e.g.
 *
 *   postgresql://console_app:pw@db1:5432,db2:5432/console?target_session_attrs=read-write
 *   postgresql://console_app:pw@/console?host=db1,db2&port=5432,5433&target_session_attrs=primary
 *
 * node-postgres reads single-host URLs only, so this turns the URL into one single-host URL per
 * host (the connect function, lib/pg-connect.ts, hands each to node-postgres in turn) and says
 * what the host must be to be kept. Pure: no connections here.
 */

export type TargetSessionAttrs = "any" | "read-write" | "primary";

export type DatabaseHost = { host: string; port: number };

export type DatabaseTargets = {
  hosts: DatabaseHost[];
  /** One node-postgres URL per host, in the URL's order (target_session_attrs, host, port left out). */
  urls: string[];
  /** "read-write" / "primary": a host in recovery (a standby) or read-only is passed over. */
  targetSessionAttrs: TargetSessionAttrs;
  /** libpq's connect_timeout, in seconds (null: not set). node-postgres itself ignores it. */
  connectTimeoutSeconds: number | null;
};

export class DatabaseUrlError extends Error {}

const DEFAULT_PORT = 5432;
/** What the console can work with: it writes, so a standby is never what it wants. */
const ACCEPTED_ATTRS = new Set<string>(["any", "read-write", "primary"]);
const URL_SHAPE = /^(postgres(?:ql)?):\/\/([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?(?:#.*)?$/i;

/** Whether the URL uses the host-list syntax (a comma among the hosts, ?host= or target_session_attrs). */
export function isHostListSyntax(url: string): boolean {
  return /^postgres(ql)?:\/\/[^/?#]*,/i.test(url) || /[?&](host|target_session_attrs)=/i.test(url);
}

/**
 * What is wrong with a DATABASE_URL's form, or null: a host list must parse here; any other URL
 * must be a postgresql:// URL, as before.
 */
export function databaseUrlShapeProblem(url: string): string | null {
  if (isHostListSyntax(url)) {
    try {
      parseDatabaseUrl(url);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
  try {
    const parsed = new URL(url);
    return /^postgres(ql)?:$/.test(parsed.protocol) ? null : "it is not a postgresql:// URL";
  } catch {
    return "it is not a URL";
  }
}

/** The first host's node-postgres URL of a host list; any other URL as it is. */
export function firstHostUrl(url: string): string {
  if (!isHostListSyntax(url)) return url;
  try {
    return parseDatabaseUrl(url).urls[0]!;
  } catch {
    return url;
  }
}

/** True when the URL names more than one host (the form node-postgres cannot read by itself). */
export function isMultiHostUrl(url: string): boolean {
  try {
    return parseDatabaseUrl(url).hosts.length > 1;
  } catch {
    return false;
  }
}

export function parseDatabaseUrl(url: string): DatabaseTargets {
  const match = URL_SHAPE.exec(url.trim());
  if (!match) throw new DatabaseUrlError("it is not a postgresql:// URL");
  const [, scheme, authority = "", pathname = "", query = ""] = match;
  const at = authority.lastIndexOf("@");
  const userinfo = at >= 0 ? authority.slice(0, at) : null;
  const hostPart = at >= 0 ? authority.slice(at + 1) : authority;

  const params: [string, string][] = [];
  for (const pair of query.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const name = decode(eq >= 0 ? pair.slice(0, eq) : pair);
    params.push([name, eq >= 0 ? pair.slice(eq + 1) : ""]);
  }
  const param = (name: string) => {
    const found = params.filter(([key]) => key === name);
    return found.length > 0 ? decode(found[found.length - 1]![1]) : null;
  };
  if (param("hostaddr") !== null)
    throw new DatabaseUrlError("hostaddr is not supported: name the hosts in the host list");

  const attrs = (param("target_session_attrs") ?? "any").toLowerCase();
  if (!ACCEPTED_ATTRS.has(attrs))
    throw new DatabaseUrlError(
      "target_session_attrs must be read-write or primary (or left out for one host): the console writes",
    );

  const hostParam = param("host");
  const portParam = param("port");
  let hosts: DatabaseHost[];
  if (hostParam !== null) {
    if (hostPart !== "")
      throw new DatabaseUrlError("name the hosts either before the path or in ?host=, not both");
    const names = hostParam.split(",");
    const ports = portParam === null ? [] : portParam.split(",");
    if (ports.length > 1 && ports.length !== names.length)
      throw new DatabaseUrlError(
        `${names.length} hosts but ${ports.length} ports: give one port for all, or one per host`,
      );
    hosts = names.map((name, i) => ({
      host: name.trim(),
      port: portNumber(ports.length > 1 ? ports[i]! : ports[0]),
    }));
  } else {
    const entries = hostPart.split(",");
    hosts = entries.map((entry) => hostEntry(entry, portParam));
  }
  if (hosts.length > 1 && hosts.some((h) => h.host === ""))
    throw new DatabaseUrlError("every host in a host list needs a name");
  if (hosts.length > 1 && attrs === "any")
    throw new DatabaseUrlError(
      "a host list needs target_session_attrs=read-write (or primary), so the console keeps the primary only",
    );

  const kept = params.filter(([name]) => !["host", "port", "target_session_attrs"].includes(name));
  const urls = hosts.map((host) => {
    const extra = [...kept];
    let authorityHost: string;
    if (host.host.startsWith("/")) {
      // A Unix socket directory is a query parameter in node-postgres's URLs.
      authorityHost = "";
      extra.push(["host", encodeURIComponent(host.host)]);
      extra.push(["port", String(host.port)]);
    } else {
      const name = host.host.includes(":") ? `[${host.host}]` : host.host;
      authorityHost = name === "" ? "" : `${name}:${host.port}`;
    }
    const search = extra.map(([name, value]) => `${encodeURIComponent(name)}=${value}`).join("&");
    return `${scheme}://${userinfo !== null ? `${userinfo}@` : ""}${authorityHost}${pathname}${search ? `?${search}` : ""}`;
  });
  const timeout = param("connect_timeout");
  const connectTimeoutSeconds =
    timeout === null || !/^\d+$/.test(timeout.trim()) || Number(timeout) <= 0
      ? null
      : Math.max(2, Number(timeout));
  return {
    hosts,
    urls,
    targetSessionAttrs: attrs as TargetSessionAttrs,
    connectTimeoutSeconds,
  };
}

/**
 * The order to try the hosts in: the one that last took writes first (a failover does not make
 * every new connection knock on the dead host first), then the others in the URL's order.
 */
export function connectionOrder(hostCount: number, lastGood: number | null): number[] {
  const order = Array.from({ length: hostCount }, (_, i) => i);
  if (lastGood === null || lastGood < 0 || lastGood >= hostCount) return order;
  return [lastGood, ...order.filter((i) => i !== lastGood)];
}

/** Whether a server that answered these may be kept for the wanted session. */
export function acceptsSession(
  wanted: TargetSessionAttrs,
  server: { inRecovery: boolean; readOnly: boolean },
): boolean {
  if (wanted === "any") return true;
  if (wanted === "primary") return !server.inRecovery;
  return !server.inRecovery && !server.readOnly;
}

/** The hosts for messages (no user, no password). */
export function describeHosts(hosts: DatabaseHost[]): string {
  return hosts.map((h) => (h.host.includes(":") ? `[${h.host}]` : h.host) + `:${h.port}`).join(",");
}

/**
 * Refusals never quote a piece of the URL: an unencoded "/", "?" or "#" in the password cuts the
 * host part short, and the piece that then looks like a port is the password's start.
 */
const ENCODE_HINT = " (a password with /, ?, # or @ must be percent-encoded)";

function hostEntry(entry: string, portParam: string | null): DatabaseHost {
  const fallbackPort = portParam === null ? undefined : portParam.split(",")[0];
  if (entry.startsWith("[")) {
    const close = entry.indexOf("]");
    if (close < 0) throw new DatabaseUrlError(`a bracketed host has no closing ]${ENCODE_HINT}`);
    const rest = entry.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":"))
      throw new DatabaseUrlError(`a bracketed host is not [address]:port${ENCODE_HINT}`);
    return {
      host: entry.slice(1, close),
      port: portNumber(rest === "" ? fallbackPort : rest.slice(1)),
    };
  }
  const colon = entry.lastIndexOf(":");
  if (colon < 0) return { host: decode(entry), port: portNumber(fallbackPort) };
  return { host: decode(entry.slice(0, colon)), port: portNumber(entry.slice(colon + 1)) };
}

function portNumber(text: string | undefined): number {
  if (text === undefined || text.trim() === "") return DEFAULT_PORT;
  const port = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || port < 1 || port > 65_535)
    throw new DatabaseUrlError(`a port is not a number from 1 to 65535${ENCODE_HINT}`);
  return port;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    throw new DatabaseUrlError("a part of the URL is not percent-encoded properly");
  }
}
