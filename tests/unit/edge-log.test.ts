/**
 * The access log and the logger's redaction (docs/decisions/041), with real HTTP requests through
 * the server's edge (scripts/lib/edge.ts) in front of a stand-in for Next that logs carelessly,
 * and the real logger (lib/server/log.ts) writing into a buffer: a pass, a link token, a session
 * token, a bearer token never reach a line, in a path, a query, a header or a body; every line of a
 * request carries its request ID, which the response returns.
 */
import { request as httpRequest, createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger, log, setLogger } from "@/lib/server/log";
import { createEdge } from "../../scripts/lib/edge";

const PASS = "K7QD-M2XP-9RWT-4HZN";
const LINK_TOKEN = "Lk9fQ2vX8mRt4Wz7pN3bY6cJ1hS5dG0aEuTiOoPq";
const SESSION = "sess-4f1c2b9e8d7a6c5b4a39281706f5e4d3c2b1a0ff";
const BEARER = "scim-bearer-0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const OAUTH_CODE = "oauth-code-9Z8Y7X6W5V4U3T2S1R0Q";
const SECRETS = [PASS, PASS.replaceAll("-", ""), LINK_TOKEN, SESSION, BEARER, OAUTH_CODE];

let lines: string[] = [];
let server: Server;
let port: number;

beforeAll(async () => {
  setLogger(
    createLogger({ level: "debug", destination: { write: (line) => void lines.push(line) } }),
  );
  const edge = createEdge(
    async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString();
      // App code that logs more than it should: headers, the form, a token field.
      log().info(
        {
          headers: req.headers,
          body,
          form: { pass: PASS, email: "a@example.test" },
          token: LINK_TOKEN,
        },
        "handled",
      );
      log().debug({ req: { headers: req.headers } }, "nested");
      res.writeHead(req.url?.startsWith("/missing") ? 404 : 200, {
        "content-type": "text/plain",
        "set-cookie": `__Host-session=${SESSION}; Path=/; HttpOnly`,
      });
      res.end("next");
    },
    { publicUrl: "http://console.test:3000", trustedProxyHops: 0 },
  );
  server = createServer(edge.onRequest);
  server.on("checkContinue", edge.onCheckContinue);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  setLogger(createLogger({ level: "silent" }));
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  lines = [];
});

