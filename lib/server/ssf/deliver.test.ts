import type { JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSF_EVENT_TYPES } from "@/lib/domain/ssf/events";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor, userWithSoftwarePasskey } from "@/tests/recovery";
import { startSsfReceiver, verifySet, type ReceivedSet } from "@/tests/ssf-receiver";
import { GET as getJwks } from "@/app/ssf/jwks/route";
import { changeEmploymentStatus } from "../cases/change-employment-status";
import { revokePasskeys } from "../revoke-passkeys";
import { hashToken, newToken } from "../secrets";
import { auditedTransaction, recordAudit, staffActor } from "../audit";
import {
  deliverSsf,
  deliverStream,
  headPosition,
  pendingSets,
  pollStream,
  pushSet,
} from "./deliver";
import { revokeReceiverToken } from "./tokens";
import { ssfIssuer } from "./issuer";

const AUTHORIZATION = "Bearer receiver-secret";
let jwks: JSONWebKeySet;

beforeAll(async () => {
  // The receiver trusts what the console publishes, fetched as a receiver would.
  const response = await getJwks(new Request("http://localhost:3000/ssf/jwks"));
  expect(response.status).toBe(200);
  jwks = (await response.json()) as JSONWebKeySet;
});

async function newStream(method: "push" | "poll", endpointUrl: string | null, audience: string) {
  const staff = await actor("SECURITY");
  const token = await db.ssfReceiverToken.create({
    data: { name: `receiver ${audience}`, tokenHash: hashToken(newToken()), createdById: staff.id },
  });
  return db.ssfStream.create({
    data: {
      tokenId: token.id,
      audience,
      deliveryMethod: method,
      endpointUrl,
      authorizationHeader: method === "push" ? AUTHORIZATION : null,
      eventsRequested: [],
      position: await headPosition(db),
    },
  });
}

/** Real decisions for two people, interleaved: what each receiver must see, per person, in order. */
async function decisions() {
  const agent = await actor("AGENT");
  const hr = { type: "SYSTEM", name: "HR feed" } as const;
  const alice = await createWorkforceUser(db, { passkeys: 2 });
  const bob = await createWorkforceUser(db, { passkeys: 1 });
  await revokePasskeys({
    actor: agent,
    userId: alice.id,
    request: { scope: "ONE", passkeyId: alice.passkeys[0]!.id },
    reason: "STOLEN",
  });
  await revokePasskeys({
    actor: agent,
    userId: bob.id,
    request: { scope: "ONE", passkeyId: bob.passkeys[0]!.id },
    reason: "LOST",
  });
  await revokePasskeys({
    actor: agent,
    userId: alice.id,
    request: { scope: "ONE", passkeyId: alice.passkeys[1]!.id },
    reason: "LOST",
  });
  await changeEmploymentStatus({ actor: hr, userId: bob.id, status: "SUSPENDED" });
  return {
    alice: alice.emails[0]!.address,
    bob: bob.emails[0]!.address,
    alicePasskeys: alice.passkeys,
  };
}

/** Each person's events as [type, change_type] in arrival order, duplicates (same jti) dropped. */
function perSubject(sets: readonly ReceivedSet[]) {
  const seen = new Set<string>();
  const out = new Map<string, string[]>();
  for (const set of sets) {
    if (seen.has(set.jti)) continue;
    seen.add(set.jti);
    const email = String(set.subject.email);
    const name = set.type.split("/").at(-1)!;
    const change = set.claims.change_type ? `:${String(set.claims.change_type)}` : "";
    out.set(email, [...(out.get(email) ?? []), name + change]);
  }
  return out;
}

const ALICE = ["credential-change:revoke", "credential-compromise", "credential-change:revoke"];
const BOB = ["credential-change:revoke", "account-disabled"];

