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
import { SESSION_COOKIE } from "./config";

export type { CurrentStaff };

export const getCurrentStaff = cache(async (): Promise<CurrentStaff | null> => {
  const token = (await cookies()).get(SESSION_COOKIE.name)?.value;
  return token ? resumeStaffSession(token) : null;
});

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
