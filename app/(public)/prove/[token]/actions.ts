"use server";

import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { publicCall } from "@/lib/auth/actions";
import { AuthenticationResponseSchema } from "@/lib/domain/webauthn-responses";
import { finishPasskeyProof, startPasskeyProof } from "@/lib/server/passkey-proof";

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
