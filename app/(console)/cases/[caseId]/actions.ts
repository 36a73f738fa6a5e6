"use server";

import { formFields, pathFor } from "@/lib/action-state";
import { staffAction } from "@/lib/auth/actions";
import { formatDateTime } from "@/components/status-badge";
import { closeCase } from "@/lib/server/close-case";
import { issueTap } from "@/lib/server/issue-tap";
import { raiseRedFlag } from "@/lib/server/raise-red-flag";
import { recordContact } from "@/lib/server/record-contact";
import { recordStep } from "@/lib/server/record-step";
import { requestReenrolment } from "@/lib/server/request-reenrolment";
import { sendStepLink } from "@/lib/server/send-step-link";
import { correctStep } from "@/lib/server/cases/correct-step";
import { transferCase } from "@/lib/server/cases/transfer-case";
import { addCaseNote, assignCase, setTicketReference } from "@/lib/server/cases/case-desk";
import {
  AddNoteSchema,
  AssignCaseSchema,
  SetTicketSchema,
  CloseCaseSchema,
  CorrectStepSchema,
  IssueTapSchema,
  RaiseRedFlagSchema,
  RecordContactSchema,
  RecordStepSchema,
  RequestReenrolmentSchema,
  SendStepLinkSchema,
  TransferCaseSchema,
} from "./schema";
import { linkCompletion } from "@/lib/domain/step-kinds";

// Read before parsing (sign-in's return path, a denial's audit row): only a UUID-shaped value is
// used, so nothing a hand-made form sends reaches the audit trail unparsed.
const casePath = (formData: FormData) => pathFor("/cases", formData.get("caseId"));
const caseOptions = {
  path: casePath,
  revalidate: (input: { caseId: string }) => `/cases/${input.caseId}`,
};

export const recordStepAction = staffAction(
  "cases:work",
  RecordStepSchema,
  async ({ actor, input, request }) => {
    const { complete, stopped } = await recordStep({ actor, ...input, request });
    if (stopped)
      return {
        status: "refused",
        message:
          "Recorded as failed: the case is stopped and nothing can be issued. If it was a mistake, ask a supervisor to reopen the step.",
      };
    return complete ? "Recorded. Verification is complete." : "Recorded.";
  },
  caseOptions,
);

export const sendStepLinkAction = staffAction(
  "cases:work",
  SendStepLinkSchema,
  async ({ actor, input, request }) => {
    const { sentTo } = await sendStepLink({ actor, ...input, request });
    return `Sent to ${sentTo}. This step completes when ${linkCompletion(input.kind).waitingFor}.`;
  },
  caseOptions,
);

export const raiseRedFlagAction = staffAction(
  "cases:work",
  RaiseRedFlagSchema,
  async ({ actor, input, request }) => {
    const { effect } = await raiseRedFlag({ actor, ...input, request });
    return effect === "stop"
      ? "Red flag raised: the case is stopped."
      : "Red flag raised: a supervisor decides how to continue.";
  },
  caseOptions,
);

export const recordContactAction = staffAction(
  "cases:work",
  RecordContactSchema,
  async ({ actor, input, request }) => {
    await recordContact({ actor, ...input, request });
    return "Recorded. It is never used to contact anyone.";
  },
  caseOptions,
);

export const issueTapAction = staffAction(
  "cases:work",
  IssueTapSchema,
  async ({ actor, input: { caseId, lifetimeMinutes, multiUse }, request }) => {
    const { expiresAt, sentTo } = await issueTap({
      actor,
      caseId,
      lifetimeMinutes,
      multiUse: multiUse === "on",
      request,
    });
    return `Pass sent to ${sentTo}; it expires ${formatDateTime(expiresAt)}. You will not see it: the user reads it from their mail.`;
  },
  caseOptions,
);

export const closeCaseAction = staffAction(
  "cases:work",
  CloseCaseSchema,
  async ({ actor, input, request }) => {
    const { userTold } = await closeCase({ actor, ...input, request });
    return userTold
      ? "Case closed. The outstanding pass or link was voided and the user was told."
      : "Case closed.";
  },
  caseOptions,
);

export const requestReenrolmentAction = staffAction(
  "cases:work",
  RequestReenrolmentSchema,
  async ({ actor, input, request }) => {
    const result = await requestReenrolment({
      actor,
      caseId: input.caseId,
      revokePasskeyIds: input.revoke,
      request,
    });
    return result.status === "pending_approval"
      ? `Waiting for a supervisor (${result.reason}). The link goes out when another supervisor approves.`
      : `Enrolment link sent to ${result.sentTo}.`;
  },
  // Checkboxes: every checked value, not only the last one.
  {
    ...caseOptions,
    fields: (formData) => ({ ...formFields(formData), revoke: formData.getAll("revoke") }),
  },
);

export const correctStepAction = staffAction(
  "approvals:decide",
  CorrectStepSchema,
  async ({ actor, input, request }) => {
    await correctStep({ actor, ...input, request });
    return "Step reopened. The agent can record it again; your reason is in the audit trail.";
  },
  // Reopening a denied manager step also clears the hold the denial put on the person: the same
  // effect as "clear a hold", so the same step-up (decision 015).
  { ...caseOptions, stepUp: "reopen a step" },
);

export const transferCaseAction = staffAction(
  "cases:work",
  TransferCaseSchema,
  async ({ actor, input, request }) => {
    await transferCase({ actor, ...input, request });
    return `Handed over to ${input.team}.`;
  },
  {
    path: casePath,
    revalidate: (input: { caseId: string }) => [`/cases/${input.caseId}`, "/cases"],
    stepUp: "hand a case over",
  },
);

/** Both the case and the queue show who has a case. */
const deskOptions = {
  path: casePath,
  revalidate: (input: { caseId: string }) => [`/cases/${input.caseId}`, "/cases"],
};

export const assignCaseAction = staffAction(
  "cases:work",
  AssignCaseSchema,
  async ({ actor, input, request }) => {
    const { ownerName } = await assignCase({ actor, ...input, request });
    return input.to.toLowerCase() === actor.id.toLowerCase()
      ? "The case is yours."
      : `Handed to ${ownerName}.`;
  },
  deskOptions,
);

export const addNoteAction = staffAction(
  "cases:work",
  AddNoteSchema,
  async ({ actor, input, request }) => {
    await addCaseNote({ actor, ...input, request });
    return "Note added.";
  },
  caseOptions,
);

export const setTicketAction = staffAction(
  "cases:work",
  SetTicketSchema,
  async ({ actor, input, request }) => {
    const { ticket } = await setTicketReference({ actor, ...input, request });
    return `Ticket ${ticket} recorded.`;
  },
  deskOptions,
);
