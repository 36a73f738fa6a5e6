/**
 * An attacker's and a reviewer's review of session 12's changes (git log f4f589a..6aef9b5): every
 * decision that ended sessions sends Shared Signals session-revoked (refusals included), and the
 * ITSM webhooks' secret rotation and "send again".
 *
 * FIXED tests failed on the code as reviewed and pass since its fix: each says what a receiver,
 * a reviewer or an ITSM depends on. HELD tests are probes that found no hole, pinned so that a
 * later change cannot open one unseen.
 */
import { createHmac } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The server actions' request plumbing (cookies, headers, cache, redirects) as Next gives it; the
// actions, guards, step-up and use cases are the real ones (as tests/integration/step-up-gates).
let sessionToken: string | null = null;
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (sessionToken ? { name, value: sessionToken } : undefined),
  }),
  headers: async () =>
    new Headers({ origin: "http://localhost:3000", "x-request-id": "req-session12-review" }),
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw new Error(`redirect ${to}`);
  },
  forbidden: () => {
    throw new Error("forbidden");
  },
  notFound: () => {
    throw new Error("not found");
  },
}));

const { eventsForAudit, SSF_EVENT_TYPES } = await import("@/lib/domain/ssf/events");
const { auditFacts } = await import("@/lib/server/ssf/deliver");
const { issueTap } = await import("@/lib/server/issue-tap");
const { setBreakGlass } = await import("@/lib/server/break-glass");
const { disableWebhookEndpoint } = await import("@/lib/server/webhooks/manage");
const { recordStep } = await import("@/lib/server/record-step");
const { redeemTap } = await import("@/lib/server/redeem-tap");
const { hashToken, newToken } = await import("@/lib/server/secrets");
const { openCase } = await import("@/lib/server/open-case");
const { deliverToEndpoint } = await import("@/lib/server/webhooks/deliver");
const { addWebhookEndpoint, findWebhookEndpoints, requestWebhookResend, rotateWebhookSecret } =
  await import("@/lib/server/webhooks/manage");
const { startStaffSession } = await import("@/lib/server/start-staff-session");
const { staffUserHandle } = await import("@/lib/server/staff-passkeys");
const passkeys = await import("@/app/(console)/passkeys/actions");
const { rotateWebhookSecretAction, resendWebhookAction } =
  await import("@/app/(console)/settings/webhooks/actions");
const { db } = await import("@/tests/db");
const { createWorkforceUser } = await import("@/tests/factories");
const { actor, codeSession, passIn, redeemedPassSession, verifiedStandardCase } =
  await import("@/tests/recovery");
const { startHttpReceiver } = await import("@/tests/siem-receivers");
const { softwarePasskey } = await import("@/tests/software-authenticator");
const { asOwner } = await import("@/tests/audit-tampering");

type Receiver = Awaited<ReturnType<typeof startHttpReceiver>>;
type Staff = Awaited<ReturnType<typeof actor>>;

/** The SSF events a user's audit rows send, in trail order (the transmitter's own mapping). */
async function ssfEventsFor(userId: string, after = -1n) {
  const rows = await db.auditEvent.findMany({
    where: { subjectUserId: userId, position: { gt: after } },
    orderBy: { position: "asc" },
  });
  return rows.flatMap((row) =>
    eventsForAudit(auditFacts(row), new Map()).map((event) => ({
      action: row.action,
      outcome: row.outcome,
      type: event.type.split("/").at(-1),
      reason: (event.claims.reason_admin as { en?: string } | undefined)?.en,
    })),
  );
}

async function head(): Promise<bigint> {
  const last = await db.auditEvent.findFirst({
    where: { position: { not: null } },
    orderBy: { position: "desc" },
    select: { position: true },
  });
  return last?.position ?? -1n;
}

// ---------------------------------------------------------------------------------------------
// 1. Shared Signals: every decision that ended sessions, and nothing else
// ---------------------------------------------------------------------------------------------

