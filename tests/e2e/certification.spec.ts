/**
 * Certification on the pages (docs/decisions/032): the demo's uncertified agent, Noah Adams, is
 * told why on a privileged person's page and offered no "Open case", while a standard person's page
 * offers it; an agent whose certification ends soon sees the reminder; a security reviewer reads
 * the scenario library and the team's readiness, and a scenario with a problem is not saved.
 * Nothing here changes a case, so no row is shared with another spec.
 */
import { expect, test } from "@playwright/test";
import { signInAs, signInAsStaff } from "./fixtures";

test("an uncertified agent is told why and offered no case on a privileged person", async ({
  page,
}) => {
  await signInAsStaff(page, "Noah Adams");
  await expect(page.getByTestId("certification-banner")).toContainText("You are not certified yet");
  await page.goto("/users?tier=PRIVILEGED&status=ACTIVE");
  await page.getByRole("row").nth(1).getByRole("link").click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("not-certified")).toContainText(
    "needs a current practice certification; you have none yet",
  );
  await expect(page.getByRole("button", { name: "Open case" })).toHaveCount(0);

  await page.goto("/users?tier=STANDARD&status=ACTIVE");
  await page.getByRole("row").nth(1).getByRole("link").click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("button", { name: "Open case" })).toBeVisible();
  await expect(page.getByTestId("not-certified")).toHaveCount(0);
});

test("an agent whose certification ends within the month is reminded", async ({ page }) => {
  await signInAsStaff(page, "Tom Becker");
  await expect(page.getByTestId("certification-banner")).toContainText(
    "Your practice certification expires on",
  );
});

test("an agent with a current certification sees no banner", async ({ page }) => {
  await signInAsStaff(page, "Priya Shah");
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
  await expect(page.getByTestId("certification-banner")).toHaveCount(0);
});

test("a security reviewer reads the library and readiness; a scenario with a problem is not saved", async ({
  page,
}) => {
  await signInAs(page, "SECURITY");
  await page.goto("/practice/scenarios");
  await expect(page.getByRole("heading", { name: "Practice scenarios" })).toBeVisible();
  await page.getByRole("link", { name: "The administrator on a new phone" }).click();
  await expect(page).toHaveURL(/\/practice\/scenarios\/urgent-admin-new-number$/);
  // How many runs played the current version (the demo's and other specs' practice calls count).
  await expect(page.getByRole("note")).toContainText(
    /No run has played this version yet|\d+ runs? played version 1/,
  );
  const editor = page.getByLabel("The scenario (JSON)");
  const json = await editor.inputValue();
  await editor.fill(json.replace('"outcome": "stop"', '"outcome": "recover"'));
  await page.getByLabel("What changed and why (kept with the version)").fill("Try a bad edit");
  await page.getByRole("button", { name: "Save as version 2" }).click();
  const answer = page.getByRole("alert").filter({ hasText: "Nothing was saved." });
  await expect(answer).toContainText("safe.outcome: An impostor is never recovered");
  await page.goto("/practice/scenarios");
  await expect(page.getByRole("row", { name: /The administrator on a new phone/ })).toContainText(
    "1 (built in)",
  );

  await page.goto("/practice/team?team=Service+Desk+North");
  await expect(page.getByRole("heading", { name: "Team readiness" })).toBeVisible();
  await expect(page.getByRole("row", { name: /Noah Adams/ })).toContainText("Never certified");
  await expect(page.getByRole("row", { name: /Tom Becker/ })).toContainText("days left");
  await expect(page.getByRole("row", { name: /Lucia Romero/ })).toHaveCount(0);
});

test("a supervisor sees their own team's readiness only", async ({ page }) => {
  await signInAs(page, "SUPERVISOR");
  await page.goto("/practice/team?team=Service+Desk+South");
  await expect(page.getByRole("row", { name: /Priya Shah/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /Lucia Romero/ })).toHaveCount(0);
});
