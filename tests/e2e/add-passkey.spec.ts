import { expect, test } from "@playwright/test";
import { mailFor, signInAs, swapAuthenticator, userWithEnrolledPasskey } from "./fixtures";

/**
 * Adding a passkey while signed in with another (docs/decisions/016): the sign-in's own user
 * verification allows one, a second needs "Confirm it's you", and every address of record gets
 * a notice whose "this wasn't me" link removes that passkey and signs the person out.
 */
test("signed in with a passkey: add one, confirm it's you, add another, and the notice's link undoes it", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  // 1. A user with a real passkey (enrolled through a recovery) signs in with it on /account.
  //    Row 21: a standard user no other spec touches.
  await signInAs(page, "AGENT");
  const { context, user, cdp, authenticatorId, userName, workEmail } =
    await userWithEnrolledPasskey(page, browser, 21);
  await user.reload();
  await user.waitForLoadState("networkidle");
  await user.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(user.getByRole("heading", { name: `Hello, ${userName}` })).toBeVisible();
  const section = user.getByRole("region", { name: "Add a passkey" });
  await expect(section).toBeVisible();
  const activePasskeys = user.locator("h2:text-is('Your passkeys') + ul > li", {
    hasText: "· active",
  });
  const before = await activePasskeys.count();
  expect(before).toBeGreaterThan(0);

  // 2. The sign-in was user-verified a moment ago: one passkey may be added at once, on another
  //    device (a second authenticator).
  await expect(section.getByRole("button", { name: "Confirm it's you" })).toHaveCount(0);
  const second = await swapAuthenticator(cdp, authenticatorId);
  await section.getByRole("button", { name: "Add a passkey" }).click();
  await expect(section.getByRole("status")).toContainText("Your new passkey");
  await expect(section.getByRole("status")).toContainText("confirm it's you again");

  // 3. A second one needs "Confirm it's you" first (with a passkey the user already has: the one
  //    just added), then the enrolment on a third device.
  await expect(section.getByRole("button", { name: "Add a passkey" })).toHaveCount(0);
  await section.getByRole("button", { name: "Confirm it's you" }).click();
  await expect(section.getByRole("status")).toContainText("Confirmed");
  await swapAuthenticator(cdp, second);
  await section.getByRole("button", { name: "Add a passkey" }).click();
  await expect(section.getByRole("status")).toContainText("Your new passkey");
  await user.reload();
  await expect(activePasskeys).toHaveCount(before + 2);
  await expect(user.getByRole("button", { name: "Confirm it's you" })).toBeVisible();

  // 4. The user's mail: a notice for each addition at every address (here the work one, and a
  //    personal one), saying which device and when, with the link.
  const subject = "A passkey was added to your account";
  await mailFor(user, subject, `Hello ${userName},`);
  const notices = user.getByRole("article", { name: subject });
  await expect(async () => {
    await user.goto(`/mailbox?to=${encodeURIComponent(workEmail)}`);
    await expect(notices).toHaveCount(2, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  const notice = notices.first();
  await expect(notice).toContainText(`To ${workEmail}`);
  await expect(notice).toContainText(
    /A passkey \(.+\) was added to your account on \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
  );
  await expect(notice).toContainText("If this wasn't you");
  const link = notice.getByRole("link", { name: /\/report\// });
  await expect(link).toHaveCount(1);

  // 5. "This wasn't me": the page says what is reported; the button removes that passkey and
  //    signs the person out everywhere.
  await link.click();
  await user.waitForLoadState("networkidle");
  await expect(user.getByRole("heading", { name: `Wasn’t this you, ${userName}?` })).toBeVisible();
  await expect(user.getByText(/A passkey \(.+\) was added to your account on/)).toBeVisible();
  await user.getByRole("button", { name: "This wasn’t me: remove that passkey" }).click();
  await expect(user.getByRole("main").getByRole("status")).toContainText(
    "That passkey has been removed",
  );
  await user.goto("/account");
  await expect(user.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  await context.close();
});
