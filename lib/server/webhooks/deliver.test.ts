/**
 * ITSM webhooks (docs/decisions/035) against a real HTTP receiver on 127.0.0.1: case events made
 * by the console's own use cases arrive signed with the endpoint's secret (HMAC-SHA256 over
 * "timestamp.body"), in order, with the ticket reference and the employee ID; a 500 and a receiver
 * that is down are retried after the backoff, every attempt in the delivery log; two deliverers at
 * once send an event once; a refusal for good is given up on and logged; a disabled endpoint gets
 * nothing.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CASE_WEBHOOK_EVENTS, type CaseWebhookPayload } from "@/lib/domain/case-webhooks";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor } from "@/tests/recovery";
import { startHttpReceiver, type ReceivedRequest } from "@/tests/siem-receivers";
import { setTicketReference } from "../cases/case-desk";
import { closeCase } from "../close-case";
import { openCase } from "../open-case";
import { revokePasskeys } from "../revoke-passkeys";
import { webhookSignature } from "../siem/webhook";
import { deliverToEndpoint, deliverWebhooks } from "./deliver";
import {
  addWebhookEndpoint,
  disableWebhookEndpoint,
  findWebhookEndpoints,
  requestWebhookResend,
  rotateWebhookSecret,
} from "./manage";

let receiver: Awaited<ReturnType<typeof startHttpReceiver>>;
beforeAll(async () => {
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await receiver.stop();
});

const HOUR = 60 * 60 * 1000;
const BASE = "https://console.example";

/** What a receiver does during a rotation: accept the request if any signature is its secret's. */
function signedWith(request: ReceivedRequest, secret: string): boolean {
  const timestamp = String(request.headers["x-console-timestamp"]);
  const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${request.body}`).digest("hex")}`;
  return String(request.headers["x-console-signature"]).split(", ").includes(expected);
}

/** What a receiver does: check the signature with the secret, then read the event. */
function verified(request: ReceivedRequest, secret: string): CaseWebhookPayload {
  const timestamp = String(request.headers["x-console-timestamp"]);
  expect(timestamp).toMatch(/^\d{10}$/);
  const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${request.body}`).digest("hex")}`;
  expect(request.headers["x-console-signature"]).toBe(expected);
  return JSON.parse(request.body) as CaseWebhookPayload;
}

describe("webhook signing", () => {
  it("signs timestamp.body with HMAC-SHA256 (a known vector)", () => {
    // printf '%s' '1700000000.{"id":"e1"}' | openssl dgst -sha256 -hmac 'whsec_test-key'
    expect(webhookSignature("whsec_test-key", "1700000000", '{"id":"e1"}')).toBe(
      "sha256=2d365cfd768e85b0d10818d91d72645cbfe4dd69df6ce5462cb86bbb9a548c26",
    );
  });
});

