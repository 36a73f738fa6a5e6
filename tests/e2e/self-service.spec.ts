import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { signInAs, swapAuthenticator, userWithEnrolledPasskey } from "./fixtures";

/** Nothing serious or critical for axe, in both colour schemes (docs/accessibility.md). */
async function expectAccessible(page: Page, what: string) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const { violations } = await new AxeBuilder({ page }).analyze();
    const serious = violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`);
    expect(serious, `${what} (${colorScheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** The mail with this subject at this address, once it has arrived (every notice: its own link). */
async function noticeAt(user: Page, address: string, subject: string) {
  const notices = user.getByRole("article", { name: subject });
  await expect(async () => {
    await user.goto(`/mailbox?to=${encodeURIComponent(address)}`);
    await expect(notices.first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  const notice = notices.first();
  await expect(notice).toContainText("If this wasn't you");
  await expect(notice.getByRole("link", { name: /\/report\// })).toHaveCount(1);
  return notice;
}

/**
 * Self-service on /account (docs/decisions/036), in the words: a user adds a second
 * passkey, and removes one, with the mail arriving; reporting a device lost makes its passkey
 * fail at the next sign-in.
 */
test("a user adds a second passkey and removes one, with the mail arriving; a device reported lost fails at the next sign-in", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  // 1. A user with a real passkey (set up through a recovery) signs in with it on /account.
  //    Row 10: a standard user no other spec touches.
  await signInAs(page, "AGENT");
  const { context, user, cdp, authenticatorId, userName, workEmail } =
    await userWithEnrolledPasskey(page, browser, 10);
  await user.reload();
  await user.waitForLoadState("networkidle");
  await user.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(user.getByRole("heading", { name: `Hello, ${userName}` })).toBeVisible();
  const active = user.getByRole("list", { name: "Your active passkeys" }).getByRole("listitem");
  await expect(active).toHaveCount(1);

  // 2. A second passkey, on another device (the sign-in's verification allows one at once).
  await swapAuthenticator(cdp, authenticatorId);
  const add = user.getByRole("region", { name: "Add a passkey" });
  await add.getByRole("button", { name: "Add a passkey" }).click();
  await expect(add.getByRole("status")).toContainText("Your new passkey");
  await user.reload();
  await user.waitForLoadState("networkidle");
  await expect(active).toHaveCount(2);
  await noticeAt(user, workEmail, "A passkey was added to your account");

  // 3. Removing the first one (the device no longer in use) needs "Confirm it's you" first, with
  //    the passkey still at hand; then it is listed apart as removed, and the mail arrives.
  await user.goto("/account");
  await user.waitForLoadState("networkidle");
  const first = active.last();
  await first.getByText(/^Manage /).click();
  await expectAccessible(user, "account, managing a passkey");
  await first.getByRole("button", { name: "Remove this passkey" }).click();
  await expect(first.getByRole("alert")).toContainText("Confirm it's you first");
  await user.getByRole("button", { name: "Confirm with a passkey to remove or report" }).click();
  await expect(user.getByText(/^You confirmed it's you/)).toBeVisible();
  await user.reload();
  await user.waitForLoadState("networkidle");
  await active
    .last()
    .getByText(/^Manage /)
    .click();
  await active.last().getByRole("button", { name: "Remove this passkey" }).click();
  await expect(user.getByRole("status").filter({ hasText: "Removed." })).toBeVisible();
  await user.reload();
  await expect(active).toHaveCount(1);
  await expect(user.getByRole("list", { name: "Your removed and revoked passkeys" })).toContainText(
    "removed by you",
  );
  const removed = await noticeAt(user, workEmail, "A passkey was removed from your account");
  await expect(removed).toContainText(`Hello ${userName},`);

  // 4. The one left is the last: reporting its device lost shows what recovery will then take,
  //    and needs the box ticked (the server refuses it otherwise).
  await user.goto("/account");
  await user.waitForLoadState("networkidle");
  await user.getByRole("button", { name: "Confirm with a passkey to remove or report" }).click();
  await expect(user.getByText(/^You confirmed it's you/)).toBeVisible();
  await user.reload();
  await user.waitForLoadState("networkidle");
  const last = active.first();
  await last.getByText(/^Manage /).click();
  const report = last.getByRole("form", { name: /^Report this device lost/ });
  await expect(report).toContainText("This is your last passkey");
  await expect(report).toContainText("call back on the phone of record");
  await report.getByRole("button", { name: "Report this device lost" }).click();
  await expect(report.getByRole("alert")).toContainText("Tick the box");
  await report.getByLabel("I understand: this is my last passkey.").check();
  await report.getByRole("button", { name: "Report this device lost" }).click();
  await expect(user.getByText(/^Reported\. That passkey no longer works/)).toBeVisible();
  await noticeAt(user, workEmail, "A device was reported lost on your account");

  // 5. Signed out everywhere, here too; the lost passkey (still on this device) no longer signs in.
  await user.goto("/account");
  await user.waitForLoadState("networkidle");
  await expect(user.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  await user.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(user.getByText("That passkey cannot sign you in")).toBeVisible();
  await expect(user.getByRole("heading", { name: `Hello, ${userName}` })).toHaveCount(0);
  await context.close();
});
