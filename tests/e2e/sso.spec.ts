import { expect, test, type Browser } from "@playwright/test";
import { e2eSql, signInWithSso } from "./fixtures";

/**
 * Staff single sign-on through a real OpenID provider (tests/oidc-provider.ts, oidc-provider 8):
 * role and team from its claims, refusals that say why, amr/acr recorded on the session, a
 * phishing-resistant sign-in counting as a step-up (decision 015) and a plain one not, sign-out,
 * and a staff member disabled after signing in refused at their next request.
 */

async function freshPage(browser: Browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

async function sessionOf(email: string) {
  const rows = await e2eSql<{
    method: string;
    amr: string[];
    acr: string | null;
    verified: boolean;
  }>(
    `SELECT s.method, s.amr, s.acr, s."verifiedAt" IS NOT NULL AS verified
       FROM "StaffSession" s JOIN "Staff" st ON st.id = s."staffId"
      WHERE st.email = $1 ORDER BY s."createdAt" DESC LIMIT 1`,
    [email],
  );
  return rows[0];
}

test("an agent and a supervisor sign in through the identity provider, with role and team from its claims; sign-out ends the session", async ({
  browser,
}) => {
  const agent = await freshPage(browser);
  await signInWithSso(agent.page, "sso-agent");
  await expect(agent.page).toHaveURL(/\/users$/);
  const header = agent.page.getByRole("banner");
  await expect(header).toContainText("Sam Sso");
  await expect(header).toContainText("Service Desk North");
  await expect(header.getByText("Agent", { exact: true })).toBeVisible();
  await expect(agent.page.getByRole("link", { name: "Approvals" })).toHaveCount(0);

  await agent.page.getByRole("button", { name: "Sign out" }).click();
  await expect(agent.page).toHaveURL(/\/sign-in/);
  await agent.page.goto("/users");
  await expect(agent.page).toHaveURL(/\/sign-in\?callbackUrl=%2Fusers/);
  await agent.context.close();

  const supervisor = await freshPage(browser);
  await signInWithSso(supervisor.page, "sso-supervisor");
  await expect(supervisor.page.getByRole("banner")).toContainText("Sasha Sso");
  await expect(
    supervisor.page.getByRole("banner").getByText("Supervisor", { exact: true }),
  ).toBeVisible();
  await supervisor.page.getByRole("link", { name: "Approvals" }).click();
  await expect(supervisor.page.getByRole("heading", { name: "Approvals", level: 1 })).toBeVisible();
  await supervisor.context.close();
});

test("a person with no console role, or with several, is refused and told why", async ({
  browser,
}) => {
  for (const login of ["sso-norole", "sso-manyroles"]) {
    const { context, page } = await freshPage(browser);
    await signInWithSso(page, login);
    await expect(page).toHaveURL(/\/sign-in\?.*error=AccessDenied/);
    await expect(page.getByRole("main").getByRole("alert")).toContainText(
      "your account needs exactly one console role (it has none, or several",
    );
    await page.goto("/users");
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=/);
    await context.close();
  }
  const refusals = await e2eSql<{ detail: string }>(
    `SELECT data->>'detail' AS detail FROM "AuditEvent"
      WHERE action = 'staff.sign_in_refused' AND data->>'email' = ANY($1) ORDER BY id`,
    [["nora.sso@northwind.example", "max.sso@northwind.example"]],
  );
  expect(refusals.map((r) => r.detail)).toEqual([
    'no console role in claim "console_role"',
    'several console roles in claim "console_role"',
  ]);
});

test("amr and acr are recorded; a phishing-resistant sign-in counts as a step-up, a plain one does not", async ({
  browser,
}) => {
  // A plain (password) sign-in: recorded, but high-risk acts are refused until a passkey confirms.
  const plain = await freshPage(browser);
  await signInWithSso(plain.page, "sso-supervisor");
  expect(await sessionOf("sasha.sso@northwind.example")).toEqual({
    method: "oidc",
    amr: ["pwd"],
    acr: "urn:northwind:pwd",
    verified: false,
  });
  await plain.page.goto("/users?tier=FRONTLINE&status=ACTIVE");
  await plain.page.getByRole("row").nth(1).getByRole("link").click();
  await expect(plain.page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  const userUrl = plain.page.url();
  await plain.page.waitForLoadState("networkidle");
  await expect(plain.page.getByRole("region", { name: "Step-up" })).toContainText(
    "you need a staff passkey",
  );
  const activeBefore = await plain.page.getByText(/\d+ active of \d+/).textContent();
  await plain.page.getByRole("button", { name: "Revoke", exact: true }).first().click();
  await expect(plain.page.getByRole("main").getByRole("alert").first()).toContainText(
    "confirm it's you",
  );
  await expect(
    plain.page.getByRole("link", { name: "Set up a staff passkey" }).first(),
  ).toBeVisible();
  await plain.page.reload();
  await expect(plain.page.getByText(/\d+ active of \d+/)).toHaveText(activeBefore!);
  await plain.context.close();

  // With a security key, the provider says acr "phr": the session starts stepped up.
  const strong = await freshPage(browser);
  await signInWithSso(strong.page, "sso-supervisor", { securityKey: true });
  expect(await sessionOf("sasha.sso@northwind.example")).toEqual({
    method: "oidc",
    amr: ["hwk", "user"],
    acr: "phr",
    verified: true,
  });
  await strong.page.goto(userUrl);
  await strong.page.waitForLoadState("networkidle");
  await expect(strong.page.getByRole("status", { name: "Step-up" })).toContainText(
    "You confirmed it's you",
  );
  await strong.page.getByRole("button", { name: "Revoke", exact: true }).first().click();
  // Done: the row's form gives way to its "Revoked" badge.
  await expect(strong.page.getByText(/\d+ active of \d+/)).not.toHaveText(activeBefore!);
  await strong.context.close();
});

test("a staff member disabled after signing in is refused at their next request, and cannot sign in again", async ({
  browser,
}) => {
  const { context, page } = await freshPage(browser);
  await signInWithSso(page, "sso-leaver");
  await expect(page.getByRole("banner")).toContainText("Lee Sso");

  // The identity team disables them in the console's records.
  await e2eSql(`UPDATE "Staff" SET active = false WHERE email = $1`, ["lee.sso@northwind.example"]);
  await page.goto("/cases");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fcases/);
  expect(
    await e2eSql(
      `SELECT 1 FROM "StaffSession" s JOIN "Staff" st ON st.id = s."staffId" WHERE st.email = $1`,
      ["lee.sso@northwind.example"],
    ),
  ).toHaveLength(0);

  await context.close();
  const again = await freshPage(browser);
  await signInWithSso(again.page, "sso-leaver");
  await expect(again.page).toHaveURL(/error=AccessDenied/);
  await again.context.close();
});
