import { z } from "zod";

export const DemoSignInSchema = z
  .object({
    staffId: z.uuid({ message: "Choose a staff member from the list." }),
    callbackUrl: z.string().max(512).optional(),
  })
  .strict();
