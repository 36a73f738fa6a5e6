"use server";

import { revalidatePath } from "next/cache";
import { attempt, formFields, invalid, type ActionState } from "@/lib/action-state";
import { requirePermission } from "@/lib/auth/session";
import { decideReenrolment } from "@/lib/server/decide-approval";
import { getRequestContext } from "@/lib/server/request-context";
import { DecideSchema } from "./schema";

export async function decideAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const actor = await requirePermission("approvals:decide", "/approvals");
  const parsed = DecideSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalid(parsed.error);
  const state = await attempt(async () => {
    const result = await decideReenrolment({ actor, ...parsed.data, request: await getRequestContext() });
    return result.outcome === "approved" ? `Approved. The enrolment link went to ${result.sentTo}.` : "Denied. The case is closed.";
  });
  revalidatePath("/approvals");
  return state;
}
