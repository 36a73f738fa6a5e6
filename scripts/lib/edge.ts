/**
 * The server's edge: every request passes through here before Next.js sees it
 * (docs/decisions/014-the-edge.md; run by scripts/server.ts). The decisions are pure functions in
 * lib/domain (client-address.ts, edge-rules.ts); this file is the HTTP plumbing around them.
 *
 * 1. The forwarding headers are the edge's: any copy the client sent is removed, and the client
 *    address resolved from the socket and TRUSTED_PROXY_HOPS is written, alone, into
 *    X-Forwarded-For (X-Forwarded-Host and -Proto only from a trusted proxy). The app reads it
 *    there (lib/server/request-context.ts).
 * 2. A path that is not valid percent-encoding: 400.
 * 3. A body over the limit: 413, by its Content-Length, or counted as a chunked body arrives.
 * 4. A possible server action (a POST with Next-Action, or a multipart POST) whose Origin is
 *    missing or not the console's, or that says `Sec-Fetch-Site: cross-site`: 403.
 * 5. A server action whose body Next and React cannot decode (lib/domain/edge-rules.ts): 400.
 * Then Next gets the request, with the body the edge read (at most the limit) replayed, and a
 * response that already carries the static security headers (Next replaces what it sets).
 *
 * Every request gets its request ID here (docs/decisions/041-health-metrics-and-logs.md): a
 * proxy's X-Request-Id when it is a short safe token (lib/domain/request-id.ts), else a fresh
 * UUID; it is passed to Next in X-Request-Id (proxy.ts keeps it), returned in the response's, and
 * Next handles the request inside the logger's request scope (lib/server/log.ts), so every line
 * logged meanwhile carries it. When the response is done, one access-log line (method, route
 * pattern or redacted path, never the raw path or query, status, duration, request ID, client
 * address) and the request duration metric by route pattern.
 *
 * The edge's own answers, and those to what Node's parser refuses (`onClientError`), are short
 * plain text with the same security headers as every page (lib/domain/security-headers.ts). A
 * refused request's body is read and discarded (up to DISCARD_FACTOR times the limit) so that the
 * client, still sending it, reads the answer.
 */
import { randomBytes, randomUUID } from "node:crypto";
import {
  IncomingMessage,
  STATUS_CODES,
  type IncomingHttpHeaders,
  type ServerResponse,
} from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { resolveForwarding } from "../../lib/domain/client-address.ts";
import {
  actionBodyProblem,
  BODY_LIMIT_BYTES,
  crossSiteRefusal,
  declaredLengthTooLarge,
  pathProblem,
  targetTooLong,
  URL_TOO_LONG,
  serverActionKind,
  TOO_LARGE,
  type EdgeHeaders,
} from "../../lib/domain/edge-rules.ts";
import { loggablePath, routePattern } from "../../lib/domain/loggable-path.ts";
import { requestIdFrom } from "../../lib/domain/request-id.ts";
import { edgeResponseHeaders, STATIC_SECURITY_HEADERS } from "../../lib/domain/security-headers.ts";
import { log, withRequestScope } from "../../lib/server/log.ts";
import { methodLabel, metrics, statusClass } from "../../lib/server/metrics.ts";
import { busboyParser } from "./multipart.ts";

export type EdgeOptions = {
  /** NEXTAUTH_URL: the only Origin whose actions run. */
  publicUrl: string;
  /** TRUSTED_PROXY_HOPS (lib/env.ts). */
  trustedProxyHops: number;
  /** Bytes; default BODY_LIMIT_BYTES (the same as Next's server actions limit in next.config.ts). */
  bodyLimit?: number;
  /** Development: the CSP lets React's development build evaluate code. */
  dev?: boolean;
  /** The JSON logger (lib/server/log.ts); default the process's. */
  logger?: Logger;
};

export type NextHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The forwarding headers the edge owns: a client's copies never reach Next. */
const OWNED_HEADERS = [
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-forwarded-port",
  "forwarded",
  "x-real-ip",
];

/** Liveness and readiness probes: their answered requests are logged at debug level. */
const PROBES = new Set(["/healthz", "/readyz"]);

/** How much of a refused request's body is read and thrown away before the connection is cut. */
const DISCARD_FACTOR = 8;

