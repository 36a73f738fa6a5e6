/**
 * Real receivers for the SIEM stream's tests: an HTTP endpoint (node:http) and a syslog listener
 * over TCP (node:net) or TLS (node:tls, with a self-signed certificate made by openssl), each on
 * an ephemeral port of 127.0.0.1 that they keep when stopped and started again.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { parseOctetFrames } from "@/lib/domain/syslog";

export type ReceivedRequest = {
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
};

async function listen(server: net.Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as net.AddressInfo).port;
}

/** A webhook receiver: records every request and answers what `answer` says (200 by default). */
export async function startHttpReceiver() {
  const requests: ReceivedRequest[] = [];
  const receiver = {
    requests,
    port: 0,
    /** The status to answer, or a promise of one (to hold a request open). */
    answer: (() => 200) as (request: ReceivedRequest) => number | Promise<number>,
    /** The answer's body (a receiver that echoes the request, say). */
    body: ((_request: ReceivedRequest) => `answer ${_request.status}`) as (
      request: ReceivedRequest,
    ) => string,
    /** Resolves with each request as it arrives (before it is answered). */
    onRequest: (() => {}) as (request: ReceivedRequest) => void,
    get url() {
      return `http://127.0.0.1:${receiver.port}/ingest`;
    },
    /** Refuses connections until start() (the port is kept). */
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async start() {
      receiver.port = await listen(server, receiver.port);
    },
  };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: ReceivedRequest = {
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
      status: 0,
    };
    requests.push(request);
    receiver.onRequest(request);
    request.status = await receiver.answer(request);
    res.writeHead(request.status, { "content-type": "text/plain" }).end(receiver.body(request));
  });
  await receiver.start();
  return receiver;
}

/** A self-signed certificate for localhost and 127.0.0.1, made by openssl in a temporary folder. */
export function selfSignedCertificate() {
  const dir = mkdtempSync(path.join(tmpdir(), "siem-tls-"));
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
      ...["-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost"],
      ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
    ],
    { stdio: "ignore" },
  );
  return { keyFile: key, certFile: cert, key: readFileSync(key), cert: readFileSync(cert) };
}

/** A syslog listener: parses octet-counted frames per connection, in arrival order. */
export async function startSyslogListener(options: { tls?: { key: Buffer; cert: Buffer } } = {}) {
  const messages: string[] = [];
  const sockets = new Set<net.Socket>();
  const errors: string[] = [];
  const onConnection = (socket: net.Socket) => {
    sockets.add(socket);
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      try {
        const { messages: complete, rest } = parseOctetFrames(Buffer.concat([pending, chunk]));
        messages.push(...complete);
        pending = rest;
      } catch (error) {
        errors.push((error as Error).message);
        socket.destroy();
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  };
  const server = options.tls
    ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, onConnection)
    : net.createServer(onConnection);
  // A client that fails the TLS handshake is the client's error to report, not the listener's.
  server.on("tlsClientError", () => {});
  const listener = {
    messages,
    errors,
    port: 0,
    /** Drops every connection and refuses new ones until start(). */
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async start() {
      listener.port = await listen(server, listener.port);
    },
    /** Waits until `count` messages have arrived (the write was flushed; reading may trail). */
    async received(count: number): Promise<string[]> {
      while (messages.length < count) await new Promise((resolve) => setImmediate(resolve));
      return messages.slice(0, count);
    },
  };
  await listener.start();
  return listener;
}
