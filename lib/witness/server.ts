/**
 * The witness's HTTP interface (C2SP tlog-witness): `POST /add-checkpoint` and the monitoring
 * `GET /<sha256(origin) in hex>/checkpoint`. Bodies over 64 KiB are refused.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Witness, WitnessReply } from "./witness";

const MAX_BODY = 64 * 1024;

class TooLarge extends Error {}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    length += (chunk as Buffer).length;
    if (length > MAX_BODY) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const text = (status: number, body: string): WitnessReply => ({
  status,
  contentType: "text/plain; charset=utf-8",
  body,
});

async function route(witness: Witness, request: IncomingMessage): Promise<WitnessReply> {
  const path = new URL(request.url ?? "/", "http://witness").pathname;
  if (path === "/add-checkpoint") {
    if (request.method !== "POST") return text(405, "use POST\n");
    try {
      return await witness.addCheckpoint(await readBody(request));
    } catch (error) {
      if (error instanceof TooLarge) return text(413, "request too large\n");
      throw error;
    }
  }
  const monitoring = /^\/([0-9a-f]{64})\/checkpoint$/.exec(path);
  if (monitoring && request.method === "GET") {
    const note = witness.latest(monitoring[1]!);
    return note ? text(200, note) : text(404, "no checkpoint cosigned for that log\n");
  }
  return text(404, "not found\n");
}

export function witnessServer(witness: Witness): Server {
  return createServer((request, response) => {
    route(witness, request).then(
      (reply) => {
        response.writeHead(reply.status, { "Content-Type": reply.contentType });
        response.end(reply.body);
      },
      (error: unknown) => {
        console.error("witness: request failed", error);
        response.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
        response.end("internal error\n");
      },
    );
  });
}

/** Starts listening; resolves with the server and its port (0 asks for an ephemeral one). */
export async function listen(
  server: Server,
  port: number,
  host = "127.0.0.1",
): Promise<{ server: Server; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
