"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { formFields, invalid, UNEXPECTED_FIELDS, type ActionState } from "@/lib/action-state";
import { workforceSessionCookie } from "@/lib/auth/cookies";
import { isDomainError } from "@/lib/domain/errors";
import { secureCookies } from "@/lib/env";
import { redeemTap } from "@/lib/server/redeem-tap";
import { getRequestContext } from "@/lib/server/request-context";

const RedeemSchema = z.strictObject(
  {
    email: z.email({ message: "Enter the email address the pass was sent for." }).max(320),
    code: z.string().trim().min(1, "Enter the pass.").max(40, "That is longer than a pass."),
  },
  UNEXPECTED_FIELDS,
);

/**
 * PUBLIC: this is how a workforce user who lost their passkeys gets back in. The pass is the
 * credential, checked in redeemTap (attempts reserved atomically, limited, audited).
 */
export async function redeemTapAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = RedeemSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalid(parsed.error);
  try {
    const { token, expiresAt } = await redeemTap({ ...parsed.data, request: await getRequestContext() });
    const cookie = workforceSessionCookie(secureCookies);
    (await cookies()).set(cookie.name, token, { ...cookie.options, expires: expiresAt });
  } catch (error) {
    if (isDomainError(error)) return { status: "refused", message: error.userMessage };
    throw error;
  }
  redirect("/account");
}
