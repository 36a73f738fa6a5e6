/**
 * A desk's day on a case (issue 12): owners and hand-overs, call notes, ticket references, the
 * queue's filters, and the warning before a second case, on a real database.
 */
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { parseQueueFilters } from "@/lib/domain/case-queue";
import { addCaseNote, assignCase, setTicketReference } from "@/lib/server/cases/case-desk";
import { transferCase } from "@/lib/server/cases/transfer-case";
import { closeCase } from "@/lib/server/close-case";
import { findCases } from "@/lib/server/find-cases";
import { openCase } from "@/lib/server/open-case";
import { raiseRedFlag } from "@/lib/server/raise-red-flag";
import { requestReenrolment } from "@/lib/server/request-reenrolment";
import { sendStepLink } from "@/lib/server/send-step-link";
import type { CurrentStaff } from "@/lib/server/resume-staff-session";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";
import { actor, userWithManager, verifiedHighRiskCase } from "@/tests/recovery";

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

async function lastEvent(caseId: string) {
  return db.auditEvent.findFirstOrThrow({ where: { caseId }, orderBy: { id: "desc" } });
}

async function colleague(role: "AGENT" | "SUPERVISOR" = "AGENT", team = "Service Desk North") {
  const staff = await createStaff(db, { role, team });
  return {
    id: staff.id,
    name: staff.name,
    email: staff.email,
    role,
    team,
    sessionExpires: new Date(Date.now() + 60_000),
  } satisfies CurrentStaff;
}

async function openFor(agent: CurrentStaff, userId?: string) {
  const target = userId ?? (await userWithManager()).user.id;
  const { caseId } = await openCase({
    actor: agent,
    userId: target,
    reason: "LOST_DEVICE",
    channel: "PHONE",
    callerClaim: "",
  });
  return { caseId, userId: target };
}

describe("owners and hand-overs", () => {
  it("a new case is its opening agent's; a colleague takes it, audited", async () => {
    const agent = await actor("AGENT");
    const { caseId } = await openFor(agent);
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).ownerId).toBe(
      agent.id,
    );
    const other = await colleague();
    await assignCase({ actor: other, caseId, to: other.id });
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).ownerId).toBe(
      other.id,
    );
    expect(await lastEvent(caseId)).toMatchObject({
      action: "case.assigned",
      outcome: "ALLOWED",
      actorId: other.id,
      data: { from: agent.id, to: other.id, toName: other.name, note: "" },
    });
  });

  it("hands a case to a colleague of its team with a word for them", async () => {
    const agent = await actor("AGENT");
    const { caseId } = await openFor(agent);
    const supervisor = await colleague("SUPERVISOR");
    await assignCase({ actor: agent, caseId, to: supervisor.id, note: "needs your eyes" });
    expect(await lastEvent(caseId)).toMatchObject({
      action: "case.assigned",
      data: { to: supervisor.id, note: "needs your eyes" },
    });
  });

  it.each([
    ["someone of another team", async () => (await colleague("AGENT", "Service Desk South")).id],
    ["a security reviewer", async () => (await createStaff(db, { role: "SECURITY" })).id],
    [
      "a disabled colleague",
      async () => (await createStaff(db, { role: "AGENT", active: false })).id,
    ],
    ["nobody at all", async () => "00000000-0000-4000-8000-000000000000"],
  ])("refuses to give the case to %s; the owner stays, the refusal is audited", async (_l, to) => {
    const agent = await actor("AGENT");
    const { caseId } = await openFor(agent);
    const error = await refusal(assignCase({ actor: agent, caseId, to: await to() }));
    expect(error.code).toBe("INVALID_INPUT");
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).ownerId).toBe(
      agent.id,
    );
    expect(await lastEvent(caseId)).toMatchObject({
      action: "case.action_refused",
      outcome: "REFUSED",
      reason: "INVALID_INPUT",
    });
  });

  it("refuses an agent of another team taking the case (the team check holds on this path too)", async () => {
    const agent = await actor("AGENT");
    const { caseId } = await openFor(agent);
    const outsider = await colleague("AGENT", "Service Desk South");
    const error = await refusal(assignCase({ actor: outsider, caseId, to: outsider.id }));
    expect(error.code).toBe("FORBIDDEN");
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).ownerId).toBe(
      agent.id,
    );
  });

  it("refuses a closed case and a security reviewer", async () => {
    const agent = await actor("AGENT");
    const { caseId } = await openFor(agent);
    const reviewer = await actor("SECURITY");
    expect((await refusal(assignCase({ actor: reviewer, caseId, to: reviewer.id }))).code).toBe(
      "FORBIDDEN",
    );
    await closeCase({ actor: agent, caseId, closeReason: "caller hung up" });
    const other = await colleague();
    expect((await refusal(assignCase({ actor: other, caseId, to: other.id }))).code).toBe(
      "SEQUENCE",
    );
  });

  it("a case handed to another team waits there with no owner, until someone there takes it", async () => {
    const south = await colleague("AGENT", "Service Desk South");
    const agent = await actor("AGENT");
    const { caseId } = await openFor(agent);
    await transferCase({ actor: agent, caseId, team: "Service Desk South", note: "caller moved" });
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).ownerId).toBe(null);
    const unassigned = await findCases({ viewer: south, filters: { view: "unassigned" } });
    expect(unassigned.map((c) => c.id)).toContain(caseId);
    await assignCase({ actor: south, caseId, to: south.id });
    const mine = await findCases({ viewer: south, filters: { view: "mine" } });
    expect(mine.map((c) => c.id)).toEqual([caseId]);
  });

  it("two colleagues taking one case at once: both are serialised on the case, the last one has it", async () => {
    const agent = await actor("AGENT");
    const { caseId } = await openFor(agent);
    const [a, b] = [await colleague(), await colleague()];
    const results = await Promise.allSettled([
      assignCase({ actor: a, caseId, to: a.id }),
      assignCase({ actor: b, caseId, to: b.id }),
    ]);
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    const events = await db.auditEvent.findMany({
      where: { caseId, action: "case.assigned" },
      orderBy: { id: "asc" },
    });
    expect(events).toHaveLength(2);
    // Each hand-over saw the one before it: the audit chain of owners has no gap.
    const [first, second] = events.map((e) => e.data as { from: string; to: string });
    expect(first!.from).toBe(agent.id);
    expect(second!.from).toBe(first!.to);
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).ownerId).toBe(
      second!.to,
    );
  });
});

