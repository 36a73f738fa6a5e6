/**
 * Issue 16 review ("runs as a service"): attacks on health, metrics, logs (decision 041) and on
 * database failover (decision 043). Each `it` is one attack asserting the SAFE behaviour: an
 * attack that held passes, a hole fails (and is left failing, listed in the review report).
 */
import { connect, type AddressInfo } from "node:net";
import { createServer } from "node:http";
import { describe, expect, it, vi } from "vitest";
import { createEdge } from "../../scripts/lib/edge";
import { GET as metricsGET } from "@/app/metrics/route";
import { GET as readyzGET } from "@/app/readyz/route";
import { GET as healthzGET } from "@/app/healthz/route";
import {
  OTHER_ROUTE,
  ROUTE_PATTERNS,
  STATIC_FILES,
  loggablePath,
  routePattern,
} from "@/lib/domain/loggable-path";
import { isSafeRequestId, requestIdFrom } from "@/lib/domain/request-id";
import {
  databaseUrlShapeProblem,
  parseDatabaseUrl,
  connectionOrder,
  describeHosts,
} from "@/lib/domain/database-url";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "@/lib/domain/database-unavailable";
import { DomainError } from "@/lib/domain/errors";
import { metricsTokenMatches } from "@/lib/server/metrics-token";
import { methodLabel, refusalLabel, statusClass } from "@/lib/server/metrics";
import { createLogger, withRequestScope } from "@/lib/server/log";
import { findPrimary } from "@/lib/pg-connect";
import { forgetReadiness } from "@/lib/server/readiness";
import { issueTap } from "@/lib/server/issue-tap";
import { db } from "@/tests/db";
import { verifiedStandardCase } from "@/tests/recovery";

const TOKEN = vi.hoisted(() => {
  const token = "issue16-review-metrics-token-0123456789abcdef";
  process.env.METRICS_TOKEN = token;
  return token;
});

/** A link token shaped like the console's (32 random bytes, base64url). */
const LINK_TOKEN = "q3Zx9_Kd-0aLmPz7TnYvB4cWeR2uJhGs5fXo1iDk8Nw";

