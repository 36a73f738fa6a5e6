import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { normalizeTapCode } from "@/lib/domain/tap-code";
import { db } from "@/tests/db";
import { lastMessageTo, verifiedStandardCase } from "@/tests/recovery";
import { issueTap } from "./issue-tap";
import { redeemTap } from "./redeem-tap";
import { hashToken } from "./secrets";

async function issued(options: { multiUse?: boolean } = {}) {
  const { agent, user, caseId } = await verifiedStandardCase();
  const address = user.emails[0]!.address;
  await issueTap({
    actor: agent,
    caseId,
    lifetimeMinutes: 60,
    multiUse: options.multiUse ?? false,
  });
  const text = (await lastMessageTo(address)).text;
  const code = normalizeTapCode(text.match(/\n {4}([0-9A-Z-]{19})\n/)![1]!)!;
  return { user, caseId, address, code };
}

const WRONG = "0000000000000000";

async function refused(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).userMessage).toBe(
    "That email and pass do not match a valid pass. Check both, or call the service desk.",
  );
}

describe("redeemTap", () => {
  it("signs the user in for a short session, once, and tells them", async () => {
    const { user, caseId, address, code } = await issued();
    const session = await redeemTap({
      email: address.toUpperCase(),
      code: code.toLowerCase().match(/.{4}/g)!.join(" "),
    });

    expect(session.userId).toBe(user.id);
    expect(
      await db.workforceSession.findUniqueOrThrow({
        where: { tokenHash: hashToken(session.token) },
      }),
    ).toMatchObject({ userId: user.id, method: "tap" });
    expect(
      await db.auditEvent.findFirstOrThrow({ where: { caseId, action: "tap.redeemed" } }),
    ).toMatchObject({ actorType: "WORKFORCE_USER", actorId: user.id });
    expect((await lastMessageTo(address)).kind).toBe("tap.redeemed");

    await refused(redeemTap({ email: address, code }));
  });

  it("refuses an expired pass and audits why", async () => {
    const { user, address, code } = await issued();
    await db.temporaryAccessPass.updateMany({
      where: { userId: user.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await refused(redeemTap({ email: address, code }));
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subjectUserId: user.id },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({
      action: "tap.redeem_refused",
      data: { detail: "no usable pass (none issued, used, voided, expired or locked)" },
    });
  });

  it("rests the pass after the free wrong tries and tells the user and the case; the right pass works once the wait is over", async () => {
    const { user, caseId, address, code } = await issued();
    for (let i = 1; i <= 3; i++) await refused(redeemTap({ email: address, code: WRONG }));
    const guessed = await db.auditEvent.findFirstOrThrow({
      where: { caseId, action: "tap.guessed" },
    });
    expect(guessed.data).toMatchObject({ wrongTries: 3, voided: false });
    expect((await lastMessageTo(address)).subject).toBe("Wrong passes were tried for your account");

    // Resting: even the right pass waits, and the try changes nothing and writes no audit row.
    const eventsBefore = await db.auditEvent.count();
    const restingBefore = await counted("PASS_RESTING");
    const resting = await redeemTap({ email: address, code }).catch((e: unknown) => e);
    // Answered exactly as a wrong pass: the rest and its end are not told to whoever tries.
    expect(resting).toMatchObject({ code: "INVALID_INPUT" });
    expect((resting as DomainError).userMessage).toMatch(/^That email and pass do not match/);
    expect(await db.auditEvent.count()).toBe(eventsBefore);
    const pass = await db.temporaryAccessPass.findFirstOrThrow({ where: { userId: user.id } });
    expect(pass).toMatchObject({ failedAttempts: 3, voidedAt: null });
    expect(await counted("PASS_RESTING")).toBe(restingBefore + 1);

    // Five minutes later (the wait is the pass's own record), the right pass signs in.
    await restFor(pass.id, 5);
    await expect(redeemTap({ email: address, code })).resolves.toMatchObject({ userId: user.id });
  });

  it("voids the pass at the policy's cap only once every wait was served, tells the user, and refuses the right pass after", async () => {
    const { user, caseId, address, code } = await issued();
    const pass = await db.temporaryAccessPass.findFirstOrThrow({ where: { userId: user.id } });
    for (let i = 1; i <= 10; i++) {
      await restFor(pass.id, 24 * 60);
      await refused(redeemTap({ email: address, code: WRONG }));
    }
    expect(
      await db.temporaryAccessPass.findUniqueOrThrow({ where: { id: pass.id } }),
    ).toMatchObject({ voidReason: "too many failed attempts", failedAttempts: 10 });
    const guessed = await db.auditEvent.findMany({
      where: { caseId, action: "tap.guessed" },
      orderBy: { id: "asc" },
    });
    expect(guessed.map((e) => e.data)).toMatchObject([
      { wrongTries: 3, voided: false },
      { wrongTries: 10, voided: true },
    ]);
    expect((await lastMessageTo(address)).text).toContain("The pass no longer works");
    await refused(redeemTap({ email: address, code }));
  });

  it("lets a multi-use pass sign in again within its lifetime", async () => {
    const { address, code } = await issued({ multiUse: true });
    await redeemTap({ email: address, code });
    await redeemTap({ email: address, code });
    expect(
      await db.workforceSession.count({ where: { user: { emails: { some: { address } } } } }),
    ).toBe(2);
  });

  it("gives exactly one success to 50 simultaneous redemptions of one pass", async () => {
    const { user, caseId, address, code } = await issued();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => redeemTap({ email: address, code })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.workforceSession.count({ where: { userId: user.id } })).toBe(1);
    expect(await db.auditEvent.count({ where: { caseId, action: "tap.redeemed" } })).toBe(1);
  });

  it("evaluates only the free wrong tries however many arrive at once; the rest wait, counted, and the pass stays valid", async () => {
    const { user, address } = await issued();
    const restingBefore = await counted("PASS_RESTING");
    const results = await Promise.allSettled(
      Array.from({ length: 25 }, () => redeemTap({ email: address, code: WRONG })),
    );
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    const refusals = await db.auditEvent.findMany({
      where: { subjectUserId: user.id, action: "tap.redeem_refused" },
      select: { data: true },
    });
    expect(refusals.map((r) => (r.data as { detail: string }).detail)).toEqual([
      "wrong pass",
      "wrong pass",
      "wrong pass",
    ]);
    expect(await counted("PASS_RESTING")).toBe(restingBefore + 22);
    expect(
      await db.temporaryAccessPass.findFirstOrThrow({ where: { userId: user.id } }),
    ).toMatchObject({ failedAttempts: 3, voidedAt: null });
  });

  it("refuses an unknown address (counted, no audit row) or a malformed pass without counting an attempt", async () => {
    const { user, address } = await issued();
    const events = await db.auditEvent.count();
    const unknownBefore = await counted("UNKNOWN_ACCOUNT");
    await refused(redeemTap({ email: "nobody@northwind.example", code: WRONG }));
    expect(await db.auditEvent.count()).toBe(events);
    expect(await counted("UNKNOWN_ACCOUNT")).toBe(unknownBefore + 1);
    await refused(redeemTap({ email: address, code: "not-a-pass" }));
    expect(
      (await db.temporaryAccessPass.findFirstOrThrow({ where: { userId: user.id } }))
        .failedAttempts,
    ).toBe(0);
  });
});

/** Moves a pass's last wrong guess back by `minutes`: as if that much time had passed. */
async function restFor(passId: string, minutes: number) {
  await db.$executeRaw`
    UPDATE "TemporaryAccessPass" SET "lastFailedAt" = "lastFailedAt" - make_interval(mins => ${minutes}::int)
    WHERE id = ${passId}::uuid AND "lastFailedAt" IS NOT NULL`;
}

async function counted(reason: string): Promise<number> {
  const rows = await db.refusalTally.findMany({ where: { action: "tap.redeem_refused", reason } });
  return rows.reduce((sum, row) => sum + row.count, 0);
}
