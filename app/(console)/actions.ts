"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { SESSION_COOKIE } from "@/lib/auth/config";
import { requireStaff } from "@/lib/auth/session";
import { endStaffSession } from "@/lib/server/end-staff-session";
import { getRequestContext } from "@/lib/server/request-context";

/** Signs out: the session row is deleted, so the cookie is worthless even if kept. */
export async function signOut(): Promise<void> {
  await requireStaff("/users");
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE.name)?.value;
  if (token) await endStaffSession({ token, request: await getRequestContext() });
  jar.delete({ name: SESSION_COOKIE.name, path: "/" });
  redirect("/sign-in");
}
