import { readFileSync } from "node:fs";
import { expect, type Browser, type CDPSession, type Page } from "@playwright/test";
import pg from "pg";
import { DEMO_STAFF } from "../factories";

export type DemoRole = "AGENT" | "SUPERVISOR" | "SECURITY";

/**
 * Chromium's virtual authenticator set up as a phone's or laptop's passkey prompt behaves: a
 * platform authenticator with resident keys, whose user verification succeeds and whose presence
 * is given at once.
 */
export const PLATFORM_AUTHENTICATOR = {
  protocol: "ctap2",
  transport: "internal",
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
} as const;

/** A platform authenticator on `page` (the device a real WebAuthn ceremony there will use). */
export async function addPlatformAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: PLATFORM_AUTHENTICATOR,
  });
  return { cdp, authenticatorId };
}

/** A fresh platform authenticator (another device) in place of the one attached now. */
export async function swapAuthenticator(cdp: CDPSession, current: string): Promise<string> {
  await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: current });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: PLATFORM_AUTHENTICATOR,
  });
  return authenticatorId;
}

/** The first demo staff member with this role (tests/factories.ts DEMO_STAFF). */
export function demoStaff(role: DemoRole) {
  return DEMO_STAFF.find((member) => member.role === role)!;
}

const ROLE_LABEL: Record<DemoRole, string> = {
  AGENT: "Agent",
  SUPERVISOR: "Supervisor",
  SECURITY: "Security reviewer",
};

/** Signs in through the real demo sign-in form, as a person would. */
export async function signInAs(page: Page, role: DemoRole, path = "/sign-in") {
  const member = demoStaff(role);
  await page.goto(path);
  // Server-action forms are pressed only once the page has hydrated (a press mid-hydration can
  // reach the server without its action ID).
  await page.waitForLoadState("networkidle");
  await page
    .getByRole("button", { name: `Sign in as ${member.name}, ${ROLE_LABEL[role]}` })
    .click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  return member;
}

/**
 * The newest message with this subject in the demo mailbox (optionally containing a text), once it
 * arrives; with `count`, once that many such messages have arrived (the second of a kind).
 */
