import { expect, test } from "@playwright/test";
import {
  addPlatformAuthenticator,
  confirmItsYou,
  signInAs,
  signInWithStaffPasskey,
  userWithEnrolledPasskey,
} from "./fixtures";

/**
 * Stolen phone: the user can sign in with their passkey until the agent revokes everything;
 * from then on the same passkey fails at once, and the user is signed out everywhere.
 */
test("a stolen phone: revoke-all needs no approval and the old passkey fails at the next sign-in", async ({
  page,
  browser,
}) => {
  // 1. A user with a real passkey (enrolled on a virtual authenticator through a recovery). The
  //    agent sets up a staff passkey on signing in: revoking is a high-risk act (decision 015).
  await signInWithStaffPasskey(page, "AGENT");
  const { context, user, userName, userUrl } = await userWithEnrolledPasskey(page, browser);

  // 2. They sign out, then sign back in with that passkey.
  await user.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(user.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  await user.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(user.getByRole("heading", { name: `Hello, ${userName}` })).toBeVisible();

  // 3. The phone is stolen: the agent (no supervisor) confirms it's them and revokes every
  //    passkey at once, once the dialog has named what that revokes (decision 025).
  await page.goto(userUrl);
  await confirmItsYou(page);
  await page
    .getByRole("form", { name: "Revoke all passkeys" })
    .getByRole("button", { name: "Revoke all passkeys…" })
    .click();
  await page
    .getByRole("dialog", { name: `Revoke all of ${userName}’s passkeys?` })
    .getByRole("button", { name: /^Revoke (this passkey|these \d+ passkeys) now$/ })
    .click();
  await expect(page.getByRole("status").filter({ hasText: "Revoked" })).toContainText(
    "signed out everywhere",
  );
  await expect(page.getByText("0 active of", { exact: false })).toBeVisible();

  // 4. The user's open session is gone, and the same passkey no longer signs in.
  await user.reload();
  await expect(user.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  await user.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(user.getByRole("main").getByRole("alert")).toContainText(
    "That passkey cannot sign you in",
  );
  await context.close();

  // 5. The user page's audit shows the revocation and the refused sign-in.
  await page.reload();
  const events = page.locator("section[aria-labelledby=events]");
  await expect(events.getByText("Passkeys revoked", { exact: true }).first()).toBeVisible();
  await expect(events.getByText("User's passkey sign-in refused", { exact: true })).toBeVisible();
});

test("a cloned passkey whose counter went backwards is refused", async ({ page, browser }) => {
  await signInAs(page, "AGENT");
  const { context, user, cdp, authenticatorId, userName, userUrl } = await userWithEnrolledPasskey(
    page,
    browser,
    7,
  );

  // 1. Copy the credential as it is now (an attacker's clone), then use the original once more.
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  const clone = credentials[0]!;
  await user.getByRole("button", { name: "Sign out", exact: true }).click();
  await user.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(user.getByRole("heading", { name: `Hello, ${userName}` })).toBeVisible();

  // 2. The clone, in another browser with the old signature counter, is refused.
  const attackerContext = await browser.newContext();
  const attacker = await attackerContext.newPage();
  const { cdp: attackerCdp, authenticatorId: attackerAuthenticator } =
    await addPlatformAuthenticator(attacker);
  await attackerCdp.send("WebAuthn.addCredential", {
    authenticatorId: attackerAuthenticator,
    credential: clone,
  });
  await attacker.goto("/account");
  await attacker.waitForLoadState("networkidle");
  await attacker.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(attacker.getByRole("main").getByRole("alert")).toContainText(
    "That passkey cannot sign you in",
  );
  await attackerContext.close();
  await context.close();

  // 3. The agent sees why: the counter went backwards.
  await page.goto(userUrl);
  await expect(
    page.locator("section[aria-labelledby=events]").getByText(/verification failed: .*counter/i),
  ).toBeVisible();
});

test("an authenticator without user verification, and another user's passkey, are refused", async ({
  page,
  browser,
}) => {
  await signInAs(page, "AGENT");
  const { context, cdp, authenticatorId } = await userWithEnrolledPasskey(page, browser, 9);
  const [credential] = (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
  await context.close();

  // 1. The same credential on an authenticator that cannot verify the user: no sign-in.
  const weakContext = await browser.newContext();
  const weak = await weakContext.newPage();
  const weakCdp = await weakContext.newCDPSession(weak);
  await weakCdp.send("WebAuthn.enable");
  const { authenticatorId: weakAuthenticator } = await weakCdp.send(
    "WebAuthn.addVirtualAuthenticator",
    {
      options: {
        protocol: "ctap2",
        transport: "usb",
        hasResidentKey: true,
        hasUserVerification: false,
        isUserVerified: false,
        automaticPresenceSimulation: true,
      },
    },
  );
  await weakCdp.send("WebAuthn.addCredential", {
    authenticatorId: weakAuthenticator,
    credential: credential!,
  });
  await weak.goto("/account");
  await weak.waitForLoadState("networkidle");
  await weak.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(weak.getByRole("main").getByRole("alert")).toBeVisible();
  await expect(weak.getByRole("heading", { name: /^Hello/ })).toHaveCount(0);
  await weakContext.close();

  // 2. Someone else's passkey cannot prove this user: the proof link asks only for their passkeys.
  const other = await userWithEnrolledPasskey(page, browser, 11);
  await page.goto(other.userUrl);
  await page.getByLabel("Why are they calling?").selectOption("REPLACED_DEVICE");
  // Their enrolment case was never closed: this call needs a case of its own.
  await page.getByRole("checkbox", { name: /needs its own case/ }).check();
  await page.getByRole("button", { name: "Open another case" }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  await page.getByRole("button", { name: "Send a passkey sign-in request to the user" }).click();
  await expect(page.getByText(/Sent to .•••@/)).toBeVisible();
  const strangerContext = await browser.newContext();
  const stranger = await strangerContext.newPage();
  const article = stranger
    .getByRole("article", { name: "Confirm it's you with a passkey you still have" })
    .filter({ hasText: `Hello ${other.userName},` })
    .first();
  await expect(async () => {
    await stranger.goto("/mailbox");
    await expect(article).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  const proofLink = (await article.getByRole("link").getAttribute("href"))!;
  const { cdp: strangerCdp, authenticatorId: strangerAuthenticator } =
    await addPlatformAuthenticator(stranger);
  await strangerCdp.send("WebAuthn.addCredential", {
    authenticatorId: strangerAuthenticator,
    credential: credential!,
  });
  await stranger.goto(proofLink);
  await stranger.waitForLoadState("networkidle");
  await stranger.getByRole("button", { name: "Sign in with my passkey" }).click();
  await expect(stranger.getByRole("main").getByRole("alert")).toBeVisible();
  await page.reload();
  const proofStep = page
    .getByRole("listitem")
    .filter({ has: page.getByRole("heading", { name: /Sign in with a remaining passkey/ }) });
  await expect(proofStep.getByText("To do", { exact: true })).toBeVisible();
  await strangerContext.close();
  await other.context.close();
});
