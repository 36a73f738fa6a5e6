/**
 * The Shared Signals transmitter's delivery (docs/decisions/034-shared-signals.md). Events are
 * derived from the audit trail by position, as the SIEM stream is: the audit row of a decision
 * is written in the decision's own transaction, so an event exists exactly when the decision
 * committed. Each stream keeps the last position it delivered.
 *
 * Push (RFC 8935): one claim of a stream at a time (a transaction-scoped advisory lock that is
 * only tried; another worker skips the stream), events sent one by one in position order, the
 * cursor moved past a row only once the receiver accepted (202) every token that row produced. A
 * failure keeps what was acknowledged, backs off and sends the rest again later: at least once,
 * never out of order, so a person's events arrive in the order they happened whatever number of
 * workers run. The claim does not lock the stream's row: a reviewer revoking the receiver's token
 * or the receiver changing its stream never waits behind a slow receiver. Each push reads the
 * stream again, so nothing more is sent once it is disabled, and a pass stops starting pushes in
 * time to record what was acknowledged within its transaction.
 * Poll (RFC 8936): the same tokens, returned in order; the cursor moves past a row once every
 * token of it (and of every row before it) was acknowledged.
 *
 * NOTE: its only row locks are a poll's, on "SsfStream" rows, nothing a recovery path locks
 * (tests/unit/lock-order.test.ts).
 */
import type { AuditEvent, Prisma, PrismaClient, SsfStream } from "@/generated/prisma/client";
import { AUDIT_FORMAT_V2 } from "@/lib/domain/audit-entry";
import { mapLimited } from "@/lib/map-limited";
import { checkV2Row } from "@/lib/domain/audit-log-check";
import { reachesExternalStreams } from "@/lib/domain/external-streams";
import { replyExcerpt, urlSecrets } from "@/lib/domain/reply-excerpt";
import { backoffMs } from "@/lib/domain/siem-sinks";
import {
  eventsForAudit,
  passkeyIdsFor,
  SSF_EVENT_TYPES,
  streamWants,
  subjectId,
  type AuditFacts,
  type PasskeyFacts,
} from "@/lib/domain/ssf/events";
import { trustedEventKeys } from "../audit-keys";
import { receiverFetch } from "./receiver-fetch";
import { signSet } from "./set";

type Client = Pick<PrismaClient, "$transaction" | "ssfStream">;
type Tx = Prisma.TransactionClient;

/** Audit rows read per step (most rows produce no event). */
const ROWS_PER_READ = 200;
/**
 * Audit rows one call of pendingSets reads at most. A stream far behind (its receiver down for
 * days, or asking only for rare events) is caught up over several calls, each bounded, where one
 * call used to read the whole backlog, and check every row's signature, inside its transaction.
 */
export const ROWS_PER_CALL = 5_000;
/**
 * Calls of pendingSets one claim makes at most: a push pass while it finds no token, a poll for
 * the acknowledgements and for the tokens each.
 */
const CALLS_PER_CLAIM = 4;
const PUSH_TIMEOUT_MS = 10_000;

/**
 * Push passes run at once, at most: a pass holds one of the console's pool connections while its
 * receiver answers (up to 110 s), so receivers that answer slowly, however many streams they
 * open, never take the connections the console's pages and decisions need.
 */
export const DELIVERY_PASSES_AT_ONCE = 2;

/** The class of the advisory locks that claim push streams (the other key is a hash of the id). */
const SSF_PUSH_LOCK = 7_355_610;

export type PendingSet = { jti: string; position: bigint; jwt: string };

export type StreamPass = {
  streamId: string;
  status: "delivered" | "failed" | "busy" | "waiting" | "idle";
  delivered: number;
  error?: string;
};

export type SsfDeliveryOptions = {
  issuer: string;
  now?: Date;
  random?: () => number;
  /** Stop after this many tokens in one claim (the next pass goes on). Default 100. */
  maxEvents?: number;
  fetch?: typeof fetch;
  /**
   * Start no row's pushes after this long in one claim (the next pass goes on), so the last ends
   * and the cursor is recorded within the transaction's time. A row begun is finished, and the
   * first row always starts. Default 11 push timeouts (110 s).
   */
  passMs?: number;
  /** Audit rows read at most in one claim (ROWS_PER_CALL). */
  rowsPerCall?: number;
};

