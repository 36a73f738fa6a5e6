import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { plainText } from "@/lib/domain/plain-text";
import { RED_FLAG_KINDS } from "@/lib/domain/recovery-policy";
import { AGENT_RECORDED_STEPS, LINKED_STEPS, STEP_KINDS } from "@/lib/domain/step-kinds";

const CaseId = z.uuid({ message: "That is not a case." });
const Note = plainText({
  label: "The note",
  max: 500,
  multiline: true,
  tooLong: "Keep the note under 500 characters.",
}).default("");

export const RecordStepSchema = z.strictObject(
  {
    caseId: CaseId,
    kind: z.enum(AGENT_RECORDED_STEPS, { message: "That step is not recorded by the agent." }),
    outcome: z.enum(["PASSED", "FAILED", "UNABLE"], {
      message: "Choose passed, failed or could not complete.",
    }),
    note: Note,
  },
  UNEXPECTED_FIELDS,
);

export const SendStepLinkSchema = z.strictObject(
  { caseId: CaseId, kind: z.enum(LINKED_STEPS, { message: "That step has no link." }) },
  UNEXPECTED_FIELDS,
);

/** A number or address the caller offered during the call (never used to contact anyone). */
export const RecordContactSchema = z.strictObject(
  {
    caseId: CaseId,
    value: plainText({
      label: "The number or address",
      min: 3,
      max: 320,
      tooShort: "Type the number or address the caller offered.",
    }),
  },
  UNEXPECTED_FIELDS,
);

export const RaiseRedFlagSchema = z.strictObject(
  {
    caseId: CaseId,
    kind: z.enum(RED_FLAG_KINDS, { message: "Choose what happened." }),
    note: Note,
  },
  UNEXPECTED_FIELDS,
);

export const IssueTapSchema = z.strictObject(
  {
    caseId: CaseId,
    lifetimeMinutes: z.coerce
      .number({ message: "Give the lifetime in minutes." })
      .int("Whole minutes only."),
    multiUse: z.literal("on").optional(),
  },
  UNEXPECTED_FIELDS,
);

export const CloseCaseSchema = z.strictObject(
  {
    caseId: CaseId,
    closeReason: plainText({
      label: "The reason",
      min: 3,
      max: 200,
      tooShort: "Say why the case is closed.",
    }),
  },
  UNEXPECTED_FIELDS,
);

export const RequestReenrolmentSchema = z.strictObject(
  {
    caseId: CaseId,
    /** Checkbox values: zero or more passkey IDs. */
    revoke: z.array(z.uuid({ message: "Choose passkeys from the list." })).max(20),
  },
  UNEXPECTED_FIELDS,
);

export const CorrectStepSchema = z.strictObject(
  {
    caseId: CaseId,
    kind: z.enum(STEP_KINDS, { message: "Choose a step." }),
    note: plainText({
      label: "The note",
      min: 10,
      max: 500,
      multiline: true,
      tooShort: "Say why the step is reopened (at least 10 characters).",
      tooLong: "Keep the note under 500 characters.",
    }),
  },
  UNEXPECTED_FIELDS,
);

export const TransferCaseSchema = z.strictObject(
  {
    caseId: CaseId,
    team: plainText({ label: "The team", min: 2, max: 100, tooShort: "Choose a team." }),
    note: plainText({
      label: "The reason",
      min: 3,
      max: 500,
      tooShort: "Say why the case is handed over.",
    }),
  },
  UNEXPECTED_FIELDS,
);

/** "Assign to me", or hand to a colleague of the case's team (with an optional word for them). */
export const AssignCaseSchema = z.strictObject(
  {
    caseId: CaseId,
    to: z.uuid({ message: "Choose who takes the case." }),
    note: Note,
  },
  UNEXPECTED_FIELDS,
);

/** A call note: what the caller said and what the agent did, in the agent's words. */
export const AddNoteSchema = z.strictObject(
  {
    caseId: CaseId,
    body: plainText({
      label: "The note",
      min: 1,
      max: 2000,
      multiline: true,
      tooShort: "Write the note first.",
      tooLong: "Keep a note under 2,000 characters; add another for more.",
    }),
  },
  UNEXPECTED_FIELDS,
);

/** The desk's ticket reference (checked and normalised by lib/domain/ticket-reference.ts). */
export const SetTicketSchema = z.strictObject(
  {
    caseId: CaseId,
    ticket: plainText({ label: "The ticket reference", min: 1, max: 40, tooShort: "Enter it." }),
  },
  UNEXPECTED_FIELDS,
);
