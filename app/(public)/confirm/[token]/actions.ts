"use server";

import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { publicAction } from "@/lib/auth/actions";
import { answerManagerConfirmation } from "@/lib/server/answer-manager-confirmation";

const AnswerSchema = z.strictObject(
  {
    token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "This link is not valid."),
    answer: z.enum(["confirm", "deny"], { message: "Confirm or deny." }),
  },
  UNEXPECTED_FIELDS,
);

/**
 * PUBLIC: the manager has no console account; the one-time link's token is the credential,
 * checked (unused, unexpired, not voided, for this step) inside answerManagerConfirmation.
 */
export const answerConfirmationAction = publicAction(
  AnswerSchema,
  async ({ input, request }) => {
    await answerManagerConfirmation({ ...input, request });
    return input.answer === "confirm"
      ? "Thank you. You confirmed the request; the service desk will continue."
      : "Thank you. You denied the request; the service desk will not continue it.";
  },
  // The page then shows the answer as recorded, without the buttons (decision 025).
  { revalidate: (input) => `/confirm/${input.token}` },
);
