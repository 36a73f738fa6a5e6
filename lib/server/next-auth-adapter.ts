import "server-only";
/**
 * next-auth's database adapter over the console's own Staff, StaffAccount and StaffSession
 * tables. Sessions go through the same use cases as demo sign-in (start/resume/end), so the
 * token is stored hashed, lifetimes are enforced and every sign-in and sign-out is audited.
 * Provider tokens (access, refresh, ID) are never stored.
 */
import type { Adapter, AdapterAccount, AdapterUser } from "next-auth/adapters";
import { db } from "@/lib/db";
import { isStaffRole } from "@/lib/domain/roles";
import { provisionOidcStaff } from "./admit-oidc-staff";
import { endStaffSession } from "./end-staff-session";
import { currentSignInAssurance } from "./oidc-sign-in-assurance";
import { getRequestContext } from "./request-context";
import { resumeStaffSession } from "./resume-staff-session";
import { startStaffSession } from "./start-staff-session";

type StaffRow = { id: string; email: string; name: string; emailVerified: Date | null };
const toAdapterUser = (staff: StaffRow): AdapterUser => ({
  id: staff.id,
  email: staff.email,
  name: staff.name,
  emailVerified: staff.emailVerified,
});
const staffSelect = { id: true, email: true, name: true, emailVerified: true } as const;

/** The team our OIDC profile() put on the user (from the team claim), if any. */
function teamOf(user: object): string | null {
  const team = (user as { team?: unknown }).team;
  return typeof team === "string" ? team : null;
}

export const consoleAdapter: Adapter = {
  async createUser(user: Omit<AdapterUser, "id">) {
    const role = (user as { role?: unknown }).role;
    if (!isStaffRole(role))
      throw new Error("createUser without a console role: admitOidcStaff should have refused");
    return toAdapterUser(
      await provisionOidcStaff({
        email: user.email,
        name: user.name ?? user.email,
        role,
        team: teamOf(user),
        provider: "oidc",
      }),
    );
  },
  async getUser(id) {
    const staff = await db.staff.findUnique({ where: { id }, select: staffSelect });
    return staff && toAdapterUser(staff);
  },
  async getUserByEmail(email) {
    const staff = await db.staff.findUnique({
      where: { email: email.toLowerCase() },
      select: staffSelect,
    });
    return staff && toAdapterUser(staff);
  },
  async getUserByAccount({ provider, providerAccountId }) {
    const account = await db.staffAccount.findUnique({
      where: { provider_providerAccountId: { provider, providerAccountId } },
      select: { staff: { select: staffSelect } },
    });
    return account && toAdapterUser(account.staff);
  },
  async updateUser(user) {
    const staff = await db.staff.update({
      where: { id: user.id },
      data: { ...(user.name ? { name: user.name } : {}) },
      select: staffSelect,
    });
    return toAdapterUser(staff);
  },
  async linkAccount(account: AdapterAccount) {
    await db.staffAccount.create({
      data: {
        staffId: account.userId,
        type: account.type,
        provider: account.provider,
        providerAccountId: account.providerAccountId,
      },
    });
  },
  async createSession({ sessionToken, userId }) {
    const { cookieExpires } = await startStaffSession({
      staffId: userId,
      token: sessionToken,
      method: "oidc",
      assurance: currentSignInAssurance(),
      request: await getRequestContext(),
    });
    // next-auth gives the cookie this expiry; the idle deadline is enforced server-side.
    return { sessionToken, userId, expires: cookieExpires };
  },
  async getSessionAndUser(sessionToken) {
    const staff = await resumeStaffSession(sessionToken);
    if (!staff) return null;
    return {
      session: { sessionToken, userId: staff.id, expires: staff.sessionExpires },
      user: { id: staff.id, email: staff.email, name: staff.name, emailVerified: null },
    };
  },
  // resumeStaffSession already slides the idle deadline (never past the absolute cap).
  async updateSession() {
    return null;
  },
  async deleteSession(sessionToken) {
    await endStaffSession({ token: sessionToken, request: await getRequestContext() });
  },
};
