import { expect, test } from "@playwright/test";
import {
  addPlatformAuthenticator,
  confirmItsYou,
  HIGH_RISK_USER,
  mailFor,
  requestHighRiskReenrolment,
  signInAs,
  signInWithStaffPasskey,
} from "./fixtures";

/**
 * A high-risk user's re-enrolment: the agent verifies them and requests it; a different
 * supervisor approves in another browser; the user sets up a new passkey from the emailed
 * link (the lost one is revoked in the same step) and signs in with it.
 */
test("high-risk re-enrolment: verify, request, a different supervisor approves, enrol from the link, sign in", async ({
  page,
  browser,
}) => {
  // 1-3. The agent verifies a high-risk user who still has passkeys on record (callback, photo
  // ID on video, record details, the manager by mail) and asks to re-enrol them, choosing the
  // lost passkey to revoke: it waits for approval.
  await signInAs(page, "AGENT");
  const { userName, caseUrl } = await requestHighRiskReenrolment(
    page,
    browser,
    HIGH_RISK_USER.reenrolment,
  );

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
  await addPlatformAuthenticator(user);
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
