"use server";

import { staffAction } from "@/lib/auth/actions";
import { pathFor } from "@/lib/action-state";
import { declareBreakGlassTest, setBreakGlass } from "@/lib/server/break-glass";
import { BreakGlassSchema, BreakGlassTestSchema } from "./break-glass-schema";

const userPath = (formData: FormData) => pathFor("/users", formData.get("userId"));
const revalidate = (input: { userId: string }) => `/users/${input.userId}`;

/** Security reviewers mark or clear a break-glass account (decision 039). */
export const breakGlassAction = staffAction(
  "breakglass:manage",
  BreakGlassSchema,
  async ({ actor, input, request }) => {
    await setBreakGlass({
      actor,
      userId: input.userId,
      breakGlass: input.breakGlass === "mark",
      reason: input.reason,
      request,
    });
    return input.breakGlass === "mark"
      ? "Marked break-glass. Any passkey sign-in now alerts security; its recovery needs two supervisors and a security reviewer."
      : "No longer a break-glass account.";
  },
  { path: userPath, revalidate, stepUp: "change a break-glass account" },
);

/** A planned test: a sign-in within the window is recorded as a test, not an incident. */
export const breakGlassTestAction = staffAction(
  "breakglass:manage",
  BreakGlassTestSchema,
  async ({ actor, input, request }) => {
    const { until } = await declareBreakGlassTest({ actor, ...input, request });
    return `Test declared until ${until.toISOString().slice(11, 16)} UTC.`;
  },
  { path: userPath, revalidate, stepUp: "declare a break-glass test" },
);