/** The highest position of the trail (a new stream starts after it). */
export async function headPosition(tx: Pick<PrismaClient, "auditEvent">): Promise<bigint> {
  const last = await tx.auditEvent.findFirst({
    where: { formatVersion: AUDIT_FORMAT_V2, position: { not: null } },
    orderBy: { position: "desc" },
    select: { position: true },
  });
  return last?.position ?? -1n;
}

/**
 * The tokens the rows after `after` produce for the stream, in order, at most about `limit`
 * (a row's tokens are never split), and the last position read (rows without tokens included).
 * At most `maxRows` rows are read: `more` then says the trail goes on past `readTo`.
 */
export async function pendingSets(
  tx: Tx,
  stream: Pick<SsfStream, "audience" | "eventsRequested">,
  after: bigint,
  limit: number,
  issuer: string,
  maxRows: number = ROWS_PER_CALL,
): Promise<{ sets: PendingSet[]; readTo: bigint; more: boolean }> {
  const keys = trustedEventKeys();
  const sets: PendingSet[] = [];
  let readTo = after;
  let read = 0;
  for (;;) {
    if (read >= maxRows) return { sets, readTo, more: true };
    const rows = await tx.auditEvent.findMany({
      where: { formatVersion: AUDIT_FORMAT_V2, position: { gt: readTo } },
      orderBy: { position: "asc" },
      take: Math.min(ROWS_PER_READ, maxRows - read),
    });
    read += rows.length;
    if (rows.length === 0) return { sets, readTo, more: false };
    const built = await setsForRows(tx, stream, rows, keys, issuer);
    for (const row of rows) {
      const forRow = built.get(row.position!) ?? [];
      if (sets.length > 0 && sets.length + forRow.length > limit)
        return { sets, readTo, more: true };
      sets.push(...forRow);
      readTo = row.position!;
    }
    if (sets.length >= limit) return { sets, readTo, more: true };
  }
}

async function setsForRows(
  tx: Tx,
  stream: Pick<SsfStream, "audience" | "eventsRequested">,
  rows: AuditEvent[],
  keys: ReturnType<typeof trustedEventKeys>,
  issuer: string,
): Promise<Map<bigint, PendingSet[]>> {
  // A row that is not part of the log (planted or altered) never becomes an event (decision 017).
  // Only a row that could make one is checked (a signature check costs about 0.1 ms): one about a
  // person, of an action that reaches streams (what eventsForAudit asks first).
  const genuine = rows.filter(
    (row) =>
      reachesExternalStreams(row.action) && row.subjectUserId !== null && checkV2Row(row, keys).ok,
  );
  const facts = genuine.map((row) => ({ row, facts: auditFacts(row) }));
  const passkeyIds = [...new Set(facts.flatMap(({ facts }) => passkeyIdsFor(facts)))];
  const passkeys = new Map<string, PasskeyFacts>();
  if (passkeyIds.length > 0)
    for (const p of await tx.passkey.findMany({
      where: { id: { in: passkeyIds } },
      select: { id: true, aaguid: true, modelName: true, backedUp: true, transports: true },
    }))
      passkeys.set(p.id, p);
  const events = facts.map(({ row, facts }) => ({
    row,
    events: eventsForAudit(facts, passkeys).filter((e) =>
      streamWants(stream.eventsRequested, e.type),
    ),
  }));
  const userIds = [...new Set(events.flatMap((e) => e.events.map((x) => x.userId)))];
  const emails = new Map<string, string>();
  if (userIds.length > 0)
    for (const e of await tx.workforceEmail.findMany({
      where: { userId: { in: userIds }, isPrimary: true },
      select: { userId: true, address: true },
    }))
      emails.set(e.userId, e.address);
  const out = new Map<bigint, PendingSet[]>();
  for (const { row, events: list } of events) {
    const sets: PendingSet[] = [];
    for (const [index, event] of list.entries())
      sets.push({
        jti: setJti(row.position!, index),
        position: row.position!,
        jwt: await signSet({
          issuer,
          audience: stream.audience,
          jti: setJti(row.position!, index),
          txn: row.eventId ?? undefined,
          subId: subjectId(issuer, event.userId, emails.get(event.userId) ?? null),
          type: event.type,
          claims: event.claims,
          issuedAt: row.createdAt,
        }),
      });
    if (sets.length > 0) out.set(row.position!, sets);
  }
  return out;
}

