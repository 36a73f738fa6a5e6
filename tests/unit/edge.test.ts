/**
 * The server's edge (scripts/lib/edge.ts, docs/decisions/014-the-edge.md) in front of a stand-in
 * for Next that records what it receives and parses multipart bodies with Next's own busboy.
 */
import { request as httpRequest, createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { URL_LIMIT_BYTES } from "@/lib/domain/edge-rules";
import { contentSecurityPolicy } from "@/lib/domain/security-headers";
import { createEdge } from "../../scripts/lib/edge";
import { busboyParser } from "../../scripts/lib/multipart";

const PUBLIC_URL = "http://console.test:3000";
const ORIGIN = "http://console.test:3000";
const LIMIT = 4096;

type Seen = { method: string; url: string; headers: IncomingMessage["headers"]; body: Buffer };
const seen: Seen[] = [];

async function startEdge(hops: number): Promise<{ server: Server; port: number }> {
  const parse = busboyParser(LIMIT);
  const edge = createEdge(
    async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      // As Next does with a fetch action's multipart body: a parse failure would be its 500.
      const type = req.headers["content-type"] ?? "";
      if (req.headers["next-action"] !== undefined && type.startsWith("multipart/form-data")) {
        if (!(await parse(type, body))) {
          res.writeHead(500).end("busboy failed");
          return;
        }
      }
      res.writeHead(200, { "content-type": "text/plain" }).end("next");
    },
    { publicUrl: PUBLIC_URL, trustedProxyHops: hops, bodyLimit: LIMIT },
  );
  const server = createServer(edge.onRequest);
  server.on("checkContinue", edge.onCheckContinue);
  server.on("clientError", edge.onClientError);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

type Sent = {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body in chunks without a Content-Length (Transfer-Encoding: chunked). */
  chunks?: (Buffer | string)[];
};
type Answer = { status: number; headers: IncomingMessage["headers"]; body: string };

function send(port: number, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: sent.method ?? "GET",
        path: sent.path ?? "/",
        headers: sent.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    if (sent.chunks) for (const chunk of sent.chunks) req.write(chunk);
    req.end(sent.body);
  });
}

let plain: { server: Server; port: number };
let proxied: { server: Server; port: number };
beforeAll(async () => {
  plain = await startEdge(0);
  proxied = await startEdge(2);
});
afterAll(() => {
  plain.server.close();
  proxied.server.close();
});

const action = (headers: Record<string, string> = {}) => ({
  "next-action": "7f0000000000000000000000000000000000000000",
  origin: ORIGIN,
  "content-type": "text/plain;charset=UTF-8",
  ...headers,
});

function expectEdgeHeaders(answer: Answer) {
  expect(answer.headers["content-type"]).toBe("text/plain; charset=utf-8");
  expect(answer.headers["x-content-type-options"]).toBe("nosniff");
  expect(answer.headers["x-frame-options"]).toBe("DENY");
  expect(answer.headers["referrer-policy"]).toBe("same-origin");
  expect(answer.headers["cache-control"]).toBe("no-store");
  const nonce = /'nonce-([^']+)'/.exec(String(answer.headers["content-security-policy"]))?.[1];
  expect(answer.headers["content-security-policy"]).toBe(
    contentSecurityPolicy({ nonce: nonce!, dev: false }),
  );
  expect(answer.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
}

describe("the client address", () => {
  it("is the socket's, alone in X-Forwarded-For; the client's forwarding headers never reach Next", async () => {
    seen.length = 0;
    const answer = await send(plain.port, {
      headers: {
        "x-forwarded-for": "203.0.113.7, 198.51.100.2",
        "x-forwarded-host": "evil.example",
        "x-forwarded-proto": "https",
        "x-forwarded-port": "443",
        forwarded: "for=203.0.113.7",
        "x-real-ip": "203.0.113.7",
      },
    });
    expect(answer.status).toBe(200);
    const { headers } = seen[0]!;
    expect(headers["x-forwarded-for"]).toBe("127.0.0.1");
    for (const name of [
      "x-forwarded-host",
      "x-forwarded-proto",
      "x-forwarded-port",
      "forwarded",
      "x-real-ip",
    ])
      expect(headers).not.toHaveProperty(name);
  });

  it("behind trusted proxies, is the address the outermost one saw", async () => {
    seen.length = 0;
    await send(proxied.port, {
      headers: {
        "x-forwarded-for": "6.6.6.6, 203.0.113.7, 198.51.100.2",
        "x-forwarded-host": "console.northwind.example",
        "x-forwarded-proto": "https",
      },
    });
    await send(proxied.port, { headers: { "x-forwarded-for": "198.51.100.2" } });
    expect(seen[0]!.headers["x-forwarded-for"]).toBe("203.0.113.7");
    expect(seen[0]!.headers["x-forwarded-host"]).toBe("console.northwind.example");
    expect(seen[0]!.headers["x-forwarded-proto"]).toBe("https");
    // One entry for two proxies: it did not come through both, so the socket's address.
    expect(seen[1]!.headers["x-forwarded-for"]).toBe("127.0.0.1");
  });
});

