import { z } from "zod";
import { plainText } from "@/lib/domain/plain-text";

const base64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/)
  .max(20_000);

/** The browser's registration response, parsed at the boundary; the library verifies the rest. */
export const RegistrationResponseSchema = z.object({
  id: base64url,
  rawId: base64url,
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
