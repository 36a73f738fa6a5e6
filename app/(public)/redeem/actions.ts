"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { publicAction } from "@/lib/auth/actions";
import { plainText } from "@/lib/domain/plain-text";
import { workforceSessionCookie } from "@/lib/auth/cookies";
import { secureCookies } from "@/lib/env";
import { redeemTap } from "@/lib/server/redeem-tap";

const RedeemSchema = z.strictObject(
  {
    email: z.email({ message: "Enter the email address the pass was sent for." }).max(320),
    code: plainText({
      label: "The pass",
      min: 1,
      max: 40,
      tooShort: "Enter the pass.",
      tooLong: "That is longer than a pass.",
    }),
  },
  UNEXPECTED_FIELDS,
);

/**
 * PUBLIC: this is how a workforce user who lost their passkeys gets back in. The pass is the
 * credential, checked in redeemTap (attempts reserved atomically, limited, audited).
 */
export const redeemTapAction = publicAction(RedeemSchema, async ({ input, request }) => {
  const { token, expiresAt } = await redeemTap({ ...input, request });
  const cookie = workforceSessionCookie(secureCookies);
  (await cookies()).set(cookie.name, token, { ...cookie.options, expires: expiresAt });
  redirect("/account");
});
