/**
 * An attacker's review of three changes of session 13:
 * - the actor search reads the names first (AuditActorName, a SECURITY DEFINER trigger on
 *   AuditEvent, docs/decisions/047);
 * - a Shared Signals stream far behind is read at most ROWS_PER_CALL audit rows per call
 *   (lib/server/ssf/deliver.ts, decision 034 amended);
 * - a receiver holds at most MAX_STREAMS_PER_RECEIVER streams (lib/server/ssf/streams.ts).
 * A test named FINDING fails against the code as reviewed; one named HELD pins what held.
 */
import { randomBytes } from "node:crypto";
import type { JSONWebKeySet } from "jose";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import { ACTOR_NAME_MAX, auditedTransaction, recordAudit, staffActor } from "@/lib/server/audit";
import { auditPageIds, resolveAuditSearch } from "@/lib/server/audit-where";
import { findAuditEvents } from "@/lib/server/find-audit-events";
import { revokePasskeys } from "@/lib/server/revoke-passkeys";
import { hashToken, newToken } from "@/lib/server/secrets";
import { deliverSsf, headPosition, pendingSets, pollStream } from "@/lib/server/ssf/deliver";
import { ssfIssuer } from "@/lib/server/ssf/issuer";
import { MAX_STREAMS_PER_RECEIVER } from "@/lib/server/ssf/streams";
import { issueReceiverToken, revokeReceiverToken } from "@/lib/server/ssf/tokens";
import { GET as getJwks } from "@/app/ssf/jwks/route";
import { POST as postStatus } from "@/app/ssf/status/route";
import { POST as postStream } from "@/app/ssf/streams/route";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor } from "@/tests/recovery";
import { startSsfReceiver } from "@/tests/ssf-receiver";

const app = new pg.Client({ connectionString: process.env.DATABASE_URL });
const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });

beforeAll(async () => {
  await app.connect();
  await owner.connect();
});
afterAll(async () => {
  await app.end();
  await owner.end();
});

const search = (input: Record<string, string>) =>
  resolveAuditSearch(db, AuditSearchSchema.parse(input));

async function hasName(name: string): Promise<boolean> {
  const { rows } = await owner.query(`SELECT 1 FROM "AuditActorName" WHERE "name" = $1`, [name]);
  return rows.length > 0;
}

/** The ids of the events whose actor is exactly `name`, newest first, read the plain way. */
async function eventsOf(name: string): Promise<bigint[]> {
  const rows = await db.auditEvent.findMany({
    where: { actorName: name },
    select: { id: true },
    orderBy: { id: "desc" },
  });
  return rows.map((row) => row.id);
}

const planted = (name: string) => `(1, 'access.denied', 'ALLOWED', 'STAFF', '${name}', '{}')`;
const COLUMNS = `("formatVersion", action, outcome, "actorType", "actorName", data)`;

