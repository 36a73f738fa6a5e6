import { expect, test } from "@playwright/test";
import { addPlatformAuthenticator, signInAs } from "./fixtures";

/**
 * The agent's main job, end to end: a standard-tier caller lost their phone. The agent opens
 * a case, calls back on the number of record, checks the employee record, asks the manager
 * (who answers from their own mail in a second browser), issues a pass that the agent never
 * sees, and the user reads it from their mail and redeems it.
 */
test("a lost-device call: verify, manager confirms, pass the agent never sees, redeem, enrol a passkey; a later call proven with it", async ({
  page,
  browser,
}) => {
  // 1. The agent finds a standard-tier caller with a manager and opens a case.
  await signInAs(page, "AGENT");
  await page.goto("/users?tier=STANDARD&status=ACTIVE");
  await page.getByRole("row").nth(3).getByRole("link").click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  const userName = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
  const workEmail = (await page
    .getByText(/@northwind\.example/)
    .first()
    .textContent())!
    .trim()
    .split(" ")[0]!;
  await page
    .getByLabel("What the caller says (never trusted as evidence)")
    .fill("Lost my phone on the train this morning");
  await page.getByRole("button", { name: "Open case" }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  await expect(page.getByText(/^Still needed:/)).toBeVisible();

  // 2. The issue-pass panel stays locked until the server judges the checklist complete.
  await expect(page.getByRole("button", { name: "Issue and send the pass" })).toHaveCount(0);
  await expect(page.getByText(/^Verification is not complete\./)).toBeVisible();

  // 3. Callback on the number of record, then the employee-record check.
  const callback = page.getByRole("form", { name: "Record: Call back on the phone of record" });
  await callback
    .getByLabel("Note (what you saw or heard)")
    .fill("Answered on the number of record");
  await callback.getByRole("button", { name: "Passed" }).click();
  await expect(
    page.getByRole("form", { name: "Record: Call back on the phone of record" }),
  ).toHaveCount(0);
  await page
    .getByRole("form", { name: "Record: Employee record details" })
    .getByRole("button", { name: "Passed" })
    .click();
  await expect(page.getByRole("form", { name: "Record: Employee record details" })).toHaveCount(0);

  // 4. The manager is asked; they answer from their own mail, in their own browser.
  await page.getByRole("button", { name: "Send confirmation request to the manager" }).click();
  await expect(page.getByText(/Sent to .•••@northwind\.example/)).toBeVisible();
  const manager = await browser.newContext();
  const managerPage = await manager.newPage();
  await expect(async () => {
    await managerPage.goto("/mailbox");
    await expect(
      managerPage.getByRole("article", {
        name: `Please confirm: ${userName} asked for account recovery`,
      }),
    ).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await managerPage
    .getByRole("article", { name: `Please confirm: ${userName} asked for account recovery` })
    .getByRole("link")
    .click();
  await managerPage.waitForLoadState("networkidle");
  await expect(
    managerPage.getByRole("heading", { name: `Did ${userName} ask for account recovery?` }),
  ).toBeVisible();
  await managerPage.getByRole("button", { name: "Yes, this is them" }).click();
  await expect(managerPage.getByRole("status")).toContainText("You confirmed the request");
  await manager.close();

  // 5. Verification is now complete: the agent issues a one-hour pass and never sees it.
  await page.reload();
  await expect(page.getByText("Verification complete.")).toBeVisible();
  await page.getByRole("button", { name: "Issue and send the pass" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Pass sent to" })).toContainText(
    "You will not see it",
  );
  const agentView = await page.content();
  // Nothing shaped like a pass on the agent's page (standing alone: the digits inside a case's
  // UUID, such as d88c0547-5782-4792-8855-…, are not a pass).
  expect(agentView).not.toMatch(
    /(?<![0-9A-Za-z-])[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}(?![0-9A-Za-z-])/,
  );

  // 6. The user reads the pass from their mail and redeems it on the account side.
  const user = await browser.newContext();
  const userPage = await user.newPage();
  let pass = "";
  await expect(async () => {
    await userPage.goto(`/mailbox?to=${encodeURIComponent(workEmail)}`);
    const text = await userPage
      .getByRole("article", { name: "Your temporary access pass" })
      .first()
      .textContent({ timeout: 1000 });
    pass = text!.match(/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/)![0];
  }).toPass({ timeout: 20_000 });
  expect(agentView).not.toContain(pass);
  await userPage.goto("/redeem");
  await userPage.waitForLoadState("networkidle");
  await userPage.getByLabel("Your work email", { exact: true }).fill(workEmail);
  await userPage.getByLabel("Temporary access pass", { exact: true }).fill(pass);
  await userPage.getByRole("button", { name: "Continue" }).click();
  await expect(userPage).toHaveURL(/\/account$/);
  await expect(userPage.getByRole("heading", { name: `Hello, ${userName}` })).toBeVisible();

  // 7. With the short pass session, the user enrols a new passkey: a real WebAuthn ceremony on
  //    Chromium's virtual authenticator, with user verification.
  await addPlatformAuthenticator(userPage);
  await userPage.getByRole("button", { name: "Set up a new passkey" }).click();
  await expect(userPage.getByRole("status")).toContainText("Your new passkey");
  // The pass set up its one passkey and its session ended: the account page now asks for a sign-in.
  await userPage.reload();
  await expect(userPage.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  await expect(userPage.getByRole("button", { name: "Set up a new passkey" })).toHaveCount(0);

  // 8. The same pass does not work twice.
  await userPage.goto("/redeem");
  await userPage.waitForLoadState("networkidle");
  await userPage.getByLabel("Your work email", { exact: true }).fill(workEmail);
  await userPage.getByLabel("Temporary access pass", { exact: true }).fill(pass);
  await userPage.getByRole("button", { name: "Continue" }).click();
  await expect(userPage.getByRole("main").getByRole("alert")).toContainText(
    "do not match a valid pass",
  );

  // 9. The agent sees the new passkey on the user's page, and every decision on the timeline.
  const caseUrl = page.url();
  await page.getByRole("link", { name: userName }).click();
  await expect(page.getByRole("heading", { level: 1, name: userName })).toBeVisible();
  await expect(
    page
      .getByRole("table", { name: `Passkeys of ${userName}` })
      .getByRole("row")
      .filter({ hasText: "Never" })
      .filter({ hasText: "Active" }),
  ).toHaveCount(1);
  await page.goto(caseUrl);
  const timeline = page
    .getByRole("region", { name: "Timeline" })
    .or(page.locator("section[aria-labelledby=timeline]"));
  await expect(page.getByText("reenrolled", { exact: true })).toBeVisible();
  for (const action of [
    "Recovery case opened",
    "Checklist step recorded",
    "Step link sent",
    "Step link answered",
    "Temporary access pass issued",
    "Temporary access pass redeemed",
    "Passkey enrolled",
  ]) {
    await expect(timeline.getByText(action, { exact: true }).first()).toBeVisible();
  }

  // 10. The same person calls again about a replaced laptop. This time they prove it's them
  //     with the passkey they still have (the one just enrolled), from a link in their mail.
  await page.getByRole("link", { name: userName }).click();
  await page.getByLabel("Why are they calling?").selectOption("REPLACED_DEVICE");
  // The first case was never closed: the agent confirms this call needs a case of its own.
  await page.getByRole("checkbox", { name: /the lost device case .* needs its own case/ }).check();
  await page.getByRole("button", { name: "Open another case" }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  await expect(page.getByText("Call 2 in 24 h", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Send a passkey sign-in request to the user" }).click();
  await expect(page.getByText(/Sent to .•••@northwind\.example/)).toBeVisible();
  let proofLink = "";
  await expect(async () => {
    await userPage.goto(`/mailbox?to=${encodeURIComponent(workEmail)}`);
    proofLink = (await userPage
      .getByRole("article", { name: "Confirm it's you with a passkey you still have" })
      .first()
      .getByRole("link")
      .getAttribute("href", { timeout: 1000 }))!;
  }).toPass({ timeout: 20_000 });
  await userPage.goto(proofLink);
  await userPage.waitForLoadState("networkidle");
  await userPage.getByRole("button", { name: "Sign in with my passkey" }).click();
  await expect(userPage.getByRole("status")).toContainText("that proves it's you");
  await page.reload();
  const proofStep = page
    .getByRole("listitem")
    .filter({ has: page.getByRole("heading", { name: /Sign in with a remaining passkey/ }) });
  await expect(proofStep.getByText("Passed", { exact: true })).toBeVisible();

  // The link works once: following it again is refused.
  await userPage.goto(proofLink);
  await userPage.waitForLoadState("networkidle");
  await expect(
    userPage.getByRole("heading", { name: "This link is not valid any more" }),
  ).toBeVisible();
  await user.close();
});

test("a leaver cannot be recovered: no case can be opened", async ({ page }) => {
  await signInAs(page, "AGENT");
  await page.goto("/users?status=LEFT");
  await page.getByRole("row").nth(1).getByRole("link").click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  await expect(page.getByText("No recovery for someone who left or is suspended.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Open case" })).toHaveCount(0);
});
