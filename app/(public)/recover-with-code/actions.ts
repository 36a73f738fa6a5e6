"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { publicAction } from "@/lib/auth/actions";
import { workforceSessionCookie } from "@/lib/auth/cookies";
import { plainText } from "@/lib/domain/plain-text";
import { secureCookies } from "@/lib/env";
import { redeemRecoveryCode } from "@/lib/server/recovery-codes";

const RecoverSchema = z.strictObject(
  {
    identity: plainText({
      label: "Your employee ID or work email",
      min: 1,
      max: 320,
      tooShort: "Enter your employee ID or work email.",
      tooLong: "That is longer than an employee ID or email.",
    }),
    code: plainText({
      label: "The recovery code",
      min: 1,
      max: 60,
      tooShort: "Enter one of your recovery codes.",
      tooLong: "That is longer than a recovery code.",
    }),
  },
  UNEXPECTED_FIELDS,
);

/**
 * PUBLIC: how a workforce user who saved recovery codes gets back in without a call. The code is
 * the credential, checked in redeemRecoveryCode (budgets, equal timing, single use, the case unit
 * of work, audited).
 */
export const recoverWithCodeAction = publicAction(RecoverSchema, async ({ input, request }) => {
  const { token, expiresAt } = await redeemRecoveryCode({ ...input, request });
  const cookie = workforceSessionCookie(secureCookies);
  (await cookies()).set(cookie.name, token, { ...cookie.options, expires: expiresAt });
  redirect("/account");
});
