"use server";

import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { publicAction } from "@/lib/auth/actions";
import { repudiateRecovery } from "@/lib/server/repudiate-recovery";

const ReportSchema = z.strictObject(
  { token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "This link is not valid.") },
  UNEXPECTED_FIELDS,
);

/**
 * PUBLIC: the person whose account is being recovered may have no way to sign in; the link's
 * token from a notice sent to their address of record is the credential (repudiateRecovery).
 */
export const reportNotMeAction = publicAction(ReportSchema, async ({ input, request }) => {
  const about = await repudiateRecovery({ token: input.token, request });
  if (about === "change")
    return "Done. You have been signed out everywhere, your account is paused until the service desk has reviewed it, and security has been alerted. The service desk will contact you at your number of record.";
  return about === "passkey"
    ? "Done. That passkey has been removed, you have been signed out everywhere and security has been alerted. The service desk will contact you at your number of record."
    : "Done. What this recovery created has been cancelled and security has been alerted. The service desk will contact you at your number of record.";
});
