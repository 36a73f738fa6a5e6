import { expect, test } from "@playwright/test";
import { enrolStaffPasskey, signInAsStaff } from "./fixtures";

/**
 * Decision 015 as a newcomer meets it: a high-risk act is refused until they confirm it's them,
 * the refusal offers the way (set up a staff passkey, then "Confirm it's you"), and pressing the
 * act again goes through. Their passkeys are listed on "Your passkeys" and can be removed.
 */
test("a newcomer sets up a staff passkey, confirms it's them from a refused act, and it goes through", async ({
  page,
}) => {
  await signInAsStaff(page, "Tom Becker");
  await page.goto("/users?tier=FRONTLINE&status=ACTIVE");
  await page.getByRole("row").nth(2).getByRole("link").click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  const userUrl = page.url();
  await page.waitForLoadState("networkidle");

  // 1. No staff passkey yet: the act is refused, and the refusal links to setting one up.
  const revoke = page.getByRole("button", { name: "Revoke", exact: true }).first();
  await revoke.click();
  await expect(page.getByRole("main").getByRole("alert").first()).toContainText(
    "you have none yet",
  );

  // 2. "Your passkeys": none yet; a fresh sign-in may set up the first.
  await enrolStaffPasskey(page);
  const list = page.getByRole("region", { name: "Staff passkeys" });
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await expect(page.getByRole("region", { name: "Add a passkey" })).toContainText(
    "confirm it's you with it first",
  );

  // 3. Back on the user page, the act is refused once more, now offering "Confirm it's you".
  await page.goto(userUrl);
  await page.waitForLoadState("networkidle");
  const activeBefore = await page.getByText(/\d+ active of \d+/).textContent();
  const form = page.getByRole("table").getByRole("form").first();
  await form.getByRole("button", { name: "Revoke", exact: true }).click();
  await expect(form.getByRole("alert")).toHaveText(
    "Confirm it's you with your passkey, then try again.",
  );
  await form.getByRole("button", { name: "Confirm it's you" }).click();
  await expect(form.getByRole("status")).toContainText("Now press the button above again.");
  await form.getByRole("button", { name: "Revoke", exact: true }).click();
  // Done: the row's form gives way to its "Revoked" badge.
  await expect(page.getByText(/\d+ active of \d+/)).not.toHaveText(activeBefore!);
  await expect(page.getByRole("status", { name: "Step-up" })).toContainText(
    "You confirmed it's you",
  );

  // 4. They can remove their staff passkey (confirmed a moment ago).
  await page.getByRole("link", { name: "Your passkeys" }).click();
  await page.waitForLoadState("networkidle");
  await page.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByText("You have none yet.")).toBeVisible();
});
