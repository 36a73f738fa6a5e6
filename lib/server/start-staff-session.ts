import "server-only";
import { db } from "@/lib/db";
import { nextSessionDeadline, sessionAbsoluteDeadline } from "@/lib/domain/staff-session";
import { verifiedAtFromSignIn, type SignInAssurance } from "@/lib/domain/step-up";
import { phishingResistantPolicy } from "@/lib/env";
import { recordAudit, staffActor, auditedTransaction } from "./audit";
import type { RequestContext } from "./request-context";
import { hashToken } from "./secrets";

/**
 * Begins a staff session for a token the caller generated (lib/auth/tokens.ts), storing only
 * its hash, and audits the sign-in in the same transaction. Both sign-in paths (demo and
 * OIDC through next-auth's adapter) end here. The cookie may live until the absolute
 * deadline; the idle deadline is enforced by resumeStaffSession on every request.
 *
 * With SSO, the ID token's `amr` and `acr` are kept on the session; when the provider vouched for
 * a phishing-resistant sign-in (the configured values, decision 015), the session starts stepped
 * up: `verifiedAt` is when the person authenticated there. Demo sign-in never does.
 */
export async function startStaffSession(input: {
  staffId: string;
  token: string;
  method: "demo" | "oidc";
  /** The ID token's amr, acr and auth_time (SSO only). */
  assurance?: SignInAssurance | null;
  request?: RequestContext;
  now?: Date;
}): Promise<{ expires: Date; cookieExpires: Date }> {
  const now = input.now ?? new Date();
  const expires = nextSessionDeadline({ createdAt: now }, now);
  const assurance = input.method === "oidc" ? (input.assurance ?? null) : null;
  const verifiedAt = assurance
    ? verifiedAtFromSignIn(assurance, phishingResistantPolicy, now)
    : null;
  await auditedTransaction(db, async (tx) => {
    const staff = await tx.staff.findUniqueOrThrow({ where: { id: input.staffId } });
    await tx.staffSession.create({
      data: {
        staffId: staff.id,
        tokenHash: hashToken(input.token),
        createdAt: now,
        lastSeenAt: now,
        expires,
        method: input.method,
        amr: assurance?.amr ?? [],
        acr: assurance?.acr ?? null,
        verifiedAt,
      },
    });
    await recordAudit(tx, {
      action: "staff.signed_in",
      outcome: "ALLOWED",
      actor: staffActor(staff),
      target: { type: "staff", id: staff.id },
      data: assurance
        ? {
            method: input.method,
            amr: assurance.amr,
            acr: assurance.acr,
            phishingResistant: verifiedAt !== null,
          }
        : { method: input.method },
      request: input.request,
    });
  });
  return { expires, cookieExpires: sessionAbsoluteDeadline(now) };
}
