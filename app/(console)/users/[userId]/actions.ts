"use server";

import { redirect } from "next/navigation";
import { formFields, invalid, type ActionState } from "@/lib/action-state";
import { requirePermission } from "@/lib/auth/session";
import { isDomainError } from "@/lib/domain/errors";
import { openCase } from "@/lib/server/open-case";
import { getRequestContext } from "@/lib/server/request-context";
import { OpenCaseSchema } from "./schema";

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
