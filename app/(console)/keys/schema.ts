import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { plainText } from "@/lib/domain/plain-text";
import { SECURITY_KEY_FILTERS } from "@/lib/domain/security-keys";

/** A key added to stock: its serial as printed, its AAGUID, and a model name if the AAGUID is not known. */
export const AddKeySchema = z.strictObject(
  {
    serial: z.string().trim().min(3, { message: "Type the serial printed on the key." }).max(40),
    aaguid: z
      .string()
      .trim()
      .min(32, { message: "Type the key's AAGUID (32 hex digits)." })
      .max(40),
    modelName: plainText({ label: "Model", max: 100 }).optional(),
  },
  UNEXPECTED_FIELDS,
);

export const KeyMoveSchema = z.strictObject(
  {
    keyId: z.uuid({ message: "That is not a key." }),
    move: z.enum(["return", "lose"], { message: "Choose what happened to the key." }),
  },
  UNEXPECTED_FIELDS,
);

export const RetireKeySchema = z.strictObject(
  { keyId: z.uuid({ message: "That is not a key." }) },
  UNEXPECTED_FIELDS,
);

/** The list's filter from the query string: anything else shows every key. */
export function parseKeyFilter(value: unknown) {
  return z.enum(SECURITY_KEY_FILTERS).catch("all").parse(value);
}
