import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";

const base64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/)
  .max(20_000);

/** A browser's registration response, parsed at the boundary; @simplewebauthn/server verifies the rest. */
export const StaffRegistrationResponseSchema = z.object({
  id: base64url,
  rawId: base64url,
  type: z.literal("public-key"),
  response: z.looseObject({
    clientDataJSON: base64url,
    attestationObject: base64url,
    transports: z.array(z.string().max(20)).max(10).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});

/** A browser's assertion, parsed at the boundary. */
export const StaffAuthenticationResponseSchema = z.object({
  id: base64url,
  rawId: base64url,
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

export const RemoveStaffPasskeySchema = z.strictObject(
  { passkeyId: z.uuid({ message: "That is not one of your passkeys." }) },
  UNEXPECTED_FIELDS,
);
