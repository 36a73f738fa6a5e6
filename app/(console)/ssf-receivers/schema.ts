import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { plainText } from "@/lib/domain/plain-text";

export const IssueReceiverSchema = z.strictObject(
  {
    name: plainText({
      label: "The receiver's name",
      min: 2,
      max: 100,
      tooShort: "Name the receiver (the application that will subscribe).",
    }),
  },
  UNEXPECTED_FIELDS,
);

export const RevokeReceiverSchema = z.strictObject(
  { receiverId: z.uuid({ message: "That is not a receiver." }) },
  UNEXPECTED_FIELDS,
);
