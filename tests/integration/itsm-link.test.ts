/**
 * An ITSM's link into the console (docs/decisions/035): /cases/new?ticket=…&employee=… leads to the
 * person's page with the ticket normalised for the open-case form, or says clearly why not; the
 * case then opens with that ticket, audited as case.ticket_set in the same transaction, and a
 * ticket that is not one is refused with nothing opened.
 */
import { describe, expect, it } from "vitest";
import { openCase } from "@/lib/server/open-case";
import { resolveItsmLink } from "@/lib/server/resolve-itsm-link";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor } from "@/tests/recovery";

describe("the ITSM's link into the console", () => {
  it("leads to the person's page with the ticket, or says why not", async () => {
    const user = await createWorkforceUser(db);
    expect(await resolveItsmLink({ ticket: "inc 0012345", employee: user.employeeId })).toEqual({
      ok: true,
      path: `/users/${user.id}?ticket=INC0012345#recovery`,
    });
    expect(await resolveItsmLink({ ticket: "12345", employee: user.employeeId })).toEqual({
      ok: true,
      path: `/users/${user.id}?ticket=%2312345#recovery`,
    });
    expect(await resolveItsmLink({ ticket: "INC0012345", employee: "E0000000" })).toEqual({
      ok: false,
      problems: ["No one in the directory has the employee ID E0000000."],
    });
    const bad = await resolveItsmLink({ ticket: "DROP TABLE", employee: user.employeeId });
    expect(bad.ok).toBe(false);
  });

  it("opens the case with the ticket, audited; refuses a ticket that is not one", async () => {
    const agent = await actor("AGENT");
    const user = await createWorkforceUser(db);
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "",
      ticketRef: "hd-42",
    });
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).ticketRef).toBe(
      "HD-42",
    );
    const events = await db.auditEvent.findMany({ where: { caseId }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.action).slice(0, 2)).toEqual(["case.opened", "case.ticket_set"]);
    expect(events[1]!.data).toEqual({ from: null, to: "HD-42" });

    // Empty: no ticket, nothing audited about one.
    const other = await createWorkforceUser(db);
    const plain = await openCase({
      actor: agent,
      userId: other.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "",
      ticketRef: " ",
    });
    expect(
      await db.auditEvent.count({ where: { caseId: plain.caseId, action: "case.ticket_set" } }),
    ).toBe(0);

    const third = await createWorkforceUser(db);
    const error = await openCase({
      actor: agent,
      userId: third.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "",
      ticketRef: "not a ticket",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("INVALID_INPUT");
    expect(await db.recoveryCase.count({ where: { userId: third.id } })).toBe(0);
    expect(
      await db.auditEvent.count({
        where: { subjectUserId: third.id, action: "case.action_refused", reason: "INVALID_INPUT" },
      }),
    ).toBe(1);
  });
});