function send(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; requestId: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, method, path, headers, agent: false },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({ status: res.statusCode!, requestId: String(res.headers["x-request-id"]) }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

type Line = Record<string, unknown> & { msg: string; requestId?: string };
const parsed = (): Line[] => lines.map((line) => JSON.parse(line) as Line);

/** The access-log line is written when the response closes: wait for it. */
async function accessLine(requestId: string): Promise<Line> {
  for (;;) {
    const found = parsed().find((l) => l.msg === "request" && l.requestId === requestId);
    if (found) return found;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const FLOWS: {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  logged: string;
}[] = [
  {
    name: "opening an enrolment link",
    method: "GET",
    path: `/enrol/${LINK_TOKEN}`,
    logged: "/enrol/[token]",
  },
  {
    name: "answering a manager's confirmation link",
    method: "GET",
    path: `/confirm/${LINK_TOKEN}?answer=yes`,
    logged: "/confirm/[token]",
  },
  {
    name: "opening a proof link",
    method: "GET",
    path: `/prove/${LINK_TOKEN}`,
    logged: "/prove/[token]",
  },
  {
    name: "'this wasn't me'",
    method: "GET",
    path: `/report/${LINK_TOKEN}`,
    logged: "/report/[token]",
  },
  {
    name: "redeeming a pass (form post with a session cookie)",
    method: "POST",
    path: "/redeem",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: `__Host-session=${SESSION}; other=1`,
    },
    body: `email=a%40example.test&pass=${PASS}`,
    logged: "/redeem",
  },
  { name: "a pass in a query", method: "GET", path: `/redeem?pass=${PASS}`, logged: "/redeem" },
  {
    name: "a signed-in page with the session cookie",
    method: "GET",
    path: "/cases",
    headers: { cookie: `next-auth.session-token=${SESSION}` },
    logged: "/cases",
  },
  {
    name: "the sign-in callback with its code",
    method: "GET",
    path: `/api/auth/callback/oidc?code=${OAUTH_CODE}&state=${LINK_TOKEN}`,
    logged: "/api/auth/[...nextauth]",
  },
  {
    name: "a SCIM call with its bearer token",
    method: "GET",
    path: "/scim/v2/Users",
    headers: { authorization: `Bearer ${BEARER}` },
    logged: "/scim/v2/Users",
  },
  {
    name: "an unknown address with a token in it",
    method: "GET",
    path: `/missing/${LINK_TOKEN}/${PASS}`,
    logged: "/missing/[redacted]/[redacted]",
  },
  {
    name: "a link token under an unknown deeper path",
    method: "GET",
    path: `/enrol/${LINK_TOKEN}/extra`,
    logged: "/enrol/[token]",
  },
];

describe("the log of a request", () => {
  it.each(FLOWS)("never holds a secret: $name", async (flow) => {
    const { status, requestId } = await send(flow.method, flow.path, flow.headers, flow.body);
    const access = await accessLine(requestId);
    expect(access).toMatchObject({
      level: "info",
      method: flow.method,
      path: flow.logged,
      status,
      client: "127.0.0.1",
      durationMs: expect.any(Number),
    });
    // The app's own lines of that request carry its ID (the edge's request scope).
    expect(parsed().filter((l) => l.msg === "handled" || l.msg === "nested")).toEqual([
      expect.objectContaining({ msg: "handled", requestId }),
      expect.objectContaining({ msg: "nested", requestId }),
    ]);
    const handled = parsed().find((l) => l.msg === "handled")!;
    expect(handled).toMatchObject({
      body: "[redacted]",
      token: "[redacted]",
      form: { pass: "[redacted]", email: "a@example.test" },
    });
    const all = lines.join("\n");
    for (const secret of SECRETS) expect(all).not.toContain(secret);
    expect(all).not.toContain(encodeURIComponent(PASS));
  });

  it("of an answered probe is at debug level, so probes do not flood the log", async () => {
    for (const path of ["/healthz", "/readyz"]) {
      const { requestId } = await send("GET", path);
      expect(await accessLine(requestId)).toMatchObject({ level: "debug", path, status: 200 });
    }
    const failed = await send("GET", "/missing/readyz");
    expect(await accessLine(failed.requestId)).toMatchObject({ level: "info", status: 404 });
  });

  it("keeps a proxy's safe request ID and replaces an unsafe one", async () => {
    const kept = await send("GET", "/cases", { "x-request-id": "nginx-0123456789abcdef" });
    expect(kept.requestId).toBe("nginx-0123456789abcdef");
    expect(await accessLine(kept.requestId)).toMatchObject({ path: "/cases" });

    const forged = await send("GET", "/cases", { "x-request-id": `x" injected ${LINK_TOKEN}` });
    expect(forged.requestId).toMatch(/^[0-9a-f-]{36}$/);
    await accessLine(forged.requestId);
    expect(lines.join("\n")).not.toContain(LINK_TOKEN);
  });

  it("for a request the edge refuses, says why without the path", async () => {
    const { status, requestId } = await send("GET", `/enrol/${LINK_TOKEN}%zz`);
    expect(status).toBe(400);
    const lines_ = parsed();
    expect(lines_.find((l) => l.msg === "edge refused a request")).toMatchObject({
      requestId,
      status: 400,
    });
    expect(await accessLine(requestId)).toMatchObject({ path: "/enrol/[token]", status: 400 });
    expect(lines.join("\n")).not.toContain(LINK_TOKEN);
  });
});