describe("Shared Signals push delivery (RFC 8935)", () => {
  const receivers: Awaited<ReturnType<typeof startSsfReceiver>>[] = [];
  afterAll(async () => {
    for (const receiver of receivers) await receiver.stop();
  });

  it("sends signed events that verify against the published key set, each person's in order, none lost while the receiver was down", async () => {
    const audience = "https://app.example.com/push";
    const receiver = await startSsfReceiver({
      jwks,
      issuer: ssfIssuer(),
      audience,
      authorization: AUTHORIZATION,
    });
    receivers.push(receiver);
    const stream = await newStream("push", receiver.url, audience);
    // Down before anything is sent: every attempt fails and is kept for later.
    await receiver.stop();
    const people = await decisions();

    const failed = await deliverSsf(db, { issuer: ssfIssuer() });
    expect(failed.find((p) => p.streamId === stream.id)?.status).toBe("failed");
    const waiting = await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } });
    expect(waiting.attempts).toBe(1);
    expect(waiting.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    expect(waiting.lastError).toBeTruthy();

    // Back up: the retry (after its backoff) delivers everything, in order.
    await receiver.start();
    const later = new Date(Date.now() + 60 * 60_000);
    for (let i = 0; i < 5; i++) await deliverSsf(db, { issuer: ssfIssuer(), now: later });

    expect(receiver.refused).toEqual([]);
    const got = perSubject(receiver.accepted);
    expect(got.get(people.alice)?.filter((e) => e !== "session-revoked")).toEqual(ALICE);
    expect(got.get(people.bob)?.filter((e) => e !== "session-revoked")).toEqual(BOB);

    const compromise = receiver.accepted.find(
      (s) => s.type === SSF_EVENT_TYPES.credentialCompromise,
    )!;
    expect(compromise.claims).toMatchObject({
      credential_type: "fido2-platform",
      reason_admin: { en: expect.stringMatching(/stolen/) },
    });
    const revoke = receiver.accepted.find((s) => s.type === SSF_EVENT_TYPES.credentialChange)!;
    expect(revoke.claims).toMatchObject({
      change_type: "revoke",
      initiating_entity: "admin",
      fido2_aaguid: people.alicePasskeys[0]!.aaguid,
      friendly_name: people.alicePasskeys[0]!.modelName,
    });
    expect(revoke.payload.txn).toBeTruthy();
    expect(revoke.subject).toEqual({ format: "email", email: people.alice });
    expect((await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } })).attempts).toBe(0);
  });

  it("keeps each person's order when the receiver fails part-way and several workers deliver at once", async () => {
    const audience = "https://app.example.com/flaky";
    const receiver = await startSsfReceiver({
      jwks,
      issuer: ssfIssuer(),
      audience,
      authorization: AUTHORIZATION,
    });
    receivers.push(receiver);
    const stream = await newStream("push", receiver.url, audience);
    const people = await decisions();

    // A receiver that falls over after every second token: what was accepted stays accepted.
    let calls = 0;
    const flaky: typeof fetch = (url, init) =>
      ++calls % 3 === 0 ? Promise.reject(new Error("connection reset")) : fetch(url, init);
    const later = (n: number) => new Date(Date.now() + n * 60 * 60_000);
    for (let round = 1; round <= 12; round++)
      // Three workers at once: one claims the stream, the others find it busy.
      await Promise.all(
        [0, 1, 2].map(() =>
          deliverSsf(db, { issuer: ssfIssuer(), now: later(round), fetch: flaky }),
        ),
      );

    const got = perSubject(receiver.accepted);
    expect(got.get(people.alice)?.filter((e) => e !== "session-revoked")).toEqual(ALICE);
    expect(got.get(people.bob)?.filter((e) => e !== "session-revoked")).toEqual(BOB);
    const final = await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } });
    expect(final.position).toBe(await headPosition(db));
  });

  it("tells the receiver that a pass was redeemed and then that a passkey was registered with it", async () => {
    const audience = "https://app.example.com/recovery";
    const receiver = await startSsfReceiver({
      jwks,
      issuer: ssfIssuer(),
      audience,
      authorization: AUTHORIZATION,
    });
    receivers.push(receiver);
    await newStream("push", receiver.url, audience);
    const { user } = await userWithSoftwarePasskey();
    for (let i = 0; i < 3; i++) await deliverSsf(db, { issuer: ssfIssuer() });
    const address = user.emails.find((e) => e.isPrimary)!.address;
    expect(perSubject(receiver.accepted).get(address)).toEqual([
      "recovery-activated",
      "credential-change:create",
    ]);
    const created = receiver.accepted.find((s) => s.claims.change_type === "create")!;
    const stored = await db.passkey.findFirstOrThrow({ where: { userId: user.id } });
    expect(created.claims).toMatchObject({
      initiating_entity: "user",
      fido2_aaguid: stored.aaguid,
    });
  });

  it("never sends refusals, and a paused stream holds its events", async () => {
    const audience = "https://app.example.com/quiet";
    const receiver = await startSsfReceiver({
      jwks,
      issuer: ssfIssuer(),
      audience,
      authorization: AUTHORIZATION,
    });
    receivers.push(receiver);
    const stream = await newStream("push", receiver.url, audience);
    const agent = await actor("AGENT");
    const user = await createWorkforceUser(db, { passkeys: 1 });
    // A refusal (another person's passkey) is audited, and never an event.
    const other = await createWorkforceUser(db, { passkeys: 1 });
    await expect(
      revokePasskeys({
        actor: agent,
        userId: user.id,
        request: { scope: "ONE", passkeyId: other.passkeys[0]!.id },
        reason: "LOST",
      }),
    ).rejects.toThrow();
    expect(
      await db.auditEvent.count({ where: { subjectUserId: user.id, outcome: "REFUSED" } }),
    ).toBeGreaterThan(0);
    await deliverSsf(db, { issuer: ssfIssuer() });
    expect(receiver.accepted).toEqual([]);

    await db.ssfStream.update({ where: { id: stream.id }, data: { status: "paused" } });
    await revokePasskeys({
      actor: agent,
      userId: user.id,
      request: { scope: "ONE", passkeyId: user.passkeys[0]!.id },
      reason: "LOST",
    });
    await deliverSsf(db, { issuer: ssfIssuer() });
    expect(receiver.accepted).toEqual([]);
    await db.ssfStream.update({ where: { id: stream.id }, data: { status: "enabled" } });
    await deliverSsf(db, { issuer: ssfIssuer() });
    // No session was open, so no session-revoked: just the passkey.
    expect(perSubject(receiver.accepted).get(user.emails[0]!.address)).toEqual([
      "credential-change:revoke",
    ]);
  });
});

