import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { plainText } from "@/lib/domain/plain-text";

const Scope = z.enum(["users:read", "users:write"], { message: "Unknown scope." });

export const IssueScimTokenFormSchema = z.strictObject(
  {
    name: plainText({
      label: "The name",
      min: 1,
      max: 80,
      tooShort: "Name the identity provider.",
    }),
    scopes: z.array(Scope).min(1, "Give the token at least one scope.").max(2),
  },
  UNEXPECTED_FIELDS,
);

export const ScimTokenFormSchema = z.strictObject(
  { tokenId: z.uuid({ message: "That is not a token." }) },
  UNEXPECTED_FIELDS,
);
