/**
 * The dormant access report (docs/decisions/035) on the seeded demo organisation and through the
 * use cases that end access: leavers still holding passkeys are listed (one whose passkey was
 * used after leaving first), silent passkey holders are listed for the period in the address, and
 * revoking a leaver (or HR's status change) moves them from "not yet" into the distribution.
 */
import { describe, expect, it } from "vitest";
import { seedDemo } from "@/prisma/seed";
import { changeEmploymentStatus } from "@/lib/server/cases/change-employment-status";
import { getDormantAccess } from "@/lib/server/get-dormant-access";
import { revokePasskeys } from "@/lib/server/revoke-passkeys";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor } from "@/tests/recovery";

const DAY = 24 * 60 * 60 * 1000;

describe("dormant access report", () => {
  it("finds the seeded leavers still holding passkeys, and follows their revocation", async () => {
    const now = new Date();
    await seedDemo(db, { now });
    const seededLeft = await db.workforceUser.findMany({
      where: { status: "LEFT" },
      select: {
        id: true,
        leavingOn: true,
        passkeys: { where: { status: "ACTIVE" }, select: { lastUsedAt: true } },
      },
    });
    const holding = seededLeft.filter((u) => u.passkeys.length > 0);
    expect(holding.length).toBeGreaterThan(0);

    const before = await getDormantAccess(90, now);
    // Every seeded leaver with a passkey is listed, and no one else (the seed gives them nothing else).
    expect(before.leavers.map((l) => l.userId).sort()).toEqual(holding.map((u) => u.id).sort());
    const usedAfter = holding.filter((u) =>
      u.passkeys.some((p) => p.lastUsedAt && p.lastUsedAt > u.leavingOn!),
    );
    expect(
      before.leavers
        .filter((l) => l.usedAfterLeaving)
        .map((l) => l.userId)
        .sort(),
    ).toEqual(usedAfter.map((u) => u.id).sort());
    // Those who used a passkey after leaving come first.
    expect(before.leavers.slice(0, usedAfter.length).every((l) => l.usedAfterLeaving)).toBe(true);
    // No seeded leaver has been revoked: all are "not yet", counted from their leaving date.
    expect(before.toRevocation.map((r) => r.userId).sort()).toEqual(
      seededLeft.map((u) => u.id).sort(),
    );
    expect(before.toRevocation.every((r) => r.bucket === "not-yet")).toBe(true);

    // An agent revokes the first listed leaver's passkeys: off the list, and into the distribution.
    const agent = await actor("AGENT");
    const first = before.leavers[0]!;
    await revokePasskeys({
      actor: agent,
      userId: first.userId,
      request: { scope: "ALL" },
      reason: "LEAVER",
    });
    const after = await getDormantAccess(90, new Date());
    expect(after.leavers.map((l) => l.userId)).not.toContain(first.userId);
    expect(after.leavers).toHaveLength(before.leavers.length - 1);
    const revoked = after.toRevocation.find((r) => r.userId === first.userId)!;
    expect(revoked.revokedAt).not.toBeNull();
    expect(revoked.bucket).not.toBe("not-yet");
    expect(after.toRevocationCounts.find((b) => b.key === "not-yet")!.count).toBe(
      seededLeft.length - 1,
    );
  });

  it("lists silent passkey holders for the chosen period, and HR's status change as the revocation", async () => {
    const now = new Date();
    const silent = await createWorkforceUser(db, { passkeys: 1 });
    await db.passkey.updateMany({
      where: { userId: silent.id },
      data: {
        createdAt: new Date(now.getTime() - 200 * DAY),
        lastUsedAt: new Date(now.getTime() - 45 * DAY),
      },
    });
    const recent = await createWorkforceUser(db, { passkeys: 1 });
    await db.passkey.updateMany({
      where: { userId: recent.id },
      data: { lastUsedAt: new Date(now.getTime() - DAY) },
    });
    // The file's database holds the seeded organisation too: look at this test's people only.
    const mine = (ids: string[]) => ids.filter((id) => [silent.id, recent.id].includes(id));
    expect(mine((await getDormantAccess(30, now)).dormant.map((d) => d.userId))).toEqual([
      silent.id,
    ]);
    expect(mine((await getDormantAccess(60, now)).dormant.map((d) => d.userId))).toEqual([]);

    // A leaver whose date passed yesterday, status still LEAVING: listed as still active, not yet revoked.
    const leaving = await createWorkforceUser(db, {
      passkeys: 1,
      status: "LEAVING",
      leavingOn: new Date(now.getTime() - DAY),
    });
    const pending = await getDormantAccess(90, now);
    expect(pending.leavers.map((l) => l.userId)).toContain(leaving.id);
    expect(pending.toRevocation.find((r) => r.userId === leaving.id)).toMatchObject({
      bucket: "not-yet",
    });

    // HR marks them LEFT: the status change counts as the revocation, within the first week.
    await changeEmploymentStatus({
      actor: { type: "SYSTEM", name: "HR" },
      userId: leaving.id,
      status: "LEFT",
      leavingOn: new Date(now.getTime() - DAY),
    });
    const done = await getDormantAccess(90, new Date());
    expect(done.toRevocation.find((r) => r.userId === leaving.id)).toMatchObject({
      bucket: "within-week",
    });
    // Their passkey is still active, so they stay on the leavers' list until someone revokes it.
    expect(done.leavers.map((l) => l.userId)).toContain(leaving.id);
  });
});