describe("a push to a slow receiver", () => {
  const receivers: Awaited<ReturnType<typeof startSsfReceiver>>[] = [];
  afterAll(async () => {
    for (const receiver of receivers) await receiver.stop();
  });

  it("lets a reviewer revoke the receiver's token while a push waits for its answer, and sends nothing more", async () => {
    const audience = "https://app.example.com/slow-revoked";
    const receiver = await startSsfReceiver({
      jwks,
      issuer: ssfIssuer(),
      audience,
      authorization: AUTHORIZATION,
    });
    receivers.push(receiver);
    const stream = await newStream("push", receiver.url, audience);
    await decisions();
    let release!: () => void;
    const answered = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    let calls = 0;
    const held: typeof fetch = async (url, init) => {
      if (++calls === 1) {
        arrived();
        await answered;
      }
      return fetch(url, init);
    };
    const pass = deliverStream(db, stream.id, { issuer: ssfIssuer(), fetch: held });
    await inFlight;
    // The stream's row is not held by the pass: the revocation does not wait for the receiver.
    await revokeReceiverToken({ actor: await actor("SECURITY"), id: stream.tokenId });
    expect((await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } })).status).toBe(
      "disabled",
    );
    release();
    expect(await pass).toMatchObject({ delivered: 1 });
    expect(calls).toBe(1);
    expect(receiver.accepted).toHaveLength(1);
  });

  it("stops starting pushes in time and keeps what was acknowledged; the next pass goes on", async () => {
    const audience = "https://app.example.com/slow";
    const receiver = await startSsfReceiver({
      jwks,
      issuer: ssfIssuer(),
      audience,
      authorization: AUTHORIZATION,
    });
    receivers.push(receiver);
    const stream = await newStream("push", receiver.url, audience);
    const people = await decisions();
    const slow: typeof fetch = async (url, init) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return fetch(url, init);
    };
    const first = await deliverStream(db, stream.id, {
      issuer: ssfIssuer(),
      fetch: slow,
      passMs: 200,
    });
    expect(first.status).toBe("delivered");
    expect(first.delivered).toBeGreaterThan(0);
    const after = await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } });
    expect(after.position).toBeLessThan(await headPosition(db));
    expect(after.position).toBeGreaterThan(stream.position);
    for (let pass = 0; pass < 20; pass++)
      await deliverStream(db, stream.id, { issuer: ssfIssuer(), fetch: slow, passMs: 200 });
    expect((await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } })).position).toBe(
      await headPosition(db),
    );
    const got = perSubject(receiver.accepted);
    expect(got.get(people.alice)?.filter((e) => e !== "session-revoked")).toEqual(ALICE);
    expect(got.get(people.bob)?.filter((e) => e !== "session-revoked")).toEqual(BOB);
  });
});

