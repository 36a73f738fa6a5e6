import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";
import { actor, verifiedStandardCase } from "@/tests/recovery";
import { closeCase } from "../close-case";
import { transferCase } from "./transfer-case";

describe("transferCase", () => {
  it("hands an open case to an existing team, audited with the reason", async () => {
    await createStaff(db, { role: "AGENT", team: "Service Desk South" });
    const { agent, caseId } = await verifiedStandardCase();
    await transferCase({
      actor: agent,
      caseId,
      team: "Service Desk South",
      note: "Caller is in the South office",
    });
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).team).toBe(
      "Service Desk South",
    );
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId, action: "case.transferred" } }),
    ).toMatchObject({
      data: {
        from: "Service Desk North",
        to: "Service Desk South",
        note: "Caller is in the South office",
      },
    });
  });

  it.each([
    ["a team that does not exist", "Nowhere", false, "INVALID_INPUT"],
    ["its own team", "Service Desk North", false, "INVALID_INPUT"],
    ["a closed case", "Service Desk South", true, "SEQUENCE"],
  ] as const)(
    "refuses %s: the case stays where it is, one refusal audited",
    async (_label, team, close, code) => {
      await createStaff(db, { role: "AGENT", team: "Service Desk South" });
      const { agent, caseId } = await verifiedStandardCase();
      if (close) await closeCase({ actor: agent, caseId, closeReason: "caller hung up" });
      const events = await db.auditEvent.count({ where: { caseId } });
      const error = await transferCase({ actor: agent, caseId, team, note: "moving it" }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe(code);
      expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).team).toBe(
        "Service Desk North",
      );
      expect(await db.auditEvent.count({ where: { caseId } })).toBe(events + 1);
      expect(
        await db.auditEvent.findFirstOrThrow({ where: { caseId }, orderBy: { id: "desc" } }),
      ).toMatchObject({ action: "case.action_refused", reason: code });
    },
  );

  it("refuses a security reviewer, who reads every team but works none", async () => {
    const { caseId } = await verifiedStandardCase();
    const error = await transferCase({
      actor: await actor("SECURITY"),
      caseId,
      team: "Service Desk South",
      note: "x",
    }).catch((e: unknown) => e);
    expect((error as DomainError).code).toBe("FORBIDDEN");
  });
});
