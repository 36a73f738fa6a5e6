"use server";

import { z } from "zod";
import { formFields, pathFor, UNEXPECTED_FIELDS, type ActionState } from "@/lib/action-state";
import { staffAction } from "@/lib/auth/actions";
import type { MoveResult, PracticeMove } from "@/lib/domain/practice/simulate";
import { AGENT_RECORDED_STEPS } from "@/lib/domain/step-kinds";
import { finishPracticeRun, makePracticeMove } from "@/lib/server/practice/runs";
import type { RequestContext } from "@/lib/server/request-context";
import type { CurrentStaff } from "@/lib/server/resume-staff-session";
import {
  CloseCaseSchema,
  IssueTapSchema,
  RaiseRedFlagSchema,
  RecordStepSchema,
  RequestReenrolmentSchema,
  SendStepLinkSchema,
} from "../../cases/[caseId]/schema";

/*
 * The practice run's actions (docs/decisions/030): the case page's forms, with the same fields
 * (the hidden caseId carries the run's id), bound to practice moves. Each checks "practice:play";
 * the move itself checks that the run is the player's own and unfinished.
 */

const runPath = (formData: FormData) => pathFor("/practice", formData.get("caseId"));
const options = {
  path: runPath,
  revalidate: (input: { caseId: string }) => `/practice/${input.caseId}`,
};

async function play(
  actor: CurrentStaff,
  runId: string,
  move: PracticeMove,
  request: RequestContext,
): Promise<ActionState> {
  const { result } = await makePracticeMove({ actor, runId, move, request });
  return answer(result);
}

function answer(result: MoveResult): ActionState {
  if (!result.ok) return { status: "refused", message: result.message };
  const cues = result.cues.map((cue) => `The caller says: ${cue.line}`);
  return { status: "ok", message: ["Practice:", ...result.said, ...cues].join(" ") };
}

export const practiceRecordStepAction = staffAction(
  "practice:play",
  RecordStepSchema,
  ({ actor, input, request }) =>
    play(
      actor,
      input.caseId,
      { type: "record", step: input.kind, outcome: input.outcome, note: input.note },
      request,
    ),
  options,
);

export const practiceSendStepLinkAction = staffAction(
  "practice:play",
  SendStepLinkSchema,
  ({ actor, input, request }) =>
    play(actor, input.caseId, { type: "send_link", step: input.kind }, request),
  options,
);

export const practiceRaiseRedFlagAction = staffAction(
  "practice:play",
  RaiseRedFlagSchema,
  ({ actor, input, request }) =>
    play(actor, input.caseId, { type: "raise_flag", flag: input.kind, note: input.note }, request),
  options,
);

export const practiceIssueTapAction = staffAction(
  "practice:play",
  IssueTapSchema,
  ({ actor, input, request }) =>
    play(
      actor,
      input.caseId,
      { type: "issue_pass", lifetimeMinutes: input.lifetimeMinutes, multiUse: !!input.multiUse },
      request,
    ),
  options,
);

export const practiceRequestReenrolmentAction = staffAction(
  "practice:play",
  RequestReenrolmentSchema,
  ({ actor, input, request }) =>
    play(
      actor,
      input.caseId,
      { type: "request_reenrolment", revokePasskeyIds: input.revoke },
      request,
    ),
  {
    ...options,
    fields: (formData) => ({ ...formFields(formData), revoke: formData.getAll("revoke") }),
  },
);

export const practiceCloseCaseAction = staffAction(
  "practice:play",
  CloseCaseSchema,
  ({ actor, input, request }) =>
    play(actor, input.caseId, { type: "close", reason: input.closeReason }, request),
  options,
);

const AskStepSchema = z.strictObject(
  {
    caseId: z.uuid({ message: "That is not a practice run." }),
    kind: z.enum(AGENT_RECORDED_STEPS, { message: "That step is not one you ask the caller." }),
  },
  UNEXPECTED_FIELDS,
);

/** "Ask the caller / try this step": reveals what happens, before the agent records it. */
export const practiceAskStepAction = staffAction(
  "practice:play",
  AskStepSchema,
  ({ actor, input, request }) =>
    play(actor, input.caseId, { type: "ask", step: input.kind }, request),
  options,
);

const FinishSchema = z.strictObject(
  { caseId: z.uuid({ message: "That is not a practice run." }) },
  UNEXPECTED_FIELDS,
);

/** Ends the call and shows the debrief. */
export const practiceFinishAction = staffAction(
  "practice:play",
  FinishSchema,
  async ({ actor, input, request }) => {
    const debrief = await finishPracticeRun({ actor, runId: input.caseId, request });
    return `Finished. Score ${debrief.score} of 100: the debrief follows.`;
  },
  options,
);
