import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { managerAnswersFromMail, signInAs } from "./fixtures";

/** Chromium's virtual authenticator answers with this AAGUID when attestation is asked for. */
const VIRTUAL_AAGUID = "01020304-0506-0708-0102-030405060708";
const SERIAL = "NW-E2E-0039";

/** axe on the page as it stands, light and dark: nothing serious or critical. */
async function expectAxeClean(page: Page, what: string) {
  await page.waitForLoadState("networkidle");
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const { violations } = await new AxeBuilder({ page }).analyze();
    expect(
      violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
      `${what}, ${colorScheme}`,
    ).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/**
 * Issue 15, part D (docs/decisions/039): security adds a key to stock; an agent issues it to a
 * frontline person from a verified walk-in case, the registration running in the agent's browser
 * with a roaming ("usb") virtual authenticator; then the person, holding the key, signs in with
 * it on /account. Row 7 of the active frontline people: no other spec uses it.
 */
test("a key issued from a verified walk-in case becomes the person's passkey, and they sign in with it", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);

  // 1. Security adds the key to stock.
  const securityContext = await browser.newContext();
  const security = await securityContext.newPage();
  await signInAs(security, "SECURITY");
  await security.getByRole("link", { name: "Security keys" }).click();
  await expect(security.getByRole("heading", { name: "Security keys", level: 1 })).toBeVisible();
  await security.waitForLoadState("networkidle");
  await security.getByLabel("Serial (as printed on the key)").fill(SERIAL);
  await security.getByLabel(/^AAGUID/).fill(VIRTUAL_AAGUID);
  await security.getByLabel(/Model name/).fill("Desk test key");
  await security.getByRole("button", { name: "Add to stock" }).click();
  await expect(security.getByRole("status").filter({ hasText: "Added to stock." })).toBeVisible();
  await security.reload();
  await expect(security.getByRole("row", { name: new RegExp(SERIAL) })).toContainText("In stock");
  await expectAxeClean(security, "the security keys page (security reviewer)");
  await securityContext.close();

  // 2. The agent opens a walk-in case for a frontline person at the desk and verifies them.
  await signInAs(page, "AGENT");
  await page.goto("/users?tier=FRONTLINE&status=ACTIVE");
  await page.getByRole("row").nth(7).getByRole("link").click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  const userName = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
  await page.waitForLoadState("networkidle");
  await page.getByLabel("How did they reach you?").selectOption("WALK_IN");
  await page.getByRole("button", { name: "Open case" }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  for (const title of ["Photo ID on video", "Employee record details"]) {
    await page
      .getByRole("form", { name: `Record: ${title}` })
      .getByRole("button", { name: "Passed" })
      .click();
    await expect(page.getByRole("form", { name: `Record: ${title}` })).toHaveCount(0);
  }
  await page.getByRole("button", { name: "Send confirmation request to the manager" }).click();
  await expect(page.getByText(/Sent to .•••@/)).toBeVisible();
  await managerAnswersFromMail(browser, userName, "Yes, this is them");

  // 3. The key is plugged into the desk computer (a roaming virtual authenticator) and issued.
  await page.reload();
  const section = page.getByRole("region", { name: "Issue a security key" });
  await expect(section).toBeVisible();
  await expectAxeClean(page, "a verified walk-in case offering a key");
  const desk = await page.context().newCDPSession(page);
  await desk.send("WebAuthn.enable");
  const { authenticatorId } = await desk.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "usb",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await section.getByLabel("Key from stock").selectOption({ label: `${SERIAL} (Desk test key)` });
  await section.getByRole("button", { name: "Register the key for this person" }).click();
  await expect(section.getByRole("status")).toContainText(`Key ${SERIAL} is issued`);
  const { credentials } = await desk.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);

  await page.goto("/keys?show=ISSUED");
  await expect(page.getByRole("row", { name: new RegExp(SERIAL) })).toContainText(userName);

  // 4. The person takes the key away and signs in with it on /account.
  const userContext = await browser.newContext();
  const user = await userContext.newPage();
  await user.goto("/account");
  await user.waitForLoadState("networkidle");
  const cdp = await userContext.newCDPSession(user);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId: pocket } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "usb",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await cdp.send("WebAuthn.addCredential", {
    authenticatorId: pocket,
    credential: credentials[0]!,
  });
  await user.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(user.getByRole("heading", { name: `Hello, ${userName}` })).toBeVisible();
  await userContext.close();
});
