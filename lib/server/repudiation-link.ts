import "server-only";
import type { AccountChange } from "@/lib/domain/account-changes";
import { ACTIVE_POLICY, policyFor } from "@/lib/domain/recovery-policy";
import { publicUrl } from "@/lib/env";
import type { Tx } from "./audit";
import { hashToken, newToken } from "./secrets";

/** What the holder of a "this wasn't me" link that cannot be used learns (the audit keeps why). */
export const INVALID_REPORT_LINK =
  "This link is not valid any more. If you still think someone is trying to get into your account, call the service desk.";

/**
 * A fresh "this wasn't me" link for one notice (only its hash is stored): about a case, living as
 * long as the case's policy says (`lifetimes.repudiationLinkDays`), or about a passkey added
 * while signed in (no case), living as long as the active policy says.
 */
export async function newRepudiationUrl(
  tx: Tx,
  input:
    | { caseId: string; userId: string }
    | { passkeyId: string; userId: string }
    /**
     * A change made on /account (docs/decisions/036), and the passkey it named, if any. `at`: the
     * notice's instant, the same for every address, so one report uses them all up.
     */
    | { change: AccountChange; userId: string; passkeyId?: string; at: Date },
): Promise<string> {
  const token = newToken();
  const policy =
    "caseId" in input
      ? policyFor(
          (
            await tx.recoveryCase.findUniqueOrThrow({
              where: { id: input.caseId },
              select: { policyVersion: true },
            })
          ).policyVersion,
        )
      : ACTIVE_POLICY;
  const days = policy.lifetimes.repudiationLinkDays;
  await tx.repudiationLink.create({
    data: {
      ...("caseId" in input ? { caseId: input.caseId } : { passkeyId: input.passkeyId }),
      ...("change" in input ? { change: input.change, createdAt: input.at } : {}),
      userId: input.userId,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + days * 24 * 60 * 60 * 1000),
    },
  });
  return `${publicUrl}/report/${token}`;
}