describe("a push pass out of time", () => {
  it("finishes the row it began and always moves on by a row: a row's tokens are never sent again and again", async () => {
    const stream = await newStream(
      "push",
      "https://receiver.example.com/events",
      "https://late.example",
    );
    // Alice's first revocation (a stolen passkey) makes several tokens in one row.
    await decisions();
    const head = await headPosition(db);
    const sent: string[] = [];
    const send: typeof fetch = async (_url, init) => {
      const payload = JSON.parse(
        Buffer.from(String(init?.body).split(".")[1]!, "base64url").toString(),
      ) as { jti: string };
      sent.push(payload.jti);
      return new Response(null, { status: 202 });
    };
    // Every pass is out of time as soon as it starts: each still sends one whole row.
    const rows = new Set<bigint>();
    let passes = 0;
    for (; passes < 30; passes++) {
      const before = await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } });
      if (before.position === head) break;
      const pass = await deliverStream(db, stream.id, {
        issuer: ssfIssuer(),
        fetch: send,
        passMs: 0,
      });
      const after = await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } });
      expect(after.position).toBeGreaterThan(before.position);
      expect(pass.status === "failed").toBe(false);
      rows.add(after.position);
    }
    expect((await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } })).position).toBe(
      head,
    );
    // Never a token twice, and a row of several tokens was sent by one pass.
    expect(new Set(sent).size).toBe(sent.length);
    const perRow = new Map<string, number>();
    for (const jti of sent) {
      const row = jti.split("-")[1]!;
      perRow.set(row, (perRow.get(row) ?? 0) + 1);
    }
    expect(Math.max(...perRow.values())).toBeGreaterThan(1);
    expect(passes).toBeLessThanOrEqual(rows.size + 1);
  });
});

