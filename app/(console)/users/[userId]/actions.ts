"use server";

import { redirect } from "next/navigation";
import { pathFor } from "@/lib/action-state";
import { staffAction } from "@/lib/auth/actions";
import { openCase } from "@/lib/server/open-case";
import { revokePasskeys } from "@/lib/server/revoke-passkeys";
import { clearHold } from "@/lib/server/cases/clear-hold";
import { ClearHoldSchema, OpenCaseSchema, RevokeSchema } from "./schema";

// As casePath: only a UUID-shaped value makes the path, never the raw field.
const userPath = (formData: FormData) => pathFor("/users", formData.get("userId"));

export const openCaseAction = staffAction(
  "cases:work",
  OpenCaseSchema,
  async ({ actor, input, request }) => {
    const { caseId } = await openCase({ actor, ...input, request });
    redirect(`/cases/${caseId}`);
  },
  { path: userPath },
);

/** Revocation never waits for anyone: any agent or supervisor, at once. */
export const revokePasskeysAction = staffAction(
  "cases:work",
  RevokeSchema,
  async ({ actor, input, request }) => {
    const { revoked } = await revokePasskeys({
      actor,
      userId: input.userId,
      request:
        input.scope === "ALL" ? { scope: "ALL" } : { scope: "ONE", passkeyId: input.passkeyId },
      reason: input.reason,
      requestContext: request,
    });
    return input.scope === "ALL"
      ? `Revoked ${revoked} passkey${revoked === 1 ? "" : "s"}; passes, links and approvals voided; the user is signed out everywhere.`
      : "Passkey revoked. It fails at its next use.";
  },
  { path: userPath, revalidate: (input) => `/users/${input.userId}` },
);

/** A supervisor clears the hold a denial put on this person's recovery, after reviewing it. */
export const clearHoldAction = staffAction(
  "approvals:decide",
  ClearHoldSchema,
  async ({ actor, input, request }) => {
    const { cleared } = await clearHold({ actor, ...input, request });
    return `Hold cleared (${cleared}). A new case can be opened; it counts as a repeat call and needs a second person.`;
  },
  { path: userPath, revalidate: (input: { userId: string }) => `/users/${input.userId}` },
);
