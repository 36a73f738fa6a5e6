import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { RED_FLAG_KINDS } from "@/lib/domain/recovery-policy";

const CaseId = z.uuid({ message: "That is not a case." });
const Note = z.string().trim().max(500, "Keep the note under 500 characters.").default("");

export const RecordStepSchema = z.strictObject(
  {
    caseId: CaseId,
    kind: z.enum(["CALLBACK", "ID_DOCUMENT", "EMPLOYEE_RECORD"], { message: "That step is not recorded by the agent." }),
    outcome: z.enum(["PASSED", "FAILED", "UNABLE"], { message: "Choose passed, failed or could not complete." }),
    note: Note,
  },
  UNEXPECTED_FIELDS,
);

export const SendStepLinkSchema = z.strictObject(
  { caseId: CaseId, kind: z.enum(["MANAGER_CONFIRMATION", "PASSKEY_PROOF"], { message: "That step has no link." }) },
  UNEXPECTED_FIELDS,
);

export const RaiseRedFlagSchema = z.strictObject(
  { caseId: CaseId, kind: z.enum(RED_FLAG_KINDS, { message: "Choose what happened." }), note: Note },
  UNEXPECTED_FIELDS,
);

export const IssueTapSchema = z.strictObject(
  {
    caseId: CaseId,
    lifetimeMinutes: z.coerce.number({ message: "Give the lifetime in minutes." }).int("Whole minutes only."),
    multiUse: z.literal("on").optional(),
  },
  UNEXPECTED_FIELDS,
);

export const CloseCaseSchema = z.strictObject(
  { caseId: CaseId, closeReason: z.string().trim().min(3, "Say why the case is closed.").max(200) },
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
