import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";
import { plainText } from "@/lib/domain/plain-text";

export const DemoSignInSchema = z.strictObject(
  {
    staffId: z.uuid({ message: "Choose a staff member from the list." }),
    // Only ever used through safeCallbackPath; refused here too if it hides characters.
    callbackUrl: plainText({ label: "The page to return to", max: 512 }).optional(),
  },
  UNEXPECTED_FIELDS,
);