describe("call notes", () => {
  it("adds notes in order, audited by their hash and length, never their text", async () => {
    const agent = await actor("AGENT");
    const { caseId } = await openFor(agent);
    await addCaseNote({ actor: agent, caseId, body: "Caller says the phone fell in a lake." });
    await addCaseNote({ actor: agent, caseId, body: "Called back on the number of record." });
    const notes = await db.caseNote.findMany({ where: { caseId }, orderBy: { createdAt: "asc" } });
    expect(notes.map((n) => n.body)).toEqual([
      "Caller says the phone fell in a lake.",
      "Called back on the number of record.",
    ]);
    const event = await lastEvent(caseId);
    expect(event).toMatchObject({
      action: "case.note_added",
      data: { noteId: notes[1]!.id, length: "Called back on the number of record.".length },
    });
    expect(JSON.stringify(event.data)).not.toContain("Called back");
  });

  it("are append-only: the application's database role cannot change or remove one", async () => {
    const agent = await actor("AGENT");
    const { caseId } = await openFor(agent);
    await addCaseNote({ actor: agent, caseId, body: "Original words." });
    await expect(
      db.$executeRaw`UPDATE "CaseNote" SET body = 'Rewritten' WHERE "caseId" = ${caseId}::uuid`,
    ).rejects.toThrow(/permission denied/);
    await expect(
      db.$executeRaw`DELETE FROM "CaseNote" WHERE "caseId" = ${caseId}::uuid`,
    ).rejects.toThrow(/permission denied/);
    expect((await db.caseNote.findFirstOrThrow({ where: { caseId } })).body).toBe(
      "Original words.",
    );
  });

  it("the database refuses an empty note or one over 2,000 characters", async () => {
    const agent = await actor("AGENT");
    const { caseId } = await openFor(agent);
    await expect(addCaseNote({ actor: agent, caseId, body: "x".repeat(2001) })).rejects.toThrow();
    await expect(addCaseNote({ actor: agent, caseId, body: "" })).rejects.toThrow();
    expect(await db.caseNote.count({ where: { caseId } })).toBe(0);
    expect(await db.auditEvent.count({ where: { caseId, action: "case.note_added" } })).toBe(0);
  });

  it("a caller ringing back is noted on a closed case; another team's agent is refused", async () => {
    const agent = await actor("AGENT");
    const { caseId } = await openFor(agent);
    await closeCase({ actor: agent, caseId, closeReason: "done" });
    await addCaseNote({ actor: agent, caseId, body: "Rang back to say thanks." });
    const outsider = await colleague("AGENT", "Service Desk South");
    const error = await refusal(addCaseNote({ actor: outsider, caseId, body: "sneaky" }));
    expect(error.code).toBe("FORBIDDEN");
    expect(await db.caseNote.count({ where: { caseId } })).toBe(1);
    expect(await lastEvent(caseId)).toMatchObject({
      action: "case.action_refused",
      reason: "FORBIDDEN",
    });
  });
});

