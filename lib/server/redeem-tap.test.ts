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

  it("counts wrong passes and voids the pass at the policy's limit, even for the right one after", async () => {
    const { user, address, code } = await issued();
    for (let i = 1; i <= 10; i++) await refused(redeemTap({ email: address, code: WRONG }));
    const lastRefusal = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "tap.redeem_refused" },
      orderBy: { id: "desc" },
    });
    expect(lastRefusal.data).toEqual({ detail: "wrong pass", attemptsLeft: 0 });
    expect(
      await db.temporaryAccessPass.findFirstOrThrow({ where: { userId: user.id } }),
    ).toMatchObject({ voidReason: "too many failed attempts", failedAttempts: 10 });
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

  it("never evaluates more wrong guesses than the limit, however many arrive at once", async () => {
    const { user, address } = await issued();
    const results = await Promise.allSettled(
      Array.from({ length: 25 }, () => redeemTap({ email: address, code: WRONG })),
    );
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    const refusals = await db.auditEvent.findMany({
      where: { subjectUserId: user.id, action: "tap.redeem_refused" },
      select: { data: true },
    });
    const evaluated = refusals.filter(
      (r) => (r.data as { detail: string }).detail === "wrong pass",
    );
    expect(evaluated).toHaveLength(10);
    expect(refusals).toHaveLength(25);
    expect(
      (await db.temporaryAccessPass.findFirstOrThrow({ where: { userId: user.id } }))
        .failedAttempts,
    ).toBe(10);
  });

  it("refuses an unknown address or a malformed pass without counting an attempt", async () => {
    const { user, address } = await issued();
    await refused(redeemTap({ email: "nobody@northwind.example", code: WRONG }));
    await refused(redeemTap({ email: address, code: "not-a-pass" }));
    expect(
      (await db.temporaryAccessPass.findFirstOrThrow({ where: { userId: user.id } }))
        .failedAttempts,
    ).toBe(0);
  });
});