function bufferLogger() {
  const lines: string[] = [];
  const logger = createLogger({
    level: "info",
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { lines, logger };
}

describe("metric labels have a bounded set of values", () => {
  it("routePattern maps random paths, methods and statuses only onto known labels", () => {
    const allowed = new Set<string>([
      ...ROUTE_PATTERNS,
      ...STATIC_FILES,
      OTHER_ROUTE,
      "/_next/static",
      "/_next/image",
      "/_next/webpack-hmr",
    ]);
    const junk = [
      "/enrol/abc/def/ghi",
      "/cases/x/y",
      "//cases",
      "/cases//x",
      "/CASES",
      "/cases/%2e%2e/users",
      "/../../etc/passwd",
      "/api/auth/callback/oidc/extra/more",
      "http://evil.example/anything?x=1",
      "*",
      "",
      "/" + "a".repeat(5000),
      ...Array.from({ length: 200 }, (_, i) => `/random-${i}-${Math.random()}`),
    ];
    for (const target of junk) expect(allowed.has(routePattern(target)), target).toBe(true);
    for (const m of ["GET", "get", "PROPFIND", "X".repeat(100), undefined])
      expect(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"]).toContain(
        methodLabel(m),
      );
    const statuses = new Set(
      [0, 99, 100, 199, 200, 302, 404, 499, 500, 599, 600, 1000, -1].map(statusClass),
    );
    expect(statuses.size).toBeLessThanOrEqual(6);
  });

  it("refusalLabel turns an arbitrary lower-case or long string into 'other'", () => {
    for (const code of ["unknown", "x".repeat(100), "A".repeat(41), "NOT A CODE", "a_b"])
      expect(refusalLabel(code)).toBe("other");
  });
});

describe("no token or pass code reaches a log line or a label", () => {
  const variants = (token: string) => [
    `/enrol/${token}`,
    `/enrol/${token}/`,
    `/enrol/${token}/extra/segments`,
    `/enrol/${token}?x=1`,
    `/enrol/${token}#frag`,
    `//enrol/${token}`,
    `/enrol//${token}`,
    `/Enrol/${token}`,
    `/ENROL/${token}`,
    `/%65nrol/${token}`,
    `/enrol%2F${token}`,
    `/enrol/${encodeURIComponent(token)}`,
    `/x/../enrol/${token}`,
    `/enrol/./${token}`,
    `/enrol;${token}`,
    `http://localhost:3000/enrol/${token}`,
    `http://user:pw@localhost:3000/confirm/${token}`,
    `/confirm/${token}`,
    `/prove/${token}`,
    `/report/${token}`,
    `/ssf/poll/${token}`,
    `/redeem?code=${token}`,
    `/recover-with-code?code=${token}`,
    `/api/auth/callback/oidc?code=${token}&state=${token}`,
    `/api/auth/callback/oidc/${token}`,
    `/scim/v2/Users?access_token=${token}`,
    `/ssf/streams?token=${token}`,
  ];

  it("loggablePath and routePattern never show a link token, whatever the encoding", () => {
    for (const target of variants(LINK_TOKEN)) {
      expect(loggablePath(target), target).not.toContain(LINK_TOKEN.slice(0, 12));
      expect(routePattern(target), target).not.toContain(LINK_TOKEN.slice(0, 12));
    }
  });

  it("a temporary access pass / recovery code typed into a path is not logged (letters-only code)", () => {
    // 16 Crockford base32 characters in groups of four; about 1 code in 400 has no digit at all,
    // and then it matches PLAIN_SEGMENT (a letter, then letters and dashes, up to 24).
    const code = "ABCD-EFGH-JKMN-PQRS";
    for (const target of [
      `/redeem/${code}`,
      `/recover-with-code/${code}`,
      `/redeem/${code.toLowerCase()}`,
      `/${code}`,
      `/sign-in/${code.replace(/-/g, "")}`,
    ])
      expect(loggablePath(target), target).not.toMatch(/ABCD|abcd/);
  });

  it("a log line keeps a path's secret out even when someone logs the raw URL in an object field", () => {
    const { lines, logger } = bufferLogger();
    logger.info(
      {
        headers: {
          authorization: `Bearer ${TOKEN}`,
          cookie: `authjs.session-token=${LINK_TOKEN}`,
        },
        req: { headers: { authorization: `Bearer ${TOKEN}`, cookie: `s=${LINK_TOKEN}` } },
        token: LINK_TOKEN,
        password: "hunter2hunter2",
      },
      "something",
    );
    const text = lines.join("");
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(LINK_TOKEN);
    expect(text).not.toContain("hunter2hunter2");
  });

  it("headers with a capitalised name (Authorization, Cookie) are redacted too", () => {
    const { lines, logger } = bufferLogger();
    logger.info({ headers: { Authorization: `Bearer ${TOKEN}`, Cookie: `s=${LINK_TOKEN}` } }, "x");
    const text = lines.join("");
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(LINK_TOKEN);
  });

  it("every line logged inside a request scope carries the request id, and a forged id is replaced", () => {
    const { lines, logger } = bufferLogger();
    const forged = 'abc"}\n{"level":"info","msg":"forged line","requestId":"x';
    const id = requestIdFrom(forged, () => "fresh-uuid-0000");
    expect(id).toBe("fresh-uuid-0000");
    for (const bad of [
      "short",
      "a".repeat(65),
      "abcdefgh\r\nX: y",
      "abcdefgh ijk",
      "abcdéfghij",
      '{"a":1}xxxxx',
    ])
      expect(isSafeRequestId(bad), bad).toBe(false);
    withRequestScope({ requestId: id }, () => {
      logger.info("one");
      logger.warn({ reason: "with\nnewline" }, "two");
    });
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.trim().split("\n")).toHaveLength(1);
      expect(JSON.parse(line).requestId).toBe(id);
    }
  });
});

