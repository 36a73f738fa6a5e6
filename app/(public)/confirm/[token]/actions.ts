"use server";

import { z } from "zod";
import { attempt, formFields, invalid, UNEXPECTED_FIELDS, type ActionState } from "@/lib/action-state";
import { answerManagerConfirmation } from "@/lib/server/answer-manager-confirmation";
import { getRequestContext } from "@/lib/server/request-context";

const AnswerSchema = z.strictObject(
  { token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "This link is not valid."), answer: z.enum(["confirm", "deny"], { message: "Confirm or deny." }) },
  UNEXPECTED_FIELDS,
);

/**
 * PUBLIC: the manager has no console account; the one-time link's token is the credential,
 * checked (unused, unexpired, not voided, for this step) inside answerManagerConfirmation.
 */
export async function answerConfirmationAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = AnswerSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    await answerManagerConfirmation({ ...parsed.data, request: await getRequestContext() });
    return parsed.data.answer === "confirm"
      ? "Thank you. You confirmed the request; the service desk will continue."
      : "Thank you. You denied the request; the service desk will not continue it.";
  });
}