describe("ticket references", () => {
  it("normalises, audits a change, and finds the case by it in the queue", async () => {
    const agent = await actor("AGENT");
    const { caseId } = await openFor(agent);
    expect(await setTicketReference({ actor: agent, caseId, ticket: " inc0012345 " })).toEqual({
      ticket: "INC0012345",
    });
    await setTicketReference({ actor: agent, caseId, ticket: "hd-77" });
    expect(await lastEvent(caseId)).toMatchObject({
      action: "case.ticket_set",
      data: { from: "INC0012345", to: "HD-77" },
    });
    for (const q of ["HD-77", "hd-77", "HD-7"]) {
      const found = await findCases({ viewer: agent, filters: { view: "team", q } });
      expect(found.map((c) => c.id)).toContain(caseId);
    }
    const zendesk = await openFor(agent);
    await setTicketReference({ actor: agent, caseId: zendesk.caseId, ticket: "12345" });
    const byNumber = await findCases({ viewer: agent, filters: { view: "team", q: "#12345" } });
    expect(byNumber.map((c) => c.id)).toEqual([zendesk.caseId]);
  });

  it("takes % and _ in a search as the characters they are, not wildcards", async () => {
    const agent = await actor("AGENT");
    const tag = Math.random().toString(36).slice(2, 8);
    const odd = await userWithManager({ name: `Ann 100%_${tag}` });
    const plain = await userWithManager({ name: `Ann 1000x${tag}` });
    const { caseId } = await openFor(agent, odd.user.id);
    const other = await openFor(agent, plain.user.id);
    const found = await findCases({ viewer: agent, filters: { view: "team", q: `100%_${tag}` } });
    expect(found.map((c) => c.id)).toEqual([caseId]);
    const underscore = await findCases({ viewer: agent, filters: { view: "team", q: `0_${tag}` } });
    expect(underscore.map((c) => c.id)).not.toContain(other.caseId);
  });

  it("refuses what is not a ticket with the formats it accepts, and changes nothing", async () => {
    const agent = await actor("AGENT");
    const { caseId } = await openFor(agent);
    const error = await refusal(setTicketReference({ actor: agent, caseId, ticket: "call me" }));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.userMessage).toMatch(/INC0012345.*HD-123.*#12345/);
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).ticketRef).toBe(
      null,
    );
    expect(await lastEvent(caseId)).toMatchObject({ action: "case.action_refused" });
  });
});

