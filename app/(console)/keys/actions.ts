"use server";

import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { staffAction, staffCall } from "@/lib/auth/actions";
import { RegistrationResponseSchema } from "@/lib/domain/webauthn-responses";
import { finishSecurityKeyIssue, startSecurityKeyIssue } from "@/lib/server/issue-security-key";
import { addSecurityKey, retireSecurityKey, takeBackSecurityKey } from "@/lib/server/security-keys";
import { AddKeySchema, KeyMoveSchema, RetireKeySchema } from "./schema";

const PATH = "/keys";

/** Security reviewers add keys to stock (decision 039). */
export const addKeyAction = staffAction(
  "keys:stock",
  AddKeySchema,
  async ({ actor, input, request }) => {
    await addSecurityKey({ actor, ...input, request });
    return "Added to stock.";
  },
  { path: PATH, revalidate: PATH },
);

/** A key comes back or is lost: its passkey is revoked at once, so this is a revocation (step-up, decision 015). */
export const takeBackKeyAction = staffAction(
  "keys:return",
  KeyMoveSchema,
  async ({ actor, input, request }) => {
    const { revoked } = await takeBackSecurityKey({ actor, ...input, request });
    const what = input.move === "return" ? "Returned" : "Reported lost";
    return revoked > 0 ? `${what}. Its passkey is revoked.` : `${what}.`;
  },
  { path: PATH, revalidate: PATH, stepUp: "revoke passkeys" },
);

export const retireKeyAction = staffAction(
  "keys:stock",
  RetireKeySchema,
  async ({ actor, input, request }) => {
    await retireSecurityKey({ actor, keyId: input.keyId, request });
    return "Retired.";
  },
  { path: PATH, revalidate: PATH },
);

const Ids = z.uuid();
const UNEXPECTED = "The browser sent an unexpected response. Try again.";

/** Issuing at the desk: the registration runs in the agent's browser for the person (issue-security-key.ts). */
export const startKeyIssueAction = staffCall(
  "keys:issue",
  [
    { schema: Ids, invalid: "That is not a case." },
    { schema: Ids, invalid: "Choose a key." },
  ],
  async ({ actor, input: [caseId, keyId], request }) =>
    startSecurityKeyIssue({ actor, caseId, keyId, request }),
  { path: PATH },
);

export const finishKeyIssueAction = staffCall(
  "keys:issue",
  [
    { schema: Ids, invalid: "That is not a case." },
    { schema: Ids, invalid: "Choose a key." },
    { schema: RegistrationResponseSchema, invalid: UNEXPECTED },
  ],
  async ({ actor, input: [caseId, keyId, response], request }) =>
    finishSecurityKeyIssue({
      actor,
      caseId,
      keyId,
      response: response as unknown as RegistrationResponseJSON,
      request,
    }),
  { path: PATH },
);
