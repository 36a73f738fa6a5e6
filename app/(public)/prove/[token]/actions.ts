"use server";

import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { publicCall } from "@/lib/auth/actions";
import { finishPasskeyProof, startPasskeyProof } from "@/lib/server/passkey-proof";

const base64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]*$/)
  .max(20_000);
/** The browser's assertion, parsed at the boundary; the library verifies the rest. */
const AuthenticationResponseSchema = z.object({
  id: base64url.min(1),
  rawId: base64url.min(1),
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});

const LinkToken = {
  schema: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  invalid: "This link is not valid any more. It may have been used, replaced or expired.",
};
const BrowserResponse = {
  schema: AuthenticationResponseSchema,
  invalid: "The browser sent an unexpected response. Try again.",
};

/** PUBLIC: the one-time link's token is the credential, checked in startPasskeyProof. */
export const startProofAction = publicCall([LinkToken], async ({ input: [token], request }) =>
  startPasskeyProof({ token, request }),
);

/** PUBLIC: the link's token and the server-side challenge bound to it are checked in finishPasskeyProof. */
export const finishProofAction = publicCall(
  [LinkToken, BrowserResponse],
  async ({ input: [token, response], request }) =>
    finishPasskeyProof({
      token,
      response: response as unknown as AuthenticationResponseJSON,
      request,
    }),
);