describe("the queue", () => {
  it("filters by view, reason and tier, and says which cases are stopped and why", async () => {
    const team = `Desk ${Math.random().toString(36).slice(2, 8)}`;
    const agent = await colleague("AGENT", team);
    const other = await colleague("AGENT", team);
    const plain = await openFor(agent);
    const stolen = await openCase({
      actor: agent,
      userId: (await userWithManager({ riskTier: "CONTRACTOR" })).user.id,
      reason: "STOLEN_DEVICE",
      channel: "PHONE",
      callerClaim: "",
    });
    const flagged = await openFor(other);
    await raiseRedFlag({
      actor: other,
      caseId: flagged.caseId,
      kind: "REFUSED_CALLBACK",
      note: "would not take the callback",
    });
    const waiting = await openFor(agent);
    await sendStepLink({ actor: agent, caseId: waiting.caseId, kind: "MANAGER_CONFIRMATION" });
    const done = await openFor(agent);
    await closeCase({ actor: agent, caseId: done.caseId, closeReason: "resolved" });

    const ids = async (params: Record<string, string>, viewer = agent) =>
      (await findCases({ viewer, filters: parseQueueFilters(params) })).map((c) => c.id).sort();

    expect(await ids({})).toEqual(
      [plain.caseId, stolen.caseId, flagged.caseId, waiting.caseId].sort(),
    );
    expect(await ids({ view: "mine" })).toEqual(
      [plain.caseId, stolen.caseId, waiting.caseId].sort(),
    );
    expect(await ids({ view: "mine" }, other)).toEqual([flagged.caseId]);
    expect(await ids({ view: "waiting" })).toEqual([waiting.caseId]);
    expect(await ids({ view: "stopped" })).toEqual([flagged.caseId]);
    expect(await ids({ view: "closed" })).toEqual([done.caseId]);
    expect(await ids({ reason: "STOLEN_DEVICE" })).toEqual([stolen.caseId]);
    expect(await ids({ tier: "CONTRACTOR" })).toEqual([stolen.caseId]);
    expect(await ids({ tier: "CONTRACTOR", reason: "LOST_DEVICE" })).toEqual([]);

    const rows = await findCases({ viewer: agent, filters: { view: "team" } });
    const flaggedRow = rows.find((row) => row.id === flagged.caseId)!;
    expect(flaggedRow.stopped?.code).toBe("RED_FLAG");
    expect(rows.find((row) => row.id === plain.caseId)!.stopped).toBe(null);
    const waitingRow = rows.find((row) => row.id === waiting.caseId)!;
    expect(waitingRow.deadlines.map((d) => d.kind)).toEqual(["managerLink"]);
    expect(waitingRow.deadlines[0]!.at.getTime()).toBeGreaterThan(Date.now());

    // Another team sees none of it.
    expect(await ids({}, await colleague("AGENT", `${team} elsewhere`))).toEqual([]);
  });

  it("lists a case waiting for a supervisor under 'Needs a supervisor' with the approval's clock", async () => {
    const { agent, caseId } = await verifiedHighRiskCase();
    const result = await requestReenrolment({ actor: agent, caseId, revokePasskeyIds: [] });
    expect(result.status).toBe("pending_approval");
    const rows = await findCases({ viewer: agent, filters: { view: "supervisor" } });
    const row = rows.find((r) => r.id === caseId)!;
    expect(row.waitingForSupervisor).toBe(true);
    expect(row.deadlines.map((d) => d.kind)).toContain("approval");
  });
});

describe("a second case for one person", () => {
  it("is refused, naming the open case, unless the agent confirmed that very case", async () => {
    const agent = await actor("AGENT");
    const first = await openFor(agent);
    const other = await colleague();
    const open = (acknowledgedOpenCases: string[]) =>
      openCase({
        actor: other,
        userId: first.userId,
        reason: "LOST_DEVICE",
        channel: "PHONE",
        callerClaim: "",
        acknowledgedOpenCases,
      });
    const error = await refusal(open([]));
    expect(error.code).toBe("CONFLICT");
    expect(error.userMessage).toContain(agent.name);
    expect(await db.recoveryCase.count({ where: { userId: first.userId } })).toBe(1);
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: first.userId },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({ action: "case.action_refused", reason: "CONFLICT" });

    const second = await open([first.caseId]);
    expect(second.caseId).not.toBe(first.caseId);
  });

  it("two agents opening a case for one caller at once: one case opens, the other agent is told", async () => {
    const { user } = await userWithManager();
    const [a, b] = [await colleague(), await colleague()];
    const attempt = (agent: CurrentStaff) =>
      openCase({
        actor: agent,
        userId: user.id,
        reason: "LOST_DEVICE",
        channel: "PHONE",
        callerClaim: "",
        acknowledgedOpenCases: [],
      });
    const results = await Promise.allSettled([attempt(a), attempt(b)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((rejected.reason as DomainError).code).toBe("CONFLICT");
    expect(await db.recoveryCase.count({ where: { userId: user.id } })).toBe(1);
  });
});
