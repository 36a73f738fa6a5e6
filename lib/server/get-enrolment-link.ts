import "server-only";
import { db } from "@/lib/db";
import { resolveGrant } from "./registration-grant";
import { auditedTransaction } from "./audit";

/** What the enrolment page shows before the ceremony (reading never uses the link up). */
export async function getEnrolmentLink(token: string) {
  const grant = await auditedTransaction(db, (tx) => resolveGrant(tx, { kind: "link", token }));
  if (!grant || "refused" in grant) return null;
  const user = await db.workforceUser.findUniqueOrThrow({
    where: { id: grant.userId },
    select: { name: true },
  });
  return { name: user.name, revokeCount: grant.revokePasskeyIds.length };
}
