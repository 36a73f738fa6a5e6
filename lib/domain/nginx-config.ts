/**
 * The nginx configuration in front of several console instances (docs/decisions/042), from ONE
 * source: the browser tests' cluster (scripts/lib/cluster.ts) and the example operators start
 * from (deploy/nginx.conf, written by `npm run nginx:example`) are both this function's output.
 *
 * - Round robin over the instances (no stickiness: nothing lives in an instance's memory), with
 *   `$proxy_add_x_forwarded_for`, so the console trusts one more hop than the clients' own proxies.
 * - Server-sent events (/live) unbuffered, read timeout well above the stream's heartbeat.
 * - The console's edge (scripts/lib/edge.ts) stays the one to refuse what is too large or too long,
 *   with its own message and security headers: nginx's limits sit above the edge's. What nginx
 *   still answers itself (a path it cannot parse, an instance down) carries nosniff and a
 *   content security policy of its own; answers from an instance keep theirs, untouched.
 * - An access log that never records a link token: the path is logged through a `map` that
 *   redacts the token-bearing routes and drops the query string; `$request`, `$request_uri`,
 *   `$args` and the Referer (which carries the page's own URL) are never logged.
 */
import { BODY_LIMIT_BYTES } from "./edge-rules";
import { ROUTE_PATTERNS } from "./loggable-path";

/** Routes whose path carries a secret, as case-insensitive regexes over the raw request path. */
export const TOKEN_PATH_RULES: readonly { pattern: string; logged: string }[] = [
  // app/(public): a link's token is the last segment (confirm, enrol, prove, report).
  { pattern: "/(confirm|enrol|prove|report)(/|$)", logged: "/$1/[redacted]" },
  // app/ssf: a poll stream's id is the receiver's capability to read its events.
  { pattern: "/ssf/poll(/|$)", logged: "/ssf/poll/[redacted]" },
];

/**
 * The console's routes as nginx `map` rules: a request for a route is logged as the route's
 * PATTERN (`/cases/[caseId]`), as the console's own log does (lib/domain/loggable-path.ts), and
 * anything else as "[other path]". So nothing a client typed into a path reaches the access log:
 * not a link token under an unexpected spelling, nor a pass or recovery code pasted after
 * `/redeem/`. Static routes first, so `/cases/new` is not taken for `/cases/[caseId]`.
 */
export function routeLogRules(): { regex: string; logged: string }[] {
  const toRegex = (pattern: string) =>
    pattern
      .split("/")
      .map((segment) =>
        segment.startsWith("[...")
          ? "[^?]*"
          : segment.startsWith("[")
            ? "[^/?]+"
            : segment.replace(/[.]/g, "[.]"),
      )
      .join("/");
  const ordered = [...ROUTE_PATTERNS].sort(
    (a, b) => Number(a.includes("[")) - Number(b.includes("[")),
  );
  return ordered.map((pattern) => ({
    // Character classes, not backslashes: nginx reads a backslash in a quoted string itself.
    regex: `~^${pattern === "/" ? "/" : toRegex(pattern)}([?]|$)`,
    logged: pattern,
  }));
}

/** nginx's own body limit, in MB: well above the edge's, so that the edge answers (413). */
export const NGINX_BODY_LIMIT_MB = Math.ceil((4 * BODY_LIMIT_BYTES) / (1024 * 1024));

/** The read timeout for proxied requests: above the live stream's 20 s heartbeat with room. */
export const PROXY_READ_TIMEOUT_SECONDS = 75;

/**
 * How long nginx keeps an idle connection to an instance for reuse, and how long an instance
 * keeps one open (scripts/server.ts). The instance must wait longer: otherwise it may close an
 * idle connection at the moment nginx sends a request on it, and nginx, which never sends a POST
 * again, answers 502 for a decision that never reached the console (seen in CI, once in 84 tests:
 * Node's default is 5 s, nginx's 60 s).
 */
export const UPSTREAM_KEEPALIVE_SECONDS = 30;
export const INSTANCE_KEEPALIVE_SECONDS = UPSTREAM_KEEPALIVE_SECONDS + 35;

export type NginxConfigInput = {
  listen: { host: string; port: number };
  instances: readonly { host: string; port: number }[];
  /** Where nginx writes its pid, logs and temporary files. */
  paths: { pid: string; errorLog: string; accessLog: string; temp: string };
  /** Foreground (tests) or a daemon (the operator's choice; systemd usually runs it). */
  daemon?: boolean;
};

