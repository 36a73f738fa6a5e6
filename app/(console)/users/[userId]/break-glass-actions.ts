"use server";

import { staffAction } from "@/lib/auth/actions";
import { pathFor } from "@/lib/action-state";
import { declareBreakGlassTest, setBreakGlass } from "@/lib/server/break-glass";
import { decideReenrolment } from "@/lib/server/decide-approval";
import {
  BreakGlassApproveSchema,
  BreakGlassSchema,
  BreakGlassTestSchema,
} from "./break-glass-schema";

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

/** A security reviewer's part in a break-glass recovery's approval (decision 039). */
export const breakGlassApproveAction = staffAction(
  "breakglass:manage",
  BreakGlassApproveSchema,
  async ({ actor, input, request }) => {
    const result = await decideReenrolment({
      actor,
      approvalId: input.approvalId,
      decision: "approve",
      reason: input.reason,
      request,
    });
    return result.outcome === "approved"
      ? `Approved: that completed it. The enrolment link went to ${result.sentTo}.`
      : `Your approval is recorded. Still needed: ${result.missing?.join(" and ") || "nobody"}.`;
  },
  { path: userPath, revalidate, stepUp: "decide an approval" },
);
