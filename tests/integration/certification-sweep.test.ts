/**
 * The certification sweep (docs/decisions/032): a reminder mailed once within the window, an
 * expiry recorded once, both audited; two sweeps at the same moment still mail once; a
 * certification superseded by a newer one is left alone.
 */
import { describe, expect, it } from "vitest";
import { addMonths } from "@/lib/domain/practice/certification";
import { sweepCertifications } from "@/lib/server/practice/certification-sweep";
import { db } from "@/tests/db";
import { certifyStaff, createStaff } from "@/tests/factories";
import { lastMessageTo } from "@/tests/recovery";

const DAY = 24 * 60 * 60 * 1000;

/** A staff member whose only certification expires `days` from now (negative: expired). */
async function certifiedUntil(days: number) {
  const staff = await createStaff(db, { certified: false });
  const expiresAt = new Date(Date.now() + days * DAY);
  const certification = await certifyStaff(db, staff.id, {
    certifiedAt: addMonths(expiresAt, -12),
    expiresAt,
  });
  return { staff, certification };
}

const mailsTo = (address: string) =>
  db.outboxMessage.count({ where: { toAddress: address, kind: "certification.expiring" } });

describe("the certification sweep", () => {
  it("reminds once within the reminder window, audited, and not before it", async () => {
    const soon = await certifiedUntil(20);
    const later = await certifiedUntil(60);
    await sweepCertifications();
    await sweepCertifications();
    expect(await mailsTo(soon.staff.email)).toBe(1);
    expect(await mailsTo(later.staff.email)).toBe(0);
    const mail = await lastMessageTo(soon.staff.email);
    expect(mail.subject).toBe("Your practice certification expires in 20 days");
    expect(mail.text).toContain("/practice");
    expect(mail.text).toContain("high-risk or privileged");
    expect(
      await db.staffCertification.findUniqueOrThrow({ where: { id: soon.certification.id } }),
    ).toMatchObject({ reminderSentAt: expect.any(Date) });
    const events = await db.auditEvent.findMany({
      where: { action: "certification.reminder_sent", targetId: soon.certification.id },
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorType: "SYSTEM",
      actorName: "certification sweep",
      data: { staffId: soon.staff.id, daysLeft: 20 },
    });
  });

  it("two sweeps at the same moment mail once and audit once", async () => {
    const soon = await certifiedUntil(10);
    const now = new Date();
    await Promise.all([sweepCertifications({ now }), sweepCertifications({ now })]);
    expect(await mailsTo(soon.staff.email)).toBe(1);
    expect(
      await db.auditEvent.count({
        where: { action: "certification.reminder_sent", targetId: soon.certification.id },
      }),
    ).toBe(1);
  });

  it("records an expiry once, even when two sweeps run at once", async () => {
    const gone = await certifiedUntil(-1);
    const now = new Date();
    await Promise.all([sweepCertifications({ now }), sweepCertifications({ now })]);
    await sweepCertifications();
    const events = await db.auditEvent.findMany({
      where: { action: "certification.expired", targetId: gone.certification.id },
    });
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ staffId: gone.staff.id });
    // An expired certification is not reminded about.
    expect(await mailsTo(gone.staff.email)).toBe(0);
  });

  it("leaves a certification alone once a newer one replaced it", async () => {
    const renewed = await certifiedUntil(-5);
    await certifyStaff(db, renewed.staff.id);
    await sweepCertifications();
    expect(
      await db.auditEvent.count({
        where: { action: "certification.expired", targetId: renewed.certification.id },
      }),
    ).toBe(0);
    expect(await mailsTo(renewed.staff.email)).toBe(0);
  });
});
