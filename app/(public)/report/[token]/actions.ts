"use server";

import { z } from "zod";
import { attempt, formFields, invalid, UNEXPECTED_FIELDS, type ActionState } from "@/lib/action-state";
import { repudiateRecovery } from "@/lib/server/repudiate-recovery";
import { getRequestContext } from "@/lib/server/request-context";

const ReportSchema = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "This link is not valid.") }, UNEXPECTED_FIELDS);

/**
 * PUBLIC: the person whose account is being recovered may have no way to sign in; the link's
 * token from a notice sent to their address of record is the credential (repudiateRecovery).
 */
export async function reportNotMeAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = ReportSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    await repudiateRecovery({ token: parsed.data.token, request: await getRequestContext() });
    return "Done. What this recovery created has been cancelled and security has been alerted. The service desk will contact you at your number of record.";
  });
}