describe("case events to an ITSM", () => {
  it("delivers signed case events in order, retrying a 500 and a receiver that is down", async () => {
    const security = await actor("SECURITY");
    const agent = await actor("AGENT");
    const person = await createWorkforceUser(db, { passkeys: 2 });
    // Before the endpoint exists: not sent (a new endpoint starts at the trail's end).
    await openCase({
      actor: agent,
      userId: person.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "An earlier call",
    });
    const { endpointId, secret } = await addWebhookEndpoint({
      actor: security,
      name: "Service desk",
      url: receiver.url,
    });
    expect(secret).toMatch(/^whsec_/);
    const stored = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
    expect(stored.secretSealed).not.toContain(secret);
    expect(
      await db.auditEvent.count({
        where: { action: "webhook.endpoint_added", targetId: endpointId },
      }),
    ).toBe(1);

    const { caseId } = await openCase({
      actor: agent,
      userId: person.id,
      reason: "STOLEN_DEVICE",
      channel: "PHONE",
      callerClaim: "My phone was stolen",
    });
    await setTicketReference({ actor: agent, caseId, ticket: "inc0012345" });
    await revokePasskeys({
      actor: agent,
      userId: person.id,
      request: { scope: "ALL" },
      reason: "STOLEN",
      caseId,
    });
    await closeCase({
      actor: agent,
      caseId,
      closeReason: "Passkeys revoked, caller will re-enrol",
    });

    // 1. The receiver fails: the first event is tried once, logged, and waits for the backoff.
    const t0 = new Date();
    receiver.answer = () => 500;
    const [failed] = await deliverWebhooks({ now: t0, baseUrl: BASE, random: () => 0 });
    expect(failed).toMatchObject({ endpointId, status: "failed", delivered: 0, error: "HTTP 500" });
    expect(receiver.requests).toHaveLength(1);
    expect(await deliverWebhooks({ now: t0, baseUrl: BASE })).toMatchObject([
      { status: "waiting" },
    ]);
    expect(receiver.requests).toHaveLength(1);

    // 2. The receiver is down: retried after the backoff, the refusal to connect logged.
    await receiver.stop();
    const [down] = await deliverWebhooks({
      now: new Date(t0.getTime() + HOUR),
      baseUrl: BASE,
      random: () => 0,
    });
    expect(down).toMatchObject({ status: "failed", delivered: 0 });
    await receiver.start();
    receiver.answer = () => 200;

    // 3. Back up: everything arrives, in order, signed, the first event on its third attempt.
    const t2 = new Date(t0.getTime() + 2 * HOUR);
    const [done] = await deliverWebhooks({ now: t2, baseUrl: BASE });
    expect(done).toMatchObject({ status: "delivered", delivered: 3 });
    const events = receiver.requests.map((r) => verified(r, secret));
    expect(events.map((e) => e.type)).toEqual([
      "case.opened",
      "case.opened",
      "passkeys.revoked",
      "case.closed",
    ]);
    expect(events[0]!.id).toBe(events[1]!.id);
    expect(receiver.requests.at(-1)!.headers["x-console-timestamp"]).toBe(
      String(Math.floor(t2.getTime() / 1000)),
    );
    expect(receiver.requests.at(-1)!.headers["idempotency-key"]).toBe(events.at(-1)!.id);
    for (const event of events)
      expect(event).toMatchObject({
        caseId,
        ticketRef: "INC0012345",
        employeeId: person.employeeId,
        link: `${BASE}/cases/${caseId}`,
      });
    // No addresses nor secrets: the payload has exactly these fields.
    expect(Object.keys(events[0]!).sort()).toEqual(
      ["caseId", "employeeId", "id", "link", "occurredAt", "ticketRef", "type"].sort(),
    );
    for (const request of receiver.requests) expect(request.body).not.toContain("@");

    // The delivery log: every attempt, with its status and error.
    const [endpoint] = await findWebhookEndpoints();
    expect(
      endpoint!.deliveries
        .slice()
        .reverse()
        .map((d) => [d.eventType, d.attempt, d.ok, d.httpStatus]),
    ).toEqual([
      ["case.opened", 1, false, 500],
      ["case.opened", 2, false, null],
      ["case.opened", 3, true, 200],
      ["passkeys.revoked", 1, true, 200],
      ["case.closed", 1, true, 200],
    ]);
    expect(endpoint!.deliveries.find((d) => d.attempt === 2)!.error).toBeTruthy();
    expect(endpoint).toMatchObject({ attempts: 0, lastError: null });

    // Nothing new: nothing sent again.
    expect(await deliverWebhooks({ now: t2, baseUrl: BASE })).toMatchObject([{ status: "idle" }]);
    expect(receiver.requests).toHaveLength(4);

    // 4. Two deliverers at once (two instances' ticks): the next event is sent once.
    receiver.requests.length = 0;
    const second = await openCase({
      actor: agent,
      userId: (await createWorkforceUser(db)).id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Lost my laptop",
    });
    const passes = await Promise.all([
      deliverToEndpoint(db, endpointId, { now: t2, baseUrl: BASE }),
      deliverToEndpoint(db, endpointId, { now: t2, baseUrl: BASE }),
    ]);
    expect(passes.map((p) => p.delivered).sort()).toEqual([0, 1]);
    expect(receiver.requests.map((r) => verified(r, secret))).toMatchObject([
      { type: "case.opened", caseId: second.caseId, ticketRef: null },
    ]);

    // 5. A refusal for good (400): given up on at once, logged, and the endpoint moves past it.
    receiver.requests.length = 0;
    receiver.answer = () => 400;
    await closeCase({ actor: agent, caseId: second.caseId, closeReason: "Found the laptop" });
    expect(await deliverWebhooks({ now: t2, baseUrl: BASE })).toMatchObject([
      { status: "gave-up" },
    ]);
    const [after] = await findWebhookEndpoints();
    expect(after!.deliveries[0]).toMatchObject({
      eventType: "case.closed",
      ok: false,
      gaveUp: true,
      httpStatus: 400,
    });
    expect(await deliverWebhooks({ now: t2, baseUrl: BASE })).toMatchObject([{ status: "idle" }]);
    expect(receiver.requests).toHaveLength(1);

    // 6. Disabled (audited): nothing more is sent to it.
    receiver.answer = () => 200;
    await disableWebhookEndpoint({ actor: security, endpointId });
    await openCase({
      actor: agent,
      userId: (await createWorkforceUser(db)).id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Lost it again",
    });
    expect(await deliverWebhooks({ now: t2, baseUrl: BASE })).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
    expect(
      await db.auditEvent.count({
        where: { action: "webhook.endpoint_disabled", targetId: endpointId },
      }),
    ).toBe(1);
    // Twice: refused, audited, nothing changed.
    await expect(disableWebhookEndpoint({ actor: security, endpointId })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(
      await db.auditEvent.count({
        where: { action: "webhook.endpoint_refused", targetId: endpointId, outcome: "REFUSED" },
      }),
    ).toBe(1);
    for (const type of events.map((e) => e.type)) expect(CASE_WEBHOOK_EVENTS).toContain(type);
  });

  it("refuses an agent or a supervisor, audited", async () => {
    for (const role of ["AGENT", "SUPERVISOR"] as const) {
      const staff = await actor(role);
      await expect(
        addWebhookEndpoint({ actor: staff, name: "Mine", url: receiver.url }),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(
        await db.auditEvent.count({
          where: { action: "access.denied", actorId: staff.id, outcome: "REFUSED" },
        }),
      ).toBe(1);
    }
    expect(await db.webhookEndpoint.count({ where: { name: "Mine" } })).toBe(0);
  });
});

describe("rotating an endpoint's secret, and sending an event given up on again", () => {
  const newCase = async (agent: Awaited<ReturnType<typeof actor>>, claim: string) =>
    openCase({
      actor: agent,
      userId: (await createWorkforceUser(db)).id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: claim,
    });

  it("signs with the old secret beside the new one for a day, or stops it at once, and never records either", async () => {
    const security = await actor("SECURITY");
    const agent = await actor("AGENT");
    receiver.requests.length = 0;
    receiver.answer = () => 200;
    const { endpointId, secret: first } = await addWebhookEndpoint({
      actor: security,
      name: "Rotating desk",
      url: receiver.url,
    });
    const t0 = new Date();
    await newCase(agent, "before the rotation");
    await deliverToEndpoint(db, endpointId, { now: t0, baseUrl: BASE });
    expect(receiver.requests).toHaveLength(1);
    verified(receiver.requests[0]!, first);

    // With an overlap: the next event carries both signatures; a receiver on either secret accepts.
    const rotated = await rotateWebhookSecret({ actor: security, endpointId, overlap: true });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(first);
    expect(rotated.overlapUntil!.getTime() - Date.now()).toBeGreaterThan(23 * HOUR);
    expect(
      (await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } }))
        .previousSecretUntil,
    ).toEqual(rotated.overlapUntil);
    await newCase(agent, "during the overlap");
    await deliverToEndpoint(db, endpointId, { now: new Date(), baseUrl: BASE });
    const during = receiver.requests[1]!;
    expect(String(during.headers["x-console-signature"]).split(", ")).toHaveLength(2);
    expect(signedWith(during, rotated.secret)).toBe(true);
    expect(signedWith(during, first)).toBe(true);
    expect(signedWith(during, "whsec_someone-else")).toBe(false);

    // A day later the old secret signs nothing.
    await newCase(agent, "after the overlap");
    const dayLater = new Date(rotated.overlapUntil!.getTime() + 1);
    await deliverToEndpoint(db, endpointId, { now: dayLater, baseUrl: BASE });
    verified(receiver.requests[2]!, rotated.secret);
    expect(signedWith(receiver.requests[2]!, first)).toBe(false);

    // Without an overlap (the secret leaked): only the newest signs, from the next request on,
    // and the one kept from the first rotation is dropped too.
    const leaked = await rotateWebhookSecret({ actor: security, endpointId, overlap: false });
    expect(leaked.overlapUntil).toBeNull();
    await newCase(agent, "after a leak");
    await deliverToEndpoint(db, endpointId, { now: dayLater, baseUrl: BASE });
    verified(receiver.requests[3]!, leaked.secret);
    expect(signedWith(receiver.requests[3]!, rotated.secret)).toBe(false);
    const stored = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
    expect(stored.previousSecretSealed).toBeNull();

    // Audited, without any secret.
    const rows = await db.auditEvent.findMany({
      where: { action: "webhook.secret_rotated", targetId: endpointId },
      orderBy: { position: "asc" },
    });
    expect(rows.map((row) => (row.data as { overlapUntil: string | null }).overlapUntil)).toEqual([
      rotated.overlapUntil!.toISOString(),
      null,
    ]);
    for (const row of rows)
      for (const secret of [first, rotated.secret, leaked.secret])
        expect(JSON.stringify({ ...row, id: null, position: null })).not.toContain(secret.slice(6));

    // A disabled endpoint's secret is not rotated: refused, audited, nothing changed.
    await disableWebhookEndpoint({ actor: security, endpointId });
    await expect(
      rotateWebhookSecret({ actor: security, endpointId, overlap: true }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect(
      (await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } })).secretSealed,
    ).toBe(stored.secretSealed);
    expect(
      await db.auditEvent.count({
        where: { action: "webhook.endpoint_refused", targetId: endpointId },
      }),
    ).toBe(1);
  });

  it("sends an event given up on once more when a reviewer asks, out of order, with the same id, once even with two deliverers", async () => {
    const security = await actor("SECURITY");
    const agent = await actor("AGENT");
    receiver.requests.length = 0;
    const { endpointId, secret } = await addWebhookEndpoint({
      actor: security,
      name: "Resending desk",
      url: receiver.url,
    });
    const now = new Date();
    receiver.answer = () => 400;
    const lost = await newCase(agent, "the receiver refused this one");
    expect(await deliverToEndpoint(db, endpointId, { now, baseUrl: BASE })).toMatchObject({
      status: "gave-up",
    });
    receiver.answer = () => 200;
    const next = await newCase(agent, "a later one");
    await deliverToEndpoint(db, endpointId, { now, baseUrl: BASE });
    const firstTry = verified(receiver.requests[0]!, secret);
    expect(verified(receiver.requests[1]!, secret).caseId).toBe(next.caseId);
    const givenUp = await db.webhookDelivery.findFirstOrThrow({
      where: { endpointId, gaveUp: true },
    });

    // Only an attempt given up on can be sent again.
    const delivered = await db.webhookDelivery.findFirstOrThrow({
      where: { endpointId, ok: true },
    });
    await expect(
      requestWebhookResend({ actor: security, deliveryId: delivered.id }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    // Nor by an agent (audited as a denied access).
    await expect(
      requestWebhookResend({ actor: agent, deliveryId: givenUp.id }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });

    await requestWebhookResend({ actor: security, deliveryId: givenUp.id });
    // Asked twice before it is sent: refused, nothing changed.
    await expect(
      requestWebhookResend({ actor: security, deliveryId: givenUp.id }),
    ).rejects.toMatchObject({ code: "CONFLICT" });

    const passes = await Promise.all([
      deliverToEndpoint(db, endpointId, { now, baseUrl: BASE }),
      deliverToEndpoint(db, endpointId, { now, baseUrl: BASE }),
    ]);
    expect(passes.map((pass) => pass.delivered).sort()).toEqual([0, 1]);
    expect(receiver.requests).toHaveLength(3);
    const again = verified(receiver.requests[2]!, secret);
    // The same event: the same id and Idempotency-Key, after an event that happened later.
    expect(again).toEqual({ ...firstTry });
    expect(again.caseId).toBe(lost.caseId);
    expect(receiver.requests[2]!.headers["idempotency-key"]).toBe(firstTry.id);

    const log = await db.webhookDelivery.findMany({
      where: { endpointId },
      orderBy: { createdAt: "asc" },
    });
    expect(log.map((d) => [d.eventType, d.attempt, d.ok, d.gaveUp, d.resend])).toEqual([
      ["case.opened", 1, false, true, false],
      ["case.opened", 1, true, false, false],
      ["case.opened", 1, true, false, true],
    ]);
    expect(log[0]!.resentAt).not.toBeNull();
    // The cursor did not move back: nothing more to send.
    expect(await deliverToEndpoint(db, endpointId, { now, baseUrl: BASE })).toMatchObject({
      status: "idle",
    });
    expect(receiver.requests).toHaveLength(3);
    // Sent: asking again is refused.
    await expect(
      requestWebhookResend({ actor: security, deliveryId: givenUp.id }),
    ).rejects.toMatchObject({ code: "CONFLICT" });

    const decisions = await db.auditEvent.findMany({
      where: { targetId: endpointId, action: { startsWith: "webhook." } },
      orderBy: { position: "asc" },
      select: { action: true, outcome: true, data: true },
    });
    expect(decisions.map((d) => [d.action, d.outcome])).toEqual([
      ["webhook.endpoint_added", "ALLOWED"],
      ["webhook.endpoint_refused", "REFUSED"],
      ["webhook.resend_requested", "ALLOWED"],
      ["webhook.endpoint_refused", "REFUSED"],
      ["webhook.endpoint_refused", "REFUSED"],
    ]);
    expect(decisions[2]!.data).toMatchObject({
      deliveryId: givenUp.id,
      eventType: "case.opened",
      position: givenUp.position.toString(),
    });
    expect(
      await db.auditEvent.count({
        where: { action: "access.denied", actorId: agent.id, outcome: "REFUSED" },
      }),
    ).toBe(1);
  });

  it("asks once when two reviewers ask at the same moment, on the database", async () => {
    const [one, two] = [await actor("SECURITY"), await actor("SECURITY")];
    const agent = await actor("AGENT");
    const { endpointId } = await addWebhookEndpoint({
      actor: one,
      name: "Raced desk",
      url: receiver.url,
    });
    receiver.answer = () => 400;
    await newCase(agent, "refused for good");
    await deliverToEndpoint(db, endpointId, { now: new Date(), baseUrl: BASE });
    receiver.answer = () => 200;
    const givenUp = await db.webhookDelivery.findFirstOrThrow({
      where: { endpointId, gaveUp: true },
    });
    const results = await Promise.allSettled([
      requestWebhookResend({ actor: one, deliveryId: givenUp.id }),
      requestWebhookResend({ actor: two, deliveryId: givenUp.id }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(
      await db.auditEvent.groupBy({
        by: ["action"],
        where: { targetId: endpointId, action: { not: "webhook.endpoint_added" } },
        _count: true,
        orderBy: { action: "asc" },
      }),
    ).toEqual([
      { action: "webhook.endpoint_refused", _count: 1 },
      { action: "webhook.resend_requested", _count: 1 },
    ]);
  });

  it("refuses to rotate the secret of an endpoint that does not exist: one refusal audited, nothing else written", async () => {
    const security = await actor("SECURITY");
    const missing = crypto.randomUUID();
    const endpoints = await db.webhookEndpoint.count();
    const trail = await db.auditEvent.count();
    await expect(
      rotateWebhookSecret({ actor: security, endpointId: missing, overlap: true }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("That endpoint does not exist."),
    });
    expect(await db.webhookEndpoint.count()).toBe(endpoints);
    const written = await db.auditEvent.findMany({
      orderBy: { id: "asc" },
      skip: trail,
      select: { action: true, outcome: true, targetId: true },
    });
    expect(written).toEqual([
      { action: "webhook.endpoint_refused", outcome: "REFUSED", targetId: missing },
    ]);
  });
});