function quoted(value: string): string {
  if (/["\\\n;{}]/.test(value))
    throw new Error(`cannot put ${JSON.stringify(value)} in nginx.conf`);
  return `"${value}"`;
}

function address(host: string, port: number): string {
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) throw new Error(`bad host ${JSON.stringify(host)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port ${port}`);
  return `${host}:${port}`;
}

export function nginxConfig(input: NginxConfigInput): string {
  if (input.instances.length === 0) throw new Error("nginx needs at least one console instance");
  const temp = (name: string) => quoted(`${input.paths.temp}/${name}`);
  const rules = TOKEN_PATH_RULES.map(
    (rule) => `    ${quoted(`~*^[^?]*${rule.pattern}`)} ${quoted(rule.logged)};`,
  );
  return `# The console's load balancer (docs/decisions/042-several-instances.md).
# Generated from lib/domain/nginx-config.ts: change that, not this file.
${input.daemon === false ? "daemon off;\n" : ""}worker_processes 1;
pid ${quoted(input.paths.pid)};
# At "crit": nginx's "error" lines quote the request line, and with it a link's token.
error_log ${quoted(input.paths.errorLog)} crit;

events {
  worker_connections 1024;
}

http {
  client_body_temp_path ${temp("client_body")};
  proxy_temp_path ${temp("proxy")};
  fastcgi_temp_path ${temp("fastcgi")};
  uwsgi_temp_path ${temp("uwsgi")};
  scgi_temp_path ${temp("scgi")};
  server_tokens off;
  client_max_body_size ${NGINX_BODY_LIMIT_MB}m;
  # A body is read whole, in memory, before it goes to an instance (proxy_request_buffering on):
  # an instance that refuses a body early (the edge's 413) would otherwise close on nginx while
  # the client is still sending, and the client sees its connection reset instead of the answer.
  client_body_buffer_size ${NGINX_BODY_LIMIT_MB}m;
  # A request line and headers up to 32 kB reach the edge, which refuses what it finds too long.
  large_client_header_buffers 4 32k;
  # An instance's answer may echo the request in its headers (a redirect to sign-in keeps the
  # path asked for): its headers get as much room as the request's, or nginx answers 502.
  proxy_buffer_size 32k;
  proxy_buffers 8 32k;
  proxy_busy_buffers_size 64k;

  # Security headers on what nginx answers itself only (no instance answered): an instance's
  # answer has its own, and a second Content-Security-Policy header would narrow the page's.
  map $upstream_status $console_lb_nosniff {
    "" "nosniff";
    default "";
  }
  map $upstream_status $console_lb_csp {
    "" "default-src 'none'; frame-ancestors 'none'";
    default "";
  }

  # The path as logged: token-bearing routes redacted, a percent-encoded path not trusted to
  # say what it is, the query string never kept.
  map $request_uri $console_logged_path {
    default "[unparsed]";
${rules.join("\n")}
    "~^[^?]*%" "[encoded path]";
${routeLogRules()
  .map((rule) => `    ${quoted(rule.regex)} ${quoted(rule.logged)};`)
  .join("\n")}
    "~^/_next/" "/_next/[asset]";
    "~^/" "[other path]";
  }

  log_format console_access '$remote_addr [$time_iso8601] "$request_method $console_logged_path" '
                            '$status $body_bytes_sent $request_time upstream=$upstream_addr';
  access_log ${quoted(input.paths.accessLog)} console_access;

  upstream console {
${input.instances.map((instance) => `    server ${address(instance.host, instance.port)} max_fails=1 fail_timeout=5s;`).join("\n")}
    keepalive 16;
    keepalive_timeout ${UPSTREAM_KEEPALIVE_SECONDS}s;
  }

  server {
    listen ${address(input.listen.host, input.listen.port)};
    add_header X-Content-Type-Options $console_lb_nosniff always;
    add_header Content-Security-Policy $console_lb_csp always;

    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_read_timeout ${PROXY_READ_TIMEOUT_SECONDS}s;
    # A body is read whole (in memory, client_body_buffer_size) before it is sent on; answers go
    # at the client's pace: nothing is written to nginx's temporary files (an export is large).
    proxy_request_buffering on;
    proxy_max_temp_file_size 0;
    # A request whose instance is down is tried on the next one; a POST that reached an
    # instance is never sent again (nginx retries no non-idempotent request by default).
    proxy_next_upstream error timeout;

    location / {
      proxy_pass http://console;
    }

    # Live updates (server-sent events): each event as it is written.
    location = /live {
      proxy_pass http://console;
      proxy_buffering off;
      proxy_cache off;
    }
  }
}
`;
}

/** The example deploy/nginx.conf: two instances on this host, logs where Debian keeps them. */
export const EXAMPLE_NGINX_INPUT: NginxConfigInput = {
  listen: { host: "0.0.0.0", port: 8080 },
  instances: [
    { host: "127.0.0.1", port: 3001 },
    { host: "127.0.0.1", port: 3002 },
  ],
  paths: {
    pid: "/run/nginx-console.pid",
    errorLog: "/var/log/nginx/console-error.log",
    accessLog: "/var/log/nginx/console-access.log",
    temp: "/var/lib/nginx/console",
  },
};
