"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { publicAction } from "@/lib/auth/actions";
import { SESSION_COOKIE } from "@/lib/auth/config";
import { newSessionToken } from "@/lib/auth/tokens";
import { safeCallbackPath } from "@/lib/domain/safe-redirect";
import { demoSignInEnabled } from "@/lib/env";
import { signInDemoStaff } from "@/lib/server/sign-in-demo-staff";
import { DemoSignInSchema } from "./schema";

/**
 * PUBLIC: signing in is what anonymous visitors do. The guard is inside signInDemoStaff:
 * demo sign-in must be on for this deployment, and the staff member must exist and be active.
 */
export const demoSignIn = publicAction(DemoSignInSchema, async ({ input, request }) => {
  const token = newSessionToken();
  const { cookieExpires } = await signInDemoStaff({
    staffId: input.staffId,
    token,
    enabled: demoSignInEnabled,
    request,
  });
  (await cookies()).set(SESSION_COOKIE.name, token, {
    ...SESSION_COOKIE.options,
    expires: cookieExpires,
  });
  redirect(safeCallbackPath(input.callbackUrl));
});
