import { z } from "zod";
import { UNEXPECTED_FIELDS } from "@/lib/action-state";

export const DemoSignInSchema = z.strictObject(
  {
    staffId: z.uuid({ message: "Choose a staff member from the list." }),
    callbackUrl: z.string().max(512).optional(),
  },
  UNEXPECTED_FIELDS,
);
