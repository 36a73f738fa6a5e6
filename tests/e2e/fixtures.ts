import { expect, type Page } from "@playwright/test";
import { DEMO_STAFF } from "../factories";

export type DemoRole = "AGENT" | "SUPERVISOR" | "SECURITY";

/** The first demo staff member with this role (tests/factories.ts DEMO_STAFF). */
export function demoStaff(role: DemoRole) {
  return DEMO_STAFF.find((member) => member.role === role)!;
}

const ROLE_LABEL: Record<DemoRole, string> = { AGENT: "Agent", SUPERVISOR: "Supervisor", SECURITY: "Security reviewer" };

/** Signs in through the real demo sign-in form, as a person would. */
export async function signInAs(page: Page, role: DemoRole, path = "/sign-in") {
  const member = demoStaff(role);
  await page.goto(path);
  await page.getByRole("button", { name: `Sign in as ${member.name}, ${ROLE_LABEL[role]}` }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  return member;
}
