/**
 * The syslog sink: RFC 5424 messages, octet-counted (RFC 6587, RFC 5425), over TCP or TLS, on
 * one long-lived connection per sink and process. Syslog has no application-level
 * acknowledgement: a batch counts as delivered when its bytes were written and flushed to a
 * connection that had not failed or been closed. Any error drops the connection; the next send
 * opens a new one.
 *
 * NOTE: not marked "server-only": `npm run siem:replay` (plain Node) sends too.
 */
import { readFileSync } from "node:fs";
import net from "node:net";
import { hostname } from "node:os";
import tls from "node:tls";
import type { SyslogSink } from "@/lib/domain/siem-sinks";
import { octetFrame, syslogMessage } from "@/lib/domain/syslog";
import { errorText, type FormattedBatch, type SendResult } from "./types";

type Connection = { socket: net.Socket; key: string; broken: boolean };

const connections = new Map<string, Connection>();

function connectionKey(sink: SyslogSink): string {
  return JSON.stringify([sink.transport, sink.host, sink.port, sink.caFile ?? null]);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function open(sink: SyslogSink): Promise<Connection> {
  const socket =
    sink.transport === "tls"
      ? tls.connect({
          host: sink.host,
          port: sink.port,
          servername: net.isIP(sink.host) ? undefined : sink.host,
          ca: sink.caFile ? readFileSync(sink.caFile) : undefined,
          minVersion: "TLSv1.2",
        })
      : net.connect({ host: sink.host, port: sink.port });
  const connection: Connection = { socket, key: connectionKey(sink), broken: false };
  const ready = sink.transport === "tls" ? "secureConnect" : "connect";
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once(ready, () => resolve());
        socket.once("error", reject);
      }),
      sink.timeoutMs,
      `connecting to ${sink.host}:${sink.port}`,
    );
  } catch (error) {
    socket.destroy();
    throw error;
  }
  const fail = () => {
    connection.broken = true;
    socket.destroy();
  };
  socket.on("error", fail);
  socket.on("end", fail);
  socket.on("close", fail);
  // A syslog receiver sends nothing; reading keeps us told when it closes the connection.
  socket.on("data", () => {});
  socket.setKeepAlive(true, 30_000);
  return connection;
}

async function connectionFor(sink: SyslogSink): Promise<Connection> {
  const existing = connections.get(sink.name);
  if (
    existing &&
    !existing.broken &&
    existing.key === connectionKey(sink) &&
    !existing.socket.destroyed &&
    existing.socket.writable
  )
    return existing;
  existing?.socket.destroy();
  connections.delete(sink.name);
  const connection = await open(sink);
  connections.set(sink.name, connection);
  return connection;
}

export async function sendSyslog(sink: SyslogSink, batch: FormattedBatch): Promise<SendResult> {
  const host = hostname();
  const frames = Buffer.concat(
    batch.events.map((event, index) =>
      octetFrame(
        syslogMessage(
          {
            position: event.position ?? -1n,
            eventId: event.eventId ?? "-",
            action: event.action,
            outcome: event.outcome,
            time: event.appTime ?? event.createdAt,
          },
          batch.lines[index]!,
          { facility: sink.facility, hostname: host, appName: sink.appName },
        ),
      ),
    ),
  );
  let connection: Connection | undefined;
  try {
    connection = await connectionFor(sink);
    const socket = connection.socket;
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.write(frames, (error) => (error ? reject(error) : resolve()));
      }),
      sink.timeoutMs,
      `writing to ${sink.host}:${sink.port}`,
    );
    if (connection.broken) throw new Error("the connection closed while writing");
    return { ok: true };
  } catch (error) {
    if (connection) {
      connection.broken = true;
      connection.socket.destroy();
    }
    connections.delete(sink.name);
    return { ok: false, permanent: false, error: errorText(error) };
  }
}

/** Closes every syslog connection of this process (tests, shutdown). */
export function closeSyslogConnections(): void {
  for (const connection of connections.values()) connection.socket.destroy();
  connections.clear();
}
