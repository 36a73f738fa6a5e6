import { createHmac } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSiemSinks, type SiemSink } from "@/lib/domain/siem-sinks";
import { AUDIT_SD_ID, parseSyslogMessage } from "@/lib/domain/syslog";
import { db } from "@/tests/db";
import { ocsfErrors, validateOcsf } from "@/tests/ocsf";
import {
  selfSignedCertificate,
  startHttpReceiver,
  startSyslogListener,
  type ReceivedRequest,
} from "@/tests/siem-receivers";
import { auditedTransaction, recordAudit } from "../audit";
import { deliverBatch, deliverSiem, replayDeadLetter } from "./deliver";
import { closeSyslogConnections } from "./syslog";

const KEY = "siem-test-hmac-key-".padEnd(48, "x");
let http: Awaited<ReturnType<typeof startHttpReceiver>>;

beforeAll(async () => {
  http = await startHttpReceiver();
});
afterAll(async () => {
  closeSyslogConnections();
  await http.stop();
});

/** Writes `count` audit events, as the console does, alternating allowed and refused. */
async function writeEvents(count: number) {
  for (let i = 0; i < count; i++)
    await auditedTransaction(db, (tx) =>
      i % 2 === 0
        ? recordAudit(tx, {
            action: "system.demo_seeded",
            outcome: "ALLOWED",
            actor: { type: "SYSTEM", name: "siem test" },
            data: { workforceUsers: i, staff: 1 },
          })
        : recordAudit(tx, {
            action: "staff.step_up_refused",
            outcome: "REFUSED",
            reason: "NO_USER_VERIFICATION",
            actor: { type: "ANONYMOUS" },
            data: { detail: `try ${i}` },
          }),
    );
}

/** Every v2 position written so far, in order. */
async function allPositions(): Promise<number[]> {
  const rows = await db.auditEvent.findMany({
    where: { formatVersion: 2 },
    orderBy: { position: "asc" },
    select: { position: true },
  });
  return rows.map((row) => Number(row.position));
}

function webhookSink(name: string, extra: Record<string, unknown> = {}): SiemSink {
  return parseSiemSinks(
    JSON.stringify([
      { name, type: "webhook", url: http.url, secretEnv: "TEST_SIEM_KEY", batchSize: 3, ...extra },
    ]),
    { TEST_SIEM_KEY: KEY },
  )[0]!;
}

/** The events of the requests the receiver acknowledged, after checking each one's signature. */
function acknowledgedLines(requests: ReceivedRequest[]) {
  return requests
    .filter((request) => request.status >= 200 && request.status < 300)
    .flatMap((request) => {
      const timestamp = String(request.headers["x-console-timestamp"]);
      const expected = createHmac("sha256", KEY)
        .update(`${timestamp}.${request.body}`)
        .digest("hex");
      expect(request.headers["x-console-signature"]).toBe(`sha256=${expected}`);
      expect(request.headers["content-type"]).toBe("application/x-ndjson");
      const lines = request.body
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        // JSON Lines carry the position; OCSF carries it as metadata.sequence.
        .map((line) => ({
          ...line,
          position: (line.position ?? (line.metadata as { sequence: number }).sequence) as number,
          eventId: line.eventId as string,
        }));
      expect(request.headers["x-console-batch"]).toBe(
        `${lines[0]!.position}-${lines.at(-1)!.position}`,
      );
      return lines;
    });
}

async function cursor(sink: string) {
  return db.siemCursor.findUniqueOrThrow({ where: { sink } });
}

/** Runs passes until the sink has nothing new (one sink, at most `limit` passes). */
async function drain(sink: SiemSink, limit = 50) {
  for (let i = 0; i < limit; i++) {
    const [pass] = await deliverSiem(db, [sink], { batches: 5 });
    if (pass!.status !== "delivered") return pass!;
  }
  throw new Error("did not drain");
}