describe("bodies over the limit", () => {
  it("are refused with a 413 by their Content-Length, before Next reads anything", async () => {
    seen.length = 0;
    const answer = await send(plain.port, {
      method: "POST",
      path: "/redeem",
      headers: action(),
      body: "x".repeat(LIMIT + 1),
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatch(/larger than the console accepts/);
    expectEdgeHeaders(answer);
    expect(seen).toEqual([]);
  });

  it("are counted as a chunked body arrives", async () => {
    seen.length = 0;
    const answer = await send(plain.port, {
      method: "POST",
      path: "/",
      headers: { "content-type": "application/json" },
      chunks: Array.from({ length: 10 }, () => "y".repeat(LIMIT / 4)),
    });
    expect(answer.status).toBe(413);
    expectEdgeHeaders(answer);
    expect(seen).toEqual([]);
  });

  it("are refused before they are sent when the client asks to continue", async () => {
    const answer = await send(plain.port, {
      method: "POST",
      headers: { expect: "100-continue", "content-length": String(LIMIT * 10) },
    });
    expect(answer.status).toBe(413);
  });

  it("up to the limit reach Next whole, chunked or not", async () => {
    seen.length = 0;
    const body = JSON.stringify(["z".repeat(LIMIT - 10)]);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(LIMIT);
    expect((await send(plain.port, { method: "POST", headers: action(), body })).status).toBe(200);
    const chunked = await send(plain.port, {
      method: "POST",
      headers: action(),
      chunks: [body.slice(0, 100), body.slice(100)],
    });
    expect(chunked.status).toBe(200);
    for (const request of seen) {
      expect(request.body.toString()).toBe(body);
      expect(request.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
      expect(request.headers).not.toHaveProperty("transfer-encoding");
    }
  });
});

describe("server actions from elsewhere", () => {
  it.each([
    ["a foreign Origin", { origin: "http://evil.example" }],
    ["no Origin", { origin: "" }],
    ["the right Origin on another scheme", { origin: "https://console.test:3000" }],
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
  ])("are refused with a 403: %s", async (_name, headers) => {
    seen.length = 0;
    const sent = action(headers);
    if (!sent.origin) delete (sent as Partial<typeof sent>).origin;
    const answer = await send(plain.port, { method: "POST", headers: sent, body: "[]" });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/did not come from the console's own pages/);
    expectEdgeHeaders(answer);
    expect(seen).toEqual([]);
  });

  it("are refused with a 403 when posted as a form without JavaScript, too", async () => {
    const answer = await send(plain.port, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=x", origin: "http://evil.example" },
      body: "--x--\r\n",
    });
    expect(answer.status).toBe(403);
  });
});

describe("server action bodies Next could not decode", () => {
  it.each([
    ["bad JSON", "text/plain", "[{"],
    ["not UTF-8", "text/plain", Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d])],
    ["a reference to a missing part", "text/plain", '["$1"]'],
    ["a temporary reference", "text/plain", '["$T"]'],
    ["no body", "text/plain", ""],
    ["malformed multipart", "multipart/form-data; boundary=x", "--x\r\ngarbage"],
    ["multipart without a boundary", "multipart/form-data", "garbage"],
    [
      "a part with an empty name (busboy names it undefined, and React's decoder fails on that)",
      "multipart/form-data; boundary=x",
      '--x\r\nContent-Disposition: form-data; name=""\r\n\r\nv\r\n--x\r\nContent-Disposition: form-data; name="0"\r\n\r\n[]\r\n--x--\r\n',
    ],
    [
      "a part header with a bare LF (the Fetch parser accepts it, busboy does not)",
      "multipart/form-data; boundary=x",
      '--x\r\nContent-Disposition: form-data; name="0"\nContent-Type: text/plain\r\n\r\n[]\r\n--x--\r\n',
    ],
  ])("are refused with a 400: %s", async (_name, contentType, body) => {
    seen.length = 0;
    const answer = await send(plain.port, {
      method: "POST",
      path: "/sign-in",
      headers: action({ "content-type": contentType }),
      body,
    });
    expect(answer.status).toBe(400);
    expectEdgeHeaders(answer);
    expect(seen).toEqual([]);
  });

  it("refuses a form posted without JavaScript whose action fields do not decode", async () => {
    const answer = await send(plain.port, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=x", origin: ORIGIN },
      body: '--x\r\nContent-Disposition: form-data; name="$ACTION_REF_1"\r\n\r\n\r\n--x\r\nContent-Disposition: form-data; name="$ACTION_1:0"\r\n\r\n{"id":"7f00","bound":"$@1"}\r\n--x--\r\n',
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/not sent by the console's pages/);
  });

  it("whatever mutated multipart body it lets through, Next's parser reads", async () => {
    const entry = fc.tuple(
      fc.constantFrom("0", "_1_note", "_1_caseId", "x"),
      fc.oneof(fc.string({ maxLength: 20 }), fc.constant('[{"status":"idle"},"$K1"]')),
      fc.boolean(),
    );
    const mutation = fc.record({
      at: fc.nat(),
      remove: fc.integer({ min: 0, max: 3 }),
      insert: fc.oneof(
        fc.uint8Array({ maxLength: 4 }),
        fc.constantFrom(
          ...["\r\n", "\n", "\r", "--", '"', ";", ":", " "].map((s) => new TextEncoder().encode(s)),
        ),
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { minLength: 1, maxLength: 3 }),
        fc.array(mutation, { maxLength: 2 }),
        async (entries, mutations) => {
          const form = new FormData();
          for (const [name, value, file] of entries)
            form.append(name, file ? new Blob([value]) : value);
          const response = new Response(form);
          let body = Buffer.from(await response.arrayBuffer());
          for (const m of mutations) {
            const at = m.at % (body.length + 1);
            body = Buffer.concat([body.subarray(0, at), m.insert, body.subarray(at + m.remove)]);
          }
          const answer = await send(plain.port, {
            method: "POST",
            headers: action({ "content-type": response.headers.get("content-type")! }),
            body,
          });
          expect([200, 400]).toContain(answer.status);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("paths", () => {
  it("that are not valid percent-encoding are refused with a 400", async () => {
    const answer = await send(plain.port, { path: "/users/%ff" });
    expect(answer.status).toBe(400);
    expectEdgeHeaders(answer);
  });

  it("longer than the console accepts are refused with a 414 before Next sees them", async () => {
    seen.length = 0;
    const long = `/api/auth/session/?q=${"%C3%A9".repeat(1500)}`;
    const answer = await send(plain.port, { path: long });
    expect(answer.status).toBe(414);
    expectEdgeHeaders(answer);
    expect(seen).toEqual([]);
    // Just within the limit, it reaches Next.
    const within = `/users?q=${"a".repeat(URL_LIMIT_BYTES - "/users?q=".length)}`;
    expect((await send(plain.port, { path: within })).status).toBe(200);
  });

  it("and everything else reaches Next unchanged", async () => {
    seen.length = 0;
    const answer = await send(plain.port, { path: "/users?q=%E2%82%AC" });
    expect(answer.status).toBe(200);
    expect(seen[0]).toMatchObject({ method: "GET", url: "/users?q=%E2%82%AC" });
  });

  it("answer every client refused mid-upload, and go on serving", async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        send(plain.port, { method: "POST", headers: action(), body: "x".repeat(LIMIT * 2) }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([413, 413, 413, 413, 413]);
    expect((await send(plain.port, {})).status).toBe(200);
  });
});

describe("responses", () => {
  it("from Next start with the static security headers, whatever Next then sets", async () => {
    // The stand-in for Next sets none of its own, like Next's trailing-slash redirects.
    const answer = await send(plain.port, { path: "/users/" });
    expect(answer.status).toBe(200);
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    expect(answer.headers["x-frame-options"]).toBe("DENY");
    expect(answer.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  });

  it.each([
    ["headers over Node's limit", `GET /?${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
    ["a request line that is not HTTP", "GARBAGE\r\n\r\n", 400],
    ["a bad header", "GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400],
  ])("that Node's parser refuses carry them too: %s", async (_name, raw, status) => {
    const response = await new Promise<string>((resolve, reject) => {
      const socket = connect(plain.port, "127.0.0.1", () => socket.end(raw));
      let text = "";
      socket.on("data", (chunk) => (text += chunk.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect(response).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(response).toMatch(/\r\nx-content-type-options: nosniff\r\n/);
    expect(response).toMatch(/\r\ncontent-security-policy: [^\r]*frame-ancestors 'none'/);
    expect(response).toMatch(/\r\nconnection: close\r\n/);
  });
});
