"use server";

import { staffAction } from "@/lib/auth/actions";
import { decideReenrolment } from "@/lib/server/decide-approval";
import { DecideSchema } from "./schema";

export const decideAction = staffAction(
  "approvals:decide",
  DecideSchema,
  async ({ actor, input, request }) => {
    const result = await decideReenrolment({ actor, ...input, request });
    if (result.outcome === "recorded")
      return `Your approval is recorded. Still needed: ${result.missing?.join(" and ")}.`;
    return result.outcome === "approved"
      ? `Approved. The enrolment link went to ${result.sentTo}.`
      : "Denied. The case is closed.";
  },
  { path: "/approvals", revalidate: "/approvals", stepUp: "decide an approval" },
);