describe("GET /metrics without the token", () => {
  const call = (headers: Record<string, string> = {}) =>
    metricsGET(new Request("http://localhost:3000/metrics", { headers }));

  it("answers 401 to every near miss of the token and its scheme", async () => {
    for (const authorization of [
      "",
      " ",
      "Bearer",
      "Bearer ",
      "Bearer  " + TOKEN.slice(1),
      `Bearer ${TOKEN.toUpperCase()}`,
      `Bearer ${TOKEN.slice(0, 32)}`,
      `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}`,
      `Token ${TOKEN}`,
      `Bearer ${TOKEN}, Bearer ${TOKEN}`,
      `Bearer x, Bearer ${TOKEN}`,
      `Bearer\t${TOKEN}x`,
    ]) {
      const response = await call({ authorization });
      expect(response.status, JSON.stringify(authorization)).toBe(401);
      expect(await response.text()).not.toContain("console_");
    }
    for (const headers of [
      { "x-metrics-token": TOKEN } as Record<string, string>,
      { cookie: `metrics=${TOKEN}` } as Record<string, string>,
      { "proxy-authorization": `Bearer ${TOKEN}` } as Record<string, string>,
    ]) {
      const response = await call(headers);
      expect(response.status).toBe(401);
    }
  });

  it("a token in the query string does not open /metrics", async () => {
    const response = await metricsGET(
      new Request(`http://localhost:3000/metrics?token=${TOKEN}&access_token=${TOKEN}`),
    );
    expect(response.status).toBe(401);
  });

  it("metricsTokenMatches refuses an empty configured token whatever is sent", () => {
    for (const sent of [null, "", "Bearer ", "Bearer"])
      expect(metricsTokenMatches(sent, "")).toBe(false);
    expect(metricsTokenMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true); // the scheme is case-insensitive (RFC 9110)
  });
});

describe("/readyz and /healthz tell an unauthenticated caller nothing", () => {
  it("/readyz answers only {status} and /healthz only ok", async () => {
    forgetReadiness();
    const ready = await readyzGET(new Request("http://localhost:3000/readyz"));
    expect(Object.keys(JSON.parse(await ready.text()))).toEqual(["status"]);
    expect(ready.headers.get("cache-control")).toBe("no-store");
    const health = await healthzGET(new Request("http://localhost:3000/healthz?verbose=1"));
    expect(await health.text()).toBe("ok\n");
  });

  it("a burst of /readyz probes is answered from the cache (no database load per probe)", async () => {
    forgetReadiness();
    await readyzGET(new Request("http://localhost:3000/readyz"));
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => readyzGET(new Request("http://localhost:3000/readyz"))),
    );
    const elapsed = performance.now() - started;
    expect(new Set(responses.map((r) => r.status)).size).toBe(1);
    // 200 uncached checks (several queries each) would take far longer than this.
    expect(elapsed).toBeLessThan(1500);
  });
});

