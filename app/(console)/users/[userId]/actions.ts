"use server";

import { redirect } from "next/navigation";
import { revalidatePath } from "next/cache";
import { attempt, formFields, invalid, type ActionState } from "@/lib/action-state";
import { requirePermission } from "@/lib/auth/session";
import { isDomainError } from "@/lib/domain/errors";
import { openCase } from "@/lib/server/open-case";
import { getRequestContext } from "@/lib/server/request-context";
import { revokePasskeys } from "@/lib/server/revoke-passkeys";
import { OpenCaseSchema, RevokeSchema } from "./schema";

export async function openCaseAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const actor = await requirePermission("cases:work", `/users/${String(formData.get("userId") ?? "")}`);
  const parsed = OpenCaseSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalid(parsed.error);
  let caseId: string;
  try {
    ({ caseId } = await openCase({ actor, ...parsed.data, request: await getRequestContext() }));
  } catch (error) {
    if (isDomainError(error)) return { status: "refused", message: error.userMessage };
    throw error;
  }
  redirect(`/cases/${caseId}`);
}

/** Revocation never waits for anyone: any agent or supervisor, at once. */
export async function revokePasskeysAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const actor = await requirePermission("cases:work", `/users/${String(formData.get("userId") ?? "")}`);
  const parsed = RevokeSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalid(parsed.error);
  const data = parsed.data;
  const state = await attempt(async () => {
    const { revoked } = await revokePasskeys({
      actor,
      userId: data.userId,
      request: data.scope === "ALL" ? { scope: "ALL" } : { scope: "ONE", passkeyId: data.passkeyId },
      reason: data.reason,
      requestContext: await getRequestContext(),
    });
    return data.scope === "ALL"
      ? `Revoked ${revoked} passkey${revoked === 1 ? "" : "s"}; passes, links and approvals voided; the user is signed out everywhere.`
      : "Passkey revoked. It fails at its next use.";
  });
  revalidatePath(`/users/${data.userId}`);
  return state;
}
