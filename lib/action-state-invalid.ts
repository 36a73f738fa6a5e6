/**
 * Invalid input as an action's answer. Apart from lib/action-state.ts because it needs zod at
 * run time, and the forms (client modules) import that module (tests/unit/client-bundles.test.ts).
 */
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";

/** Invalid input: messages per field, and for the form as a whole (e.g. fields it should not have). */
export function invalid(error: z.ZodError): ActionState {
  const { fieldErrors, formErrors } = z.flattenError(error);
  return { status: "invalid", fieldErrors, formErrors };
}
