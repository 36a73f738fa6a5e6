import "server-only";
/**
 * The guards every page, server action and route handler calls. They read the session and
 * the staff member's role fresh from the database (once per request, thanks to React's
 * cache); proxy.ts never decides access.
 */
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { can, type Permission } from "@/lib/domain/roles";
import { recordAccessDenied } from "@/lib/server/record-access-denied";
import { getRequestContext } from "@/lib/server/request-context";
import { resumeStaffSession, type CurrentStaff } from "@/lib/server/resume-staff-session";
import {
  checkStaffStepUp,
  findStaffSessionFacts,
  type StaffSessionFacts,
  type StepUpCheck,
} from "@/lib/server/staff-step-up";
import { SESSION_COOKIE } from "./config";

export type { CurrentStaff };

export const getCurrentStaff = cache(async (): Promise<CurrentStaff | null> => {
  const token = (await cookies()).get(SESSION_COOKIE.name)?.value;
  return token ? resumeStaffSession(token) : null;
});

/** The request's session, for step-up (verifiedAt) and the passkey pages; read fresh each request. */
export const getCurrentStaffSession = cache(async (): Promise<StaffSessionFacts | null> => {
  const token = (await cookies()).get(SESSION_COOKIE.name)?.value;
  return token ? findStaffSessionFacts(token) : null;
});

/**
 * Step-up for a high-risk act (decision 015), after the permission guard: the session must have
 * confirmed it's them within the window. A refusal is audited and says what to do; the caller
 * returns it and changes nothing. Server actions get this from `stepUp` in lib/auth/actions.ts;
 * route handlers call it themselves.
 */
export async function requireStepUp(
  staff: CurrentStaff,
  attempted: string,
  path: string,
): Promise<StepUpCheck> {
  return checkStaffStepUp({
    staff,
    session: await getCurrentStaffSession(),
    attempted,
    path,
    request: await getRequestContext(),
  });
}

/** The signed-in staff member, or a redirect to sign-in that comes back to `path`. */
export async function requireStaff(path: string): Promise<CurrentStaff> {
  const staff = await getCurrentStaff();
  if (!staff) redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  return staff;
}

/** As requireStaff, and refuses (403, audited) a role without `permission`. */
export async function requirePermission(
  permission: Permission,
  path: string,
): Promise<CurrentStaff> {
  const staff = await requireStaff(path);
  if (!can(staff.role, permission)) {
    await recordAccessDenied({ staff, permission, path, request: await getRequestContext() });
    forbidden();
  }
  return staff;
}
