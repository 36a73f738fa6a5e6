import "server-only";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/domain/errors";
import { recordAudit, auditedTransaction } from "./audit";
import { clientKey, limitKey, spendOrRefuse } from "./rate-limit";
import { countRefusal } from "./refusal-tally";
import type { RequestContext } from "./request-context";
import { startStaffSession } from "./start-staff-session";

/**
 * Demo sign-in: start a session as a chosen staff member without an identity provider. Only
 * when the deployment turned demo sign-in on (lib/env.ts). Rate limited per client and per
 * staff member; a refusal that names a staff member is audited, an unknown one counted.
 */
export async function signInDemoStaff(input: {
  staffId: string;
  token: string;
  enabled: boolean;
  request?: RequestContext;
}): Promise<{ expires: Date; cookieExpires: Date }> {
  await spendOrRefuse("staff.sign_in_refused", [
    { limit: "signIn.client", key: clientKey(input.request) },
    { limit: "signIn.account", key: limitKey("staff", input.staffId) },
  ]);
  const staff = await db.staff.findUnique({
    where: { id: input.staffId },
    select: { id: true, active: true, email: true },
  });
  const refusal = !input.enabled
    ? { detail: "demo sign-in is off", message: "Demo sign-in is turned off on this console." }
    : !staff
      ? { detail: "unknown staff member", message: "That staff member does not exist." }
      : !staff.active
        ? { detail: "staff member is disabled", message: "That staff member is disabled." }
        : null;
  if (refusal && !staff) {
    await countRefusal("staff.sign_in_refused", "UNKNOWN_ACCOUNT");
    throw new DomainError("SIGN_IN_REFUSED", refusal.message);
  }
  if (refusal) {
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "staff.sign_in_refused",
        outcome: "REFUSED",
        reason: "SIGN_IN_REFUSED",
        actor: { type: "ANONYMOUS" },
        target: staff ? { type: "staff", id: staff.id } : undefined,
        data: { method: "demo", email: staff?.email, detail: refusal.detail },
        request: input.request,
      }),
    );
    throw new DomainError("SIGN_IN_REFUSED", refusal.message);
  }
  return startStaffSession({
    staffId: input.staffId,
    token: input.token,
    method: "demo",
    request: input.request,
  });
}