export function createEdge(next: NextHandler, options: EdgeOptions) {
  const limit = options.bodyLimit ?? BODY_LIMIT_BYTES;
  const publicOrigin = new URL(options.publicUrl).origin;
  const parseFetchForm = busboyParser(limit);
  const logger = () => options.logger ?? log();

  const headersFor = (message: string, requestId: string) => ({
    ...edgeResponseHeaders({
      nonce: randomBytes(18).toString("base64"),
      dev: options.dev ?? false,
      publicUrl: options.publicUrl,
    }),
    "x-request-id": requestId,
    "content-length": String(Buffer.byteLength(message)),
  });

  function refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string) {
    discard(req, limit * DISCARD_FACTOR);
    if (res.headersSent) return void res.destroy();
    const requestId = String(req.headers["x-request-id"] ?? randomUUID());
    res.writeHead(status, headersFor(message, requestId));
    res.end(message);
    logger().warn({ status, method: req.method, reason: message }, "edge refused a request");
  }

  /**
   * The request's ID (passed to Next, returned to the client) and, when the response is done,
   * its access-log line and duration metric. Returns the ID.
   */
  function track(req: IncomingMessage, res: ServerResponse): string {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(flatHeaders(req.headers)["x-request-id"], randomUUID);
    setHeaders(req, { ...req.headers, "x-request-id": requestId });
    res.setHeader("x-request-id", requestId);
    const target = req.url ?? "/";
    const client = flatHeaders(req.headers)["x-forwarded-for"] ?? null;
    res.once("close", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.headersSent ? res.statusCode : 0;
      const route = routePattern(target);
      metrics().httpDuration.observe(
        { method: methodLabel(req.method), route, status: statusClass(status) },
        seconds,
      );
      // A load balancer's probes, answered, are many and say nothing: debug, not info.
      const level = PROBES.has(route) && status >= 200 && status < 300 ? "debug" : "info";
      logger()[level](
        {
          requestId,
          method: methodLabel(req.method),
          path: loggablePath(target),
          status,
          durationMs: Math.round(seconds * 10_000) / 10,
          client,
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        "request",
      );
    });
    return requestId;
  }

  /**
   * Next sets the security headers on what it answers (next.config.ts, proxy.ts), but not on
   * everything: its trailing-slash redirects carry none. So every response starts with the static
   * ones; whatever Next sets replaces them (it sets headers, never appends them).
   */
  function toNext(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const { key, value } of STATIC_SECURITY_HEADERS) res.setHeader(key, value);
    return next(req, res);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = flatHeaders(req.headers);
    const method = req.method ?? "GET";

    if (targetTooLong(req.url ?? "/")) return refuse(req, res, 414, URL_TOO_LONG);
    const badPath = pathProblem(req.url ?? "/");
    if (badPath) return refuse(req, res, 400, badPath);
    if (declaredLengthTooLarge(headers["content-length"], limit))
      return refuse(req, res, 413, TOO_LARGE);

    const kind = serverActionKind(method, headers);
    if (kind) {
      const foreign = crossSiteRefusal({
        origin: headers["origin"],
        secFetchSite: headers["sec-fetch-site"],
        publicOrigin,
      });
      if (foreign) return refuse(req, res, 403, foreign);
    }

    const hasBody =
      headers["transfer-encoding"] !== undefined || Number(headers["content-length"] ?? 0) > 0;
    if (!hasBody && !kind) return toNext(req, res);

    const read = hasBody ? await readBody(req, limit) : { body: Buffer.alloc(0) };
    if ("closed" in read) return;
    if ("tooLarge" in read) return refuse(req, res, 413, TOO_LARGE);

    if (kind) {
      const problem = await actionBodyProblem({
        kind,
        contentType: headers["content-type"],
        body: read.body,
        parseFetchForm,
      });
      if (problem) return refuse(req, res, 400, problem);
    }
    return toNext(hasBody ? withBody(req, read.body) : req, res);
  }

  /** The server's `request` listener. */
  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    ownForwardingHeaders(req, options.trustedProxyHops);
    const requestId = track(req, res);
    withRequestScope({ requestId }, () =>
      handle(req, res).catch((error: unknown) => {
        logger().error({ err: error }, "edge failed to handle a request");
        if (res.headersSent) res.destroy();
        else refuse(req, res, 500, "Something went wrong. Try again.");
      }),
    );
  }

  /** The server's `checkContinue` listener: a body declared too large is refused before it is sent. */
  function onCheckContinue(req: IncomingMessage, res: ServerResponse): void {
    if (declaredLengthTooLarge(flatHeaders(req.headers)["content-length"], limit)) {
      res.shouldKeepAlive = false;
      ownForwardingHeaders(req, options.trustedProxyHops);
      const requestId = track(req, res);
      return withRequestScope({ requestId }, () => refuse(req, res, 413, TOO_LARGE));
    }
    res.writeContinue();
    onRequest(req, res);
  }

  /**
   * The server's `clientError` listener: what Node's parser refuses before there is a request
   * (a malformed request line, headers over Node's 16 KB, a timeout) is answered with the same
   * headers as every other response, then the connection is closed.
   */
  function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    if (error.code === "ECONNRESET" || !socket.writable) return void socket.destroy();
    const status =
      error.code === "HPE_HEADER_OVERFLOW"
        ? 431
        : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? 408
          : 400;
    const message =
      status === 431
        ? "This request's address or headers are too long, so nothing was done."
        : status === 408
          ? "This request took too long to arrive, so nothing was done."
          : "This request could not be read, so nothing was done.";
    const requestId = randomUUID();
    const headers = { ...headersFor(message, requestId), connection: "close" };
    logger().warn(
      { requestId, status, code: error.code ?? null },
      "edge refused a request it could not read",
    );
    const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join("")}\r\n${message}`);
  }

  return { onRequest, onCheckContinue, onClientError };
}

/** Node's headers with repeated values joined, as the edge's rules read them. */
function flatHeaders(headers: IncomingHttpHeaders): EdgeHeaders {
  const flat: EdgeHeaders = {};
  for (const [name, value] of Object.entries(headers))
    flat[name] = Array.isArray(value) ? value.join(", ") : value;
  return flat;
}

/** Removes the client's forwarding headers and writes the ones the edge resolved. */
export function ownForwardingHeaders(req: IncomingMessage, hops: number): void {
  const flat = flatHeaders(req.headers);
  const forwarding = resolveForwarding({
    socketAddress: req.socket.remoteAddress,
    forwardedFor: flat["x-forwarded-for"],
    forwardedHost: flat["x-forwarded-host"],
    forwardedProto: flat["x-forwarded-proto"],
    hops,
  });
  const headers: IncomingHttpHeaders = { ...req.headers };
  for (const name of OWNED_HEADERS) delete headers[name];
  if (forwarding.clientAddress) headers["x-forwarded-for"] = forwarding.clientAddress;
  if (forwarding.host) headers["x-forwarded-host"] = forwarding.host;
  if (forwarding.proto) headers["x-forwarded-proto"] = forwarding.proto;
  setHeaders(req, headers);
}

function setHeaders(req: IncomingMessage, headers: IncomingHttpHeaders): void {
  req.headers = headers;
  req.rawHeaders = Object.entries(headers).flatMap(([name, value]) =>
    value === undefined
      ? []
      : Array.isArray(value)
        ? value.flatMap((v) => [name, v])
        : [name, value],
  );
}

type ReadResult = { body: Buffer } | { tooLarge: true } | { closed: true };

/** The body, counted as it arrives, or tooLarge as soon as it passes the limit. */
function readBody(req: IncomingMessage, limit: number): Promise<ReadResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: ReadResult) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) done({ tooLarge: true });
      else chunks.push(chunk);
    };
    const onEnd = () => done({ body: Buffer.concat(chunks, size) });
    const onClose = () => done({ closed: true });
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("close", onClose);
  });
}

/** Reads and drops the rest of a refused request's body, and cuts the connection past `max` bytes. */
function discard(req: IncomingMessage, max: number): void {
  if (req.readableEnded || req.destroyed) return;
  let dropped = 0;
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > max) req.socket.destroy();
  });
  req.resume();
}

/**
 * A request for Next with the body the edge already read: a fresh IncomingMessage on the same
 * socket, carrying the same method, URL and headers (Content-Length now the body's), its body
 * pushed and ended.
 */
function withBody(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  const headers: IncomingHttpHeaders = { ...req.headers, "content-length": String(body.length) };
  delete headers["transfer-encoding"];
  setHeaders(copy, headers);
  copy.complete = true;
  // Destroying the copy must never destroy the connection it shares with the original.
  copy._destroy = (error, callback) => callback(error);
  copy.push(body);
  copy.push(null);
  return copy;
}
