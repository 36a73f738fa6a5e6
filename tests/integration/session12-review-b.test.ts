/**
 * An attacker's review of three late changes of session 12 (brief review12b):
 * - Shared Signals push (lib/server/ssf/deliver.ts deliverStream): the advisory-lock claim, the
 *   stream read again before each push, the cursor written only from where the pass found it.
 * - ITSM webhooks (lib/server/webhooks/deliver.ts deliverToEndpoint): the same claim.
 * - PREPARED_MARK (lib/pg-connect.ts): named prepared statements on pooled connections.
 * FIXED tests failed on the code as reviewed and pass since its fix; HELD tests pin behaviour
 * worth keeping.
 *
 * Mid-pass changes of a stream are written as the receiver's routes write them
 * (lib/server/ssf/streams.ts writeStatus, updateStream): disabling sets the status, enabling a
 * disabled stream moves its cursor to the trail's end and drops its acknowledgements, a PATCH sets
 * the delivery fields or events_requested.
 */
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSF_EVENT_TYPES } from "@/lib/domain/ssf/events";
import { pgClient, pgPool, PREPARED_MARK } from "@/lib/pg-connect";
import { voidRecovery } from "@/lib/server/cases/void-recovery";
import { enqueueMessages } from "@/lib/server/enqueue-message";
import { revokePasskeys } from "@/lib/server/revoke-passkeys";
import { DEFAULT_POOL_SIZE } from "@/lib/create-db";
import { openCase } from "@/lib/server/open-case";
import { deliverSsf, deliverStream, headPosition, pollStream } from "@/lib/server/ssf/deliver";
import { deliverToEndpoint } from "@/lib/server/webhooks/deliver";
import { addWebhookEndpoint } from "@/lib/server/webhooks/manage";
import { ssfIssuer } from "@/lib/server/ssf/issuer";
import { revokeReceiverToken } from "@/lib/server/ssf/tokens";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor } from "@/tests/recovery";
import { startHttpReceiver } from "@/tests/siem-receivers";
import { pushStreamTo } from "@/tests/ssf-streams";

const ENDPOINT = "https://receiver.example.test/ssf/push";

/** A receiver answering 202 to every token, recording its jti and type; `during` runs before it answers. */
function receiver(during: (sent: number) => Promise<void> = async () => undefined) {
  const sent: { jti: string; type: string; url: string }[] = [];
  const send: typeof fetch = async (url, init) => {
    const claims = decodeJwt(String(init!.body));
    const events = claims.events as Record<string, unknown>;
    sent.push({ jti: String(claims.jti), type: Object.keys(events)[0]!, url: String(url) });
    await during(sent.length);
    return new Response(null, { status: 202 });
  };
  return { sent, send };
}

/** `count` passkey revocations, one per person: at least one credential-change token each. */
async function revocations(count: number) {
  const agent = await actor("AGENT");
  for (let i = 0; i < count; i++) {
    const user = await createWorkforceUser(db, { passkeys: 1 });
    await revokePasskeys({
      actor: agent,
      userId: user.id,
      request: { scope: "ONE", passkeyId: user.passkeys[0]!.id },
      reason: "LOST",
    });
  }
}

async function streamWithBacklog(name: string, count = 4) {
  const stream = await pushStreamTo({
    name,
    url: ENDPOINT,
    audience: `https://${name}.example.test`,
    authorization: "Bearer receiver-secret",
  });
  await revocations(count);
  return stream;
}

const positionOf = (jti: string) => BigInt(/^audit-(\d+)-\d+$/.exec(jti)![1]!);

