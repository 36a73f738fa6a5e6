"use server";

import { staffAction } from "@/lib/auth/actions";
import { reviewSignal } from "@/lib/server/signals/review-signal";
import { ReviewSignalSchema } from "./schema";

export const reviewSignalAction = staffAction(
  "signals:review",
  ReviewSignalSchema,
  async ({ actor, input, request }) => {
    await reviewSignal({ actor, ...input, request });
    return input.decision === "confirmed"
      ? "Confirmed. Its effect stays on the cases it names."
      : "Dismissed. Its effect is lifted from the cases it names.";
  },
  {
    path: "/signals",
    revalidate: (input) => ["/signals", `/signals/${input.signalId}`],
  },
);
