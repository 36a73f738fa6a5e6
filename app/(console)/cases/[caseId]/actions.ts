"use server";

import { revalidatePath } from "next/cache";
import { attempt, formFields, invalid, type ActionState } from "@/lib/action-state";
import { requirePermission } from "@/lib/auth/session";
import { formatDateTime } from "@/components/status-badge";
import { closeCase } from "@/lib/server/close-case";
import { issueTap } from "@/lib/server/issue-tap";
import { raiseRedFlag } from "@/lib/server/raise-red-flag";
import { recordStep } from "@/lib/server/record-step";
import { getRequestContext } from "@/lib/server/request-context";
import { requestReenrolment } from "@/lib/server/request-reenrolment";
import { sendStepLink } from "@/lib/server/send-step-link";
import { CloseCaseSchema, IssueTapSchema, RaiseRedFlagSchema, RecordStepSchema, RequestReenrolmentSchema, SendStepLinkSchema } from "./schema";

const casePath = (formData: FormData) => `/cases/${String(formData.get("caseId") ?? "")}`;

export async function recordStepAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const actor = await requirePermission("cases:work", casePath(formData));
  const parsed = RecordStepSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalid(parsed.error);
  const state = await attempt(async () => {
    const { complete } = await recordStep({ actor, ...parsed.data, request: await getRequestContext() });
    return complete ? "Recorded. Verification is complete." : "Recorded.";
  });
  revalidatePath(`/cases/${parsed.data.caseId}`);
  return state;
}

export async function sendStepLinkAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const actor = await requirePermission("cases:work", casePath(formData));
  const parsed = SendStepLinkSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalid(parsed.error);
  const state = await attempt(async () => {
    const { sentTo } = await sendStepLink({ actor, ...parsed.data, request: await getRequestContext() });
    return `Sent to ${sentTo}. This step completes when ${parsed.data.kind === "MANAGER_CONFIRMATION" ? "the manager answers" : "the user signs in with their passkey"}.`;
  });
  revalidatePath(`/cases/${parsed.data.caseId}`);
  return state;
}

export async function raiseRedFlagAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const actor = await requirePermission("cases:work", casePath(formData));
  const parsed = RaiseRedFlagSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalid(parsed.error);
  const state = await attempt(async () => {
    const { effect } = await raiseRedFlag({ actor, ...parsed.data, request: await getRequestContext() });
    return effect === "stop" ? "Red flag raised: the case is stopped." : "Red flag raised: a supervisor decides how to continue.";
  });
  revalidatePath(`/cases/${parsed.data.caseId}`);
  return state;
}

export async function issueTapAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const actor = await requirePermission("cases:work", casePath(formData));
  const parsed = IssueTapSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalid(parsed.error);
  const { caseId, lifetimeMinutes, multiUse } = parsed.data;
  const state = await attempt(async () => {
    const { expiresAt, sentTo } = await issueTap({ actor, caseId, lifetimeMinutes, multiUse: multiUse === "on", request: await getRequestContext() });
    return `Pass sent to ${sentTo}; it expires ${formatDateTime(expiresAt)}. You will not see it: the user reads it from their mail.`;
  });
  revalidatePath(`/cases/${caseId}`);
  return state;
}

export async function closeCaseAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const actor = await requirePermission("cases:work", casePath(formData));
  const parsed = CloseCaseSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalid(parsed.error);
  const state = await attempt(async () => {
    await closeCase({ actor, ...parsed.data, request: await getRequestContext() });
    return "Case closed. Outstanding passes and links were voided.";
  });
  revalidatePath(`/cases/${parsed.data.caseId}`);
  return state;
}

export async function requestReenrolmentAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const actor = await requirePermission("cases:work", casePath(formData));
  // Checkboxes: every checked value, not only the last one.
  const parsed = RequestReenrolmentSchema.safeParse({ ...formFields(formData), revoke: formData.getAll("revoke") });
  if (!parsed.success) return invalid(parsed.error);
  const state = await attempt(async () => {
    const result = await requestReenrolment({ actor, caseId: parsed.data.caseId, revokePasskeyIds: parsed.data.revoke, request: await getRequestContext() });
    return result.status === "pending_approval"
      ? `Waiting for a supervisor (${result.reason}). The link goes out when another supervisor approves.`
      : `Enrolment link sent to ${result.sentTo}.`;
  });
  revalidatePath(`/cases/${parsed.data.caseId}`);
  return state;
}
