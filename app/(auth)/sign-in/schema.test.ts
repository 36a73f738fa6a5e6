import { describe, expect, it } from "vitest";
import { invalid } from "@/lib/action-state-invalid";
import { DemoSignInSchema } from "./schema";

const staffId = "5b0c4f5e-8a49-4b1e-9a61-3c2a1f0e9d7b";

describe("DemoSignInSchema", () => {
  it("accepts a staff ID and a callback path", () => {
    expect(DemoSignInSchema.parse({ staffId, callbackUrl: "/users" })).toEqual({
      staffId,
      callbackUrl: "/users",
    });
  });

  it.each([
    [
      { staffId, role: "SECURITY" },
      {
        formErrors: ["This form was changed outside the console and was not accepted."],
        fieldErrors: {},
      },
    ],
    [
      { staffId, approvedBy: "me" },
      {
        formErrors: ["This form was changed outside the console and was not accepted."],
        fieldErrors: {},
      },
    ],
    [
      { staffId: "1; DROP TABLE" },
      { formErrors: [], fieldErrors: { staffId: ["Choose a staff member from the list."] } },
    ],
    [{}, { formErrors: [], fieldErrors: { staffId: ["Choose a staff member from the list."] } }],
  ])("refuses %j", (input, expected) => {
    const result = DemoSignInSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(invalid(result.error!)).toEqual({ status: "invalid", ...expected });
  });
});
