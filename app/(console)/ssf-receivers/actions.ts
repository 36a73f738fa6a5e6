"use server";

import { staffAction } from "@/lib/auth/actions";
import { issueReceiverToken, revokeReceiverToken } from "@/lib/server/ssf/tokens";
import { IssueReceiverSchema, RevokeReceiverSchema } from "./schema";

export const issueReceiverAction = staffAction(
  "ssf:manage",
  IssueReceiverSchema,
  async ({ actor, input, request }) => {
    const { token } = await issueReceiverToken({ actor, name: input.name, request });
    return `Token for ${input.name}: ${token} — give it to the receiver now; it is not shown again.`;
  },
  // A receiver token reads every person's revocations and recoveries (decision 034): step-up.
  {
    path: "/ssf-receivers",
    stepUp: "issue a Shared Signals receiver token",
    revalidate: () => ["/ssf-receivers"],
  },
);

export const revokeReceiverAction = staffAction(
  "ssf:manage",
  RevokeReceiverSchema,
  async ({ actor, input, request }) => {
    await revokeReceiverToken({ actor, id: input.receiverId, request });
    return "Revoked. Its streams are disabled and its token no longer works.";
  },
  // Revoking it silently stops an application hearing of revocations: step-up too.
  {
    path: "/ssf-receivers",
    stepUp: "revoke a Shared Signals receiver",
    revalidate: () => ["/ssf-receivers"],
  },
);
