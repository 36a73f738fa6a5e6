import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { plainText } from "@/lib/domain/plain-text";
import { CASE_CHANNELS, CASE_REASONS } from "@/lib/domain/recovery-policy";
import { REVOCATION_REASONS } from "@/lib/domain/revocation";

export const OpenCaseSchema = z.strictObject(
  {
    userId: z.uuid({ message: "That is not a user." }),
    reason: z.enum(CASE_REASONS, { message: "Choose why they are calling." }),
    channel: z.enum(CASE_CHANNELS, { message: "Choose how they reached you." }),
    callerClaim: plainText({
      label: "What the caller says",
      max: 1000,
      multiline: true,
      tooLong: "Keep it under 1,000 characters.",
    }).default(""),
    /**
     * The number the call came from and a number or address the caller offered: optional, never
     * used to contact anyone, kept to see one number calling for several people (decision 031).
     */
    callerId: plainText({
      label: "The caller ID",
      max: 40,
      tooLong: "A phone number is at most 40 characters.",
    }).default(""),
    offeredContact: plainText({
      label: "The number or address the caller offered",
      max: 320,
      tooLong: "Keep it under 320 characters.",
    }).default(""),
    /** The desk's ticket (prefilled by an ITSM's link, /cases/new); openCase normalises it. */
    ticketRef: z
      .string()
      .trim()
      .max(40, "A ticket reference is at most 40 characters.")
      .default(""),
    /** The open cases the page showed, confirmed by the agent (checkbox values). */
    acknowledgedOpenCases: z.array(z.uuid({ message: "That is not a case." })).max(20),
  },
  UNEXPECTED_FIELDS,
);

const CONFIRM_FIRST =
  "Revoke all asks you to confirm which passkeys it revokes: press “Revoke all passkeys…” and check the list.";

/**
 * The passkeys the revoke-all confirmation named, comma separated (empty when the person has
 * none): required, so a direct call that skipped the confirmation changes nothing (decision 025).
 */
const ConfirmedPasskeyIds = z
  .string({ message: CONFIRM_FIRST })
  .max(100 * 37, { message: CONFIRM_FIRST })
  .transform((value) => value.split(",").filter((id) => id.length > 0))
  .pipe(z.array(z.uuid({ message: CONFIRM_FIRST })).max(100, { message: CONFIRM_FIRST }));

export const RevokeSchema = z.discriminatedUnion("scope", [
  z.strictObject(
    {
      userId: z.uuid({ message: "That is not a user." }),
      scope: z.literal("ONE"),
      passkeyId: z.uuid({ message: "Choose a passkey." }),
      reason: z.enum(REVOCATION_REASONS, { message: "Choose why." }),
    },
    UNEXPECTED_FIELDS,
  ),
  z.strictObject(
    {
      userId: z.uuid({ message: "That is not a user." }),
      scope: z.literal("ALL"),
      reason: z.enum(REVOCATION_REASONS, { message: "Choose why." }),
      confirmedPasskeyIds: ConfirmedPasskeyIds,
    },
    UNEXPECTED_FIELDS,
  ),
]);

export const ClearHoldSchema = z.strictObject(
  {
    userId: z.uuid({ message: "That is not a user." }),
    note: plainText({
      label: "The note",
      min: 10,
      max: 500,
      multiline: true,
      tooShort: "Say what you reviewed (at least 10 characters).",
      tooLong: "Keep it under 500 characters.",
    }),
  },
  UNEXPECTED_FIELDS,
);

/** Suspend a person's access, or lift a suspension (HR owns leaving). */
export const ChangeAccessSchema = z.strictObject(
  {
    userId: z.uuid({ message: "That is not a user." }),
    status: z.enum(["SUSPENDED", "ACTIVE"], { message: "Suspend, or lift the suspension." }),
  },
  UNEXPECTED_FIELDS,
);