describe("streaming the audit trail to a webhook", () => {
  it("delivers every event once, in position order, signed, with all its columns", async () => {
    http.requests.length = 0;
    http.answer = () => 200;
    await writeEvents(7);
    const sink = webhookSink("in-order");

    expect(await drain(sink)).toMatchObject({ status: "idle" });

    const lines = acknowledgedLines(http.requests);
    expect(lines.map((line) => line.position)).toEqual(await allPositions());
    const stored = await db.auditEvent.findFirstOrThrow({ where: { position: 0 } });
    expect(lines[0]).toMatchObject({
      id: stored.id.toString(),
      position: 0,
      eventId: stored.eventId,
      action: stored.action,
      formatVersion: 2,
      keyId: stored.keyId,
      entry: Buffer.from(stored.entry!).toString("base64"),
    });
    expect(await cursor("in-order")).toMatchObject({
      position: BigInt(lines.at(-1)!.position),
      attempts: 0,
      lastError: null,
    });
    // The same range always carries the same idempotency key; different ranges do not.
    const keys = http.requests.map((request) => request.headers["idempotency-key"]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("streams OCSF to a webhook: every event once, each line valid against the compiled schema", async () => {
    http.requests.length = 0;
    http.answer = () => 200;
    await writeEvents(3);
    const sink = webhookSink("ocsf", { format: "ocsf" });
    expect(await drain(sink)).toMatchObject({ status: "idle" });
    const lines = acknowledgedLines(http.requests);
    expect(lines.map((line) => line.position)).toEqual(await allPositions());
    for (const { position: _position, eventId: _eventId, ...line } of lines)
      expect(validateOcsf(line), ocsfErrors()).toBe(true);
  });

  it("never quotes back a credential from the sink's headers that the receiver echoes", async () => {
    const token = "hec-token-0f1e2d3c4b5a69788796a5b4";
    await writeEvents(1);
    const sink = webhookSink("echoing", { headers: { Authorization: `Splunk ${token}` } });
    const head = (await allPositions()).at(-1)!;
    await db.siemCursor.create({ data: { sink: "echoing", position: head - 1 } });
    http.answer = () => 401;
    http.body = (request) => `refused: ${JSON.stringify(request.headers)}`;
    try {
      const [pass] = await deliverSiem(db, [sink], {});
      expect(http.requests.at(-1)!.headers.authorization).toBe(`Splunk ${token}`);
      expect(pass).toMatchObject({ status: "dead-lettered" });
      const state = await cursor("echoing");
      for (const text of [pass!.error!, state.lastError!]) {
        expect(text).toContain("HTTP 401: refused:");
        expect(text).toContain('"authorization":"[redacted]"');
        expect(text).not.toContain(token.slice(0, 12));
      }
    } finally {
      http.answer = () => 200;
      http.body = (request) => `answer ${request.status}`;
    }
  });

  it("retries a receiver that is down, with backoff, and loses nothing", async () => {
    await writeEvents(4);
    const sink = webhookSink("flaky");
    // Start at the current head, less the four new events.
    const head = (await allPositions()).at(-1)!;
    await db.siemCursor.create({ data: { sink: "flaky", position: head - 4 } });
    http.requests.length = 0;
    http.answer = () => 503;
    let now = new Date();

    expect((await deliverSiem(db, [sink], { now }))[0]).toMatchObject({
      status: "failed",
      error: "HTTP 503: answer 503",
    });
    let state = await cursor("flaky");
    expect(state).toMatchObject({ position: BigInt(head - 4), attempts: 1 });
    expect(state.nextAttemptAt.getTime()).toBeGreaterThan(now.getTime());
    // Not due yet: nothing is sent.
    expect((await deliverSiem(db, [sink], { now }))[0]!.status).toBe("waiting");
    expect(http.requests).toHaveLength(1);

    // Due again, and now refusing connections altogether.
    await http.stop();
    now = state.nextAttemptAt;
    expect((await deliverSiem(db, [sink], { now }))[0]).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/ECONNREFUSED|fetch failed/),
    });
    const second = await cursor("flaky");
    expect(second.attempts).toBe(2);
    // The second wait is longer than the first could have been (backoff doubles, jitter in the upper half).
    expect(second.nextAttemptAt.getTime() - now.getTime()).toBeGreaterThanOrEqual(5_000);

    await http.start();
    http.answer = () => 200;
    now = second.nextAttemptAt;
    expect((await deliverSiem(db, [sink], { now, batches: 5 }))[0]).toMatchObject({
      status: "delivered",
      delivered: 4,
    });
    state = await cursor("flaky");
    expect(state).toMatchObject({ position: BigInt(head), attempts: 0, lastError: null });
    expect(state.lastSuccessAt).toEqual(now);

    const delivered = acknowledgedLines(http.requests).map((line) => line.position);
    expect(delivered).toEqual([head - 3, head - 2, head - 1, head]);
    // The only repeat is the batch that was never acknowledged, sent again whole.
    const refused = http.requests.filter((request) => request.status === 503);
    expect(refused.map((request) => request.headers["x-console-batch"])).toEqual([
      `${head - 3}-${head - 1}`,
    ]);
    const acknowledged = http.requests.filter((request) => request.status === 200);
    expect(acknowledged[0]!.headers["idempotency-key"]).toBe(
      refused[0]!.headers["idempotency-key"],
    );
  });

  it("dead-letters a batch the receiver refuses for good, moves on, and replays it on demand", async () => {
    await writeEvents(2);
    const head = (await allPositions()).at(-1)!;
    await db.siemCursor.create({ data: { sink: "refusing", position: head - 2 } });
    const sink = webhookSink("refusing");
    http.requests.length = 0;
    http.answer = () => 400;

    expect((await deliverSiem(db, [sink]))[0]).toMatchObject({
      status: "dead-lettered",
      error: "refused: HTTP 400: answer 400",
    });
    const [letter] = await db.siemDeadLetter.findMany({ where: { sink: "refusing" } });
    expect(letter).toMatchObject({
      fromPosition: BigInt(head - 1),
      toPosition: BigInt(head),
      replayedAt: null,
    });
    expect(await cursor("refusing")).toMatchObject({ position: BigInt(head), attempts: 0 });
    expect((await cursor("refusing")).lastError).toContain(`positions ${head - 1}-${head}`);

    http.answer = () => 200;
    await writeEvents(1);
    expect(await drain(sink)).toMatchObject({ status: "idle" });
    expect(acknowledgedLines(http.requests).map((line) => line.position)).toEqual([head + 1]);

    http.requests.length = 0;
    expect(await replayDeadLetter(db, [sink], letter!.id)).toMatchObject({ sent: 2 });
    expect(acknowledgedLines(http.requests).map((line) => line.position)).toEqual([head - 1, head]);
    expect(
      (await db.siemDeadLetter.findUniqueOrThrow({ where: { id: letter!.id } })).replayedAt,
    ).not.toBeNull();
    await expect(replayDeadLetter(db, [sink], letter!.id)).rejects.toThrowError(/was replayed/);
    await expect(replayDeadLetter(db, [], letter!.id)).rejects.toThrowError(/not configured/);
  });

  it("dead-letters after the last allowed attempt, and a failed replay keeps the letter", async () => {
    await writeEvents(1);
    const head = (await allPositions()).at(-1)!;
    await db.siemCursor.create({ data: { sink: "tired", position: head - 1 } });
    const sink = webhookSink("tired", { maxAttempts: 2 });
    http.answer = () => 500;

    expect((await deliverSiem(db, [sink]))[0]!.status).toBe("failed");
    const now = (await cursor("tired")).nextAttemptAt;
    expect((await deliverSiem(db, [sink], { now }))[0]).toMatchObject({
      status: "dead-lettered",
      error: "2 attempts failed, the last: HTTP 500: answer 500",
    });
    const letter = await db.siemDeadLetter.findFirstOrThrow({ where: { sink: "tired" } });
    await expect(replayDeadLetter(db, [sink], letter.id)).rejects.toThrowError(/HTTP 500/);
    expect(
      (await db.siemDeadLetter.findUniqueOrThrow({ where: { id: letter.id } })).replayedAt,
    ).toBeNull();
    http.answer = () => 200;
  });

  it("lets one deliverer at a time hold a sink (SKIP LOCKED), so nothing is sent twice", async () => {
    await writeEvents(3);
    const head = (await allPositions()).at(-1)!;
    await db.siemCursor.create({ data: { sink: "contended", position: head - 3 } });
    const sink = webhookSink("contended");
    http.requests.length = 0;
    let release!: () => void;
    const held = new Promise<number>((resolve) => (release = () => resolve(200)));
    const arrived = new Promise<void>((resolve) => (http.onRequest = () => resolve()));
    http.answer = () => held;

    const first = deliverBatch(db, sink);
    await arrived;
    // The first deliverer is waiting for the receiver while it holds the cursor.
    expect(await deliverBatch(db, sink)).toMatchObject({ status: "busy", delivered: 0 });
    release();
    expect(await first).toMatchObject({ status: "delivered", delivered: 3 });
    http.onRequest = () => {};
    http.answer = () => 200;

    // And many at once, over many batches: every event once.
    await writeEvents(10);
    await Promise.all(Array.from({ length: 4 }, () => deliverSiem(db, [sink], { batches: 10 })));
    await drain(sink);
    expect(acknowledgedLines(http.requests).map((line) => line.position)).toEqual(
      (await allPositions()).slice(head - 2),
    );
  });

  it("signs with the key from secretFile, and names neither the key nor its file on failure", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "siem-key-"));
    const keyFile = path.join(dir, "hmac.key");
    writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
    const config = (name: string, file: string) =>
      parseSiemSinks(
        JSON.stringify([{ name, type: "webhook", url: http.url, secretFile: file, batchSize: 1 }]),
      )[0]!;
    const head = (await allPositions()).at(-1)!;
    await db.siemCursor.createMany({
      data: [
        { sink: "key-file", position: head - 1 },
        { sink: "key-file-missing", position: head - 1 },
      ],
    });
    http.requests.length = 0;
    http.answer = () => 200;

    expect((await deliverSiem(db, [config("key-file", keyFile)]))[0]!.status).toBe("delivered");
    expect(acknowledgedLines(http.requests).map((line) => line.position)).toEqual([head]);

    const missing = path.join(dir, "not-there.key");
    const [failed] = await deliverSiem(db, [config("key-file-missing", missing)]);
    expect(failed).toMatchObject({
      status: "failed",
      error: 'the HMAC key file of sink "key-file-missing" cannot be read (ENOENT)',
    });
    expect((await cursor("key-file-missing")).lastError).not.toContain(dir);
    expect(http.requests).toHaveLength(1);
  });

  it("signs with both keys while the key file holds two (the new one first), then with the new one alone", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "siem-key-"));
    const keyFile = path.join(dir, "hmac.key");
    const NEW = "siem-rotated-hmac-key-".padEnd(48, "y");
    writeFileSync(keyFile, `${NEW}\n${KEY}\n`, { mode: 0o600 });
    const sink = parseSiemSinks(
      JSON.stringify([
        { name: "rotating", type: "webhook", url: http.url, secretFile: keyFile, batchSize: 1 },
      ]),
    )[0]!;
    const head = (await allPositions()).at(-1)!;
    await db.siemCursor.create({ data: { sink: "rotating", position: head - 3 } });
    http.requests.length = 0;
    http.answer = () => 200;
    const signature = (key: string, request: ReceivedRequest) =>
      `sha256=${createHmac("sha256", key)
        .update(`${String(request.headers["x-console-timestamp"])}.${request.body}`)
        .digest("hex")}`;

    await deliverSiem(db, [sink], { batches: 1 });
    const during = http.requests[0]!;
    expect(String(during.headers["x-console-signature"]).split(", ")).toEqual([
      signature(NEW, during),
      signature(KEY, during),
    ]);

    // The rotation is over: the file is read at the next send.
    writeFileSync(keyFile, `${NEW}\n`);
    await deliverSiem(db, [sink], { batches: 1 });
    const after = http.requests[1]!;
    expect(after.headers["x-console-signature"]).toBe(signature(NEW, after));

    // Three keys is a mistake: nothing is sent, and the error names no key.
    writeFileSync(keyFile, `${NEW}\n${KEY}\n${KEY}x\n`);
    const [refused] = await deliverSiem(db, [sink], { batches: 1 });
    expect(refused).toMatchObject({
      status: "failed",
      error:
        'the HMAC key file of sink "rotating" holds 3 keys: one, or two while rotating (the new one first)',
    });
    expect(http.requests).toHaveLength(2);
  });
});

