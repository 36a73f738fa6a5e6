"use server";

import { redirect } from "next/navigation";
import { formFields, pathFor } from "@/lib/action-state";
import { staffAction } from "@/lib/auth/actions";
import { openCase } from "@/lib/server/open-case";
import { revokePasskeys } from "@/lib/server/revoke-passkeys";
import { clearHold } from "@/lib/server/cases/clear-hold";
import { changeEmploymentStatus } from "@/lib/server/cases/change-employment-status";
import { staffActor } from "@/lib/server/audit";
import { ChangeAccessSchema, ClearHoldSchema, OpenCaseSchema, RevokeSchema } from "./schema";

// As casePath: only a UUID-shaped value makes the path, never the raw field.
const userPath = (formData: FormData) => pathFor("/users", formData.get("userId"));

export const openCaseAction = staffAction(
  "cases:work",
  OpenCaseSchema,
  async ({ actor, input, request }) => {
    const { caseId } = await openCase({ actor, ...input, request });
    redirect(`/cases/${caseId}`);
  },
  {
    path: userPath,
    // A refusal (a leaver, a hold, a repeat call blocked) re-renders the page with its guidance.
    revalidate: (input) => `/users/${input.userId}`,
    // Checkboxes: every confirmed open case (none when the person has none).
    fields: (formData) => ({
      ...formFields(formData),
      acknowledgedOpenCases: formData.getAll("acknowledgedOpenCases"),
    }),
  },
);

/**
 * Revocation never waits for anyone else: any agent, supervisor or security reviewer, at once,
 * after confirming it's them (decision 015: a stolen session must not lock people out). One
 * passkey is gated as well as all of them, or revoking them one by one would be the way round.
 * Revoke-all carries the passkeys its confirmation named (decision 025).
 */
export const revokePasskeysAction = staffAction(
  "passkeys:revoke",
  RevokeSchema,
  async ({ actor, input, request }) => {
    const { revoked } = await revokePasskeys({
      actor,
      userId: input.userId,
      request:
        input.scope === "ALL"
          ? { scope: "ALL", confirmedPasskeyIds: input.confirmedPasskeyIds }
          : { scope: "ONE", passkeyId: input.passkeyId },
      reason: input.reason,
      requestContext: request,
    });
    return input.scope === "ALL"
      ? `Revoked ${revoked} passkey${revoked === 1 ? "" : "s"}; passes, links and approvals voided; the user is signed out everywhere.`
      : "Passkey revoked. It fails at its next use.";
  },
  { path: userPath, revalidate: (input) => `/users/${input.userId}`, stepUp: "revoke passkeys" },
);

/** A supervisor clears the hold a denial put on this person's recovery, after reviewing it. */
export const clearHoldAction = staffAction(
  "approvals:decide",
  ClearHoldSchema,
  async ({ actor, input, request }) => {
    const { cleared } = await clearHold({ actor, ...input, request });
    return `Hold cleared (${cleared}). A new case can be opened; it counts as a repeat call and needs a second person.`;
  },
  {
    path: userPath,
    revalidate: (input: { userId: string }) => `/users/${input.userId}`,
    stepUp: "clear a hold",
  },
);

/**
 * A supervisor or security reviewer suspends a person's access at once (every session ends, open
 * cases close, what recovery issued is voided, sign-in refuses their passkeys), or lifts their own
 * kind of suspension. Leaving stays HR's.
 */
export const changeAccessAction = staffAction(
  "access:suspend",
  ChangeAccessSchema,
  async ({ actor, input, request }) => {
    const { endedSessions, closedCases } = await changeEmploymentStatus({
      actor: staffActor(actor),
      userId: input.userId,
      status: input.status,
      onlyFrom: input.status === "SUSPENDED" ? ["ACTIVE", "LEAVING"] : ["SUSPENDED"],
      request,
    });
    return input.status === "SUSPENDED"
      ? `Suspended. ${endedSessions} session${endedSessions === 1 ? "" : "s"} ended, ${closedCases} open case${closedCases === 1 ? "" : "s"} closed; sign-in refuses their passkeys until the suspension is lifted.`
      : "Suspension lifted. Their passkeys sign in again.";
  },
  {
    path: userPath,
    revalidate: (input: { userId: string }) => `/users/${input.userId}`,
    stepUp: "change a person's access",
  },
);
