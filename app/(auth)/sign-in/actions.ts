"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { formFields, invalid, type ActionState } from "@/lib/action-state";
import { SESSION_COOKIE } from "@/lib/auth/config";
import { newSessionToken } from "@/lib/auth/tokens";
import { isDomainError } from "@/lib/domain/errors";
import { safeCallbackPath } from "@/lib/domain/safe-redirect";
import { demoSignInEnabled } from "@/lib/env";
import { getRequestContext } from "@/lib/server/request-context";
import { signInDemoStaff } from "@/lib/server/sign-in-demo-staff";
import { DemoSignInSchema } from "./schema";

/**
 * PUBLIC: signing in is what anonymous visitors do. The guard is inside signInDemoStaff:
 * demo sign-in must be on for this deployment, and the staff member must exist and be active.
 */
export async function demoSignIn(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = DemoSignInSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalid(parsed.error);
  const token = newSessionToken();
  try {
    const { cookieExpires } = await signInDemoStaff({
      staffId: parsed.data.staffId,
      token,
      enabled: demoSignInEnabled,
      request: await getRequestContext(),
    });
    (await cookies()).set(SESSION_COOKIE.name, token, { ...SESSION_COOKIE.options, expires: cookieExpires });
  } catch (error) {
    if (isDomainError(error)) return { status: "refused", message: error.userMessage };
    throw error;
  }
  redirect(safeCallbackPath(parsed.data.callbackUrl));
}