describe("the actor names (decision 047)", () => {
  it("FIXED: an event whose actor has a long name (an identity provider's display name) is still recorded, the name cut to ACTOR_NAME_MAX characters", async () => {
    // A staff member's name comes from the identity provider's `name` claim, unbounded
    // (lib/auth/config.ts, next-auth-adapter.ts updateUser). Before decision 047 the only index
    // on actorName was a trigram (GIN) index, which takes any length; the names table's primary
    // key and the new (actorName, createdAt, id) index are btrees, whose entries stop at about
    // 2,700 bytes. 3,000 characters that do not compress: every decision this person makes, and
    // every refusal of them, now fails with the audit row.
    const staff = await actor("AGENT");
    const long = `Dr ${randomBytes(2_250).toString("base64")}`;
    await db.staff.update({ where: { id: staff.id }, data: { name: long } });
    const recorded = auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "access.denied",
        outcome: "REFUSED",
        actor: staffActor({ ...staff, name: long }),
        data: { permission: "audit:read", path: "/audit" },
      }),
    ).then(
      () => "recorded",
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(await recorded).toBe("recorded");
    const found = await auditPageIds(db, await search({ actor: long.slice(0, 60) }), 50);
    expect(found).toEqual(await eventsOf(long.slice(0, ACTOR_NAME_MAX)));
    expect(found).toHaveLength(1);
  });

  it("FIXED: the application role cannot run its own code as the owner of the names trigger (hide an actor, rewrite a signed event)", async () => {
    // Any role may create temporary objects (TEMP on the database is PUBLIC's) and EXECUTE on a
    // new function is PUBLIC's: the application role attaches audit_event_actor_name() to a temp
    // table of its own whose "actorName" is a temp type with an assignment cast to text, written
    // by it. The function's INSERT casts NEW."actorName" to text, calling the cast's function as
    // the function's owner (the migration's role: the superuser here). `SET search_path` does not
    // help: a cast is found by type, not by name. Here that code hides a reviewer's events from
    // the actor search and rewrites one of their signed events, past the append-only trigger.
    const staff = await actor("SECURITY");
    const victim = `Victoria Quellwater ${randomBytes(3).toString("hex")}`;
    await db.staff.update({ where: { id: staff.id }, data: { name: victim } });
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "access.denied",
        outcome: "REFUSED",
        actor: staffActor({ ...staff, name: victim }),
        data: { permission: "audit:read", path: "/audit" },
      }),
    );
    const [id] = await eventsOf(victim);
    const before = await db.auditEvent.findUniqueOrThrow({ where: { id: id! } });
    const attacker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await attacker.connect();
    let ran = true;
    try {
      await attacker.query(`CREATE TYPE pg_temp."Name" AS ("v" text)`);
      await attacker.query(
        `CREATE FUNCTION pg_temp."payload"(pg_temp."Name") RETURNS text LANGUAGE plpgsql AS $f$
         BEGIN
           DELETE FROM public."AuditActorName" WHERE "name" = ${pg.escapeLiteral(victim)};
           ALTER TABLE public."AuditEvent" DISABLE TRIGGER "AuditEvent_no_update_or_delete";
           UPDATE public."AuditEvent" SET "reason" = 'rewritten' WHERE "id" = ${id};
           ALTER TABLE public."AuditEvent" ENABLE ALWAYS TRIGGER "AuditEvent_no_update_or_delete";
           RETURN 'ran as ' || current_user;
         END $f$`,
      );
      await attacker.query(
        `CREATE CAST (pg_temp."Name" AS text) WITH FUNCTION pg_temp."payload"(pg_temp."Name") AS ASSIGNMENT`,
      );
      await attacker.query(`CREATE TEMP TABLE "Decoy" ("actorName" pg_temp."Name")`);
      await attacker.query(
        `CREATE TRIGGER "decoy" BEFORE INSERT ON pg_temp."Decoy"
           FOR EACH ROW EXECUTE FUNCTION public."audit_event_actor_name"()`,
      );
      await attacker.query(`INSERT INTO pg_temp."Decoy" VALUES (ROW('x'))`);
    } catch {
      ran = false;
    } finally {
      await attacker.end();
    }
    const { rows: ranAs } = await owner.query(
      `SELECT "name" FROM "AuditActorName" WHERE "name" LIKE 'ran as %'`,
    );
    expect({
      ran,
      ranAs: ranAs.length,
      victimNamed: await hasName(victim),
      found: await auditPageIds(db, await search({ actor: victim.slice(0, 20) }), 50),
      reason: (await db.auditEvent.findUniqueOrThrow({ where: { id: id! } })).reason,
    }).toEqual({ ran: false, ranAs: 0, victimNamed: true, found: [id], reason: before.reason });
  });

  it("HELD: every way the application role can insert a row records its name (COPY, ON CONFLICT, several rows, INSERT … SELECT)", async () => {
    const tag = randomBytes(3).toString("hex");
    const names = ["Copy", "Conflict", "Multi A", "Multi B", "Selected"].map(
      (name) => `Planted ${name} ${tag}`,
    );
    await new Promise<void>((resolve, reject) => {
      const copy = app.query(
        copyFrom(
          `COPY "AuditEvent" ("formatVersion", action, outcome, "actorType", "actorName", data) FROM STDIN`,
        ),
      );
      copy.on("finish", () => resolve());
      copy.on("error", reject);
      copy.end(`1\taccess.denied\tALLOWED\tSTAFF\t${names[0]}\t{}\n`);
    });
    await app.query(
      `INSERT INTO "AuditEvent" ${COLUMNS} VALUES ${planted(names[1]!)} ON CONFLICT DO NOTHING`,
    );
    await app.query(
      `INSERT INTO "AuditEvent" ${COLUMNS} VALUES ${planted(names[2]!)}, ${planted(names[3]!)}`,
    );
    await app.query(
      `INSERT INTO "AuditEvent" ${COLUMNS}
       SELECT 1, 'access.denied', 'ALLOWED', 'STAFF', $1, '{}'`,
      [names[4]],
    );
    for (const name of names) expect(await hasName(name)).toBe(true);
    const found = await auditPageIds(db, await search({ actor: `Planted`, reads: "shown" }), 500);
    for (const name of names) {
      const theirs = await eventsOf(name);
      expect(theirs).toHaveLength(1);
      expect(found).toContain(theirs[0]);
    }
  });

  it("HELD: the application role can neither switch the trigger off nor take a name away", async () => {
    await expect(app.query(`SET session_replication_role = replica`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      app.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_actor_name"`),
    ).rejects.toThrow(/owner|permission denied/);
    await expect(app.query(`TRUNCATE "AuditActorName"`)).rejects.toThrow(/permission denied/);
    await expect(
      app.query(`ALTER FUNCTION public."audit_event_actor_name"() RESET search_path`),
    ).rejects.toThrow(/owner|permission denied/);
    // A name added inside a statement that fails is gone with it; the event too.
    const failed = `Half Planted ${randomBytes(3).toString("hex")}`;
    await expect(
      app.query(
        `INSERT INTO "AuditEvent" ${COLUMNS} VALUES ${planted(failed)},
           (1, 'access.denied', 'NOT_AN_OUTCOME', 'STAFF', 'x', '{}')`,
      ),
    ).rejects.toThrow();
    expect(await hasName(failed)).toBe(false);
  });

  it("HELD: a search for a backslash, a percent sign or an underscore matches them literally, case aside", async () => {
    const odd = `Ünïcode\\Back%slash_Name ${randomBytes(3).toString("hex")}`;
    await app.query(
      `INSERT INTO "AuditEvent" ${COLUMNS} VALUES (1, 'access.denied', 'ALLOWED', 'STAFF', $1, '{}')`,
      [odd],
    );
    const lookalike = odd.replace("\\", "/").replace("%", "x").replace("_", "-");
    await app.query(
      `INSERT INTO "AuditEvent" ${COLUMNS} VALUES (1, 'access.denied', 'ALLOWED', 'STAFF', $1, '{}')`,
      [lookalike],
    );
    const resolved = await search({ actor: `ünïcode\\back%SLASH_name` });
    expect(resolved.actorNames).toEqual([odd]);
    expect(await auditPageIds(db, resolved, 50)).toEqual(await eventsOf(odd));
  });

  it("HELD: the reviewer's recorded view carries the filters as typed, never the names they were matched to", async () => {
    const reviewer = await actor("SECURITY");
    await findAuditEvents({
      actor: reviewer,
      search: AuditSearchSchema.parse({ actor: "Planted" }),
    });
    const viewed = await db.auditEvent.findFirstOrThrow({
      where: { action: "audit.viewed", actorId: reviewer.id },
      orderBy: { id: "desc" },
    });
    expect(viewed.data).toEqual({ filters: { actor: "Planted" }, verified: false });
  });
});