describe("Shared Signals: sessions ended by a decision", () => {
  it("FIXED: issuing a new pass ends the session the redeemed one opened, and receivers hear session-revoked for it", async () => {
    // Before the fix:
    // The agent issues a second pass on the same case (allowed: FACTOR_ISSUED → FACTOR_ISSUED):
    // issueTap deletes the session the first, redeemed pass opened (lib/server/issue-tap.ts:64),
    // but `tap.issued` records no `endedSessions`, so the transmitter sends nothing for it.
    const { agent, user, caseId, token } = await redeemedPassSession();
    const before = await head();
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
    // The session really ended: whoever held it (the caller, or someone who took it) is out.
    expect(await db.workforceSession.count({ where: { tokenHash: hashToken(token) } })).toBe(0);
    expect(await ssfEventsFor(user.id, before)).toContainEqual(
      expect.objectContaining({ action: "tap.issued", type: "session-revoked" }),
    );
  });

  it("HELD: a failed check that ended a code session sends session-revoked once, and nothing else", async () => {
    const agent = await actor("AGENT");
    const user = await createWorkforceUser(db, { passkeys: 1 });
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Lost my laptop",
    });
    // A session a recovery code opened on this case (as tests/recovery.ts codeSession makes one).
    const { session } = await codeSession(user.id, caseId);
    const before = await head();
    // The callback failed: the case stops, recorded as a refusal, and the code's session ends.
    await recordStep({ actor: agent, caseId, kind: "CALLBACK", outcome: "FAILED", note: "no" });
    expect(await db.workforceSession.count({ where: { id: session.id } })).toBe(0);
    // Every row the decision wrote (the check, any risk signal it raised): one session-revoked.
    const events = await ssfEventsFor(user.id, before);
    expect(events.map((e) => [e.action, e.outcome, e.type])).toEqual([
      ["step.recorded", "REFUSED", "session-revoked"],
    ]);
    expect(events[0]!.reason).toBe("A verification check failed; the recovery stopped");
  });

  it("HELD: a break-glass mark after a redeemed pass sends one session-revoked, with its reason, and nothing else", async () => {
    const { user, token } = await redeemedPassSession();
    const before = await head();
    await setBreakGlass({
      actor: await actor("SECURITY"),
      userId: user.id,
      breakGlass: true,
      reason: "Shared admin account for the plant floor",
    });
    expect(await db.workforceSession.count({ where: { tokenHash: hashToken(token) } })).toBe(0);
    expect(await ssfEventsFor(user.id, before)).toEqual([
      {
        action: "breakglass.changed",
        outcome: "ALLOWED",
        type: "session-revoked",
        reason: "Break-glass status changed; the recovery stopped",
      },
    ]);
  });

  it("HELD: refusals that end nothing send nothing (wrong guesses at a pass, tap.guessed)", async () => {
    const { agent, user, caseId } = await verifiedStandardCase();
    const address = user.emails.find((e) => e.isPrimary)?.address ?? user.emails[0]!.address;
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
    const code = await passIn(address);
    const before = await head();
    // Wrong guesses: `tap.guessed` is a refusal whose data carries `voided` (a boolean saying
    // whether the pass was voided, not the counts of a stop).
    for (let i = 0; i < 12; i++)
      await redeemTap({ email: address, code: `${code.slice(0, -1)}${i % 2 ? "X" : "Y"}` }).catch(
        () => undefined,
      );
    const rows = await db.auditEvent.findMany({
      where: { subjectUserId: user.id, position: { gt: before } },
      select: { action: true, outcome: true },
    });
    expect(rows.some((r) => r.outcome === "REFUSED")).toBe(true);
    expect(rows.map((r) => r.action)).toContain("tap.guessed");
    expect(await ssfEventsFor(user.id, before)).toEqual([]);
  });

  it("HELD: a refusal row with no person, or a practice row, never becomes an event", () => {
    const base = {
      outcome: "REFUSED" as const,
      actorType: "STAFF",
      targetType: null,
      targetId: null,
      createdAt: new Date(),
      data: { endedSessions: 3, voided: { passSessions: 2, codeSessions: 1 } },
    };
    expect(
      eventsForAudit({ ...base, action: "step.recorded", subjectUserId: null }, new Map()),
    ).toEqual([]);
    expect(
      eventsForAudit(
        { ...base, action: "practice.refused", subjectUserId: crypto.randomUUID() },
        new Map(),
      ),
    ).toEqual([]);
    expect(
      eventsForAudit(
        {
          ...base,
          outcome: "ALLOWED",
          action: "practice.finished",
          subjectUserId: crypto.randomUUID(),
        },
        new Map(),
      ),
    ).toEqual([]);
    // The same row with a person: session-revoked (the type is the only event).
    expect(
      eventsForAudit(
        { ...base, action: "step.recorded", subjectUserId: crypto.randomUUID() },
        new Map(),
      ).map((e) => e.type),
    ).toEqual([SSF_EVENT_TYPES.sessionRevoked]);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. ITSM webhooks: "send again"
// ---------------------------------------------------------------------------------------------

const BASE = "https://console.example";
let receiver: Receiver;
let owner: pg.Client;
beforeAll(async () => {
  receiver = await startHttpReceiver();
  owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
  await owner.connect();
});
afterAll(async () => {
  await receiver.stop();
  await owner.end();
});

const newCase = async (agent: Staff, claim: string) =>
  openCase({
    actor: agent,
    userId: (await createWorkforceUser(db)).id,
    reason: "LOST_DEVICE",
    channel: "PHONE",
    callerClaim: claim,
  });

/** The event ids (payload `id`) of the requests the receiver got since `from`. */
const sentIds = (from = 0) =>
  receiver.requests.slice(from).map((r) => (JSON.parse(r.body) as { id: string }).id);

/** An endpoint with one event given up on (the receiver refused it for good). */
async function endpointWithGivenUp(name: string) {
  const security = await actor("SECURITY");
  const agent = await actor("AGENT");
  receiver.answer = () => 200;
  const { endpointId, secret } = await addWebhookEndpoint({
    actor: security,
    name,
    url: receiver.url,
  });
  receiver.answer = () => 400;
  const lost = await newCase(agent, `refused for good (${name})`);
  expect(await deliverToEndpoint(db, endpointId, { now: new Date(), baseUrl: BASE })).toMatchObject(
    { status: "gave-up" },
  );
  receiver.answer = () => 200;
  const givenUp = await db.webhookDelivery.findFirstOrThrow({
    where: { endpointId, gaveUp: true },
  });
  const event = await db.auditEvent.findFirstOrThrow({
    where: { position: givenUp.position },
  });
  return { security, agent, endpointId, secret, lost, givenUp, event };
}

describe("ITSM webhooks: sending an event given up on again", () => {
  it("FIXED: one pass sends no more events than its cap, resends included", async () => {
    // Before the fix:
    // deliverToEndpoint's `events` is "Events sent per endpoint in this pass at most", and the
    // transaction's timeout is sized for that many sends (timeoutMs * limit + 10 s). resendAsked
    // takes up to `limit` resends, then the cursor up to `limit` more, and a failing resend does
    // not end the pass: a pass may make 2 * limit requests. With a slow ITSM and a batch of
    // resends asked (a reviewer clearing a day of given-up events), the transaction outlives its
    // timeout after the requests went out, rolls back (no resentAt, no cursor move), and the
    // next pass sends the same resends again: duplicates, and the cursor never moves.
    const { security, agent, endpointId } = await endpointWithGivenUp("Capped desk");
    const given = await db.webhookDelivery.findFirstOrThrow({
      where: { endpointId, gaveUp: true },
    });
    await requestWebhookResend({ actor: security, deliveryId: given.id });
    await newCase(agent, "a new event after the cursor");
    const from = receiver.requests.length;
    await deliverToEndpoint(db, endpointId, { now: new Date(), baseUrl: BASE, events: 1 });
    expect(receiver.requests.length - from).toBeLessThanOrEqual(1);
  });

  it("FIXED: a resend no reviewer asked for (no webhook.resend_requested in the trail) is not sent", async () => {
    // Before the fix:
    // The app role's new column grant lets it set resendRequestedAt (and clear resentAt) on any
    // row; the deliverer trusts the column and never looks for the signed decision. Whoever has
    // the app role's credentials replays an event to the ITSM with no trace in the audit trail
    // (the Idempotency-Key is the same, so a careful receiver drops it: the harm is the missing
    // audit, and replays to a receiver that does not deduplicate).
    const { endpointId, givenUp, event } = await endpointWithGivenUp("Unasked desk");
    await db.$executeRaw`UPDATE "WebhookDelivery" SET "resendRequestedAt" = now() WHERE id = ${givenUp.id}::uuid`;
    expect(
      await db.auditEvent.count({
        where: { action: "webhook.resend_requested", targetId: endpointId },
      }),
    ).toBe(0);
    const from = receiver.requests.length;
    await deliverToEndpoint(db, endpointId, { now: new Date(), baseUrl: BASE });
    expect(sentIds(from)).not.toContain(event.eventId);
  });

  it("FIXED: a delivery row planted by the app role does not send an event from before the endpoint existed", async () => {
    // Before the fix:
    // WebhookDelivery is append-only, not write-protected: the app role may INSERT. A planted
    // "given up, resend asked" row for any position makes the deliverer send that case event to
    // the endpoint, though a new endpoint starts at the trail's end (decision 035) and no
    // reviewer decided anything.
    const agent = await actor("AGENT");
    const history = await newCase(agent, "before the endpoint existed");
    const old = await db.auditEvent.findFirstOrThrow({
      where: { caseId: history.caseId, action: "case.opened" },
    });
    const { endpointId } = await endpointWithGivenUp("Planted desk");
    await db.$executeRaw`
      INSERT INTO "WebhookDelivery" ("endpointId", position, "eventType", "caseId", attempt, ok, "gaveUp", "resendRequestedAt")
      VALUES (${endpointId}::uuid, ${old.position}, 'case.opened', ${history.caseId}::uuid, 1, false, true, now())`;
    const from = receiver.requests.length;
    await deliverToEndpoint(db, endpointId, { now: new Date(), baseUrl: BASE });
    expect(sentIds(from)).not.toContain(old.eventId);
  });

  it("HELD: the app role may change only the two resend columns of the delivery log, and delete nothing", async () => {
    const { givenUp } = await endpointWithGivenUp("Privileges desk");
    for (const column of [
      `ok = true`,
      `"gaveUp" = false`,
      `"httpStatus" = 200`,
      `error = NULL`,
      `position = 0`,
      `attempt = 9`,
      `resend = true`,
      `"eventType" = 'case.closed'`,
      `"createdAt" = now()`,
      `"endpointId" = "endpointId"`,
      `"caseId" = NULL`,
    ])
      await expect(
        db.$executeRawUnsafe(
          `UPDATE "WebhookDelivery" SET ${column} WHERE id = $1::uuid`,
          givenUp.id,
        ),
        column,
      ).rejects.toThrow(/permission denied/);
    await expect(
      db.$executeRawUnsafe(`DELETE FROM "WebhookDelivery" WHERE id = $1::uuid`, givenUp.id),
    ).rejects.toThrow(/permission denied/);
    const after = await db.webhookDelivery.findUniqueOrThrow({ where: { id: givenUp.id } });
    expect(after).toEqual(givenUp);
  });

  it("HELD: a resend whose event was altered in the log since is not sent, and says so", async () => {
    const { security, endpointId, givenUp, event } = await endpointWithGivenUp("Altered desk");
    await requestWebhookResend({ actor: security, deliveryId: givenUp.id });
    // Someone with the owner's powers moves the event to another case.
    const other = await newCase(await actor("AGENT"), "another case");
    await asOwner(owner, [
      [
        `UPDATE "AuditEvent" SET "caseId" = $1::uuid WHERE position = $2`,
        [other.caseId, event.position],
      ],
    ]);
    const from = receiver.requests.length;
    await deliverToEndpoint(db, endpointId, { now: new Date(), baseUrl: BASE });
    expect(sentIds(from)).not.toContain(event.eventId);
    const attempt = await db.webhookDelivery.findFirstOrThrow({
      where: { endpointId, resend: true },
    });
    expect(attempt).toMatchObject({ ok: false, gaveUp: true });
    expect(attempt.error).toMatch(/no longer part of the audit log/);
  });

  it("HELD: a planted resend of a refusal or of a row that is no case event sends nothing", async () => {
    const { security, endpointId } = await endpointWithGivenUp("Not-an-event desk");
    const agent = await actor("AGENT");
    const { caseId } = await newCase(agent, "refused later");
    // A refused case action (a pass on a case not verified) and a reviewer's own decision.
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false }).catch(
      () => undefined,
    );
    const refused = await db.auditEvent.findFirstOrThrow({
      where: { caseId, outcome: "REFUSED" },
    });
    const added = await db.auditEvent.findFirstOrThrow({
      where: { action: "webhook.endpoint_added", targetId: endpointId },
    });
    expect(security.role).toBe("SECURITY");
    // The new case's own event goes out by the cursor first: nothing else is due.
    await deliverToEndpoint(db, endpointId, { now: new Date(), baseUrl: BASE });
    for (const row of [refused, added])
      await db.$executeRaw`
        INSERT INTO "WebhookDelivery" ("endpointId", position, "eventType", attempt, ok, "gaveUp", "resendRequestedAt")
        VALUES (${endpointId}::uuid, ${row.position}, 'case.opened', 1, false, true, now())`;
    const from = receiver.requests.length;
    await deliverToEndpoint(db, endpointId, { now: new Date(), baseUrl: BASE });
    expect(sentIds(from)).toEqual([]);
  });

  it("HELD: a resend asked before the endpoint was disabled is not sent; asking on a disabled one is refused", async () => {
    const { security, endpointId, givenUp, event } = await endpointWithGivenUp("Disabled desk");
    await requestWebhookResend({ actor: security, deliveryId: givenUp.id });
    await disableWebhookEndpoint({ actor: security, endpointId });
    const from = receiver.requests.length;
    expect(
      await deliverToEndpoint(db, endpointId, { now: new Date(), baseUrl: BASE }),
    ).toMatchObject({ status: "idle", delivered: 0 });
    expect(sentIds(from)).not.toContain(event.eventId);
    const retry = await db.webhookDelivery.findFirst({ where: { endpointId, resend: true } });
    expect(retry).toBeNull();
    const other = await endpointWithGivenUp("Disabled desk 2");
    await disableWebhookEndpoint({ actor: other.security, endpointId: other.endpointId });
    await expect(
      requestWebhookResend({ actor: other.security, deliveryId: other.givenUp.id }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect(
      (await db.webhookDelivery.findUniqueOrThrow({ where: { id: other.givenUp.id } }))
        .resendRequestedAt,
    ).toBeNull();
  });

  it("HELD: a resend that fails leaves the cursor, its attempts and its backoff alone, and can be asked again", async () => {
    const { security, endpointId, givenUp } = await endpointWithGivenUp("Backoff desk");
    const before = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
    await requestWebhookResend({ actor: security, deliveryId: givenUp.id });
    receiver.answer = () => 503;
    const now = new Date(Date.now() + 1000);
    await deliverToEndpoint(db, endpointId, { now, baseUrl: BASE });
    receiver.answer = () => 200;
    const after = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
    expect({
      position: after.position,
      attempts: after.attempts,
      nextAttemptAt: after.nextAttemptAt,
      lastError: after.lastError,
    }).toEqual({
      position: before.position,
      attempts: before.attempts,
      nextAttemptAt: before.nextAttemptAt,
      lastError: before.lastError,
    });
    const retry = await db.webhookDelivery.findFirstOrThrow({
      where: { endpointId, resend: true },
    });
    expect(retry).toMatchObject({ ok: false, gaveUp: true, httpStatus: 503 });
    await requestWebhookResend({ actor: security, deliveryId: retry.id });
    await deliverToEndpoint(db, endpointId, { now, baseUrl: BASE });
    expect(await db.webhookDelivery.count({ where: { endpointId, resend: true, ok: true } })).toBe(
      1,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 3. ITSM webhooks: rotation, and who may do any of it (the real server actions)
// ---------------------------------------------------------------------------------------------

const idle = { status: "idle" } as const;
const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
};

/** Signs a staff member in (their session in the cookie) with a staff passkey for step-up. */
async function signIn(staffId: string) {
  const token = newToken();
  await startStaffSession({ staffId, token, method: "demo" });
  sessionToken = token;
  const authenticator = softwarePasskey();
  const start = await passkeys.startStaffRegistrationAction();
  if (!start.ok) throw new Error(start.message);
  const finish = await passkeys.finishStaffRegistrationAction(
    authenticator.register(start.value.challenge),
  );
  if (!finish.ok) throw new Error(finish.message);
  return {
    async stepUp() {
      const begun = await passkeys.startStepUpAction();
      if (!begun.ok) throw new Error(begun.message);
      const done = await passkeys.finishStepUpAction(
        authenticator.authenticate(begun.value.challenge, staffUserHandle(staffId)),
      );
      if (!done.ok) throw new Error(done.message);
    },
  };
}

const verifies = (request: { headers: Record<string, unknown>; body: string }, secret: string) => {
  const timestamp = String(request.headers["x-console-timestamp"]);
  const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${request.body}`).digest("hex")}`;
  return String(request.headers["x-console-signature"]).split(", ").includes(expected);
};

describe("ITSM webhooks: rotation and the settings page's actions", () => {
  it("HELD: an agent or a supervisor can neither rotate a secret nor send again (actions and use cases), audited", async () => {
    const { endpointId, givenUp } = await endpointWithGivenUp("Guarded desk");
    const before = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
    for (const role of ["AGENT", "SUPERVISOR"] as const) {
      const staff = await actor(role);
      await signIn(staff.id);
      await expect(
        rotateWebhookSecretAction(idle, form({ endpointId, overlap: "on" })),
      ).rejects.toThrow("forbidden");
      await expect(resendWebhookAction(idle, form({ deliveryId: givenUp.id }))).rejects.toThrow(
        "forbidden",
      );
      await expect(
        rotateWebhookSecret({ actor: staff, endpointId, overlap: false }),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(
        requestWebhookResend({ actor: staff, deliveryId: givenUp.id }),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(
        await db.auditEvent.count({
          where: { action: "access.denied", actorId: staff.id, outcome: "REFUSED" },
        }),
      ).toBe(4);
    }
    sessionToken = null;
    expect(await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } })).toEqual(
      before,
    );
    expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: givenUp.id } })).toEqual(
      givenUp,
    );
  });

  it("HELD: rotating needs step-up; the new secret signs, and is in no audit row, no page data and no stored column", async () => {
    const { security, endpointId, givenUp } = await endpointWithGivenUp("Stepped desk");
    const { stepUp } = await signIn(security.id);
    const before = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
    const refused = await rotateWebhookSecretAction(idle, form({ endpointId, overlap: "on" }));
    expect(refused).toMatchObject({ status: "refused" });
    expect(
      (await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } })).secretSealed,
    ).toBe(before.secretSealed);
    // Send again needs no step-up (decision 035): it sends what the ITSM was due anyway.
    expect(await resendWebhookAction(idle, form({ deliveryId: givenUp.id }))).toMatchObject({
      status: "ok",
    });

    await stepUp();
    const rotated = await rotateWebhookSecretAction(idle, form({ endpointId }));
    sessionToken = null;
    expect(rotated).toMatchObject({ status: "ok" });
    const secret = /(whsec_[A-Za-z0-9_-]+)/.exec(
      String((rotated as { message: string }).message),
    )![1]!;
    const agent = await actor("AGENT");
    await newCase(agent, "after the rotation");
    const from = receiver.requests.length;
    await deliverToEndpoint(db, endpointId, { now: new Date(), baseUrl: BASE });
    expect(receiver.requests.length).toBeGreaterThan(from);
    for (const request of receiver.requests.slice(from)) {
      // No overlap ticked: the new secret alone signs.
      expect(verifies(request, secret)).toBe(true);
      expect(String(request.headers["x-console-signature"]).split(", ")).toHaveLength(1);
    }
    const secretPart = secret.slice(6);
    const text = (value: unknown) =>
      JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? String(v) : v));
    const audit = await db.auditEvent.findMany({ where: { targetId: endpointId } });
    expect(text(audit)).not.toContain(secretPart);
    expect(text(await findWebhookEndpoints())).not.toContain(secretPart);
    const stored = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
    expect(text(stored)).not.toContain(secretPart);
    expect(stored.previousSecretSealed).toBeNull();
  });

  it("HELD: bad input (not a uuid, extra fields, an overlap other than 'on') is refused plainly and changes nothing", async () => {
    const { security, endpointId, givenUp } = await endpointWithGivenUp("Bad input desk");
    const { stepUp } = await signIn(security.id);
    await stepUp();
    const before = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
    const trail = await head();
    const answers = [
      await rotateWebhookSecretAction(idle, form({ endpointId: "not-a-uuid" })),
      await rotateWebhookSecretAction(idle, form({ endpointId, overlap: "yes" })),
      await rotateWebhookSecretAction(idle, form({ endpointId, secret: "whsec_mine" })),
      await resendWebhookAction(idle, form({ deliveryId: "1; DROP TABLE x" })),
      await resendWebhookAction(idle, form({ deliveryId: givenUp.id, endpointId })),
      await resendWebhookAction(idle, form({ deliveryId: crypto.randomUUID() })),
    ];
    sessionToken = null;
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual(Array(5).fill("invalid"));
    expect(answers[0]).toMatchObject({ fieldErrors: { endpointId: ["That is not an endpoint."] } });
    expect(answers[3]).toMatchObject({ fieldErrors: { deliveryId: ["That is not a delivery."] } });
    // An unknown delivery: a plain refusal, audited as one.
    expect(answers[5]).toMatchObject({
      status: "refused",
      message: "That delivery does not exist.",
    });
    expect(await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } })).toEqual(
      before,
    );
    expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: givenUp.id } })).toEqual(
      givenUp,
    );
    expect(
      (
        await db.auditEvent.findMany({
          where: { position: { gt: trail } },
          select: { action: true },
        })
      ).map((r) => r.action),
    ).toEqual(["webhook.endpoint_refused"]);
  });

  it("FIXED: a rotation during a delivery in flight does not wait for it; that request carries the old secret only, the next the new", async () => {
    // Before the fix the rotation's UPDATE waited on the endpoint's row, which the deliverer held
    // for its whole pass. The deliverer now claims the endpoint with an advisory lock and reads
    // the endpoint again before each request.
    const security = await actor("SECURITY");
    const agent = await actor("AGENT");
    receiver.answer = () => 200;
    const { endpointId, secret: old } = await addWebhookEndpoint({
      actor: security,
      name: "In-flight desk",
      url: receiver.url,
    });
    await newCase(agent, "in flight");
    await newCase(agent, "next in the same pass");
    let release!: () => void;
    const held = new Promise<number>((resolve) => (release = () => resolve(200)));
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    receiver.answer = () => held;
    receiver.onRequest = () => arrived();
    const from = receiver.requests.length;
    const pass = deliverToEndpoint(db, endpointId, { now: new Date(), baseUrl: BASE });
    await inFlight;
    receiver.onRequest = () => {};
    // The rotation finishes while the request is still unanswered.
    const { secret } = await rotateWebhookSecret({ actor: security, endpointId, overlap: false });
    receiver.answer = () => 200;
    release();
    expect(await pass).toMatchObject({ status: "delivered", delivered: 2 });
    const [first, next] = receiver.requests.slice(from);
    expect(verifies(first!, old)).toBe(true);
    expect(verifies(first!, secret)).toBe(false);
    // The next request of the same pass is signed with the new secret alone.
    expect(verifies(next!, secret)).toBe(true);
    expect(verifies(next!, old)).toBe(false);
  });

  it("FIXED: a disable during a delivery in flight does not wait for it, and nothing more is sent", async () => {
    const security = await actor("SECURITY");
    const agent = await actor("AGENT");
    receiver.answer = () => 200;
    const { endpointId } = await addWebhookEndpoint({
      actor: security,
      name: "Disabled in flight",
      url: receiver.url,
    });
    await newCase(agent, "in flight");
    await newCase(agent, "never sent");
    let release!: () => void;
    const held = new Promise<number>((resolve) => (release = () => resolve(200)));
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    receiver.answer = () => held;
    receiver.onRequest = () => arrived();
    const from = receiver.requests.length;
    const pass = deliverToEndpoint(db, endpointId, { now: new Date(), baseUrl: BASE });
    await inFlight;
    receiver.onRequest = () => {};
    await disableWebhookEndpoint({ actor: security, endpointId });
    receiver.answer = () => 200;
    release();
    expect(await pass).toMatchObject({ delivered: 1 });
    expect(receiver.requests.length - from).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. What a slow ITSM does to the two new paths (each test waits out a real timeout: ~25-35 s)
// ---------------------------------------------------------------------------------------------

describe("ITSM webhooks: a slow receiver", () => {
  it(
    "FIXED: with resends asked, a pass against a receiver that does not answer ends within its transaction, the resend recorded as tried",
    { timeout: 90_000 },
    async () => {
      // Before the fix:
      // The consequence of the cap above, with the smallest numbers: events 1, timeoutMs 11 s,
      // so the transaction allows 1 * 11 s + 10 s = 21 s. The resend waits 11 s for no answer (a
      // failed resend does not end the pass), then the cursor's event 11 s more: 22 s. The
      // transaction has expired; the pass throws, the failed resend's log row and its resentAt
      // are rolled back, and the next pass sends it again, and again.
      const { security, agent, endpointId, givenUp } = await endpointWithGivenUp("Slow desk");
      await requestWebhookResend({ actor: security, deliveryId: givenUp.id });
      await newCase(agent, "due by the cursor");
      receiver.answer = () => new Promise<number>(() => {});
      const pass = deliverToEndpoint(db, endpointId, {
        now: new Date(),
        baseUrl: BASE,
        events: 1,
        timeoutMs: 11_000,
      }).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error: String(error).slice(0, 200) }),
      );
      const outcome = await pass;
      receiver.answer = () => 200;
      expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true });
      // The resend was tried and is recorded as tried: it is not sent again by the next pass.
      expect(
        (await db.webhookDelivery.findUniqueOrThrow({ where: { id: givenUp.id } })).resentAt,
      ).not.toBeNull();
    },
  );

  it(
    "FIXED: rotating a secret while a delivery holds the endpoint for over 30 s succeeds at once",
    { timeout: 90_000 },
    async () => {
      // Before the fix:
      // rotateWebhookSecret's UPDATE waits on the endpoint's row lock, which the deliverer holds
      // for its whole pass (up to events * timeoutMs + 10 s: 210 s by default), but the rotation
      // runs in an auditedTransaction of 30 s. Against a slow ITSM with a backlog, "rotate now,
      // the old secret leaked" fails with Prisma's expired-transaction error (not a DomainError:
      // the action rethrows it, the reviewer gets an error page), and the leaked secret keeps
      // signing. Disabling the endpoint has the same wait.
      const security = await actor("SECURITY");
      const agent = await actor("AGENT");
      receiver.answer = () => 200;
      const { endpointId } = await addWebhookEndpoint({
        actor: security,
        name: "Busy desk",
        url: receiver.url,
      });
      await newCase(agent, "a slow answer");
      let release!: () => void;
      const held = new Promise<number>((resolve) => (release = () => resolve(200)));
      let arrived!: () => void;
      const inFlight = new Promise<void>((resolve) => (arrived = resolve));
      receiver.answer = () => held;
      receiver.onRequest = () => arrived();
      const pass = deliverToEndpoint(db, endpointId, {
        now: new Date(),
        baseUrl: BASE,
        timeoutMs: 60_000,
      });
      await inFlight;
      receiver.onRequest = () => {};
      // The ITSM answers after 32 s (a receiver working through a backlog).
      const answer = setTimeout(release, 32_000);
      const rotation = await rotateWebhookSecret({
        actor: security,
        endpointId,
        overlap: false,
      }).then(
        (value) => ({ ok: true as const, secret: value.secret }),
        (error: unknown) => ({
          ok: false as const,
          domain: (error as { code?: string }).code ?? null,
          error: String(error).slice(0, 200),
        }),
      );
      clearTimeout(answer);
      release();
      receiver.answer = () => 200;
      await pass;
      expect(rotation, JSON.stringify(rotation)).toMatchObject({ ok: true });
    },
  );
});
