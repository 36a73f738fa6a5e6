import "server-only";
import { db } from "@/lib/db";
import { nextSessionDeadline, sessionAbsoluteDeadline } from "@/lib/domain/staff-session";
import { recordAudit, staffActor } from "./audit";
import type { RequestContext } from "./request-context";
import { hashToken } from "./secrets";

/**
 * Begins a staff session for a token the caller generated (lib/auth/tokens.ts), storing only
 * its hash, and audits the sign-in in the same transaction. Both sign-in paths (demo and
 * OIDC through next-auth's adapter) end here. The cookie may live until the absolute
 * deadline; the idle deadline is enforced by resumeStaffSession on every request.
 */
export async function startStaffSession(input: {
  staffId: string;
  token: string;
  method: "demo" | "oidc";
  request?: RequestContext;
  now?: Date;
}): Promise<{ expires: Date; cookieExpires: Date }> {
  const now = input.now ?? new Date();
  const expires = nextSessionDeadline({ createdAt: now }, now);
  await db.$transaction(async (tx) => {
    const staff = await tx.staff.findUniqueOrThrow({ where: { id: input.staffId } });
    await tx.staffSession.create({
      data: {
        staffId: staff.id,
        tokenHash: hashToken(input.token),
        createdAt: now,
        lastSeenAt: now,
        expires,
      },
    });
    await recordAudit(tx, {
      action: "staff.signed_in",
      outcome: "ALLOWED",
      actor: staffActor(staff),
      target: { type: "staff", id: staff.id },
      data: { method: input.method },
      request: input.request,
    });
  });
  return { expires, cookieExpires: sessionAbsoluteDeadline(now) };
}
