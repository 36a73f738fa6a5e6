/**
 * What a browser sends back from a WebAuthn ceremony, parsed at the boundary of every action that
 * takes one (workforce sign-in, "Confirm it's you", passkey proof, enrolment, staff passkeys):
 * the shape and sizes only. @simplewebauthn/server verifies the rest against the stored challenge.
 */
import { z } from "zod";
import { plainText } from "./plain-text";

const base64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]*$/)
  .max(20_000);

/** A registration response (navigator.credentials.create). */
export const RegistrationResponseSchema = z.object({
  id: base64url.min(1),
  rawId: base64url.min(1),
  type: z.literal("public-key"),
  response: z.looseObject({
    clientDataJSON: base64url,
    attestationObject: base64url,
    transports: z
      .array(plainText({ label: "A transport", max: 20 }))
      .max(10)
      .optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});

/** An authentication response (navigator.credentials.get). */
export const AuthenticationResponseSchema = z.object({
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
