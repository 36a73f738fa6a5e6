import { describe, expect, it } from "vitest";
import { RISK_TIERS } from "@/lib/domain/workforce";
import { seedDemo } from "@/prisma/seed";
import { db } from "@/tests/db";
import { buildOrganisation, DEMO_STAFF } from "@/tests/factories";

const now = new Date("2026-11-22T12:00:00Z");

describe("demo organisation", () => {
  it("is deterministic", () => {
    expect(buildOrganisation({ now })).toEqual(buildOrganisation({ now }));
  });

  it("loads a believable organisation once, with its audit event", async () => {
    expect(await seedDemo(db, { now })).toEqual({ seeded: true, users: 240, staff: 7 });

    const staff = await db.staff.groupBy({ by: ["role"], _count: true });
    expect(Object.fromEntries(staff.map((s) => [s.role, s._count]))).toEqual({
      AGENT: 4,
      SUPERVISOR: 2,
      SECURITY: 1,
    });
    expect(DEMO_STAFF).toHaveLength(7);

    // Agents and supervisors are certified (one within the reminder window), but Noah Adams.
    const certified = await db.staffCertification.findMany({
      select: { basis: true, expiresAt: true, staff: { select: { name: true } } },
    });
    expect(certified.map((c) => c.staff.name).sort()).toEqual([
      "Daniel Kim",
      "Grace Okafor",
      "Lucia Romero",
      "Priya Shah",
      "Tom Becker",
    ]);
    expect(certified.every((c) => c.basis === "demo" && c.expiresAt > now)).toBe(true);
    const tom = certified.find((c) => c.staff.name === "Tom Becker")!;
    expect(tom.expiresAt.getTime() - now.getTime()).toBeLessThan(30 * 24 * 60 * 60 * 1000);
    expect(await db.auditEvent.count({ where: { action: "certification.granted" } })).toBe(5);

    const users = await db.workforceUser.findMany({ include: { emails: true, passkeys: true } });
    expect(users.length).toBeGreaterThanOrEqual(200);
    expect(new Set(users.map((u) => u.riskTier))).toEqual(new Set(RISK_TIERS));
    expect(new Set(users.map((u) => u.department)).size).toBeGreaterThanOrEqual(8);
    expect(users.filter((u) => u.managerId === null)).toHaveLength(1);
    expect(users.filter((u) => u.status === "LEFT").length).toBeGreaterThan(0);
    expect(users.every((u) => /^\+44 20 7946 0\d{3}$/.test(u.phoneOfRecord))).toBe(true);
    expect(users.every((u) => u.emails.some((e) => e.isPrimary && e.verified))).toBe(true);
    const passkeys = users.flatMap((u) => u.passkeys);
    expect(new Set(passkeys.map((p) => p.modelName)).size).toBeGreaterThanOrEqual(5);
    expect(passkeys.some((p) => p.backedUp)).toBe(true);
    expect(passkeys.some((p) => !p.backedUp)).toBe(true);

    expect(
      await db.auditEvent.findFirstOrThrow({ where: { action: "system.demo_seeded" } }),
    ).toMatchObject({
      data: { workforceUsers: 240, staff: 7 },
    });

    expect(await seedDemo(db, { now })).toEqual({ seeded: false });
    expect(await db.workforceUser.count()).toBe(users.length);
  });
});
