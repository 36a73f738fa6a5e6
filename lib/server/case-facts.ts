import "server-only";
/**
 * Loads what the recovery decisions need about a case, inside the caller's transaction. With
 * `lock`, the case row is taken FOR UPDATE first, so two decisions on one case never interleave.
 */
import type { CaseFacts } from "@/lib/domain/recovery-decisions";
import type { RedFlagKind } from "@/lib/domain/recovery-policy";
import { isLeaver } from "@/lib/domain/workforce";
import { DomainError } from "@/lib/domain/errors";
import type { Tx } from "./audit";

export async function loadCaseFacts(tx: Tx, caseId: string, options: { lock: boolean; now?: Date }) {
  if (options.lock) await tx.$queryRaw`SELECT id FROM "RecoveryCase" WHERE id = ${caseId}::uuid FOR UPDATE`;
  const found = await tx.recoveryCase.findUnique({
    where: { id: caseId },
    select: {
      id: true,
      status: true,
      reason: true,
      riskTier: true,
      policyVersion: true,
      userId: true,
      agentId: true,
      user: { select: { id: true, name: true, employeeId: true, status: true, leavingOn: true, managerId: true } },
      checklist: { select: { id: true, scriptKey: true, steps: { select: { id: true, kind: true, outcome: true }, orderBy: { position: "asc" } } } },
      redFlags: { select: { kind: true } },
    },
  });
  if (!found || !found.checklist) throw new DomainError("NOT_FOUND", "That case does not exist.");
  const facts: CaseFacts = {
    status: found.status,
    riskTier: found.riskTier,
    reason: found.reason,
    leaver: isLeaver(found.user, options.now ?? new Date()),
    steps: found.checklist.steps.map((step) => ({ kind: step.kind, outcome: step.outcome })),
    redFlags: found.redFlags.map((flag) => ({ kind: flag.kind as RedFlagKind })),
  };
  return { kase: found, facts };
}
