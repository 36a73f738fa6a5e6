import { describe, expect, it, vi } from "vitest";
import { Prisma } from "@/generated/prisma/client";
import { DomainError } from "@/lib/domain/errors";
import { normalizeTapCode } from "@/lib/domain/tap-code";
import { db } from "@/tests/db";
import { actor, lastMessageTo, userWithManager, verifiedStandardCase } from "@/tests/recovery";
import { closeCase } from "./close-case";
import { deliverOutbox } from "./deliver-outbox";
import { issueTap } from "./issue-tap";
import { openCase } from "./open-case";
import { raiseRedFlag } from "./raise-red-flag";
import { recordStep } from "./record-step";
import { redeemTap } from "./redeem-tap";
import { hashToken } from "./secrets";

async function refusal(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** Every text column of the tables that hold case and audit data, as one string. */
async function everythingStored(): Promise<string> {
  const tables = [
    "TemporaryAccessPass",
    "AuditEvent",
    "OutboxMessage",
    "RecoveryCase",
    "ChecklistStep",
    "StepLink",
    "RedFlag",
    "RepudiationLink",
  ];
  const dumps = await Promise.all(
    tables.map(
      (t) =>
        db.$queryRaw<
          { row: string }[]
        >`SELECT row_to_json(t)::text AS row FROM ${Prisma.raw(`"${t}"`)} t`,
    ),
  );
  return dumps
    .flat()
    .map((r) => r.row)
    .join("\n");
}

function tapFrom(text: string): string {
  return normalizeTapCode(
    text.match(/\n {4}([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\n/)![1]!,
  )!;
}

describe("issueTap", () => {
  it("sends the pass out of band only, stores its hash only, and never returns, logs or audits it", async () => {
    const logged: unknown[][] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args)),
    );
    const { agent, user, caseId } = await verifiedStandardCase({ personalEmail: true });
    const personal = `personal-${user.id.slice(0, 8)}@personal.example`;

    const result = await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });

    expect(Object.keys(result).sort()).toEqual(["expiresAt", "sentTo"]);
    expect(result.sentTo).toBe("p•••@personal.example");
    const message = await lastMessageTo(personal);
    expect(message.kind).toBe("tap.issued");
    const code = tapFrom(message.text);
    expect(code).toHaveLength(16);
    expect(JSON.stringify(result)).not.toContain(code);

    const tap = await db.temporaryAccessPass.findFirstOrThrow({ where: { caseId } });
    expect(tap).toMatchObject({
      codeHash: hashToken(code),
      oneTime: true,
      maxFailures: 10,
      failedAttempts: 0,
    });
    expect((await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe(
      "FACTOR_ISSUED",
    );
    // The work address is told a pass was issued, without the pass.
    const notice = await lastMessageTo(user.emails[0]!.address);
    expect(notice.kind).toBe("tap.issued_notice");
    expect(notice.text).not.toContain(code.slice(0, 4) + "-");

    const stored = await everythingStored();
    expect(stored).not.toContain(code);
    expect(stored).not.toContain(code.match(/.{4}/g)!.join("-"));
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId, action: "tap.issued" } }),
    ).toMatchObject({
      data: {
        lifetimeMinutes: 60,
        oneTime: true,
        maxFailedAttempts: 10,
        sentTo: "p•••@personal.example",
        replaced: 0,
      },
    });

    // Delivered: the sealed body is wiped from the outbox.
    await deliverOutbox();
    expect((await db.outboxMessage.findUniqueOrThrow({ where: { id: message.id } })).body).toBe("");
    expect(
      (
        await db.demoMailboxMessage.findFirstOrThrow({
          where: { toAddress: personal, subject: "Your temporary access pass" },
        })
      ).body,
    ).toContain(code.match(/.{4}/g)!.join("-"));

    // Redeeming it logs nothing of it either.
    await redeemTap({ email: personal, code });
    spies.forEach((spy) => spy.mockRestore());
    const logText = JSON.stringify(logged);
    expect(logText).not.toContain(code);
    expect(logText).not.toContain(code.match(/.{4}/g)!.join("-"));
  });

  it("refuses a forged completion: the case says VERIFIED but the recorded steps do not", async () => {
    const agent = await actor();
    const { user } = await userWithManager();
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "",
    });
    await recordStep({ actor: agent, caseId, kind: "CALLBACK", outcome: "PASSED", note: "" });
    await db.recoveryCase.update({ where: { id: caseId }, data: { status: "VERIFIED" } });
    const events = await db.auditEvent.count({ where: { caseId } });

    const error = await refusal(
      issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false }),
    );

    expect(error.code).toBe("VERIFICATION_INCOMPLETE");
    expect(error.userMessage).toContain("Employee record details");
    expect(error.userMessage).toContain("“Manager confirms”");
    expect(await db.temporaryAccessPass.count({ where: { caseId } })).toBe(0);
    expect(await db.auditEvent.count({ where: { caseId } })).toBe(events + 1);
  });

  it.each([
    [
      "a lifetime beyond the tier's bound",
      { lifetimeMinutes: 600, multiUse: false },
      "INVALID_INPUT",
    ],
    ["a case already closed", { lifetimeMinutes: 60, multiUse: false, close: true }, "SEQUENCE"],
    [
      "an escalation red flag (a second person must approve)",
      { lifetimeMinutes: 60, multiUse: false, flag: true },
      "APPROVAL_REQUIRED",
    ],
  ])("refuses %s and issues nothing", async (_label, request, code) => {
    const { agent, caseId } = await verifiedStandardCase();
    if ("close" in request)
      await closeCase({ actor: agent, caseId, closeReason: "caller hung up" });
    if ("flag" in request)
      await raiseRedFlag({ actor: agent, caseId, kind: "PRESSURE", note: "Very insistent" });
    expect((await refusal(issueTap({ actor: agent, caseId, ...request }))).code).toBe(code);
    expect(await db.temporaryAccessPass.count({ where: { caseId } })).toBe(0);
  });

  it("refuses a user who left after the case opened", async () => {
    const { agent, user, caseId } = await verifiedStandardCase();
    await db.workforceUser.update({
      where: { id: user.id },
      data: { status: "LEFT", leavingOn: new Date("2026-01-01") },
    });
    expect(
      (await refusal(issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false })))
        .code,
    ).toBe("LEAVER");
  });

  it("voids the earlier pass when a new one is issued, and every pass when the case closes", async () => {
    const { agent, user, caseId } = await verifiedStandardCase();
    const address = user.emails[0]!.address;
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 30, multiUse: false });
    const first = tapFrom((await lastMessageTo(address)).text);
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 30, multiUse: false });
    const second = tapFrom((await lastMessageTo(address)).text);

    expect((await refusal(redeemTap({ email: address, code: first }))).code).toBe("INVALID_INPUT");
    await closeCase({ actor: agent, caseId, closeReason: "resolved" });
    expect((await refusal(redeemTap({ email: address, code: second }))).code).toBe("INVALID_INPUT");
    expect(
      await db.temporaryAccessPass.findMany({
        where: { caseId },
        orderBy: { createdAt: "asc" },
        select: { voidReason: true },
      }),
    ).toEqual([{ voidReason: "replaced by a new pass" }, { voidReason: "case closed" }]);
  });
});
