import { expect, test, type Page } from "@playwright/test";
import { signInAsStaff } from "./fixtures";

/**
 * A practice call (docs/decisions/030) as an agent meets it: the impostor of
 * "urgent-admin-new-number" is fallen for (the callback recorded as passed although the real
 * Marcus answered and said he had not called; the photo ID recorded as passed although the
 * caller skipped it), the simulated manager denies, and the debrief says it was an impostor,
 * unsafe, which red flags were missed, and the score. Then the same agent, not certified (the
 * demo's new starter, Noah Adams), is refused a privileged person's case while the policy requires
 * certification (decision 032).
 */

/** The agent who plays: the demo's uncertified new starter. */
const PLAYER = process.env.E2E_PRACTICE_AGENT ?? "Noah Adams";
const SCENARIO = "The administrator on a new phone";

async function recordPassed(page: Page, title: string) {
  const form = page.getByRole("form", { name: `Record: ${title}` });
  await form.getByRole("button", { name: "Passed" }).click();
  await expect(page.getByRole("form", { name: `Record: ${title}` })).toHaveCount(0);
}

test("an agent falls for the impostor on a practice call, sees the debrief, and uncertified is refused a privileged case", async ({
  page,
}) => {
  await signInAsStaff(page, PLAYER);
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Practice" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "Practice calls" })).toBeVisible();
  await page.waitForLoadState("networkidle");
  // The library never gives the truth away.
  await expect(page.getByRole("region", { name: "Scenarios" })).not.toContainText("impostor");
  await page.getByRole("button", { name: `Start “${SCENARIO}”` }).click();
  await expect(page).toHaveURL(/\/practice\/[0-9a-f-]{36}$/);

  // Unmistakably practice: the banner, the title, a badge, the document's title.
  await expect(page.getByRole("note", { name: "Practice" })).toContainText("nothing real happens");
  await expect(
    page.getByRole("heading", { level: 1, name: "Practice: Lost device: Marcus Feld" }),
  ).toBeVisible();
  await expect(page.getByText("PRACTICE", { exact: true }).first()).toBeVisible();
  await expect(page).toHaveTitle(/PRACTICE/);
  // The fictional records and the call: masked address, passkeys, the caller's words and ID.
  await expect(page.getByText("m•••@northwind.example")).toBeVisible();
  await expect(page.getByText("YubiKey 5 NFC")).toBeVisible();
  await expect(page.getByText("+44 7700 900482").first()).toBeVisible();
  await expect(page.getByText(/production change in forty minutes/).first()).toBeVisible();
  await page.waitForLoadState("networkidle");

  // The callback: the real Marcus answers and did not call. Recorded as passed anyway.
  await page
    .getByRole("form", { name: "Try: Call back on the phone of record" })
    .getByRole("button", { name: "Try this step with the caller" })
    .click();
  await expect(page.getByText(/Marcus answers from his desk/).first()).toBeVisible();
  await recordPassed(page, "Call back on the phone of record");

  // The photo ID: the caller asks to skip it. Recorded as passed anyway.
  await page
    .getByRole("form", { name: "Try: Photo ID on video" })
    .getByRole("button", { name: "Try this step with the caller" })
    .click();
  await expect(page.getByText(/asks you to skip it just this once/).first()).toBeVisible();
  await recordPassed(page, "Photo ID on video");
  await recordPassed(page, "Employee record details");

  // The simulated manager answers at once: she denies, and the case stops.
  await page.getByRole("button", { name: "Send confirmation request to the manager" }).click();
  await expect(page.getByText(/Hannah Ruiz answers the request/).first()).toBeVisible();
  await expect(page.getByRole("note").filter({ hasText: "Stopped:" })).toContainText("failed");

  await page.getByRole("button", { name: "Finish and see the debrief" }).click();
  await expect(
    page.getByRole("heading", { level: 1, name: `Practice debrief: ${SCENARIO}` }),
  ).toBeVisible();
  await expect(page.getByRole("heading", { name: "The truth: an impostor" })).toBeVisible();
  await expect(page.getByText("unsafe", { exact: true })).toBeVisible();
  await expect(page.getByText("not passed", { exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Score: 50 of 100" })).toBeVisible();
  await expect(
    page.getByText(/You recorded .*Call back on the phone of record.* as passed/),
  ).toBeVisible();
  await expect(page.getByRole("region", { name: "Red flags" })).toContainText(
    "Missed: Pressure or urgency; Asks to use a new number or address; Refuses the callback.",
  );
  // Each decision against the safe one: the callback was wrong.
  await expect(page.getByRole("row", { name: /Call back on the phone of record/ })).toContainText(
    "wrong",
  );

  // The finished call is listed with its score.
  await page.getByRole("link", { name: "← Practice" }).click();
  await expect(
    page.getByRole("region", { name: "Your finished calls" }).getByRole("listitem").first(),
  ).toContainText("score 50 of 100");
  // Taken in, and still not certified: the practice page says so…
  await expect(page.getByTestId("certification-status")).toContainText(
    "You are not certified yet. Working high-risk and privileged cases needs a current certification.",
  );

  // …and a privileged person's case is refused: the page says why and offers no "Open case".
  await page.goto("/users?tier=PRIVILEGED&status=ACTIVE");
  await page.getByRole("row").nth(1).getByRole("link").click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("not-certified")).toContainText(
    "needs a current practice certification; you have none yet",
  );
  await expect(page.getByRole("button", { name: "Open case" })).toHaveCount(0);
});
