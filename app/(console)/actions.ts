"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { staffButtonAction } from "@/lib/auth/actions";
import { SESSION_COOKIE } from "@/lib/auth/config";
import { endStaffSession } from "@/lib/server/end-staff-session";

/** Signs out: the session row is deleted, so the cookie is worthless even if kept. */
export const signOut = staffButtonAction(
  "signed-in",
  async ({ request }) => {
    const jar = await cookies();
    const token = jar.get(SESSION_COOKIE.name)?.value;
    if (token) await endStaffSession({ token, request });
    jar.delete({ name: SESSION_COOKIE.name, path: "/" });
    redirect("/sign-in");
  },
  { path: "/users" },
);