describe("a push the receiver refuses", () => {
  it("quotes a short excerpt of its answer, never the credential it echoes back", async () => {
    const token = "ssf-receiver-token-5e4d3c2b1a09";
    // A receiver (or a proxy before it) whose error page repeats the request's headers.
    const echoing: typeof fetch = async (_url, init) =>
      new Response(`unauthorized; you sent ${JSON.stringify(init?.headers)}\n${"x".repeat(500)}`, {
        status: 401,
      });
    const result = await pushSet(
      echoing,
      "https://receiver.example/events",
      `Bearer ${token}`,
      "a.b.c",
    );
    expect(result).toMatchObject({ ok: false, status: 401 });
    const error = (result as { error: string }).error;
    expect(error).toMatch(/^HTTP 401: unauthorized; you sent \{.*"Authorization":"\[redacted\]"/);
    expect(error).not.toContain(token.slice(0, 10));
    expect(error.length).toBeLessThanOrEqual("HTTP 401: ".length + 200);
  });
});

describe("Shared Signals poll delivery (RFC 8936)", () => {
  it("returns signed events in order until they are acknowledged, and none is lost", async () => {
    const audience = "https://app.example.com/poll";
    const stream = await newStream("poll", null, audience);
    const people = await decisions();
    const issuer = ssfIssuer();

    // A receiver that loses a response (never acknowledges it) gets the same tokens again.
    const lost = await pollStream(db, stream.id, { ack: [], maxEvents: 2 }, { issuer });
    expect(Object.keys(lost.sets)).toHaveLength(2);
    expect(lost.moreAvailable).toBe(true);

    const received: ReceivedSet[] = [];
    let ack: string[] = [];
    for (let i = 0; i < 20; i++) {
      const page = await pollStream(db, stream.id, { ack, maxEvents: 2 }, { issuer });
      ack = [];
      for (const [jti, jwt] of Object.entries(page.sets)) {
        const set = await verifySet(jwt, jwks, { issuer, audience });
        expect(set.jti).toBe(jti);
        received.push(set);
        ack.push(jti);
      }
      if (!page.moreAvailable && Object.keys(page.sets).length === 0) break;
    }
    expect(Object.keys(lost.sets)).toEqual(received.slice(0, 2).map((s) => s.jti));
    const got = perSubject(received);
    expect(got.get(people.alice)?.filter((e) => e !== "session-revoked")).toEqual(ALICE);
    expect(got.get(people.bob)?.filter((e) => e !== "session-revoked")).toEqual(BOB);
    expect(new Set(received.map((s) => s.jti)).size).toBe(received.length);
    const final = await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } });
    expect(final.position).toBe(await headPosition(db));
    expect(final.ackedJtis).toEqual([]);
  });
});

describe("a stream far behind", () => {
  /** Audited decisions about no one: rows every stream reads past and none is sent. */
  async function unrelatedRows(count: number) {
    const staff = await actor("SECURITY");
    await auditedTransaction(db, async (tx) => {
      for (let i = 0; i < count; i++)
        await recordAudit(tx, {
          action: "access.denied",
          outcome: "REFUSED",
          actor: staffActor(staff),
          data: { permission: "audit:read", path: `/audit?page=${i}` },
        });
    });
  }

  it("is read a bounded number of rows at a time, and still gets every event, in order, by poll and by push", async () => {
    const issuer = ssfIssuer();
    const poll = await newStream("poll", null, "https://app.example.com/behind-poll");
    const audience = "https://app.example.com/behind-push";
    const receiver = await startSsfReceiver({
      jwks,
      issuer,
      audience,
      authorization: AUTHORIZATION,
    });
    const push = await newStream("push", receiver.url, audience);
    try {
      await unrelatedRows(45);
      const people = await decisions();
      await unrelatedRows(45);
      const head = await headPosition(db);

      // One read stops after its rows, says there is more, and sends nothing for rows it has not read.
      const first = await db.$transaction((tx) =>
        pendingSets(tx, poll, poll.position, 100, issuer, 5),
      );
      expect(first).toEqual({ sets: [], readTo: poll.position + 5n, more: true });
      // Read to the end in small steps, the tokens are those of one read of everything.
      const whole = await db.$transaction((tx) =>
        pendingSets(tx, poll, poll.position, 1000, issuer),
      );
      expect(whole.more).toBe(false);
      expect(whole.readTo).toBe(head);
      const stepped: string[] = [];
      let after = poll.position;
      for (let step = 0; step < 100; step++) {
        const page = await db.$transaction((tx) => pendingSets(tx, poll, after, 1000, issuer, 5));
        stepped.push(...page.sets.map((set) => set.jti));
        after = page.readTo;
        if (!page.more) break;
      }
      expect(after).toBe(head);
      expect(stepped).toEqual(whole.sets.map((set) => set.jti));
      expect(stepped.length).toBeGreaterThan(0);

      // By poll: each poll reads a bounded stretch; the receiver polls again while there is more.
      const received: ReceivedSet[] = [];
      let ack: string[] = [];
      let polls = 0;
      for (; polls < 60; polls++) {
        const page = await pollStream(
          db,
          poll.id,
          { ack, maxEvents: 50 },
          { issuer, rowsPerCall: 5 },
        );
        ack = [];
        for (const [jti, jwt] of Object.entries(page.sets)) {
          received.push(await verifySet(jwt, jwks, { issuer, audience: poll.audience }));
          ack.push(jti);
        }
        if (!page.moreAvailable && ack.length === 0) break;
      }
      expect(polls).toBeGreaterThan(2);
      const byPoll = perSubject(received);
      expect(byPoll.get(people.alice)?.filter((e) => e !== "session-revoked")).toEqual(ALICE);
      expect(byPoll.get(people.bob)?.filter((e) => e !== "session-revoked")).toEqual(BOB);
      expect((await db.ssfStream.findUniqueOrThrow({ where: { id: poll.id } })).position).toBe(
        head,
      );

      // By push: each pass reads a bounded stretch and moves the cursor over it.
      let passes = 0;
      for (; passes < 60; passes++) {
        const stream = await db.ssfStream.findUniqueOrThrow({ where: { id: push.id } });
        if (stream.position === head) break;
        const pass = await deliverStream(db, push.id, { issuer, rowsPerCall: 5 });
        expect(pass.status === "failed").toBe(false);
      }
      expect(passes).toBeGreaterThan(2);
      const byPush = perSubject(receiver.accepted);
      expect(byPush.get(people.alice)?.filter((e) => e !== "session-revoked")).toEqual(ALICE);
      expect(byPush.get(people.bob)?.filter((e) => e !== "session-revoked")).toEqual(BOB);
      expect(new Set(receiver.accepted.map((set) => set.jti)).size).toBe(receiver.accepted.length);
    } finally {
      await receiver.stop();
    }
  });
});