/** The same token id every time a row's event is sent: receivers drop duplicates by it. */
export function setJti(position: bigint, index: number): string {
  return `audit-${position}-${index}`;
}

/** The audit position a token id names (null for any other id). */
export function positionOfJti(jti: string): bigint | null {
  const match = /^audit-(\d{1,19})-\d{1,4}$/.exec(jti);
  return match ? BigInt(match[1]!) : null;
}

/** What the transmitter reads of an audit row (lib/domain/ssf/events.ts eventsForAudit). */
export function auditFacts(row: AuditEvent): AuditFacts {
  return {
    action: row.action,
    outcome: row.outcome,
    actorType: row.actorType,
    subjectUserId: row.subjectUserId,
    targetType: row.targetType,
    targetId: row.targetId,
    createdAt: row.createdAt,
    data:
      row.data && typeof row.data === "object" && !Array.isArray(row.data)
        ? (row.data as Record<string, unknown>)
        : {},
  };
}

/** One pass over every enabled push stream that is due, DELIVERY_PASSES_AT_ONCE at a time. */
export async function deliverSsf(
  client: Client,
  options: SsfDeliveryOptions,
): Promise<StreamPass[]> {
  const now = options.now ?? new Date();
  const streams = await client.ssfStream.findMany({
    where: {
      deliveryMethod: "push",
      status: "enabled",
      nextAttemptAt: { lte: now },
      token: { revokedAt: null },
    },
    select: { id: true },
  });
  // A few at a time: each pass holds a pool connection while its receiver answers.
  return mapLimited(streams, DELIVERY_PASSES_AT_ONCE, ({ id }) =>
    deliverStream(client, id, { ...options, now }),
  );
}