describe("streaming the audit trail to syslog", () => {
  async function checkMessages(messages: string[], from: number) {
    const rows = await db.auditEvent.findMany({
      where: { formatVersion: 2, position: { gte: from } },
      orderBy: { position: "asc" },
    });
    expect(messages).toHaveLength(rows.length);
    messages.forEach((message, index) => {
      const row = rows[index]!;
      const parsed = parseSyslogMessage(message);
      expect(parsed).toMatchObject({
        pri: row.outcome === "REFUSED" ? 16 * 8 + 4 : 16 * 8 + 6,
        version: 1,
        timestamp: row.appTime!.toISOString(),
        appName: "console-test",
        procId: "-",
        msgId: row.action,
        sd: {
          [AUDIT_SD_ID]: {
            position: String(row.position),
            eventId: row.eventId,
            outcome: row.outcome,
          },
        },
      });
      expect(JSON.parse(parsed.msg)).toMatchObject({
        position: Number(row.position),
        eventId: row.eventId,
      });
    });
  }

  it("sends octet-counted RFC 5424 messages over TCP, and reconnects after the listener restarts", async () => {
    const listener = await startSyslogListener();
    const head = (await allPositions()).at(-1) ?? -1;
    await db.siemCursor.create({ data: { sink: "tcp", position: head } });
    const sink = parseSiemSinks(
      JSON.stringify([
        {
          name: "tcp",
          type: "syslog",
          host: "127.0.0.1",
          port: listener.port,
          transport: "tcp",
          appName: "console-test",
          facility: "local0",
          batchSize: 2,
        },
      ]),
    )[0]!;
    await writeEvents(3);
    expect(await drain(sink)).toMatchObject({ status: "idle" });
    await checkMessages(await listener.received(3), head + 1);

    // The listener goes away: the send fails and is retried once it is back, on a new connection.
    await listener.stop();
    await writeEvents(2);
    const [failed] = await deliverSiem(db, [sink]);
    expect(failed).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/ECONNREFUSED|EPIPE|ECONNRESET|closed/),
    });
    await listener.start();
    const now = (await cursor("tcp")).nextAttemptAt;
    expect((await deliverSiem(db, [sink], { now, batches: 5 }))[0]).toMatchObject({
      status: "delivered",
      delivered: 2,
    });
    await checkMessages(await listener.received(5), head + 1);
    expect(listener.errors).toEqual([]);
    await listener.stop();
  });

  it("sends over TLS, trusting the configured CA only", async () => {
    const certificate = selfSignedCertificate();
    const listener = await startSyslogListener({ tls: certificate });
    const head = (await allPositions()).at(-1) ?? -1;
    const config = {
      type: "syslog",
      host: "localhost",
      port: listener.port,
      transport: "tls",
      appName: "console-test",
      facility: "local0",
    };
    await db.siemCursor.createMany({
      data: [
        { sink: "tls", position: head },
        { sink: "tls-untrusted", position: head },
      ],
    });
    const [trusted, untrusted] = parseSiemSinks(
      JSON.stringify([
        { ...config, name: "tls", caFile: certificate.certFile },
        { ...config, name: "tls-untrusted" },
      ]),
    );
    await writeEvents(2);

    expect((await deliverSiem(db, [untrusted!]))[0]).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/self-signed|certificate/i),
    });
    expect(await drain(trusted!)).toMatchObject({ status: "idle" });
    await checkMessages(await listener.received(2), head + 1);
    expect(listener.messages).toHaveLength(2);
    await listener.stop();
  });
});