describe("DATABASE_URL host lists", () => {
  it("a start-up refusal of a malformed host list never quotes a piece of the password", () => {
    // The password has an unencoded "/" (or "#"): the authority ends inside it, so the "host" is
    // user:start-of-password and its "port" is the start of the password.
    for (const url of [
      "postgresql://console_app:s3cr/etPW@db1:5432,db2:5432/console?target_session_attrs=read-write",
      "postgresql://console_app:s3cr#etPW@db1:5432,db2:5432/console?target_session_attrs=read-write",
      "postgresql://console_app:s3cr?etPW@db1:5432,db2:5432/console?target_session_attrs=read-write",
    ]) {
      const problem = databaseUrlShapeProblem(url) ?? "";
      expect(problem, url).not.toContain("s3cr");
      expect(problem, url).not.toContain("etPW");
    }
  });

  it("a password with encoded special characters survives and stays out of describeHosts", () => {
    const password = encodeURIComponent("p@ss,w:rd/#?&=%");
    const targets = parseDatabaseUrl(
      `postgresql://console_app:${password}@db1:5432,[::1]:5433,db3/console?target_session_attrs=read-write&sslmode=disable`,
    );
    expect(targets.hosts).toEqual([
      { host: "db1", port: 5432 },
      { host: "::1", port: 5433 },
      { host: "db3", port: 5432 },
    ]);
    for (const url of targets.urls) expect(url).toContain(`console_app:${password}@`);
    expect(describeHosts(targets.hosts)).not.toMatch(/console_app|p%40ss/);
  });

  it("refuses a host list that would accept a standby or mismatch hosts and ports", () => {
    for (const url of [
      "postgresql://u:p@db1,db2/console",
      "postgresql://u:p@db1,db2/console?target_session_attrs=any",
      "postgresql://u:p@db1,db2/console?target_session_attrs=read-only",
      "postgresql://u:p@db1,db2/console?target_session_attrs=standby",
      "postgresql://u:p@db1,db2/console?target_session_attrs=prefer-standby",
      "postgresql://u:p@/console?host=db1,db2,db3&port=1,2&target_session_attrs=read-write",
      "postgresql://u:p@db1,,db2/console?target_session_attrs=read-write",
      "postgresql://u:p@db1:99999,db2/console?target_session_attrs=read-write",
      "postgresql://u:p@db1,db2/console?target_session_attrs=read-write&target_session_attrs=any",
    ])
      expect(databaseUrlShapeProblem(url), url).not.toBeNull();
  });

  it("a failed probe's NoPrimaryError names hosts but never the user's password", async () => {
    const url =
      "postgresql://console_app:VerySecretPw%21@127.0.0.1:54461,127.0.0.1:54462/console?target_session_attrs=read-write&connect_timeout=2";
    const error = await findPrimary(url).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/no primary among/);
    expect(JSON.stringify({ m: (error as Error).message, s: (error as Error).stack })).not.toMatch(
      /VerySecretPw/,
    );
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("a restarted process tries the URL's first host first (split brain is left to fencing)", () => {
    // Decision 043 leaves fencing to the operator: with two hosts both answering
    // pg_is_in_recovery() = false, a fresh process takes the first listed, a running one keeps
    // the one that last took writes. Recorded here so a change to that is a conscious one.
    expect(connectionOrder(2, null)).toEqual([0, 1]);
    expect(connectionOrder(2, 1)).toEqual([1, 0]);
  });
});

describe("'try again' is for database outages only", () => {
  it("a constraint violation, serialization failure, deadlock or domain error is not an outage", () => {
    const notOutages: unknown[] = [
      Object.assign(new Error("Unique constraint failed on the fields: (`email`)"), {
        code: "P2002",
      }),
      Object.assign(new Error("Transaction failed due to a write conflict or a deadlock"), {
        code: "P2034",
      }),
      Object.assign(new Error("could not serialize access"), { code: "40001" }),
      Object.assign(new Error("deadlock detected"), { code: "40P01" }),
      Object.assign(new Error("duplicate key value"), { code: "23505" }),
      Object.assign(new Error("check violation"), { code: "23514" }),
      Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" }),
      Object.assign(new Error("x"), {
        code: "P2025",
        meta: { cause: "Record to update not found." },
      }),
      new TypeError("Cannot read properties of undefined"),
      new DomainError("NOT_ALLOWED" as never, "You cannot do that."),
    ];
    for (const error of notOutages) expect(isDatabaseUnavailable(error), String(error)).toBe(false);
  });

  it("an error whose message merely quotes user text with an outage phrase is not an outage", () => {
    // e.g. a validation error that echoes what someone typed into a reason field.
    const error = new Error('Invalid reason: "Connection terminated unexpectedly by the caller"');
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe("the edge's access log, with raw HTTP", () => {
  async function rawRequests(targets: string[], extraHeaders = "") {
    const { lines, logger } = bufferLogger();
    const edge = createEdge(
      async (req, res) => {
        logger.info({ note: "app line" }, "handled");
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("no");
      },
      { publicUrl: "http://console.test:3000", trustedProxyHops: 0, logger },
    );
    const server = createServer((req, res) => {
      // The app's own lines go through the same logger; the edge's scope gives them the id.
      edge.onRequest(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const replies: string[] = [];
    try {
      for (const target of targets) {
        replies.push(
          await new Promise<string>((resolve, reject) => {
            const socket = connect(port, "127.0.0.1");
            let data = "";
            socket.on("data", (chunk) => (data += chunk.toString()));
            socket.on("end", () => resolve(data));
            socket.on("error", reject);
            socket.write(
              `GET ${target} HTTP/1.1\r\nHost: console.test:3000\r\n${extraHeaders}Connection: close\r\n\r\n`,
            );
          }),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    return { lines, replies };
  }

  it("raw targets with a link token (case, double slash, dot segments, encodings) never log it", async () => {
    const targets = [
      `/Enrol/${LINK_TOKEN}`,
      `//enrol/${LINK_TOKEN}`,
      `/enrol/../enrol/${LINK_TOKEN}`,
      `/%65nrol/${LINK_TOKEN}`,
      `/confirm/${LINK_TOKEN}/x/y`,
      `/api/auth/callback/oidc?code=${LINK_TOKEN}&state=${LINK_TOKEN}`,
      `http://console.test:3000/prove/${LINK_TOKEN}`,
    ];
    const { lines } = await rawRequests(targets);
    const text = lines.join("");
    expect(text).not.toContain(LINK_TOKEN.slice(0, 12));
    expect(lines.filter((l) => JSON.parse(l).msg === "request").length).toBeGreaterThan(0);
  });

  it("a forged X-Request-Id (JSON, too long) is replaced, and every line of the request carries the new id", async () => {
    const forged = 'aaaaaaaa","msg":"forged';
    const { lines, replies } = await rawRequests(["/cases"], `X-Request-Id: ${forged}\r\n`);
    expect(replies[0]).not.toContain(forged);
    const ids = lines.map((l) => JSON.parse(l).requestId as string | undefined);
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(1);
    expect(lines.join("")).not.toContain('"msg":"forged');
  });

  it("a refused request (over-long target) logs with the request id and never the target", async () => {
    const secret = `/enrol/${LINK_TOKEN}?` + "x".repeat(20_000);
    const { lines } = await rawRequests([secret]);
    expect(lines.join("")).not.toContain(LINK_TOKEN.slice(0, 12));
    for (const line of lines) expect(JSON.parse(line).requestId, line).toBeTruthy();
  });
});

describe("a retry after an ambiguous COMMIT", () => {
  it("issuing a pass again (a blind retry after the first COMMIT went through) leaves exactly one live pass, the first voided as replaced", async () => {
    // The first issueTap stands for the action whose COMMIT succeeded but whose reply was lost to
    // the failover; the second is a blind retry with the same form. Issuing again is repeatable on
    // purpose (decision 043 says so, and the "try again" answer asks the agent to reload and look
    // first): what must hold is that only the newer pass works.
    const { agent, user, caseId } = await verifiedStandardCase();
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
    const passes = await db.temporaryAccessPass.findMany({
      where: { userId: user.id },
      orderBy: { createdAt: "asc" },
      select: { voidedAt: true, voidReason: true },
    });
    expect(passes).toHaveLength(2);
    expect(passes[0]).toMatchObject({ voidReason: "replaced by a new pass" });
    expect(passes[0]!.voidedAt).not.toBeNull();
    expect(passes[1]!.voidedAt).toBeNull();
    expect(DATABASE_UNAVAILABLE).toMatch(/Reload the page/);
  });
});
