import "server-only";
import { db } from "@/lib/db";
import type { StaffRole } from "@/lib/domain/roles";
import { isSessionLive, nextSessionDeadline } from "@/lib/domain/staff-session";
import { hashToken } from "./secrets";

export type CurrentStaff = {
  id: string;
  name: string;
  email: string;
  role: StaffRole;
  team: string | null;
  sessionExpires: Date;
};

/** Sliding the idle deadline at most once a minute keeps reads from writing on every request. */
const TOUCH_EVERY_MS = 60 * 1000;

/**
 * The staff member behind a session token, read fresh from the database (role included), or
 * null. A session past its idle or absolute deadline, or of a disabled staff member, is
 * deleted. Using a live session pushes its idle deadline forward, never past the absolute cap.
 */
export async function resumeStaffSession(
  token: string,
  now: Date = new Date(),
): Promise<CurrentStaff | null> {
  if (token.length < 32 || token.length > 128) return null;
  const tokenHash = hashToken(token);
  const session = await db.staffSession.findUnique({
    where: { tokenHash },
    select: {
      createdAt: true,
      expires: true,
      lastSeenAt: true,
      staff: {
        select: { id: true, name: true, email: true, role: true, team: true, active: true },
      },
    },
  });
  if (!session) return null;
  if (!session.staff.active || !isSessionLive(session, now)) {
    await db.staffSession.deleteMany({ where: { tokenHash } });
    return null;
  }
  let expires = session.expires;
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    expires = nextSessionDeadline(session, now);
    await db.staffSession.updateMany({ where: { tokenHash }, data: { expires, lastSeenAt: now } });
  }
  const { active: _active, ...staff } = session.staff;
  return { ...staff, sessionExpires: expires };
}
