/**
 * Streams the audit trail to the configured SIEM sinks (docs/decisions/019-siem-streaming.md).
 *
 * For each sink, one claim at a time: a transaction locks the sink's cursor row with
 * `FOR UPDATE SKIP LOCKED` (another process or instance holding it means this one skips the
 * sink), reads the next events after the cursor in position order (format v2 rows only), sends
 * them, and moves the cursor in the same transaction once the sink acknowledged. At least once:
 * a crash between the acknowledgement and the commit sends the batch again. A failure waits with
 * exponential backoff and jitter; a permanent refusal, or the last allowed attempt, puts the
 * batch in SiemDeadLetter (which names its positions, for `replayDeadLetter`) and moves past it.
 *
 * NOTE: not marked "server-only": `npm run siem:replay` (plain Node) uses it with its own client.
 * The only row locks it takes are on "SiemCursor" and "SiemDeadLetter", never on a row of the
 * recovery paths (tests/unit/lock-order.test.ts).
 */
import type { AuditEvent, PrismaClient } from "@/generated/prisma/client";
import { AUDIT_FORMAT_V2 } from "@/lib/domain/audit-entry";
import { backoffMs, type SiemSink } from "@/lib/domain/siem-sinks";
import { checkV2Row } from "@/lib/domain/audit-log-check";
import { trustedEventKeys } from "../audit-keys";
import { reachesExternalStreams } from "@/lib/domain/external-streams";
import { formatterFor } from "./formats";
import { sendSyslog } from "./syslog";
import { errorText, type FormattedBatch, type SendResult } from "./types";
import { sendWebhook } from "./webhook";

type Client = Pick<PrismaClient, "$transaction" | "$executeRaw" | "auditEvent" | "siemDeadLetter">;

export type DeliveryOptions = {
  /** The clock deciding whether a sink is due and when it is next (tests move it forward). */
  now?: Date;
  /** For the backoff's jitter. */
  random?: () => number;
  /** How many batches per sink at most in this pass (each its own claim). Default 1. */
  batches?: number;
};

export type SinkPass = {
  sink: string;
  /** busy: another deliverer holds the sink; waiting: backing off; idle: nothing new. */
  status: "delivered" | "failed" | "dead-lettered" | "busy" | "waiting" | "idle";
  delivered: number;
  error?: string;
};

type Cursor = { position: bigint; attempts: number; nextAttemptAt: Date };

/** One pass over every sink, side by side (a slow sink does not hold the others up). */
export async function deliverSiem(
  client: Client,
  sinks: readonly SiemSink[],
  options: DeliveryOptions = {},
): Promise<SinkPass[]> {
  return Promise.all(
    sinks.map(async (sink) => {
      const pass: SinkPass = { sink: sink.name, status: "idle", delivered: 0 };
      for (let i = 0; i < (options.batches ?? 1); i++) {
        const step = await deliverBatch(client, sink, options);
        pass.delivered += step.delivered;
        pass.status = step.status === "idle" && pass.delivered > 0 ? "delivered" : step.status;
        pass.error = step.error;
        if (step.status !== "delivered") break;
      }
      return pass;
    }),
  );
}

/** One claim of one sink: at most one batch sent, and the cursor moved if it was acknowledged. */
export async function deliverBatch(
  client: Client,
  sink: SiemSink,
  options: DeliveryOptions = {},
): Promise<SinkPass> {
  const now = options.now ?? new Date();
  // Its own statement, committed at once: a deliverer never waits on another's new row.
  // A new sink is due at once (by this pass's clock) and starts before position 0: it is sent
  // the whole v2 trail.
  await client.$executeRaw`INSERT INTO "SiemCursor" (sink, "nextAttemptAt", "updatedAt")
    VALUES (${sink.name}, ${now}, now()) ON CONFLICT (sink) DO NOTHING`;
  return client.$transaction(
    async (tx) => {
      const [cursor] = await tx.$queryRaw<Cursor[]>`
        SELECT position, attempts, "nextAttemptAt" FROM "SiemCursor"
        WHERE sink = ${sink.name} FOR UPDATE SKIP LOCKED`;
      const pass = (status: SinkPass["status"], delivered = 0, error?: string): SinkPass => ({
        sink: sink.name,
        status,
        delivered,
        ...(error ? { error } : {}),
      });
      if (!cursor) return pass("busy");
      if (cursor.nextAttemptAt > now) return pass("waiting");
      const events = await tx.auditEvent.findMany({
        where: { formatVersion: AUDIT_FORMAT_V2, position: { gt: cursor.position } },
        orderBy: { position: "asc" },
        take: sink.batchSize,
      });
      if (events.length === 0) return pass("idle");
      const first = events[0]!.position!;
      const last = events.at(-1)!.position!;

      let batch: FormattedBatch;
      try {
        batch = await formatBatch(sink, events);
      } catch (error) {
        // The console cannot format: nothing was sent and the sink is not at fault, so the
        // batch is kept (never dead-lettered) and tried again after the backoff.
        const message = `formatting failed: ${errorText(error)}`;
        await tx.siemCursor.update({
          where: { sink: sink.name },
          data: {
            attempts: cursor.attempts + 1,
            nextAttemptAt: new Date(now.getTime() + backoffMs(cursor.attempts + 1, options.random)),
            lastError: message,
          },
        });
        return pass("failed", 0, message);
      }

      const result = await send(sink, batch);
      if (result.ok) {
        await tx.siemCursor.update({
          where: { sink: sink.name },
          data: {
            position: last,
            attempts: 0,
            nextAttemptAt: now,
            lastError: null,
            lastSuccessAt: now,
          },
        });
        return pass("delivered", events.length);
      }
      const attempts = cursor.attempts + 1;
      if (result.permanent || attempts >= sink.maxAttempts) {
        const why = result.permanent
          ? `refused: ${result.error}`
          : `${attempts} attempts failed, the last: ${result.error}`;
        await tx.siemDeadLetter.create({
          data: { sink: sink.name, fromPosition: first, toPosition: last, error: why },
        });
        await tx.siemCursor.update({
          where: { sink: sink.name },
          data: {
            position: last,
            attempts: 0,
            nextAttemptAt: now,
            lastError: `positions ${first}-${last} dead-lettered, ${why}`.slice(0, 500),
          },
        });
        return pass("dead-lettered", 0, why);
      }
      await tx.siemCursor.update({
        where: { sink: sink.name },
        data: {
          attempts,
          nextAttemptAt: new Date(now.getTime() + backoffMs(attempts, options.random)),
          lastError: result.error,
        },
      });
      return pass("failed", 0, result.error);
    },
    // The cursor's lock is held while sending: the transaction outlives the request's timeout.
    { maxWait: 30_000, timeout: sink.timeoutMs * 2 + 10_000 },
  );
}

