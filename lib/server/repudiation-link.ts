import "server-only";
import { publicUrl } from "@/lib/env";
import type { Tx } from "./audit";
import { hashToken, newToken } from "./secrets";

const REPUDIATION_DAYS = 30;

/** A fresh "this wasn't me" link for one notice about a case (only its hash is stored). */
export async function newRepudiationUrl(tx: Tx, input: { caseId: string; userId: string }): Promise<string> {
  const token = newToken();
  await tx.repudiationLink.create({
    data: {
      caseId: input.caseId,
      userId: input.userId,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + REPUDIATION_DAYS * 24 * 60 * 60 * 1000),
    },
  });
  return `${publicUrl}/report/${token}`;
}
