import "server-only";
/**
 * The desk's own bookkeeping on a case: who has it (take it, hand it to a colleague), the call
 * notes, and the ticket reference. Each goes through the case unit of work (the team check and
 * the lock) and is audited in the same transaction. None of it changes what the case may issue.
 */
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { parseTicketReference } from "@/lib/domain/ticket-reference";
import { recordAudit } from "../audit";
import { certificationRefusal } from "../practice/certification";
import type { RequestContext } from "../request-context";
import type { CurrentStaff } from "../resume-staff-session";
import { runCaseWork } from "./unit-of-work";

/**
 * Gives the case to `to` (the actor, for "assign to me", or a colleague of the case's team who
 * works cases), with an optional note for the colleague. A closed case keeps its last owner.
 */
export async function assignCase(input: {
  actor: CurrentStaff;
  caseId: string;
  to: string;
  note?: string;
  request?: RequestContext;
}): Promise<{ ownerName: string }> {
  // Ids compare as the database stores them (lower case): an upper-case copy of one's own id is
  // still taking the case, not a hand-over.
  const to = input.to.toLowerCase();
  const taking = to === input.actor.id.toLowerCase();
  return runCaseWork(
    {
      caseId: input.caseId,
      actor: { kind: "staff", staff: input.actor, permission: "cases:work" },
      attempted: taking ? "take the case" : "hand over to a colleague",
      request: input.request,
      // Taking the case is working it (gated); handing it on is not, but the colleague is checked below.
      safeAction: taking ? undefined : "hand over",
    },
    async ({ tx, kase, actor, now, refuse }) => {
      const current = await tx.recoveryCase.findUniqueOrThrow({
        where: { id: kase.id },
        select: { ownerId: true, closedAt: true },
      });
      if (current.closedAt)
        return refuse({
          ok: false,
          code: "SEQUENCE",
          message: "The case is closed: nobody works it any more.",
        });
      if (current.ownerId === to)
        return refuse({
          ok: false,
          code: "INVALID_INPUT",
          message: taking ? "The case is already yours." : "They already have it.",
        });
      const owner = await tx.staff.findFirst({
        where: {
          id: to,
          active: true,
          team: kase.team ?? "",
          role: { in: ["AGENT", "SUPERVISOR"] },
        },
        select: { id: true, name: true },
      });
      if (!owner)
        return refuse({
          ok: false,
          code: "INVALID_INPUT",
          message: `Only an active agent or supervisor of ${kase.team ?? "the case’s team"} can have this case. To give it to another team, hand it over to that team.`,
        });
      // Whoever gets the case must be able to work its tier (decision 032): a colleague is checked
      // here, and so is the actor, whatever the id looked like (the unit of work checked them too).
      const uncertified = await certificationRefusal(tx, {
        staffId: owner.id,
        tier: kase.riskTier,
        now,
        ...(owner.id === input.actor.id ? {} : { colleague: { name: owner.name } }),
      });
      if (uncertified) return refuse(uncertified);
      await tx.recoveryCase.update({ where: { id: kase.id }, data: { ownerId: owner.id } });
      await recordAudit(tx, {
        action: "case.assigned",
        outcome: "ALLOWED",
        actor,
        caseId: kase.id,
        subjectUserId: kase.userId,
        target: { type: "case", id: kase.id },
        data: { from: current.ownerId, to: owner.id, toName: owner.name, note: input.note ?? "" },
        request: input.request,
      });
      return { ok: true, value: { ownerName: owner.name } };
    },
  );
}

/** The colleagues a case can be handed to: active agents and supervisors of its team. */
export async function findCaseColleagues(team: string | null) {
  if (!team) return [];
  return db.staff.findMany({
    where: { active: true, team, role: { in: ["AGENT", "SUPERVISOR"] } },
    select: { id: true, name: true, role: true },
    orderBy: { name: "asc" },
  });
}

/**
 * Adds a call note (already checked as plain text of 1 to 2,000 characters at the boundary; the
 * database checks the length again). Notes are append-only: the application role cannot change
 * or delete one. Allowed on closed cases too: a caller who rings back is noted on their case.
 */
export async function addCaseNote(input: {
  actor: CurrentStaff;
  caseId: string;
  body: string;
  request?: RequestContext;
}): Promise<void> {
  return runCaseWork(
    {
      caseId: input.caseId,
      actor: { kind: "staff", staff: input.actor, permission: "cases:work" },
      attempted: "add a note",
      request: input.request,
      safeAction: "note",
    },
    async ({ tx, kase, actor }) => {
      const note = await tx.caseNote.create({
        data: { caseId: kase.id, authorId: input.actor.id, body: input.body },
        select: { id: true },
      });
      await recordAudit(tx, {
        action: "case.note_added",
        outcome: "ALLOWED",
        actor,
        caseId: kase.id,
        subjectUserId: kase.userId,
        target: { type: "case", id: kase.id },
        data: {
          noteId: note.id,
          sha256: createHash("sha256").update(input.body, "utf8").digest("hex"),
          length: input.body.length,
        },
        request: input.request,
      });
      return { ok: true, value: undefined };
    },
  );
}

/** Sets or changes the ticket reference (normalised; refused with the accepted formats otherwise). */
export async function setTicketReference(input: {
  actor: CurrentStaff;
  caseId: string;
  ticket: string;
  request?: RequestContext;
}): Promise<{ ticket: string }> {
  return runCaseWork(
    {
      caseId: input.caseId,
      actor: { kind: "staff", staff: input.actor, permission: "cases:work" },
      attempted: "set the ticket reference",
      request: input.request,
      safeAction: "ticket",
    },
    async ({ tx, kase, actor, refuse }) => {
      const parsed = parseTicketReference(input.ticket);
      if (!parsed.ok) return refuse({ ok: false, code: "INVALID_INPUT", message: parsed.message });
      const current = await tx.recoveryCase.findUniqueOrThrow({
        where: { id: kase.id },
        select: { ticketRef: true },
      });
      if (current.ticketRef === parsed.value) return { ok: true, value: { ticket: parsed.value } };
      await tx.recoveryCase.update({ where: { id: kase.id }, data: { ticketRef: parsed.value } });
      await recordAudit(tx, {
        action: "case.ticket_set",
        outcome: "ALLOWED",
        actor,
        caseId: kase.id,
        subjectUserId: kase.userId,
        target: { type: "case", id: kase.id },
        data: { from: current.ticketRef, to: parsed.value },
        request: input.request,
      });
      return { ok: true, value: { ticket: parsed.value } };
    },
  );
}
