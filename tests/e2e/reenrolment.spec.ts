import { expect, test } from "@playwright/test";
import { confirmItsYou, mailFor, signInAs, signInWithStaffPasskey } from "./fixtures";

/**
 * A high-risk user's re-enrolment: the agent verifies them and requests it; a different
 * supervisor approves in another browser; the user sets up a new passkey from the emailed
 * link (the lost one is revoked in the same step) and signs in with it.
 */
test("high-risk re-enrolment: verify, request, a different supervisor approves, enrol from the link, sign in", async ({
  page,
  browser,
}) => {
  // 1. The agent opens a case for a high-risk user who still has passkeys on record.
  await signInAs(page, "AGENT");
  await page.goto("/users?tier=HIGH_RISK&status=ACTIVE");
  const rows = page.getByRole("row").filter({ hasNot: page.getByRole("columnheader") });
  const withPasskeys = rows.filter({ has: page.locator("td:last-child", { hasText: /^[1-9]/ }) });
  await withPasskeys.first().getByRole("link").click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  const userName = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
  await page.getByLabel("How did they reach you?").selectOption("VIDEO");
  await page.getByRole("button", { name: "Open case" }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  const caseUrl = page.url();

  // 2. The full high-risk script: callback, manager, photo ID on video, record details.
  for (const title of [
    "Call back on the phone of record",
    "Photo ID on video",
    "Employee record details",
  ]) {
    await page
      .getByRole("form", { name: `Record: ${title}` })
      .getByRole("button", { name: "Passed" })
      .click();
    await expect(page.getByRole("form", { name: `Record: ${title}` })).toHaveCount(0);
  }
  await page.getByRole("button", { name: "Send confirmation request to the manager" }).click();
  const managerContext = await browser.newContext();
  const manager = await managerContext.newPage();
  await (
    await mailFor(manager, `Please confirm: ${userName} asked for account recovery`)
  )
    .getByRole("link")
    .click();
  await manager.waitForLoadState("networkidle");
  await manager.getByRole("button", { name: "Yes, this is them" }).click();
  await expect(manager.getByRole("status")).toContainText("You confirmed");
  await managerContext.close();

  // 3. The agent asks to re-enrol, choosing the lost passkey to revoke: it waits for approval.
  await page.reload();
  await expect(page.getByText("Verification complete.")).toBeVisible();
  const reenrol = page.getByRole("form", { name: "Request re-enrolment" });
  await reenrol.getByRole("checkbox").first().check();
  await reenrol.getByRole("button", { name: "Request re-enrolment" }).click();
  await expect(
    page
      .getByRole("region", { name: "Re-enrolment" })
      .getByText(/Approval pending \(high-risk tier\)/),
  ).toBeVisible();

  // 4. The agent cannot approve (the queue is not theirs); a supervisor in another browser does.
  expect((await page.goto("/approvals"))?.status()).toBe(403);
  const supervisorContext = await browser.newContext();
  const supervisor = await supervisorContext.newPage();
  await signInWithStaffPasskey(supervisor, "SUPERVISOR");
  await supervisor.goto("/approvals");
  // Deciding is a high-risk act: she confirms it's her with her staff passkey first.
  await confirmItsYou(supervisor);
  const request = supervisor.getByRole("article", { name: `Re-enrolment for ${userName}` });
  await expect(request.getByText("to revoke")).toBeVisible();
  await request
    .getByLabel("Reason for your decision")
    .fill("Video ID and manager confirmation match");
  await request.getByRole("button", { name: "Approve" }).click();
  await expect(supervisor.getByRole("region", { name: "Your latest decisions" })).toContainText(
    `${userName}: approved, enrolment link sent`,
  );
  await supervisorContext.close();

  // 5. The user opens the emailed link and sets up a new passkey on their new device.
  const userContext = await browser.newContext();
  const user = await userContext.newPage();
  const link = (await (
    await mailFor(user, "Set up your new passkey", `Hello ${userName},`)
  )
    .getByRole("link")
    .first()
    .getAttribute("href"))!;
  await user.goto(link);
  await user.waitForLoadState("networkidle");
  const cdp = await userContext.newCDPSession(user);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await user.getByRole("button", { name: "Set up a new passkey" }).click();
  await expect(user.getByRole("status")).toContainText("Your new passkey");

  // 6. The link worked once; the user signs in with the new passkey.
  await user.goto(link);
  await user.waitForLoadState("networkidle");
  await expect(
    user.getByRole("heading", { name: "This link is not valid any more" }),
  ).toBeVisible();
  await user.goto("/account");
  await user.waitForLoadState("networkidle");
  await user.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(user.getByRole("heading", { name: `Hello, ${userName}` })).toBeVisible();
  await userContext.close();

  // 7. The case is re-enrolled; the lost passkey is revoked.
  await page.goto(caseUrl);
  await expect(page.getByText("reenrolled", { exact: true })).toBeVisible();
  await expect(page.getByText("used: new passkey set up")).toBeVisible();
  await page.getByRole("link", { name: userName }).click();
  await expect(
    page.getByRole("table", { name: `Passkeys of ${userName}` }).getByText(/Revoked \(lost\)/),
  ).toBeVisible();
});
