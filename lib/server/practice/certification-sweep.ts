import "server-only";
/**
 * The certification sweep (docs/decisions/032), run by the background worker each tick
 * (lib/server/outbox-worker.ts): mails a staff member once when their certification enters the
 * reminder window, and records once when it expired. Candidates are read without a lock; each is
 * then claimed by one guarded UPDATE (`reminderSentAt` / `expiryRecordedAt` still null) in its own
 * audited transaction, so a second instance sweeping at the same moment finds nothing left to
 * claim and nothing is mailed or audited twice. A certification superseded by a later one (the
 * staff member recertified) is neither reminded about nor recorded as expired.
 */
import { certificationDate } from "@/lib/domain/practice/certification";
import { certificationExpiringNotice } from "@/lib/domain/notifications";
import { deskRules } from "@/lib/domain/recovery-policy";
import { db } from "@/lib/db";
import { publicUrl } from "@/lib/env";
import { auditedTransaction, recordAudit, type AuditActor } from "../audit";
import { enqueueMessage } from "../enqueue-message";

/** Who reminds and records expiries, in the audit trail. */
export const CERTIFICATION_SWEEP_ACTOR = {
  type: "SYSTEM",
  name: "certification sweep",
} as const satisfies AuditActor;

const DAY = 24 * 60 * 60 * 1000;
const BATCH = 50;

const TIER_WORDS: Record<string, string> = {
  HIGH_RISK: "high-risk",
  PRIVILEGED: "privileged",
  STANDARD: "standard",
  CONTRACTOR: "contractor",
  FRONTLINE: "frontline",
};

/** "high-risk or privileged" */
function tiersInWords(tiers: readonly string[]): string {
  const words = tiers.map((tier) => TIER_WORDS[tier] ?? tier.toLowerCase());
  return words.length <= 1
    ? (words[0] ?? "gated")
    : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

export async function sweepCertifications(
  options: { now?: Date; limit?: number } = {},
): Promise<{ reminded: number; expired: number }> {
  const now = options.now ?? new Date();
  const limit = options.limit ?? BATCH;
  const rules = deskRules().certification;
  const windowEnd = new Date(now.getTime() + rules.remindDaysBefore * DAY);

  const due = await db.$queryRaw<{ id: string }[]>`
    SELECT c.id FROM "StaffCertification" c
    WHERE c."reminderSentAt" IS NULL AND c."expiresAt" > ${now} AND c."expiresAt" <= ${windowEnd}
      AND NOT EXISTS (SELECT 1 FROM "StaffCertification" n
                      WHERE n."staffId" = c."staffId" AND n."expiresAt" > c."expiresAt")
    ORDER BY c."expiresAt" LIMIT ${limit}`;
  let reminded = 0;
  for (const { id } of due) {
    const sent = await auditedTransaction(db, async (tx) => {
      const claimed = await tx.staffCertification.updateMany({
        where: { id, reminderSentAt: null },
        data: { reminderSentAt: now },
      });
      if (claimed.count === 0) return false;
      const row = await tx.staffCertification.findUniqueOrThrow({
        where: { id },
        select: {
          staffId: true,
          expiresAt: true,
          staff: { select: { name: true, email: true, active: true } },
        },
      });
      const daysLeft = Math.max(1, Math.ceil((row.expiresAt.getTime() - now.getTime()) / DAY));
      if (row.staff.active)
        await enqueueMessage(tx, {
          to: row.staff.email,
          message: certificationExpiringNotice({
            staffName: row.staff.name,
            expiresAt: row.expiresAt,
            daysLeft,
            tiers: tiersInWords(rules.requiredForTiers),
            practiceUrl: `${publicUrl.replace(/\/+$/, "")}/practice`,
          }),
        });
      await recordAudit(tx, {
        action: "certification.reminder_sent",
        outcome: "ALLOWED",
        actor: CERTIFICATION_SWEEP_ACTOR,
        target: { type: "staff_certification", id },
        data: { staffId: row.staffId, expiresAt: row.expiresAt.toISOString(), daysLeft },
      });
      return true;
    });
    if (sent) reminded++;
  }

  const lapsed = await db.$queryRaw<{ id: string }[]>`
    SELECT c.id FROM "StaffCertification" c
    WHERE c."expiryRecordedAt" IS NULL AND c."expiresAt" <= ${now}
      AND NOT EXISTS (SELECT 1 FROM "StaffCertification" n
                      WHERE n."staffId" = c."staffId" AND n."expiresAt" > c."expiresAt")
    ORDER BY c."expiresAt" LIMIT ${limit}`;
  let expired = 0;
  for (const { id } of lapsed) {
    const recorded = await auditedTransaction(db, async (tx) => {
      const claimed = await tx.staffCertification.updateMany({
        where: { id, expiryRecordedAt: null },
        data: { expiryRecordedAt: now },
      });
      if (claimed.count === 0) return false;
      const row = await tx.staffCertification.findUniqueOrThrow({
        where: { id },
        select: { staffId: true, expiresAt: true },
      });
      await recordAudit(tx, {
        action: "certification.expired",
        outcome: "ALLOWED",
        actor: CERTIFICATION_SWEEP_ACTOR,
        target: { type: "staff_certification", id },
        data: { staffId: row.staffId, expiresAt: row.expiresAt.toISOString() },
      });
      return true;
    });
    if (recorded) expired++;
  }
  return { reminded, expired };
}

/** For the console's banner: the words for a status, or null when nothing needs saying. */
export function certificationBannerText(
  status:
    | { kind: "none" }
    | { kind: "current" }
    | { kind: "expiring"; expiresAt: Date; daysLeft: number }
    | { kind: "expired"; expiresAt: Date },
): string | null {
  const tiers = tiersInWords(deskRules().certification.requiredForTiers);
  switch (status.kind) {
    case "current":
      return null;
    case "expiring":
      return `Your practice certification expires on ${certificationDate(status.expiresAt)} (in ${status.daysLeft} day${status.daysLeft === 1 ? "" : "s"}). Recertify with practice calls to keep working ${tiers} recoveries.`;
    case "expired":
      return `Your practice certification expired on ${certificationDate(status.expiresAt)}: you cannot work ${tiers} recoveries until you recertify with practice calls.`;
    case "none":
      return `You are not certified yet: ${tiers} recoveries need a practice certification. Pass practice calls to earn it.`;
  }
}
