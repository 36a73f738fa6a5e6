"use server";

import { formFields } from "@/lib/action-state";
import { staffAction } from "@/lib/auth/actions";
import {
  issueScimToken,
  revokeScimToken,
  rotateScimToken,
  type ScimScope,
} from "@/lib/server/scim/tokens";
import { IssueScimTokenFormSchema, ScimTokenFormSchema } from "./schema";

const PATH = "/settings/scim";

function shownOnce(token: string) {
  return `Copy the token now, it is shown only once: ${token}`;
}

export const issueScimTokenAction = staffAction(
  "scim:manage",
  IssueScimTokenFormSchema,
  async ({ actor, input, request }) => {
    const { token } = await issueScimToken({
      staff: actor,
      name: input.name,
      scopes: input.scopes as ScimScope[],
      request,
    });
    return shownOnce(token);
  },
  {
    path: PATH,
    stepUp: "issue a SCIM token",
    fields: (formData) => ({ ...formFields(formData), scopes: formData.getAll("scopes") }),
    revalidate: PATH,
  },
);

export const rotateScimTokenAction = staffAction(
  "scim:manage",
  ScimTokenFormSchema,
  async ({ actor, input, request }) => {
    const { token } = await rotateScimToken({ staff: actor, id: input.tokenId, request });
    return `The old token no longer works. ${shownOnce(token)}`;
  },
  { path: PATH, stepUp: "rotate a SCIM token", revalidate: PATH },
);

export const revokeScimTokenAction = staffAction(
  "scim:manage",
  ScimTokenFormSchema,
  async ({ actor, input, request }) => {
    await revokeScimToken({ staff: actor, id: input.tokenId, request });
    return "Revoked. The identity provider's requests with it are refused from now on.";
  },
  // Revoking it silently stops HR's leavers reaching the console: step-up too.
  { path: PATH, stepUp: "revoke a SCIM token", revalidate: PATH },
);
