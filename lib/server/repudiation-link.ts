import "server-only";
import { policyFor } from "@/lib/domain/recovery-policy";
import { publicUrl } from "@/lib/env";
import type { Tx } from "./audit";
import { hashToken, newToken } from "./secrets";

/**
 * A fresh "this wasn't me" link for one notice about a case (only its hash is stored). It lives
 * as long as the case's policy says (`lifetimes.repudiationLinkDays`).
 */
export async function newRepudiationUrl(
  tx: Tx,
  input: { caseId: string; userId: string },
): Promise<string> {
  const token = newToken();
  const { policyVersion } = await tx.recoveryCase.findUniqueOrThrow({
    where: { id: input.caseId },
    select: { policyVersion: true },
  });
  const days = policyFor(policyVersion).lifetimes.repudiationLinkDays;
  await tx.repudiationLink.create({
    data: {
      caseId: input.caseId,
      userId: input.userId,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + days * 24 * 60 * 60 * 1000),
    },
  });
  return `${publicUrl}/report/${token}`;
}
