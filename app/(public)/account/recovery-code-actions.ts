"use server";

import { cookies } from "next/headers";
import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { publicAction, publicCall } from "@/lib/auth/actions";
import { workforceSessionCookie } from "@/lib/auth/cookies";
import { DomainError } from "@/lib/domain/errors";
import { secureCookies } from "@/lib/env";
import { generateRecoveryCodes, markPasskeysLost } from "@/lib/server/recovery-codes";

// Recovery codes on /account (issue 15, part B; docs/decisions/037).

async function sessionToken(): Promise<string> {
  const token = (await cookies()).get(workforceSessionCookie(secureCookies).name)?.value;
  if (!token)
    throw new DomainError(
      "UNAUTHENTICATED",
      "Your session has ended. Sign in again with your passkey, or use a recovery code.",
    );
  return token;
}

/**
 * PUBLIC: for workforce users, not staff. The account session cookie (a passkey session, freshly
 * verified) is the credential, checked in generateRecoveryCodes. Returns the codes to show once.
 */
export const makeRecoveryCodesAction = publicCall(
  [],
  async ({ credential: token, request }) => {
    const { codes } = await generateRecoveryCodes({ token, request });
    return { codes };
  },
  { credential: sessionToken },
);

const LostSchema = z.strictObject(
  {
    lost: z
      .array(z.uuid({ message: "Choose passkeys from the list." }))
      .min(1, { message: "Choose the passkeys you lost." })
      .max(50),
  },
  UNEXPECTED_FIELDS,
);

/**
 * PUBLIC: for workforce users, not staff. The session a recovery code opened is the credential,
 * checked in markPasskeysLost (its case re-checked under the user's lock).
 */
export const markPasskeysLostAction = publicAction(
  LostSchema,
  async ({ input, request }) => {
    const token = (await cookies()).get(workforceSessionCookie(secureCookies).name)?.value ?? "";
    const { revoked } = await markPasskeysLost({ token, passkeyIds: input.lost, request });
    return `${revoked === 1 ? "That passkey is" : `Those ${revoked} passkeys are`} revoked: they no longer sign in. We told you at every address we hold.`;
  },
  { fields: (formData) => ({ lost: formData.getAll("lost") }), revalidate: "/account" },
);
