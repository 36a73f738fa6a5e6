import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import {
  AuthenticationResponseSchema,
  RegistrationResponseSchema,
} from "@/lib/domain/webauthn-responses";

/** Staff passkeys are the same kind of credential: the same boundary schemas. */
export const StaffRegistrationResponseSchema = RegistrationResponseSchema;
export const StaffAuthenticationResponseSchema = AuthenticationResponseSchema;

export const RemoveStaffPasskeySchema = z.strictObject(
  { passkeyId: z.uuid({ message: "That is not one of your passkeys." }) },
  UNEXPECTED_FIELDS,
);
