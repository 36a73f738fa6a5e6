import { expect, test } from "@playwright/test";
import { signInAs, userWithEnrolledPasskey } from "./fixtures";

/**
 * Stolen phone: the user can sign in with their passkey until the agent revokes everything;
 * from then on the same passkey fails at once, and the user is signed out everywhere.
 */
test("a stolen phone: revoke-all needs no approval and the old passkey fails at the next sign-in", async ({ page, browser }) => {
  // 1. A user with a real passkey (enrolled on a virtual authenticator through a recovery).
  await signInAs(page, "AGENT");
  const { context, user, userName, userUrl } = await userWithEnrolledPasskey(page, browser);

  // 2. They sign out, then sign back in with that passkey.
  await user.getByRole("button", { name: "Sign out" }).click();
  await expect(user.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  await user.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(user.getByRole("heading", { name: `Hello, ${userName}` })).toBeVisible();

  // 3. The phone is stolen: the agent (no supervisor) revokes every passkey at once.
  await page.goto(userUrl);
  await page.getByRole("form", { name: "Revoke all passkeys" }).getByRole("button", { name: "Revoke all passkeys now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Revoked" })).toContainText("signed out everywhere");
  await expect(page.getByText("0 active of", { exact: false })).toBeVisible();

  // 4. The user's open session is gone, and the same passkey no longer signs in.
  await user.reload();
  await expect(user.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  await user.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(user.getByRole("main").getByRole("alert")).toContainText("That passkey cannot sign you in");
  await context.close();

  // 5. The user page's audit shows the revocation and the refused sign-in.
  await page.reload();
  const events = page.locator("section[aria-labelledby=events]");
  await expect(events.getByText("passkey.revoked", { exact: true })).toBeVisible();
  await expect(events.getByText("workforce.sign_in_refused", { exact: true })).toBeVisible();
});

test("a cloned passkey whose counter went backwards is refused", async ({ page, browser }) => {
  await signInAs(page, "AGENT");
  const { context, user, cdp, authenticatorId, userName, userUrl } = await userWithEnrolledPasskey(page, browser, 7);

  // 1. Copy the credential as it is now (an attacker's clone), then use the original once more.
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  const clone = credentials[0]!;
  await user.getByRole("button", { name: "Sign out" }).click();
  await user.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(user.getByRole("heading", { name: `Hello, ${userName}` })).toBeVisible();

  // 2. The clone, in another browser with the old signature counter, is refused.
  const attackerContext = await browser.newContext();
  const attacker = await attackerContext.newPage();
  const attackerCdp = await attackerContext.newCDPSession(attacker);
  await attackerCdp.send("WebAuthn.enable");
  const { authenticatorId: attackerAuthenticator } = await attackerCdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  await attackerCdp.send("WebAuthn.addCredential", { authenticatorId: attackerAuthenticator, credential: clone });
  await attacker.goto("/account");
  await attacker.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(attacker.getByRole("main").getByRole("alert")).toContainText("That passkey cannot sign you in");
  await attackerContext.close();
  await context.close();

  // 3. The agent sees why: the counter went backwards.
  await page.goto(userUrl);
  await expect(page.locator("section[aria-labelledby=events]").getByText(/verification failed: .*counter/i)).toBeVisible();
});