describe("Shared Signals push: changes during a pass", () => {
  it("FIXED: a stream disabled and enabled again during a pass is not sent the events its disabling dropped", async () => {
    const stream = await streamWithBacklog("reenabled");
    let reenabledAt = -1n;
    const { sent, send } = receiver(async (n) => {
      if (n !== 1) return;
      // The receiver disables its stream (events are dropped), then enables it again: it starts
      // from what happens next (writeStatus).
      await db.ssfStream.update({ where: { id: stream.id }, data: { status: "disabled" } });
      reenabledAt = await headPosition(db);
      await db.ssfStream.update({
        where: { id: stream.id },
        data: { status: "enabled", position: reenabledAt, ackedJtis: [] },
      });
    });
    await deliverStream(db, stream.id, { issuer: ssfIssuer(), fetch: send });
    // The cursor is the re-enabled one: never written back.
    const after = await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } });
    expect(after.position).toBe(reenabledAt);
    // Only the token in flight when it was disabled; the rest were dropped by the disabling.
    expect(sent.filter((set) => positionOf(set.jti) <= reenabledAt).map((set) => set.jti)).toEqual([
      sent[0]!.jti,
    ]);
  });

  it("FIXED: events_requested narrowed during a pass: no token of a type the receiver dropped is pushed after", async () => {
    const stream = await streamWithBacklog("narrowed");
    let narrowed = false;
    const late: string[] = [];
    const { sent, send } = receiver(async (n) => {
      if (narrowed) late.push(sent[n - 1]!.type);
      if (n !== 1) return;
      // The receiver now wants session-revoked only (a PATCH of events_requested).
      await db.ssfStream.update({
        where: { id: stream.id },
        data: { eventsRequested: [SSF_EVENT_TYPES.sessionRevoked] },
      });
      narrowed = true;
    });
    await deliverStream(db, stream.id, { issuer: ssfIssuer(), fetch: send });
    expect(sent.length).toBeGreaterThan(0);
    expect(late.filter((type) => type !== SSF_EVENT_TYPES.sessionRevoked)).toEqual([]);
  });

  it("HELD: two passes at once on one stream: the second is busy, every token once, in order, cursor at the end", async () => {
    const stream = await streamWithBacklog("concurrent");
    const head = await headPosition(db);
    const second: Awaited<ReturnType<typeof deliverStream>>[] = [];
    const { sent, send } = receiver(async (n) => {
      if (n === 2)
        second.push(await deliverStream(db, stream.id, { issuer: ssfIssuer(), fetch: send }));
    });
    const first = await deliverStream(db, stream.id, { issuer: ssfIssuer(), fetch: send });
    expect(second.map((pass) => pass.status)).toEqual(["busy"]);
    expect(first.status).toBe("delivered");
    const jtis = sent.map((set) => set.jti);
    expect(new Set(jtis).size).toBe(jtis.length);
    const positions = jtis.map(positionOf);
    expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
    const after = await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } });
    expect(after.position).toBe(head);
  });

  it("HELD: switched to poll during a pass and polled past it: the push stops and the cursor never moves back", async () => {
    const stream = await streamWithBacklog("switched");
    const head = await headPosition(db);
    let polledTo = -1n;
    const { sent, send } = receiver(async (n) => {
      if (n !== 1) return;
      await db.ssfStream.update({
        where: { id: stream.id },
        data: { deliveryMethod: "poll", endpointUrl: null, authorizationHeader: null },
      });
      // The receiver polls and acknowledges everything it is given.
      const page = await pollStream(
        db,
        stream.id,
        { ack: [], maxEvents: 100 },
        { issuer: ssfIssuer() },
      );
      await pollStream(
        db,
        stream.id,
        { ack: Object.keys(page.sets), maxEvents: 0 },
        { issuer: ssfIssuer() },
      );
      polledTo = (await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } })).position;
    });
    await deliverStream(db, stream.id, { issuer: ssfIssuer(), fetch: send });
    expect(polledTo).toBe(head);
    expect(sent).toHaveLength(1);
    const after = await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } });
    expect(after.position).toBe(head);
  });

  it("HELD: the receiver's new endpoint and credential take the next push; a revoked token's stream is sent nothing more", async () => {
    const stream = await streamWithBacklog("moved");
    const { sent, send } = receiver(async (n) => {
      if (n === 1)
        await db.ssfStream.update({
          where: { id: stream.id },
          data: { endpointUrl: `${ENDPOINT}/v2`, authorizationHeader: "Bearer rotated" },
        });
      if (n === 2)
        // A security reviewer revokes the receiver's token: every stream of it is disabled.
        await revokeReceiverToken({ actor: await actor("SECURITY"), id: stream.tokenId });
    });
    const pass = await deliverStream(db, stream.id, { issuer: ssfIssuer(), fetch: send });
    expect(sent.map((set) => set.url)).toEqual([ENDPOINT, `${ENDPOINT}/v2`]);
    expect(pass.delivered).toBe(2);
    // What was acknowledged is kept: the cursor is past the two rows accepted, no further.
    const after = await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } });
    expect(after.position).toBe(positionOf(sent[1]!.jti));
  });
});

