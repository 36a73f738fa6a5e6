"use server";

import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { publicCall } from "@/lib/auth/actions";
import { finishPasskeyRegistration } from "@/lib/server/finish-passkey-registration";
import { startPasskeyRegistration } from "@/lib/server/start-passkey-registration";
import { RegistrationResponseSchema } from "@/lib/domain/webauthn-responses";

const LinkToken = {
  schema: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  invalid:
    "This link is not valid any more. Call the service desk if you still need a new passkey.",
};
const BrowserResponse = {
  schema: RegistrationResponseSchema,
  invalid: "The browser sent an unexpected response. Try again.",
};

/** PUBLIC: the one-time enrolment link's token is the credential, checked in startPasskeyRegistration. */
export const startLinkRegistrationAction = publicCall(
  [LinkToken],
  async ({ input: [token], request }) =>
    startPasskeyRegistration({ grant: { kind: "link", token }, request }),
);

/** PUBLIC: the link's token and the challenge bound to it are checked in finishPasskeyRegistration. */
export const finishLinkRegistrationAction = publicCall(
  [LinkToken, BrowserResponse],
  async ({ input: [token, response], request }) =>
    finishPasskeyRegistration({
      grant: { kind: "link", token },
      response: response as unknown as RegistrationResponseJSON,
      request,
    }),
);