/** One claim of one push stream: its next events sent in order, the cursor moved past those acknowledged. */
export async function deliverStream(
  client: Client,
  streamId: string,
  options: SsfDeliveryOptions,
): Promise<StreamPass> {
  const now = options.now ?? new Date();
  const send = options.fetch ?? receiverFetch;
  return client.$transaction(
    async (tx) => {
      const pass = (status: StreamPass["status"], delivered = 0, error?: string): StreamPass => ({
        streamId,
        status,
        delivered,
        ...(error ? { error } : {}),
      });
      const [lock] = await tx.$queryRaw<{ claimed: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(${SSF_PUSH_LOCK}::int, hashtext(${streamId})) AS claimed`;
      if (!lock?.claimed) return pass("busy");
      // Read after the claim, in a statement of its own: it sees the last holder's commit.
      const stream = await tx.ssfStream.findUnique({
        where: { id: streamId },
        include: { token: { select: { revokedAt: true } } },
      });
      if (
        !stream ||
        stream.token.revokedAt !== null ||
        stream.deliveryMethod !== "push" ||
        stream.status !== "enabled" ||
        !stream.endpointUrl
      )
        return pass("idle");
      if (stream.nextAttemptAt > now) return pass("waiting");
      const started = performance.now();
      // Read on while the rows make no token for this stream, up to CALLS_PER_CLAIM reads.
      let start = stream.position;
      const read = () =>
        pendingSets(
          tx,
          stream,
          start,
          options.maxEvents ?? 100,
          options.issuer,
          options.rowsPerCall,
        );
      let page = await read();
      for (let calls = 1; page.sets.length === 0 && page.more && calls < CALLS_PER_CLAIM; calls++) {
        start = page.readTo;
        page = await read();
      }
      const { sets, readTo } = page;
      let delivered = 0;
      // Acknowledged so far: the position before the first token not yet accepted.
      let acknowledged = stream.position;
      // The cursor moves only from where this pass found it, and only for the events it read for:
      // a stream disabled and enabled again meanwhile starts at the trail's end, and keeps it; a
      // stream that changed the events it asks for is read again from its cursor for them.
      const record = (data: Prisma.SsfStreamUpdateManyMutationInput) =>
        tx.ssfStream.updateMany({
          where: {
            id: streamId,
            position: stream.position,
            eventsRequested: { equals: stream.eventsRequested },
          },
          data,
        });
      for (const [i, set] of sets.entries()) {
        // Changed meanwhile (a revoked token, the receiver's own request): stop here.
        const current = await tx.ssfStream.findUnique({
          where: { id: streamId },
          select: {
            status: true,
            deliveryMethod: true,
            endpointUrl: true,
            authorizationHeader: true,
            position: true,
            eventsRequested: true,
            token: { select: { revokedAt: true } },
          },
        });
        // Disabled, switched to poll, its cursor moved by someone else (disabled and enabled
        // again: the trail's end; polled), or the events it asks for changed (the tokens were
        // built for the old request): this pass stops; the next one starts from the stream as it is.
        const url =
          current?.status === "enabled" &&
          current.token.revokedAt === null &&
          current.deliveryMethod === "push" &&
          current.position === stream.position &&
          sameRequest(current.eventsRequested, stream.eventsRequested)
            ? current.endpointUrl
            : null;
        // Late in the pass: what was acknowledged is recorded before the transaction's time is up.
        // Checked before a row's first token only. A row begun is finished, since the cursor moves
        // past a row once all its tokens are accepted: a pass stopped inside a row would send the
        // same tokens again and again. And the first row always starts, so a pass that took long
        // to read still moves the stream on.
        const firstOfRow = i === 0 || sets[i - 1]!.position !== set.position;
        const late =
          i > 0 &&
          firstOfRow &&
          performance.now() - started > (options.passMs ?? PUSH_TIMEOUT_MS * 11);
        if (!url || late) {
          await record({
            position: acknowledged,
            attempts: 0,
            ...(delivered > 0 ? { lastSuccessAt: now, lastError: null } : {}),
          });
          return pass(delivered > 0 ? "delivered" : "idle", delivered);
        }
        const result = await pushSet(send, url, current!.authorizationHeader, set.jwt);
        if (!result.ok) {
          const attempts = stream.attempts + 1;
          await record({
            position: acknowledged,
            attempts,
            nextAttemptAt: new Date(now.getTime() + backoffMs(attempts, options.random)),
            lastError: result.error.slice(0, 500),
          });
          return pass("failed", delivered, result.error);
        }
        delivered++;
        // Past a row once its last token is accepted.
        if (sets[i + 1]?.position !== set.position) acknowledged = set.position;
      }
      await record({
        position: readTo,
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        ...(delivered > 0 ? { lastSuccessAt: now } : {}),
      });
      return pass(delivered > 0 ? "delivered" : "idle", delivered);
    },
    // Pushes start for at most 11 timeouts; the last one ends, and the cursor is recorded, within this.
    { maxWait: 30_000, timeout: PUSH_TIMEOUT_MS * 12 + 10_000 },
  );
}

const sameRequest = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");

/** RFC 8935: POST the token; 202 Accepted is the receiver's acknowledgement. */
export async function pushSet(
  send: typeof fetch,
  url: string,
  authorization: string | null,
  jwt: string,
): Promise<{ ok: true } | { ok: false; error: string; status: number | null }> {
  try {
    const response = await send(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/secevent+jwt",
        Accept: "application/json",
        ...(authorization ? { Authorization: authorization } : {}),
      },
      body: jwt,
      redirect: "manual",
      signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
    });
    const text = await response.text().catch(() => "");
    if (response.status === 202) return { ok: true };
    // Never the receiver's whole body, nor the credential it may echo: a short, printable excerpt.
    const detail = replyExcerpt(text, [
      ...(authorization ? [authorization] : []),
      ...urlSecrets(url),
    ]);
    return {
      ok: false,
      error: `HTTP ${response.status}${detail ? `: ${detail}` : ""}`,
      status: response.status,
    };
  } catch (error) {
    return {
      ok: false,
      error: error instanceof Error ? error.message : String(error),
      status: null,
    };
  }
}

/**
 * RFC 8936: one poll of a stream. Acknowledgements first (the cursor moves over every row whose
 * tokens are all acknowledged, in order), then up to `maxEvents` tokens not yet acknowledged, in
 * order. Two polls of one stream at once: the second gets nothing and `moreAvailable`.
 */
/** The acknowledgements beyond the cursor a poll stream keeps (a receiver acknowledging out of order). */
const MAX_KEPT_ACKS = 1000;

export async function pollStream(
  client: Client,
  streamId: string,
  request: { ack: readonly string[]; maxEvents: number },
  options: { issuer: string; rowsPerCall?: number },
): Promise<{ sets: Record<string, string>; moreAvailable: boolean }> {
  return client.$transaction(
    async (tx) => {
      const [claimed] = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "SsfStream" WHERE id = ${streamId}::uuid FOR UPDATE SKIP LOCKED`;
      if (!claimed) return { sets: {}, moreAvailable: true };
      const stream = await tx.ssfStream.findUniqueOrThrow({ where: { id: streamId } });
      // Only acknowledgements of tokens that exist (up to the trail's head) are kept, and never
      // more than a page's worth: ids of tokens never sent cannot grow the stream's row.
      const head = await headPosition(tx);
      const acked = new Set(
        [...stream.ackedJtis, ...request.ack]
          .filter((jti) => {
            const position = positionOfJti(jti);
            return position !== null && position > stream.position && position <= head;
          })
          .slice(0, MAX_KEPT_ACKS),
      );
      // Move over what is acknowledged, in order, and stop at the first token that is not.
      // At most CALLS_PER_CLAIM reads of the trail: a cursor far behind moves on at the next poll.
      let position = stream.position;
      let behind = false;
      for (let calls = 1; ; calls++) {
        const { sets, readTo, more } = await pendingSets(
          tx,
          stream,
          position,
          200,
          options.issuer,
          options.rowsPerCall,
        );
        const firstOpen = sets.find((set) => !acked.has(set.jti));
        if (!firstOpen) {
          position = readTo;
          if (!more) break;
          // The cursor moves on at the next poll, which the receiver is told to make now.
          behind = calls >= CALLS_PER_CLAIM;
          if (behind) break;
          continue;
        }
        // Every row before the first open token is done.
        position = firstOpen.position - 1n > position ? firstOpen.position - 1n : position;
        break;
      }
      const remaining = [...acked].filter((jti) => positionOfJti(jti)! > position);
      const sets: Record<string, string> = {};
      let moreAvailable = behind;
      // A verification the receiver asked for comes first, in every poll, until acknowledged.
      const verification =
        stream.verificationJti && !request.ack.includes(stream.verificationJti)
          ? stream.verificationJti
          : null;
      if (stream.status === "enabled" && request.maxEvents > 0 && verification)
        sets[verification] = await signSet({
          issuer: options.issuer,
          audience: stream.audience,
          jti: verification,
          subId: { format: "opaque", id: stream.id },
          type: SSF_EVENT_TYPES.verification,
          claims: stream.verificationState ? { state: stream.verificationState } : {},
        });
      if (stream.status === "enabled" && request.maxEvents > 0) {
        let after = position;
        for (let calls = 1; ; calls++) {
          const page = await pendingSets(
            tx,
            stream,
            after,
            request.maxEvents,
            options.issuer,
            options.rowsPerCall,
          );
          for (const set of page.sets) {
            if (acked.has(set.jti)) continue;
            if (Object.keys(sets).length >= request.maxEvents) {
              moreAvailable = true;
              break;
            }
            sets[set.jti] = set.jwt;
          }
          after = page.readTo;
          if (moreAvailable || !page.more) break;
          if (Object.keys(sets).length >= request.maxEvents || calls >= CALLS_PER_CLAIM) {
            moreAvailable = true;
            break;
          }
        }
      }
      await tx.ssfStream.update({
        where: { id: streamId },
        data: {
          position,
          ackedJtis: remaining,
          ...(verification ? {} : { verificationJti: null, verificationState: null }),
        },
      });
      return { sets, moreAvailable };
    },
    { maxWait: 30_000, timeout: 60_000 },
  );
}
