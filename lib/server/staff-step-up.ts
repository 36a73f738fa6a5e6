import "server-only";
/**
 * Step-up before high-risk acts (docs/decisions/015-staff-step-up.md, docs/security-requirements.md
 * F6): the staff session's `verifiedAt` must be within the configured window. A stale or absent
 * verification is a refusal that says what to do, audited in its own transaction, and nothing
 * else happens. The action wrappers (lib/auth/actions.ts, `stepUp`) and route handlers
 * (lib/auth/session.ts requireStepUp) call this after the permission guard.
 */
import { db } from "@/lib/db";
import {
  isStepUpFresh,
  STEP_UP_ENROL_MESSAGE,
  STEP_UP_REQUIRED_MESSAGE,
} from "@/lib/domain/step-up";
import { stepUpWindowMs } from "@/lib/env";
import { recordAudit, staffActor, auditedTransaction } from "./audit";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";
import { hashToken } from "./secrets";

/** What step-up needs to know about the session a request came with. */
export type StaffSessionFacts = {
  id: string;
  staffId: string;
  createdAt: Date;
  verifiedAt: Date | null;
  method: string;
  amr: string[];
  acr: string | null;
};

/** The session behind a token, for step-up decisions (resumeStaffSession has already checked it is live). */
export async function findStaffSessionFacts(token: string): Promise<StaffSessionFacts | null> {
  if (token.length < 32 || token.length > 128) return null;
  return db.staffSession.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      staffId: true,
      createdAt: true,
      verifiedAt: true,
      method: true,
      amr: true,
      acr: true,
    },
  });
}

export type StepUpCheck = { ok: true } | { ok: false; next: "confirm" | "enrol"; message: string };

/**
 * Whether `staff` may do a high-risk act now. Refusals are audited (`staff.step_up_required`)
 * in their own transaction. `session` is the request's session (null is refused, fail closed).
 */
export async function checkStaffStepUp(input: {
  staff: CurrentStaff;
  session: StaffSessionFacts | null;
  attempted: string;
  path: string;
  request?: RequestContext;
  now?: Date;
}): Promise<StepUpCheck> {
  const now = input.now ?? new Date();
  const session = input.session?.staffId === input.staff.id ? input.session : null;
  if (session && isStepUpFresh(session.verifiedAt, now, stepUpWindowMs)) return { ok: true };
  const passkeys = await db.staffPasskey.count({
    where: { staffId: input.staff.id, revokedAt: null },
  });
  const next = passkeys > 0 ? "confirm" : "enrol";
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "staff.step_up_required",
      outcome: "REFUSED",
      reason: "STEP_UP_REQUIRED",
      actor: staffActor(input.staff),
      target: { type: "staff", id: input.staff.id },
      data: {
        attempted: input.attempted.slice(0, 60),
        path: input.path.slice(0, 512),
        next,
        lastVerifiedAt: session?.verifiedAt?.toISOString() ?? null,
      },
      request: input.request,
    }),
  );
  return {
    ok: false,
    next,
    message: next === "confirm" ? STEP_UP_REQUIRED_MESSAGE : STEP_UP_ENROL_MESSAGE,
  };
}

/** For pages: whether the session's step-up is fresh now, and until when (no audit: nothing was attempted). */
export function stepUpStatus(
  session: Pick<StaffSessionFacts, "verifiedAt"> | null,
  now: Date = new Date(),
): { fresh: boolean; until: Date | null } {
  const verifiedAt = session?.verifiedAt ?? null;
  const fresh = isStepUpFresh(verifiedAt, now, stepUpWindowMs);
  return {
    fresh,
    until: fresh && verifiedAt ? new Date(verifiedAt.getTime() + stepUpWindowMs) : null,
  };
}

/** What a page with high-risk acts shows about step-up (app/(console)/_components/step-up.tsx StepUpPanel). */
export async function getStepUpView(
  staffId: string,
  session: Pick<StaffSessionFacts, "verifiedAt"> | null,
): Promise<{ fresh: boolean; until: string | null; hasPasskey: boolean }> {
  const { fresh, until } = stepUpStatus(session);
  const hasPasskey = (await db.staffPasskey.count({ where: { staffId, revokedAt: null } })) > 0;
  return { fresh, until: until?.toISOString() ?? null, hasPasskey };
}