/** A request whose JSON body arrives only when `send` is called; `reading` resolves when the handler starts reading it. */
function slowRequest(path: string, token: string, body: unknown) {
  let send!: () => void;
  let started!: () => void;
  const reading = new Promise<void>((resolve) => (started = resolve));
  const arrived = new Promise<void>((resolve) => (send = resolve));
  let sent = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (sent) return controller.close();
        started();
        await arrived;
        sent = true;
        controller.enqueue(new TextEncoder().encode(JSON.stringify(body)));
      },
    },
    { highWaterMark: 0 },
  );
  const request = new Request(`http://localhost:3000${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: stream,
    // @ts-expect-error undici needs it for a streamed body; the DOM type does not know it
    duplex: "half",
  });
  return { request, reading, send };
}

/** The refusals recorded as the named receiver's. */
const refusalsOf = (receiver: string) =>
  db.auditEvent.findMany({
    where: { action: "ssf.request_refused", actorName: `Shared Signals receiver: ${receiver}` },
    select: { outcome: true, reason: true, data: true },
  });

describe("Shared Signals streams and a revoked receiver token", () => {
  it("FIXED: a push stream created by a request whose body arrived after its token was revoked is not enabled, and is sent nothing", async () => {
    // createStream authenticates the token, then reads the body, then creates the stream: the
    // receiver (or whoever holds a leaked token) sends the headers, holds the body back while a
    // reviewer revokes the token (which disables the receiver's streams), then sends it. The
    // stream is created enabled, its push endpoint chosen by the holder, and the revoked token's
    // stream goes on receiving every person's security events. The advisory lock of the new
    // creation limit covers creations only; nothing in the transaction reads the token again.
    const reviewer = await actor("SECURITY");
    const { id, token } = await issueReceiverToken({ actor: reviewer, name: "Leaked app" });
    const jwks = (await (
      await getJwks(new Request("http://localhost:3000/ssf/jwks"))
    ).json()) as JSONWebKeySet;
    const receiver = await startSsfReceiver({
      jwks,
      issuer: ssfIssuer(),
      audience: `urn:uuid:${id}`,
      authorization: "Bearer held-back",
    });
    try {
      const slow = slowRequest("/ssf/streams", token, {
        delivery: {
          method: "urn:ietf:rfc:8935",
          endpoint_url: receiver.url,
          authorization_header: "Bearer held-back",
        },
      });
      const answer = postStream(slow.request);
      await slow.reading;
      await revokeReceiverToken({ actor: reviewer, id });
      slow.send();
      const response = await answer;
      // A person's passkey is revoked afterwards: the revoked receiver must not hear of it.
      const person = await createWorkforceUser(db, { passkeys: 1 });
      await revokePasskeys({
        actor: await actor("AGENT"),
        userId: person.id,
        request: { scope: "ONE", passkeyId: person.passkeys[0]!.id },
        reason: "STOLEN",
      });
      await deliverSsf(db, { issuer: ssfIssuer() });
      const enabled = await db.ssfStream.count({ where: { tokenId: id, status: "enabled" } });
      expect({ status: response.status, enabled, pushed: receiver.accepted.length }).toEqual({
        status: 401,
        enabled: 0,
        pushed: 0,
      });
      // The refusal is audited once, as the receiver's.
      expect(await refusalsOf("Leaked app")).toEqual([
        {
          outcome: "REFUSED",
          reason: "UNAUTHENTICATED",
          data: { detail: "The bearer token is not valid." },
        },
      ]);
    } finally {
      await receiver.stop();
    }
  });

  it("FIXED: a stream the revocation disabled is not enabled again by a status request held across it", async () => {
    const reviewer = await actor("SECURITY");
    const { id, token } = await issueReceiverToken({ actor: reviewer, name: "Leaked app 2" });
    const created = await postStream(
      new Request("http://localhost:3000/ssf/streams", {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ delivery: { method: "urn:ietf:rfc:8936" } }),
      }),
    );
    expect(created.status).toBe(201);
    const { stream_id } = (await created.json()) as { stream_id: string };
    const slow = slowRequest("/ssf/status", token, { stream_id, status: "enabled" });
    const answer = postStatus(slow.request);
    await slow.reading;
    await revokeReceiverToken({ actor: reviewer, id });
    expect((await db.ssfStream.findUniqueOrThrow({ where: { id: stream_id } })).status).toBe(
      "disabled",
    );
    slow.send();
    const response = await answer;
    const stream = await db.ssfStream.findUniqueOrThrow({ where: { id: stream_id } });
    expect({ status: response.status, stream: stream.status }).toEqual({
      status: 401,
      stream: "disabled",
    });
    expect(await refusalsOf("Leaked app 2")).toEqual([
      {
        outcome: "REFUSED",
        reason: "UNAUTHENTICATED",
        data: { detail: "The bearer token is not valid." },
      },
    ]);
  });

  it("HELD: a receiver at its limit is refused even with its streams disabled; another receiver is not", async () => {
    const reviewer = await actor("SECURITY");
    const { id, token } = await issueReceiverToken({ actor: reviewer, name: "Full app" });
    const create = (bearer: string) =>
      postStream(
        new Request("http://localhost:3000/ssf/streams", {
          method: "POST",
          headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json" },
          body: JSON.stringify({ delivery: { method: "urn:ietf:rfc:8936" } }),
        }),
      );
    for (let i = 0; i < MAX_STREAMS_PER_RECEIVER; i++)
      expect((await create(token)).status).toBe(201);
    await db.ssfStream.updateMany({ where: { tokenId: id }, data: { status: "disabled" } });
    expect((await create(token)).status).toBe(409);
    const { token: other } = await issueReceiverToken({ actor: reviewer, name: "Other app" });
    expect((await create(other)).status).toBe(201);
    expect(await db.ssfStream.count({ where: { tokenId: id } })).toBe(MAX_STREAMS_PER_RECEIVER);
  });
});

describe("a Shared Signals stream read in bounded stretches", () => {
  it("HELD: a copy of a genuine revocation planted for someone else, read alone in its call, never becomes an event; the cursor still moves past it", async () => {
    const issuer = ssfIssuer();
    const staff = await actor("SECURITY");
    const token = await db.ssfReceiverToken.create({
      data: { name: "stretch reader", tokenHash: hashToken(newToken()), createdById: staff.id },
    });
    const stream = await db.ssfStream.create({
      data: {
        tokenId: token.id,
        audience: "https://app.example.com/stretch",
        deliveryMethod: "poll",
        eventsRequested: [],
        position: await headPosition(db),
      },
    });
    const alice = await createWorkforceUser(db, { passkeys: 1 });
    const mallory = await createWorkforceUser(db, { passkeys: 1 });
    await revokePasskeys({
      actor: await actor("AGENT"),
      userId: alice.id,
      request: { scope: "ONE", passkeyId: alice.passkeys[0]!.id },
      reason: "STOLEN",
    });
    const genuine = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: alice.id, action: "passkey.revoked" },
      orderBy: { id: "desc" },
    });
    // The application role copies the signed row at the next position, about someone else.
    await app.query(
      `INSERT INTO "AuditEvent" ("formatVersion", "position", "eventId", "appTime", "keyId", entry, signature,
         action, outcome, reason, "actorType", "actorId", "actorName", "actorRole", "subjectUserId",
         "targetType", "targetId", data)
       SELECT 2, (SELECT max("position") + 1 FROM "AuditEvent"), gen_random_uuid(), "appTime", "keyId", entry,
         signature, action, outcome, reason, "actorType", "actorId", "actorName", "actorRole", $2::uuid,
         "targetType", "targetId", data
       FROM "AuditEvent" WHERE id = $1`,
      [genuine.id.toString(), mallory.id],
    );
    const head = await headPosition(db);
    expect(head).toBe(genuine.position! + 1n);
    // One row per call: the planted row is the whole of a call.
    const jtis: string[] = [];
    let after = stream.position;
    for (let step = 0; step < 50 && after < head; step++) {
      const page = await db.$transaction((tx) => pendingSets(tx, stream, after, 100, issuer, 1));
      jtis.push(...page.sets.map((set) => set.jti));
      expect(page.readTo).toBeGreaterThan(after);
      after = page.readTo;
    }
    expect(after).toBe(head);
    expect(jtis.length).toBeGreaterThan(0);
    expect(jtis.every((jti) => jti.startsWith(`audit-${genuine.position}-`))).toBe(true);
    // By poll, a bounded stretch at a time: the same tokens, and the cursor reaches the head.
    const polled: string[] = [];
    let ack: string[] = [];
    for (let polls = 0; polls < 40; polls++) {
      const page = await pollStream(
        db,
        stream.id,
        { ack, maxEvents: 10 },
        { issuer, rowsPerCall: 1 },
      );
      ack = Object.keys(page.sets);
      polled.push(...ack);
      if (!page.moreAvailable && ack.length === 0) break;
    }
    expect(polled).toEqual(jtis);
    expect((await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } })).position).toBe(
      head,
    );
  });
});
