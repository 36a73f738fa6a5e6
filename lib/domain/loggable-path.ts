/**
 * What of a request's address may be written to a log or used as a metric label
 * (docs/decisions/041-health-metrics-and-logs.md). Link and pass tokens sit in paths
 * (/enrol/<token>, /confirm/<token>, /prove/<token>, /report/<token>) and in query strings (a
 * sign-in callback's code, a redeem form's answers), so a raw path or query never reaches a log
 * line, the access log of a proxy in front included: the proxy mirrors TOKEN_BEARING_PREFIXES.
 *
 * - `routePattern(target)`: the app's route pattern (`/cases/[caseId]`), or "other" for any
 *   address that is not one of the console's routes, so a metric label has a bounded set of
 *   values whatever clients send.
 * - `loggablePath(target)`: the route pattern when there is one; otherwise the path with its query
 *   dropped, everything after a token-bearing prefix replaced, and every segment that is not a
 *   plain word replaced, so that a 404 still says roughly what was asked for.
 */

/** Every route of the console (app/, route groups removed); a unit test keeps it in step with app/. */
export const ROUTE_PATTERNS = [
  "/",
  "/.well-known/ssf-configuration",
  "/account",
  "/api/auth/[...nextauth]",
  "/approvals",
  "/audit",
  "/audit/export",
  "/audit/log/checkpoint",
  "/audit/log/consistency",
  "/audit/log/proof",
  "/audit/verification",
  "/cases",
  "/cases/[caseId]",
  "/cases/new",
  "/confirm/[token]",
  "/enrol/[token]",
  "/healthz",
  "/keys",
  "/live",
  "/mailbox",
  "/metrics",
  "/passkeys",
  "/policy",
  "/practice",
  "/practice/[runId]",
  "/practice/scenarios",
  "/practice/scenarios/[key]",
  "/practice/scenarios/new",
  "/practice/team",
  "/prove/[token]",
  "/readyz",
  "/recover-with-code",
  "/redeem",
  "/report/[token]",
  "/reports",
  "/scim/v2/Groups",
  "/scim/v2/Groups/[id]",
  "/scim/v2/ResourceTypes",
  "/scim/v2/Schemas",
  "/scim/v2/ServiceProviderConfig",
  "/scim/v2/Users",
  "/scim/v2/Users/[id]",
  "/settings/rollout",
  "/settings/scim",
  "/settings/webhooks",
  "/sign-in",
  "/signals",
  "/signals/[signalId]",
  "/ssf-receivers",
  "/ssf/jwks",
  "/ssf/poll/[streamId]",
  "/ssf/status",
  "/ssf/streams",
  "/ssf/verify",
  "/users",
  "/users/[userId]",
] as const;

/** Next's own files: one label each, whatever follows. */
const NEXT_PREFIXES = ["/_next/static", "/_next/image", "/_next/webpack-hmr"] as const;
/** The app's metadata files (app/favicon.ico, app/icon.svg). */
export const STATIC_FILES = ["/favicon.ico", "/icon.svg"] as const;

/**
 * The first path segments after which everything is a secret (a link's or pass's token) or an
 * identifier a log need not keep: whatever follows is logged as `[token]`. The proxy in front
 * (nginx's log_format) redacts the same prefixes; the query string is never logged at all.
 */
export const TOKEN_BEARING_PREFIXES = [
  "/enrol/",
  "/confirm/",
  "/prove/",
  "/report/",
  "/ssf/poll/",
] as const;

export const OTHER_ROUTE = "other";

/** The path of a request target (`/a/b?c` or an absolute URL), without query or fragment. */
function pathOf(target: string): string | null {
  let path = target;
  if (!path.startsWith("/")) {
    try {
      path = new URL(path).pathname;
    } catch {
      return null;
    }
  }
  const end = path.search(/[?#]/);
  if (end >= 0) path = path.slice(0, end);
  if (path.length > 1 && path.endsWith("/")) path = path.replace(/\/+$/, "") || "/";
  return path || "/";
}

const SPLIT = ROUTE_PATTERNS.map((pattern) => ({
  pattern,
  segments: pattern === "/" ? [] : pattern.slice(1).split("/"),
}));

function dynamic(segment: string): boolean {
  return segment.startsWith("[") && segment.endsWith("]");
}

/** The route pattern the target's path belongs to, or "other". Static routes win over dynamic ones. */
export function routePattern(target: string): string {
  const path = pathOf(target);
  if (path === null) return OTHER_ROUTE;
  for (const prefix of NEXT_PREFIXES)
    if (path === prefix || path.startsWith(`${prefix}/`)) return prefix;
  if ((STATIC_FILES as readonly string[]).includes(path)) return path;
  const segments = path === "/" ? [] : path.slice(1).split("/");
  if (segments.some((s) => s === "")) return OTHER_ROUTE;
  let best: string | null = null;
  let bestDynamic = Infinity;
  for (const route of SPLIT) {
    const catchAll = route.segments.at(-1)?.startsWith("[...") ?? false;
    const fixed = catchAll ? route.segments.slice(0, -1) : route.segments;
    if (catchAll ? segments.length <= fixed.length : segments.length !== fixed.length) continue;
    let dynamics = catchAll ? 1 : 0;
    let matches = true;
    for (let i = 0; i < fixed.length; i++) {
      if (dynamic(fixed[i]!)) dynamics++;
      else if (fixed[i] !== segments[i]) {
        matches = false;
        break;
      }
    }
    if (matches && dynamics < bestDynamic) {
      best = route.pattern;
      bestDynamic = dynamics;
    }
  }
  return best ?? OTHER_ROUTE;
}

/** A segment kept as it is in an unknown path: a plain word, perhaps with a file extension. */
const PLAIN_SEGMENT = /^[A-Za-z][A-Za-z_-]{0,23}(\.[A-Za-z0-9]{1,5})?$/;
/** The console's own words (`redeem`, `recover-with-code`): kept whatever their length. */
const ROUTE_WORDS = new Set(
  ROUTE_PATTERNS.flatMap((pattern) => pattern.split("/")).filter((s) => s && !s.startsWith("[")),
);
/**
 * A plain word longer than this (letters only, separators left out) is not kept: a pass or a
 * recovery code (16 and more letters and digits, in groups) may be all letters, and someone may
 * paste one into a path (`/redeem/ABCD-EFGH-JKMN-PQRS`).
 */
const MAX_WORD_LETTERS = 10;

function keptSegment(segment: string): boolean {
  if (segment === "" || ROUTE_WORDS.has(segment)) return true;
  if (!PLAIN_SEGMENT.test(segment)) return false;
  const word = segment.replace(/\.[A-Za-z0-9]{1,5}$/, "").replace(/[-_]/g, "");
  return word.length <= MAX_WORD_LETTERS;
}
const MAX_SEGMENTS = 6;

/** The target as a log may show it: never its query, never a token (see the module comment). */
export function loggablePath(target: string): string {
  const pattern = routePattern(target);
  if (pattern !== OTHER_ROUTE) return pattern;
  const path = pathOf(target);
  if (path === null) return "[redacted]";
  for (const prefix of TOKEN_BEARING_PREFIXES)
    if (path.startsWith(prefix)) return `${prefix}[token]`;
  const segments = path.slice(1).split("/");
  const shown = segments
    .slice(0, MAX_SEGMENTS)
    .map((segment) => (keptSegment(segment) ? segment : "[redacted]"));
  return `/${shown.join("/")}${segments.length > MAX_SEGMENTS ? "/…" : ""}`;
}