describe("Shared Signals push: many streams of one receiver", () => {
  it("FIXED: push passes to a slow receiver never take every connection of the console's pool", async () => {
    // One receiver token may open any number of push streams (createStream has no cap), each
    // pointing at an address that answers slowly (up to 10 s a token, 11 tokens a pass). The
    // outbox worker runs in the console's process, on its pool (lib/db.ts), and deliverSsf starts
    // every due stream's transaction at once: each holds a connection while it waits.
    const first = await pushStreamTo({
      name: "tarpit",
      url: ENDPOINT,
      audience: "https://tarpit.example.test",
      authorization: "Bearer tarpit",
    });
    for (let i = 1; i < DEFAULT_POOL_SIZE + 2; i++)
      await db.ssfStream.create({
        data: {
          tokenId: first.tokenId,
          audience: first.audience,
          deliveryMethod: "push",
          endpointUrl: `${ENDPOINT}/${i}`,
          authorizationHeader: "Bearer tarpit",
          eventsRequested: [],
          position: first.position,
        },
      });
    await revocations(1);
    let inFlight = 0;
    let most = 0;
    const slow: typeof fetch = async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 300));
      inFlight--;
      return new Response(null, { status: 202 });
    };
    const passes = await deliverSsf(db, { issuer: ssfIssuer(), fetch: slow });
    expect(passes.filter((pass) => pass.status === "delivered").length).toBeGreaterThan(0);
    // Each push in flight is a transaction holding one of the pool's connections: a revocation
    // (or any console page) must still find one.
    expect(most).toBeLessThan(DEFAULT_POOL_SIZE);
  });
});

describe("ITSM webhooks: two passes at once", () => {
  const http = { receiver: null as Awaited<ReturnType<typeof startHttpReceiver>> | null };
  beforeAll(async () => {
    http.receiver = await startHttpReceiver();
  });
  afterAll(() => http.receiver!.stop());

  it("HELD: a second pass while one is sending is busy; each event is sent once, in order, and the cursor ends past them", async () => {
    const receiver = http.receiver!;
    const security = await actor("SECURITY");
    const agent = await actor("AGENT");
    const { endpointId } = await addWebhookEndpoint({
      actor: security,
      name: "Two passes",
      url: receiver.url,
    });
    for (const claim of ["first", "second", "third"])
      await openCase({
        actor: agent,
        userId: (await createWorkforceUser(db)).id,
        reason: "LOST_DEVICE",
        channel: "PHONE",
        callerClaim: claim,
      });
    const options = { now: new Date(), baseUrl: "https://console.example" };
    const second: Awaited<ReturnType<typeof deliverToEndpoint>>[] = [];
    const from = receiver.requests.length;
    receiver.answer = async () => {
      if (second.length === 0) second.push(await deliverToEndpoint(db, endpointId, options));
      return 200;
    };
    const pass = await deliverToEndpoint(db, endpointId, options);
    receiver.answer = () => 200;
    expect(second.map((p) => p.status)).toEqual(["busy"]);
    const ids = receiver.requests.slice(from).map((r) => (JSON.parse(r.body) as { id: string }).id);
    expect(pass.delivered).toBe(ids.length);
    expect(new Set(ids).size).toBe(ids.length);
    const endpoint = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
    const log = await db.webhookDelivery.findMany({
      where: { endpointId },
      orderBy: { createdAt: "asc" },
    });
    const positions = log.map((d) => d.position);
    expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
    expect(endpoint.position).toBe(positions.at(-1));
    // A later pass finds nothing more to send.
    expect(await deliverToEndpoint(db, endpointId, options)).toMatchObject({ delivered: 0 });
  });
});

