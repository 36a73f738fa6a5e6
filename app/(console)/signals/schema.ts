import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { plainText } from "@/lib/domain/plain-text";

export const ReviewSignalSchema = z.strictObject(
  {
    signalId: z.uuid({ message: "That is not a signal." }),
    decision: z.enum(["confirmed", "dismissed"], { message: "Confirm or dismiss." }),
    note: plainText({
      label: "The note",
      min: 3,
      max: 500,
      multiline: true,
      tooShort: "Say why, for the next reviewer.",
    }),
  },
  UNEXPECTED_FIELDS,
);