export async function mailFor(page: Page, subject: string, containing?: string, count = 1) {
  const articles = page
    .getByRole("article", { name: subject })
    .filter({ hasText: containing ?? "" });
  await expect(async () => {
    await page.goto("/mailbox");
    await expect(articles.nth(count - 1)).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  return articles.first();
}

/** Standard-tier people in the directory, first page; specs pick theirs by row (`&page=2`: more). */
export const STANDARD_LIST = "/users?tier=STANDARD&status=ACTIVE";

/**
 * Takes a standard-tier user through a recovery up to the pass (callback, record, manager by
 * mail, pass issued) and returns the pass as read from the user's mail, unredeemed.
 */
export async function userWithPass(agent: Page, browser: Browser, row = 5, list = STANDARD_LIST) {
  await agent.goto(list);
  await agent.getByRole("row").nth(row).getByRole("link").click();
  await expect(agent).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  return passFromUserPage(agent, browser);
}

/**
 * The same recovery for the person whose page the agent is on; `call` counts this person's
 * recoveries so far (2: their second), so the mails read are this call's.
 */
export async function passFromUserPage(agent: Page, browser: Browser, call = 1) {
  const userUrl = agent.url();
  const userName = (await agent.getByRole("heading", { level: 1 }).textContent())!.trim();
  const workEmail = (await agent
    .getByText(/@northwind\.example/)
    .first()
    .textContent())!
    .trim()
    .split(" ")[0]!;
  await agent.getByRole("button", { name: "Open case" }).click();
  await expect(agent).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  await agent
    .getByRole("form", { name: "Record: Call back on the phone of record" })
    .getByRole("button", { name: "Passed" })
    .click();
  await expect(
    agent.getByRole("form", { name: "Record: Call back on the phone of record" }),
  ).toHaveCount(0);
  await agent
    .getByRole("form", { name: "Record: Employee record details" })
    .getByRole("button", { name: "Passed" })
    .click();
  await expect(agent.getByRole("form", { name: "Record: Employee record details" })).toHaveCount(0);
  await agent.getByRole("button", { name: "Send confirmation request to the manager" }).click();
  await expect(agent.getByText(/Sent to .•••@/)).toBeVisible();

  const managerContext = await browser.newContext();
  const manager = await managerContext.newPage();
  await (
    await mailFor(manager, `Please confirm: ${userName} asked for account recovery`, "", call)
  )
    .getByRole("link")
    .click();
  await manager.waitForLoadState("networkidle");
  await manager.getByRole("button", { name: "Yes, this is them" }).click();
  await expect(manager.getByRole("status")).toContainText("You confirmed the request");
  await managerContext.close();

  await agent.reload();
  await agent.getByRole("button", { name: "Issue and send the pass" }).click();
  await expect(agent.getByRole("status").filter({ hasText: "Pass sent to" })).toBeVisible();

  const mailbox = await browser.newContext();
  // The pass goes to a verified personal address when there is one, else the work address.
  const pass = (await (
    await mailFor(await mailbox.newPage(), "Your temporary access pass", `Hello ${userName},`, call)
  ).textContent())!.match(/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/)![0];
  await mailbox.close();
  return { pass, userName, workEmail, userUrl };
}

/**
 * Takes a standard-tier user through a recovery (callback, record, manager by mail, pass) and
 * has them enrol a passkey on a virtual authenticator in their own browser context, which is
 * returned with the authenticator still attached.
 */
export async function userWithEnrolledPasskey(
  agent: Page,
  browser: Browser,
  row = 5,
  list = STANDARD_LIST,
) {
  const { pass, userName, workEmail, userUrl } = await userWithPass(agent, browser, row, list);
  const context = await browser.newContext();
  const user = await context.newPage();
  await user.goto("/redeem");
  await user.waitForLoadState("networkidle");
  await user.getByLabel("Your work email", { exact: true }).fill(workEmail);
  await user.getByLabel("Temporary access pass", { exact: true }).fill(pass);
  await user.getByRole("button", { name: "Continue" }).click();
  await expect(user).toHaveURL(/\/account$/);
  const { cdp, authenticatorId } = await addPlatformAuthenticator(user);
  await user.getByRole("button", { name: "Set up a new passkey" }).click();
  await expect(user.getByRole("status")).toContainText("Your new passkey");
  return { context, user, cdp, authenticatorId, userName, workEmail, userUrl };
}

/**
 * Signs in as one named demo staff member, for when the first of a role is not the one wanted
 * (e.g. Lucia Romero, the agent of Service Desk South).
 */
export async function signInAsStaff(page: Page, name: string, path = "/sign-in") {
  const member = DEMO_STAFF.find((candidate) => candidate.name === name);
  if (!member) throw new Error(`no demo staff member named ${name}`);
  await page.goto(path);
  await page.waitForLoadState("networkidle");
  await page
    .getByRole("button", {
      name: `Sign in as ${member.name}, ${ROLE_LABEL[member.role as DemoRole]}`,
    })
    .click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  return member;
}

/**
 * Gives the signed-in staff member on `page` a staff passkey, as a newcomer would (decision 015):
 * a virtual authenticator with user verification in this browser, then "Your passkeys" → "Set up
 * a staff passkey". Must run within the step-up window of signing in (the first passkey needs a
 * fresh sign-in). Returns the CDP session, whose authenticator stays attached to the page.
 */
export async function enrolStaffPasskey(page: Page) {
  const { cdp, authenticatorId } = await addPlatformAuthenticator(page);
  await page.getByRole("link", { name: "Your passkeys" }).click();
  await expect(page.getByRole("heading", { name: "Your passkeys", level: 1 })).toBeVisible();
  await page.waitForLoadState("networkidle");
  // Signed in again in a new browser (a new authenticator), the demo staff member's earlier
  // passkeys are on an authenticator that is gone. A fresh sign-in may remove a lost passkey but
  // never set up a replacement (decision 015: that would let a stolen session swap in its own);
  // in a deployment the identity team resets them. The console has no page for that, so the
  // tests do it in their own database, as that team would, before the newcomer's path begins.
  const token = (await page.context().cookies()).find((c) => c.name.endsWith("console.session"));
  await e2eSql(
    `DELETE FROM "StaffPasskey" WHERE "staffId" =
       (SELECT "staffId" FROM "StaffSession" WHERE "tokenHash" = encode(sha256(convert_to($1, 'UTF8')), 'hex'))`,
    [token?.value ?? ""],
  );
  await page.reload();
  await page.waitForLoadState("networkidle");
  await page.getByRole("button", { name: "Set up a staff passkey" }).click();
  // The page lists it (and, having one now, offers no second one without a confirmation).
  await expect(
    page.getByRole("region", { name: "Staff passkeys" }).getByRole("listitem"),
  ).toHaveCount(1);
  return { cdp, authenticatorId };
}

/** Signs in through the demo form and sets up a staff passkey straight away. */
export async function signInWithStaffPasskey(page: Page, role: DemoRole) {
  const member = await signInAs(page, role);
  await enrolStaffPasskey(page);
  return member;
}

/**
 * "Confirm it's you" on the current page (the step-up panel of a page with high-risk acts), with
 * the staff passkey enrolStaffPasskey set up; the page then says until when.
 */
export async function confirmItsYou(page: Page) {
  await page.waitForLoadState("networkidle");
  await page
    .getByRole("region", { name: "Step-up" })
    .getByRole("button", { name: "Confirm it's you" })
    .click();
  await expect(page.getByRole("status", { name: "Step-up" })).toContainText(
    "You confirmed it's you",
  );
}

/**
 * Runs SQL on the browser tests' own throwaway database (playwright.config.ts), for what no
 * page does: an identity team disabling a staff member, or reading what a session recorded.
 */
export async function e2eSql<T extends Record<string, unknown>>(
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const password = readFileSync(".data/e2e-postgres.password", "utf8").trim();
  const port = process.env.E2E_PG_PORT ?? "54339";
  const client = new pg.Client({
    connectionString: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/console`,
  });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Signs in through the test identity provider (tests/oidc-provider.ts) as one of its accounts,
 * with a security key (a phishing-resistant sign-in) or a password. Ends wherever the console
 * sends the browser back to.
 */
export async function signInWithSso(
  page: Page,
  login: string,
  options: { securityKey?: boolean } = {},
) {
  await page.goto("/sign-in");
  await page.waitForLoadState("networkidle");
  const consoleOrigin = new URL(page.url()).origin;
  await page.getByRole("button", { name: "Sign in with Northwind test SSO" }).click();
  await expect(page.getByRole("heading", { name: "Northwind test SSO" })).toBeVisible();
  await page.getByLabel("Username").fill(login);
  if (options.securityKey) await page.getByLabel("Use my security key").check();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.origin === consoleOrigin);
  await page.waitForLoadState("networkidle");
}

/**
 * The manager of record answers the confirmation request from their own mail, in their own
 * browser: the mailbox, the question about `userName`, the answer, and what the page says after.
 * `check` runs on the manager's page at each of those steps (an accessibility check, say).
 */
export async function managerAnswersFromMail(
  browser: Browser,
  userName: string,
  answer: "Yes, this is them" | "No, deny it",
  check?: (page: Page) => Promise<void>,
) {
  const context = await browser.newContext();
  const manager = await context.newPage();
  const mail = await mailFor(manager, `Please confirm: ${userName} asked for account recovery`);
  if (check) await check(manager);
  await mail.getByRole("link").click();
  await manager.waitForLoadState("networkidle");
  await expect(
    manager.getByRole("heading", { name: `Did ${userName} ask for account recovery?` }),
  ).toBeVisible();
  if (check) await check(manager);
  await manager.getByRole("button", { name: answer }).click();
  await expect(manager.getByRole("status")).toContainText(
    answer === "Yes, this is them" ? "You confirmed the request" : "You denied the request",
  );
  if (check) await check(manager);
  await context.close();
}

/**
 * Which high-risk demo user (with passkeys, in the directory's order) each browser test walks
 * through a re-enrolment: the demo's data is shared by the whole suite, so each takes its own.
 */
export const HIGH_RISK_USER = {
  reenrolment: 0,
  gates: 1,
  accessibility: 2,
  supervisorsTold: 3,
  clusterRaces: 4,
} as const;

/**
 * The first half of a high-risk re-enrolment, as the signed-in agent on `page` does it: a case
 * for the `nth` high-risk user who has passkeys, opened for a video call; the high-risk script
 * passed (callback, photo ID, record details, and the manager confirming from their own mail in
 * their own browser); then the re-enrolment requested, revoking their first passkey. It waits for
 * a supervisor's approval.
 */
export async function requestHighRiskReenrolment(page: Page, browser: Browser, nth: number) {
  await page.goto("/users?tier=HIGH_RISK&status=ACTIVE");
  const rows = page.getByRole("row").filter({ hasNot: page.getByRole("columnheader") });
  await rows
    .filter({ has: page.locator("td:last-child", { hasText: /^[1-9]/ }) })
    .nth(nth)
    .getByRole("link")
    .click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  const userUrl = page.url();
  const userName = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
  await page.waitForLoadState("networkidle");
  await page.getByLabel("How did they reach you?").selectOption("VIDEO");
  await page.getByRole("button", { name: "Open case" }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  const caseUrl = page.url();
  await page.waitForLoadState("networkidle");
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
  await managerAnswersFromMail(browser, userName, "Yes, this is them");

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
  return { userName, userUrl, caseUrl, caseId: caseUrl.split("/").pop()! };
}