describe("PREPARED_MARK: named statements on a kept connection", () => {
  const client = pgClient(process.env.DATABASE_URL!);
  beforeAll(() => client.connect());
  afterAll(() => client.end());

  it("HELD: a first prepare inside an aborted transaction, and an error after a prepare, leave the statement usable", async () => {
    const text = `${PREPARED_MARK} SELECT $1::int + 1 AS next`;
    await client.query("BEGIN");
    await expect(client.query("SELECT 1/0")).rejects.toThrow(/division by zero/);
    // Parse refused (the transaction is aborted): the client must not think it prepared.
    await expect(client.query({ text, values: [1] })).rejects.toThrow(/aborted/);
    await client.query("ROLLBACK");
    expect((await client.query({ text, values: [1] })).rows).toEqual([{ next: 2 }]);
    // Prepared, then the transaction fails and rolls back: the statement stays, and answers.
    await client.query("BEGIN");
    expect((await client.query({ text, values: [2] })).rows).toEqual([{ next: 3 }]);
    await expect(client.query({ text, values: ["x"] })).rejects.toThrow(/invalid input/);
    await client.query("ROLLBACK");
    expect((await client.query({ text, values: [3] })).rows).toEqual([{ next: 4 }]);
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1",
      [text],
    );
    expect(rows).toEqual([{ n: 1 }]);
  });

  it("HELD: a column added (by a migration, another connection) after the user lock was prepared: it still answers the same", async () => {
    const text = `${PREPARED_MARK} SELECT id FROM "WorkforceUser" WHERE id = $1::uuid FOR UPDATE`;
    const user = await createWorkforceUser(db, { passkeys: 0 });
    expect((await client.query({ text, values: [user.id] })).rows).toEqual([{ id: user.id }]);
    const owner = pgClient(process.env.TEST_OWNER_DATABASE_URL!);
    await owner.connect();
    try {
      await owner.query(`ALTER TABLE "WorkforceUser" ADD COLUMN "reviewProbe" text`);
      expect((await client.query({ text, values: [user.id] })).rows).toEqual([{ id: user.id }]);
    } finally {
      await owner.query(`ALTER TABLE "WorkforceUser" DROP COLUMN IF EXISTS "reviewProbe"`);
      await owner.end();
    }
    expect((await client.query({ text, values: [user.id] })).rows).toEqual([{ id: user.id }]);
  });

  it("HELD: a pooled connection whose server went away is replaced, and the new one prepares the statement again", async () => {
    const pool = pgPool({ connectionString: process.env.DATABASE_URL!, max: 1 });
    const owner = pgClient(process.env.TEST_OWNER_DATABASE_URL!);
    await owner.connect();
    try {
      const text = `${PREPARED_MARK} SELECT pg_backend_pid() AS pid, $1::int AS n`;
      const before = await pool.query<{ pid: number; n: number }>({ text, values: [1] });
      expect(before.rows[0]!.n).toBe(1);
      const dropped = new Promise((resolve) => pool.once("error", resolve));
      await owner.query("SELECT pg_terminate_backend($1)", [before.rows[0]!.pid]);
      await dropped;
      const after = await pool.query<{ pid: number; n: number }>({ text, values: [2] });
      expect(after.rows[0]!.n).toBe(2);
      expect(after.rows[0]!.pid).not.toBe(before.rows[0]!.pid);
    } finally {
      await owner.end();
      await pool.end();
    }
  });

  it("HELD: the product's marked statements keep one text whatever their input (a connection's statements stay bounded)", async () => {
    const users = [
      await createWorkforceUser(db, { passkeys: 0 }),
      await createWorkforceUser(db, { passkeys: 0 }),
    ];
    const counts = await db.$transaction(async (tx) => {
      const marked = async () => {
        const [row] = await tx.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_prepared_statements
          WHERE statement LIKE '/* prepared */%'`;
        return row!.n;
      };
      const start = await marked();
      const message = { kind: "case.opened" as const, subject: "probe", body: "probe" };
      for (const to of [["a@example.test"], ["a@example.test", "b@example.test"], ["c", "d", "e"]])
        await enqueueMessages(tx, { to, message });
      const afterEnqueue = await marked();
      for (const user of users) {
        await voidRecovery(tx, { userId: user.id }, { reason: "probe", now: new Date() });
        await voidRecovery(
          tx,
          { userId: user.id },
          { reason: "probe two", now: new Date(), codes: true },
        );
      }
      const afterVoid = await marked();
      return { enqueue: afterEnqueue - start, void: afterVoid - afterEnqueue };
    });
    // One transaction, one connection: a statement this connection prepared before is not counted
    // again; at most one new text for the queueing, and one per scope (user, user with codes).
    expect(counts.enqueue).toBeLessThanOrEqual(1);
    expect(counts.void).toBeLessThanOrEqual(2);
  });
});
