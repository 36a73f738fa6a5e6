import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import {
  e2eSql,
  mailFor,
  PLATFORM_AUTHENTICATOR,
  signInAs,
  STANDARD_LIST,
  userWithEnrolledPasskey,
} from "./fixtures";

/** axe on the page as it stands: nothing serious or critical. */
async function expectAxeClean(page: Page, what: string) {
  await page.waitForLoadState("networkidle");
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(
    violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id),
    what,
  ).toEqual([]);
}

/**
 * Saved recovery codes (issue 15, part B; docs/decisions/037): a user makes codes on /account,
 * signs out, loses the device, and with one code marks the old passkey lost and sets up a new
 * one on another device, without a call; the same code fails the second time; a code is refused
 * once the person is high-risk; wrong guesses are throttled.
 */
test("recovery codes: make them, use one once to enrol a new passkey; refused for high-risk; guesses throttled", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  // 1. A standard user with a real passkey (the second page's first row: no other spec uses it;
  //    the self-service spec has row 10 of the first). Their first recovery
  //    was days ago (moved back here), so a code is not a repeat call needing a supervisor.
  await signInAs(page, "AGENT");
  const { context, user, cdp, authenticatorId, userName, workEmail } =
    await userWithEnrolledPasskey(page, browser, 1, `${STANDARD_LIST}&page=2`);
  const [person] = await e2eSql<{ userId: string }>(
    `SELECT "userId" FROM "WorkforceEmail" WHERE address = $1`,
    [workEmail],
  );
  await e2eSql(
    `UPDATE "RecoveryCase" SET "createdAt" = "createdAt" - interval '3 days' WHERE "userId" = $1`,
    [person!.userId],
  );

  // 2. Signed in with the passkey, they make a set of codes, shown once.
  await user.goto("/account");
  await user.waitForLoadState("networkidle");
  await user.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(user.getByRole("heading", { name: `Hello, ${userName}` })).toBeVisible();
  const codesSection = user.getByRole("region", { name: "Recovery codes" });
  await expect(codesSection).toContainText("You have no recovery codes.");
  await codesSection.getByRole("button", { name: "Make recovery codes" }).click();
  const list = codesSection.getByRole("list", { name: "Your new recovery codes" });
  await expect(list.getByRole("listitem")).toHaveCount(10);
  const codes = (await list.getByRole("listitem").allTextContents()).map((c) => c.trim());
  for (const code of codes) expect(code).toMatch(/^([0-9A-Z]{4}-){5}[0-9A-Z]{4}$/);
  await expect(codesSection.getByRole("status")).toContainText("they will not be shown again");
  await expectAxeClean(user, "account, codes shown");
  await mailFor(user, "New recovery codes were made for your account", `Hello ${userName},`);

  // The help desk sees that codes exist, never the codes.
  await page.goto(`/users/${person!.userId}`);
  const deskView = page.getByRole("region", { name: "Recovery codes" });
  await expect(deskView).toContainText(/Has recovery codes \(10 of 10 left, created /);
  for (const code of codes) await expect(page.getByText(code)).toHaveCount(0);

  // 3. Signed out; the device is lost: a new device (a fresh virtual authenticator).
  await user.goto("/account");
  await user.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(user.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
  await cdp.send("WebAuthn.addVirtualAuthenticator", { options: PLATFORM_AUTHENTICATOR });

  // 4. A code: the lost passkey is revoked, a new one set up.
  const enterCode = async (who: Page, code: string) => {
    await who.goto("/recover-with-code");
    await who.waitForLoadState("networkidle");
    await who.getByLabel("Your employee ID or work email", { exact: true }).fill(workEmail);
    await who.getByLabel("Recovery code", { exact: true }).fill(code);
    await who.getByRole("button", { name: "Continue" }).click();
  };
  await user.goto("/recover-with-code");
  await expectAxeClean(user, "recover with a code");
  await enterCode(user, codes[0]!.toLowerCase());
  await expect(user).toHaveURL(/\/account$/);
  await expect(user.getByText("You are signed in with a recovery code")).toBeVisible();
  await expectAxeClean(user, "account, code session");
  const lost = user.getByRole("region", { name: "Passkeys on lost devices" });
  await lost.getByRole("checkbox").first().check();
  await lost.getByRole("button", { name: "Revoke the chosen passkeys" }).click();
  await expect(user.getByRole("status").filter({ hasText: "revoked" })).toBeVisible();
  await user.getByRole("button", { name: "Set up a new passkey" }).click();
  await expect(user.getByRole("status").filter({ hasText: "Your new passkey" })).toBeVisible();
  const notice = await mailFor(
    user,
    "A recovery code was used for your account",
    `Hello ${userName},`,
  );
  await expect(notice.getByRole("link", { name: /\/report\// })).toHaveCount(1);

  // 5. The same code, a second time: refused.
  await enterCode(user, codes[0]!);
  await expect(user.getByRole("main").getByRole("alert")).toContainText("do not match");
  await expect(user).toHaveURL(/\/recover-with-code$/);

  // 6. The person became high-risk (HR changed their role): their codes are refused.
  await e2eSql(`UPDATE "WorkforceUser" SET "riskTier" = 'HIGH_RISK' WHERE id = $1`, [
    person!.userId,
  ]);
  await enterCode(user, codes[1]!);
  await expect(user.getByRole("main").getByRole("alert")).toContainText(
    "Recovery codes cannot be used for your account",
  );

  // Back to standard: other specs pick standard users by their row in the directory.
  await e2eSql(`UPDATE "WorkforceUser" SET "riskTier" = 'STANDARD' WHERE id = $1`, [
    person!.userId,
  ]);

  // 7. Wrong guesses, from another client: throttled (the person's budget is shared by all).
  const guesser = await browser.newContext({
    extraHTTPHeaders: { "X-Forwarded-For": "10.77.0.1" },
  });
  const guess = await guesser.newPage();
  let throttled = false;
  for (let i = 0; i < 12 && !throttled; i++) {
    await enterCode(guess, "0000-0000-0000-0000-0000-0000");
    const alert = guess.getByRole("main").getByRole("alert");
    await expect(alert).toBeVisible();
    throttled = /Too many tries/.test((await alert.textContent()) ?? "");
  }
  expect(throttled).toBe(true);
  await guesser.close();
  await context.close();
});
