import "server-only";
import { db } from "@/lib/db";
import type { Permission } from "@/lib/domain/roles";
import { recordAudit, staffActor, auditedTransaction } from "./audit";
import type { CurrentStaff } from "./resume-staff-session";
import type { RequestContext } from "./request-context";

/** Audits a signed-in staff member being refused a page or action their role does not allow. */
export async function recordAccessDenied(input: {
  staff: CurrentStaff;
  permission: Permission;
  path: string;
  request?: RequestContext;
}): Promise<void> {
  await auditedTransaction(db, async (tx) => {
    await recordAudit(tx, {
      action: "access.denied",
      outcome: "REFUSED",
      reason: "FORBIDDEN",
      actor: staffActor(input.staff),
      data: { permission: input.permission, path: input.path.slice(0, 512) },
      request: input.request,
    });
  });
}
