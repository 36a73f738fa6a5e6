import "server-only";
import { db } from "@/lib/db";
import { recordAudit, staffActor, auditedTransaction } from "./audit";
import type { RequestContext } from "./request-context";
import { hashToken } from "./secrets";

/** Signs out: deletes the session server-side, so the old cookie stops working at once. */
export async function endStaffSession(input: {
  token: string;
  request?: RequestContext;
}): Promise<void> {
  await auditedTransaction(db, async (tx) => {
    const session = await tx.staffSession.findUnique({
      where: { tokenHash: hashToken(input.token) },
      select: { id: true, staff: { select: { id: true, name: true, role: true } } },
    });
    if (!session) return;
    await tx.staffSession.delete({ where: { id: session.id } });
    await recordAudit(tx, {
      action: "staff.signed_out",
      outcome: "ALLOWED",
      actor: staffActor(session.staff),
      target: { type: "staff", id: session.staff.id },
      data: {},
      request: input.request,
    });
  });
}