/**
 * The batch as the sink receives it. A row that is not part of the log (decision 017: planted by
 * someone who can insert, or altered) is left out, as the export leaves it out: a SIEM must not
 * take it for a genuine event. The batch still spans its whole range of positions, so the cursor
 * moves past it; the verifiers and the reviewer page name it.
 */
async function formatBatch(sink: SiemSink, rows: AuditEvent[]): Promise<FormattedBatch> {
  const format = await formatterFor(sink.format);
  const keys = trustedEventKeys();
  // Practice rows (docs/decisions/030) never leave the console; the cursor still moves past them.
  const events = rows.filter(
    (row) => reachesExternalStreams(row.action) && checkV2Row(row, keys).ok,
  );
  return {
    sink: sink.name,
    events,
    lines: events.map(format),
    first: rows[0]!.position!,
    last: rows.at(-1)!.position!,
  };
}

function send(sink: SiemSink, batch: FormattedBatch): Promise<SendResult> {
  // Nothing genuine in the range: nothing to send, and nothing to wait for.
  if (batch.events.length === 0) return Promise.resolve({ ok: true });
  return sink.type === "webhook" ? sendWebhook(sink, batch) : sendSyslog(sink, batch);
}

/**
 * Sends a dead letter's positions again, to the sink it names (which must still be configured),
 * in batches of the sink's size, and marks it replayed once every batch was acknowledged. The
 * dead letter is locked meanwhile (SKIP LOCKED: a replay already running is refused, not
 * waited for). A failure leaves it as it was, to replay later; what was sent is sent again then.
 */
export async function replayDeadLetter(
  client: Client,
  sinks: readonly SiemSink[],
  id: string,
  options: { now?: Date } = {},
): Promise<{ sink: string; fromPosition: bigint; toPosition: bigint; sent: number }> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
    throw new Error(`"${id}" is not a dead letter id (a UUID)`);
  const letter = await client.siemDeadLetter.findUnique({ where: { id } });
  if (!letter) throw new Error(`no dead letter ${id}`);
  const sink = sinks.find((s) => s.name === letter.sink);
  if (!sink) throw new Error(`sink "${letter.sink}" of dead letter ${id} is not configured`);
  return client.$transaction(
    async (tx) => {
      const [locked] = await tx.$queryRaw<{ replayedAt: Date | null }[]>`
        SELECT "replayedAt" FROM "SiemDeadLetter" WHERE id = ${id}::uuid FOR UPDATE SKIP LOCKED`;
      if (!locked) throw new Error(`dead letter ${id} is being replayed right now`);
      if (locked.replayedAt)
        throw new Error(`dead letter ${id} was replayed at ${locked.replayedAt.toISOString()}`);
      let after = letter.fromPosition - 1n;
      let sent = 0;
      for (;;) {
        const events = await tx.auditEvent.findMany({
          where: {
            formatVersion: AUDIT_FORMAT_V2,
            position: { gt: after, lte: letter.toPosition },
          },
          orderBy: { position: "asc" },
          take: sink.batchSize,
        });
        if (events.length === 0) break;
        const batch = await formatBatch(sink, events);
        const result = await send(sink, batch);
        if (!result.ok)
          throw new Error(
            `replay of positions ${batch.first}-${batch.last} to "${sink.name}" failed: ${result.error}`,
          );
        sent += events.length;
        after = batch.last;
      }
      await tx.siemDeadLetter.update({
        where: { id },
        data: { replayedAt: options.now ?? new Date() },
      });
      return {
        sink: sink.name,
        fromPosition: letter.fromPosition,
        toPosition: letter.toPosition,
        sent,
      };
    },
    // Holds the dead letter while it sends every batch of the range.
    { maxWait: 30_000, timeout: 10 * 60_000 },
  );
}
