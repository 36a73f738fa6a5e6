/**
 * A Shared Signals receiver for the transmitter's tests: an HTTP endpoint on 127.0.0.1 (RFC 8935
 * push) that checks the bearer token it was given, verifies every Security Event Token against
 * the key set the console publishes (RS256, typ secevent+jwt, the issuer and its audience) and
 * keeps what it accepted. It can be stopped and started again on the same port (a receiver down).
 * The same verification serves the poll tests.
 */
import http from "node:http";
import type net from "node:net";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";

export type ReceivedSet = {
  jti: string;
  subject: Record<string, unknown>;
  type: string;
  claims: Record<string, unknown>;
  payload: JWTPayload;
};

/** Verifies one token as a receiver does, or throws. */
export async function verifySet(
  jwt: string,
  jwks: JSONWebKeySet,
  expected: { issuer: string; audience: string },
): Promise<ReceivedSet> {
  const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(jwks), {
    issuer: expected.issuer,
    audience: expected.audience,
    algorithms: ["RS256"],
    typ: "secevent+jwt",
  });
  if (!protectedHeader.kid) throw new Error("no kid");
  const events = payload.events as Record<string, Record<string, unknown>>;
  const types = Object.keys(events);
  if (types.length !== 1) throw new Error("one event per token");
  return {
    jti: String(payload.jti),
    subject: payload.sub_id as Record<string, unknown>,
    type: types[0]!,
    claims: events[types[0]!]!,
    payload,
  };
}

export async function startSsfReceiver(options: {
  jwks: JSONWebKeySet;
  issuer: string;
  audience: string;
  authorization: string;
}) {
  const accepted: ReceivedSet[] = [];
  const refused: string[] = [];
  let port = 0;
  let server: http.Server | null = null;

  const handle = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        if (request.headers.authorization !== options.authorization) {
          refused.push("authorization");
          response.writeHead(401).end();
          return;
        }
        if (request.headers["content-type"] !== "application/secevent+jwt") {
          refused.push("content-type");
          response.writeHead(400, { "Content-Type": "application/json" });
          response.end(JSON.stringify({ err: "invalid_request" }));
          return;
        }
        try {
          accepted.push(
            await verifySet(Buffer.concat(chunks).toString("utf8"), options.jwks, options),
          );
          response.writeHead(202).end();
        } catch (error) {
          refused.push(error instanceof Error ? error.message : String(error));
          response.writeHead(400, { "Content-Type": "application/json" });
          response.end(JSON.stringify({ err: "invalid_key" }));
        }
      })();
    });
  };

  const receiver = {
    accepted,
    refused,
    get url() {
      return `http://127.0.0.1:${port}/events`;
    },
    async start() {
      server = http.createServer(handle);
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(port, "127.0.0.1", () => resolve());
      });
      port = (server.address() as net.AddressInfo).port;
    },
    /** Down: the port refuses connections until start() again. */
    async stop() {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await receiver.start();
  return receiver;
}