describe("a push pass whose stream asks for more events meanwhile", () => {
  it("leaves the cursor where it was, and the next pass sends the newly asked events of the rows the first covered", async () => {
    const issuer = ssfIssuer();
    const stream = await newStream(
      "push",
      "https://receiver.example.com/events",
      "https://widened.example",
    );
    await db.ssfStream.update({
      where: { id: stream.id },
      data: { eventsRequested: [SSF_EVENT_TYPES.credentialChange] },
    });
    await decisions();
    const head = await headPosition(db);
    const received: { jti: string; type: string }[] = [];
    let pushes = 0;
    const send: typeof fetch = async (_url, init) => {
      pushes++;
      const payload = JSON.parse(
        Buffer.from(String(init?.body).split(".")[1]!, "base64url").toString(),
      ) as { jti: string; events: Record<string, unknown> };
      received.push({ jti: payload.jti, type: Object.keys(payload.events)[0]! });
      // While the first token is with the receiver, it asks for every event (a PATCH).
      if (pushes === 1)
        await db.ssfStream.update({ where: { id: stream.id }, data: { eventsRequested: [] } });
      return new Response(null, { status: 202 });
    };
    const first = await deliverStream(db, stream.id, { issuer, fetch: send });
    expect(first.delivered).toBe(1);
    expect(received.map((set) => set.type)).toEqual([SSF_EVENT_TYPES.credentialChange]);
    // Not moved past the row it was sent for: that row's other events were never asked for then.
    const afterFirst = await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } });
    expect(afterFirst.position).toBe(stream.position);

    await deliverStream(db, stream.id, { issuer, fetch: send });
    const final = await db.ssfStream.findUniqueOrThrow({ where: { id: stream.id } });
    expect(final.position).toBe(head);
    // Every event of every row, of every type, arrived (the first token twice: at least once).
    const whole = await db.$transaction((tx) =>
      pendingSets(tx, { ...final, eventsRequested: [] }, stream.position, 1000, issuer),
    );
    expect(new Set(received.map((set) => set.jti))).toEqual(
      new Set(whole.sets.map((set) => set.jti)),
    );
    expect(received.some((set) => set.type === SSF_EVENT_TYPES.accountDisabled)).toBe(true);
  });
});
