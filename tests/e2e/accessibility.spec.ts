import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Locator, type Page } from "@playwright/test";
import {
  addPlatformAuthenticator,
  confirmItsYou,
  HIGH_RISK_USER,
  mailFor,
  managerAnswersFromMail,
  signInAs,
  signInAsStaff,
  signInWithStaffPasskey,
  userWithPass,
} from "./fixtures";

/**
 * The console for everyone (docs/accessibility.md): every page, as each role sees it, passes
 * axe with nothing serious or critical in the light and the dark colour scheme and at a phone's
 * width, starts with a skip link to its main landmark, and never scrolls sideways at 390 px; a
 * lost-phone call can be worked with the keyboard alone, focus landing on each action's result.
 */

const PHONE = { width: 390, height: 844 };

function describeViolations(violations: Awaited<ReturnType<AxeBuilder["analyze"]>>["violations"]) {
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}: ${v.nodes
          .map((n) => `${n.target.join(" ")} ${n.failureSummary?.replace(/\s+/g, " ") ?? ""}`)
          .join(" | ")}`,
    );
}

/** The page's width and what it lays out, at the viewport it has. */
function sideScroll(page: Page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
}

/**
 * axe on the page as it stands, in both colour schemes on a desktop and in the dark at 390 px
 * (serious and critical findings fail); the skip link first; no sideways scroll on a phone.
 */
async function expectAccessible(page: Page, what: string) {
  await page.waitForLoadState("networkidle");
  // Every page has its own title (after a client-side navigation Next sets it a moment later).
  await expect(page, `${what}: the page's title`).toHaveTitle(
    /\S.* · Recovery Console$|^Recovery Console$/,
  );
  const first = await page.evaluate(() => {
    const tabbable = document.querySelector<HTMLElement>(
      'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])',
    );
    return { text: tabbable?.textContent, href: tabbable?.getAttribute("href") };
  });
  expect(first, `${what}: the first thing a keyboard reaches`).toEqual({
    text: "Skip to content",
    href: "#main",
  });
  await expect(page.locator("main#main"), `${what}: the skip link's target`).toHaveCount(1);

  const desktop = page.viewportSize()!;
  for (const [colorScheme, viewport] of [
    ["light", desktop],
    ["dark", desktop],
    ["dark", PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.emulateMedia({ colorScheme });
    // Buttons fade between colours (transition-colors): read them once they have arrived.
    // At most a second: a transition the browser stops ticking (a subtree it skips) never ends.
    await page.evaluate(() =>
      Promise.race([
        Promise.allSettled(document.getAnimations().map((a) => a.finished)),
        new Promise((resolve) => setTimeout(resolve, 1000)),
      ]),
    );
    const { violations } = await new AxeBuilder({ page }).analyze();
    expect(
      describeViolations(violations),
      `${what}, ${colorScheme} scheme, ${viewport.width} px wide`,
    ).toEqual([]);
    if (viewport === PHONE) {
      const { scrollWidth, clientWidth } = await sideScroll(page);
      expect(scrollWidth, `${what} scrolls sideways at 390 px`).toBeLessThanOrEqual(clientWidth);
    }
  }
  await page.setViewportSize(desktop);
  await page.emulateMedia({ colorScheme: "light" });
}

/** Presses Tab until `target` has focus, as a keyboard user would (fails if it never does). */
async function tabTo(page: Page, target: Locator, limit = 150) {
  await expect(target).toBeVisible();
  for (let presses = 0; presses < limit; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${target}`);
}

/** The focused element. */
const focused = (page: Page) => page.locator("*:focus");

/**
 * A standard-tier, active user: the directory's row `row`. Rows other browser tests leave alone,
 * so that no call here makes theirs a repeat call.
 */
async function openStandardUser(page: Page, row: number) {
  await page.goto("/users?tier=STANDARD&status=ACTIVE");
  await page.getByRole("row").nth(row).getByRole("link").click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  return {
    userName: (await page.getByRole("heading", { level: 1 }).textContent())!.trim(),
    userUrl: page.url(),
  };
}

/** Records a step of the script as passed and waits for its form to go. */
async function pass(page: Page, title: string) {
  const form = page.getByRole("form", { name: `Record: ${title}` });
  await form.getByRole("button", { name: "Passed" }).click();
  await expect(page.getByRole("form", { name: `Record: ${title}` })).toHaveCount(0);
}

test.describe("every page passes axe in both colour schemes", () => {
  test.describe.configure({ timeout: 300_000 });

  test("signed out: sign-in, the public pages, the error pages", async ({ page }) => {
    await page.goto("/sign-in");
    await expectAccessible(page, "sign-in");
    await page.goto("/redeem");
    await expectAccessible(page, "redeem");
    await page.goto("/account");
    await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
    await expectAccessible(page, "account, signed out");
    await page.goto("/mailbox");
    await expectAccessible(page, "mailbox");
    for (const link of ["confirm", "prove", "enrol", "report"]) {
      await page.goto(`/${link}/${"A".repeat(43)}`);
      await expect(
        page.getByRole("heading", { name: "This link is not valid any more" }),
      ).toBeVisible();
      await expectAccessible(page, `/${link}, a link no longer valid`);
    }
    expect((await page.goto("/no-such-page"))?.status()).toBe(404);
    await expectAccessible(page, "not found");
    await signInAs(page, "AGENT");
    expect((await page.goto("/approvals"))?.status()).toBe(403);
    await expectAccessible(page, "forbidden");
  });

  test("an agent's pages, and the pages a recovery's mail links to", async ({ page, browser }) => {
    await signInAs(page, "AGENT");
    await expectAccessible(page, "users (agent)");
    const { userName } = await openStandardUser(page, 4);
    await expectAccessible(page, "a user's page (agent)");
    await page.getByRole("button", { name: "Open case" }).click();
    await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
    await expectAccessible(page, "a new case");
    await pass(page, "Call back on the phone of record");
    await pass(page, "Employee record details");
    await page.getByRole("button", { name: "Send a passkey sign-in request to the user" }).click();
    await expect(page.getByText(/Sent to .•••@/).first()).toBeVisible();
    await page.getByRole("button", { name: "Send confirmation request to the manager" }).click();
    await expect(page.getByText(/Sent to .•••@/).nth(1)).toBeVisible();
    await expectAccessible(page, "a case being worked, with its forms' outcomes");

    // What the user and the manager are sent, and the pages their links open.
    const context = await browser.newContext();
    const other = await context.newPage();
    const proof = await mailFor(other, "Confirm it's you with a passkey you still have", userName);
    await expectAccessible(other, "mailbox with mail");
    await proof.getByRole("link").click();
    await expect(
      other.getByRole("heading", { name: `Confirm it’s you, ${userName}` }),
    ).toBeVisible();
    await expectAccessible(other, "prove (a passkey sign-in request)");
    const notice = await mailFor(
      other,
      "Someone called the service desk about your sign-in",
      userName,
    );
    await notice.getByRole("link").click();
    await expect(
      other.getByRole("heading", { name: `Wasn’t this you, ${userName}?` }),
    ).toBeVisible();
    await expectAccessible(other, "report (this wasn't me)");
    await context.close();
    await managerAnswersFromMail(browser, userName, "Yes, this is them", (manager) =>
      expectAccessible(manager, `confirm (a manager's answer), ${manager.url()}`),
    );

    // Verified: the agent asks for a re-enrolment, and the user's link opens its page.
    await page.reload();
    await expect(page.getByText("Verification complete.")).toBeVisible();
    await expectAccessible(page, "a verified case");
    const reenrol = page.getByRole("form", { name: "Request re-enrolment" });
    await reenrol.getByRole("checkbox").first().check();
    await reenrol.getByRole("button", { name: "Request re-enrolment" }).click();
    await expect(page.getByText(/^Link sent to /)).toBeVisible();
    const user = await browser.newContext();
    const userPage = await user.newPage();
    await (
      await mailFor(userPage, "Set up your new passkey", `Hello ${userName},`)
    )
      .getByRole("link")
      .first()
      .click();
    await expect(
      userPage.getByRole("heading", { name: `Set up your new passkey, ${userName}` }),
    ).toBeVisible();
    await expectAccessible(userPage, "enrol (a re-enrolment link)");
    await user.close();

    // A contractor's call: a red flag for pressure, then the sponsor denies it. The case stops
    // and the person's recovery goes on hold.
    await page.goto("/users?tier=CONTRACTOR&status=ACTIVE");
    await page.getByRole("row").nth(4).getByRole("link").click();
    await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
    const contractorUrl = page.url();
    const contractor = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
    await page.getByRole("button", { name: "Open case" }).click();
    await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
    const flag = page.getByRole("form", { name: "Raise a red flag" });
    await flag.getByLabel("What happened").selectOption("PRESSURE");
    await flag.getByLabel("Note").fill("Insists it must be done in five minutes");
    await flag.getByRole("button", { name: "Raise red flag" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Red flag raised" })).toBeVisible();
    await page.getByRole("button", { name: "Send confirmation request to the manager" }).click();
    await expect(page.getByText(/Sent to .•••@/)).toBeVisible();
    await managerAnswersFromMail(browser, contractor, "No, deny it");
    await page.reload();
    await expect(page.getByText("stopped", { exact: true })).toBeVisible();
    await expectAccessible(page, "a stopped case with a red flag");
    await page.goto(contractorUrl);
    await expect(page.getByRole("heading", { name: "Recovery on hold" })).toBeVisible();
    await expectAccessible(page, "a user's page with a hold (agent)");

    await page.goto("/cases");
    await expectAccessible(page, "cases (agent)");
    await page.goto("/passkeys");
    await expectAccessible(page, "your passkeys (agent, none yet)");
  });

  test("a person's account: a pass, a new passkey, signed in with it", async ({
    page,
    browser,
  }) => {
    await signInAs(page, "AGENT");
    const { pass: code, userName, workEmail } = await userWithPass(page, browser, 6);
    const context = await browser.newContext();
    const user = await context.newPage();
    await user.goto("/redeem");
    await user.waitForLoadState("networkidle");
    await user.getByLabel("Your work email", { exact: true }).fill(workEmail);
    await user.getByLabel("Temporary access pass", { exact: true }).fill("AAAA-AAAA-AAAA-AAAA");
    await user.getByRole("button", { name: "Continue" }).click();
    await expect(user.getByRole("main").getByRole("alert")).toContainText(
      "do not match a valid pass",
    );
    await expectAccessible(user, "redeem, refused");
    // (React empties a form after its action: both fields again.)
    await user.getByLabel("Your work email", { exact: true }).fill(workEmail);
    await user.getByLabel("Temporary access pass", { exact: true }).fill(code);
    await user.getByRole("button", { name: "Continue" }).click();
    await expect(user).toHaveURL(/\/account$/);
    await expectAccessible(user, "account, with a pass");
    await addPlatformAuthenticator(user);
    await user.getByRole("button", { name: "Set up a new passkey" }).click();
    await expect(user.getByRole("status")).toContainText("Your new passkey");
    await expectAccessible(user, "account, passkey set up");
    await user.reload();
    await user.waitForLoadState("networkidle");
    await user.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(user.getByRole("heading", { name: `Hello, ${userName}` })).toBeVisible();
    await expectAccessible(user, "account, signed in with a passkey");
    await context.close();
  });

  test("a supervisor's pages: approvals before and after a decision, reports, policy, a user", async ({
    page,
    browser,
  }) => {
    // An agent verifies a high-risk user and asks for a re-enrolment: it waits for a supervisor.
    await signInAs(page, "AGENT");
    await page.goto("/users?tier=HIGH_RISK&status=ACTIVE");
    const rows = page.getByRole("row").filter({ hasNot: page.getByRole("columnheader") });
    // Each browser test takes its own such user (HIGH_RISK_USER).
    await rows
      .filter({ has: page.locator("td:last-child", { hasText: /^[1-9]/ }) })
      .nth(HIGH_RISK_USER.accessibility)
      .getByRole("link")
      .click();
    await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
    const userUrl = page.url();
    const userName = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
    await page.getByLabel("How did they reach you?").selectOption("VIDEO");
    await page.getByRole("button", { name: "Open case" }).click();
    await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
    for (const title of [
      "Call back on the phone of record",
      "Photo ID on video",
      "Employee record details",
    ])
      await pass(page, title);
    await page.getByRole("button", { name: "Send confirmation request to the manager" }).click();
    await expect(page.getByText(/Sent to .•••@/)).toBeVisible();
    await managerAnswersFromMail(browser, userName, "Yes, this is them");
    await page.reload();
    const reenrol = page.getByRole("form", { name: "Request re-enrolment" });
    await reenrol.getByRole("checkbox").first().check();
    await reenrol.getByRole("button", { name: "Request re-enrolment" }).click();
    await expect(page.getByText(/Approval pending/)).toBeVisible();

    const context = await browser.newContext();
    const supervisor = await context.newPage();
    await signInWithStaffPasskey(supervisor, "SUPERVISOR");
    await expectAccessible(supervisor, "your passkeys (supervisor, one set up)");
    await supervisor.goto("/approvals");
    await expectAccessible(supervisor, "approvals, one waiting, not yet confirmed it's you");
    await confirmItsYou(supervisor);
    await expectAccessible(supervisor, "approvals, confirmed it's you");
    const request = supervisor.getByRole("article", { name: `Re-enrolment for ${userName}` });
    await request.getByLabel("Reason for your decision").fill("Video ID and manager match");
    await request.getByRole("button", { name: "Approve" }).click();
    await expect(supervisor.getByRole("region", { name: "Your latest decisions" })).toContainText(
      userName,
    );
    await expectAccessible(supervisor, "approvals, decided");

    await supervisor.goto("/reports");
    await expectAccessible(supervisor, "reports (supervisor)");
    // A chart is a table a screen reader reads row by row; nothing in it takes focus. A wide one
    // sits in a scroll region (components/scroll-region.tsx), which does, so that a keyboard can
    // scroll it: the signals chart has one once any signal was raised in the period (in an
    // evening run, the calls of the tests before this one raise "an unusual hour").
    const chart = supervisor.getByRole("table", { name: "Cases by reason" });
    await expect(chart.getByRole("rowheader", { name: "lost device" })).toBeVisible();
    await expect(chart.getByRole("row").first()).toContainText(/\d+$/);
    await supervisor.locator("body").focus();
    for (let presses = 0; presses < 40; presses++) {
      await supervisor.keyboard.press("Tab");
      expect(
        await supervisor.evaluate(() => {
          const focused = document.activeElement;
          const scrollRegion =
            focused?.getAttribute("role") === "region" && focused.matches(".overflow-x-auto");
          return Boolean(focused?.closest("figure")) && !scrollRegion;
        }),
        "something inside a chart took focus",
      ).toBe(false);
    }
    await supervisor.goto("/policy");
    await expectAccessible(supervisor, "policy (supervisor)");
    await supervisor.goto("/practice/team");
    await expectAccessible(supervisor, "team readiness (supervisor)");
    await supervisor.goto(userUrl);
    await expectAccessible(supervisor, "a user's page (supervisor, confirmed it's you)");
    await supervisor.goto("/cases");
    await expectAccessible(supervisor, "cases (supervisor)");
    await context.close();
  });

  test("practice calls: the library, a call being played, its debrief", async ({ page }) => {
    await signInAsStaff(page, "Tom Becker");
    await page.goto("/practice");
    await expectAccessible(page, "practice library");
    await page
      .getByRole("button", { name: /^Start “/ })
      .first()
      .click();
    await expect(page).toHaveURL(/\/practice\/[0-9a-f-]{36}$/);
    await expectAccessible(page, "a practice call");
    await page.getByRole("button", { name: "Try this step with the caller" }).first().click();
    await expect(page.getByText("What happens:").first()).toBeVisible();
    await expectAccessible(page, "a practice call after trying a step");
    await page.getByRole("button", { name: "Finish and see the debrief" }).click();
    await expect(page.getByRole("heading", { level: 1, name: /^Practice debrief/ })).toBeVisible();
    await expectAccessible(page, "a practice debrief");
  });

  test("a security reviewer's pages: audit, reports, policy, users, cases", async ({ page }) => {
    await signInAs(page, "SECURITY");
    await page.goto("/audit");
    await expectAccessible(page, "audit");
    await page.getByRole("link", { name: "Check integrity now" }).click();
    await expect(page.getByText("Checked just now")).toBeVisible();
    await expectAccessible(page, "audit, integrity checked");
    await page.goto("/reports?days=90");
    await expectAccessible(page, "reports (security reviewer)");
    await page.goto("/signals");
    await expectAccessible(page, "signals (security reviewer)");
    await page.goto("/settings/scim");
    await expectAccessible(page, "provisioning tokens");
    await page.goto("/settings/rollout");
    await expectAccessible(page, "passkey rollout (waves and campaigns)");
    await page.goto("/policy");
    await expectAccessible(page, "policy (security reviewer)");
    await page.goto("/practice/team");
    await expectAccessible(page, "team readiness (security reviewer)");
    await page.goto("/practice/scenarios");
    await expectAccessible(page, "practice scenarios");
    await page.goto("/practice/scenarios/urgent-admin-new-number");
    await expectAccessible(page, "a practice scenario's editor");
    await page.goto("/practice/scenarios/new");
    await expectAccessible(page, "a new practice scenario");
    await page.goto("/users");
    await expectAccessible(page, "users (security reviewer)");
    await page.goto("/users?status=LEFT");
    await page.getByRole("row").nth(1).getByRole("link").click();
    await expect(page.getByText(/^This person has left the organisation/)).toBeVisible();
    await expectAccessible(page, "a leaver's page (security reviewer)");
    await page.goto("/cases");
    await expectAccessible(page, "cases (security reviewer)");
    await page.getByRole("table").getByRole("link").first().click();
    await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
    await expectAccessible(page, "a case (security reviewer, read only)");
  });
});

test("a lost-phone call by keyboard alone: focus lands on every result", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  // Sign in: the skip link comes first and moves focus to the main landmark.
  await page.goto("/sign-in");
  await page.waitForLoadState("networkidle");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();
  await tabTo(page, page.getByRole("button", { name: "Sign in as Priya Shah, Agent" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/users$/);
  const search = page.getByLabel("Name, email, phone or employee ID");
  await expect(search).toBeFocused();

  // Find a standard-tier, active caller with the search form's own fields.
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Risk tier")).toBeFocused();
  await page.keyboard.type("Standard");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Employment")).toBeFocused();
  await page.keyboard.type("Active");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/tier=STANDARD&status=ACTIVE/);
  await page.waitForLoadState("networkidle");
  const caller = page.getByRole("row").nth(8).getByRole("link");
  const userName = (await caller.textContent())!.trim();
  await tabTo(page, caller);
  await page.keyboard.press("Enter");

  // The caller's page: focus on its heading; the case opens from its form.
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: userName })).toBeFocused();
  const workEmail = (await page
    .getByText(/@northwind\.example/)
    .first()
    .textContent())!
    .trim()
    .split(" ")[0]!;
  await page.waitForLoadState("networkidle");
  await tabTo(page, page.getByLabel("What the caller says (never trusted as evidence)"));
  await page.keyboard.type("Lost my phone on the train");
  await tabTo(page, page.getByRole("button", { name: "Open case" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(userName);

  // Each recorded step's form goes away: its result takes focus where the form was.
  const step = (title: string) =>
    page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: title }) });
  for (const title of ["Call back on the phone of record", "Employee record details"]) {
    await page.waitForLoadState("networkidle");
    await tabTo(
      page,
      page.getByRole("form", { name: `Record: ${title}` }).getByRole("button", { name: "Passed" }),
    );
    await page.keyboard.press("Enter");
    await expect(step(title).getByRole("status")).toBeFocused();
    await expect(focused(page)).toHaveText(/^Recorded\./);
    await expect(step(title).getByText("Passed", { exact: true })).toBeVisible();
  }

  // The manager is asked: the form stays, its status takes focus.
  await tabTo(page, page.getByRole("button", { name: "Send confirmation request to the manager" }));
  await page.keyboard.press("Enter");
  await expect(focused(page)).toHaveAttribute("role", "status");
  await expect(focused(page)).toContainText(/^Sent to .•••@northwind\.example/);

  // The manager answers from their mail, by keyboard too.
  const managerContext = await browser.newContext();
  const manager = await managerContext.newPage();
  const request = await mailFor(manager, `Please confirm: ${userName} asked for account recovery`);
  await tabTo(manager, request.getByRole("link"));
  await manager.keyboard.press("Enter");
  await expect(manager.getByRole("heading", { level: 1 })).toContainText(userName);
  await manager.waitForLoadState("networkidle");
  await tabTo(manager, manager.getByRole("button", { name: "Yes, this is them" }));
  await manager.keyboard.press("Enter");
  await expect(focused(manager)).toHaveAttribute("role", "status");
  await expect(focused(manager)).toContainText("You confirmed the request");
  await managerContext.close();

  // Verification is complete: the pass is issued, and the status saying so takes focus.
  await page.reload();
  await expect(page.getByText("Verification complete.")).toBeVisible();
  await page.waitForLoadState("networkidle");
  await tabTo(page, page.getByRole("button", { name: "Issue and send the pass" }));
  await page.keyboard.press("Enter");
  await expect(focused(page)).toHaveAttribute("role", "status");
  await expect(focused(page)).toContainText("Pass sent to");

  // The user redeems it by keyboard: a wrong pass first (the alert takes focus), then the right one.
  const userContext = await browser.newContext();
  const user = await userContext.newPage();
  let code = "";
  await expect(async () => {
    await user.goto(`/mailbox?to=${encodeURIComponent(workEmail)}`);
    const text = await user
      .getByRole("article", { name: "Your temporary access pass" })
      .first()
      .textContent({ timeout: 1000 });
    code = text!.match(/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/)![0];
  }).toPass({ timeout: 20_000 });
  await user.goto("/redeem");
  await user.waitForLoadState("networkidle");
  await tabTo(user, user.getByLabel("Your work email", { exact: true }));
  await user.keyboard.type(workEmail);
  await user.keyboard.press("Tab");
  await user.keyboard.type("AAAA-AAAA-AAAA-AAAA");
  await user.keyboard.press("Enter");
  await expect(focused(user)).toHaveAttribute("role", "alert");
  await expect(focused(user)).toContainText("do not match a valid pass");
  // React empties a form after its action: both fields again.
  await tabTo(user, user.getByLabel("Your work email", { exact: true }));
  await user.keyboard.type(workEmail);
  await user.keyboard.press("Tab");
  await user.keyboard.type(code);
  await user.keyboard.press("Enter");
  await expect(user).toHaveURL(/\/account$/);
  await expect(user.getByRole("heading", { level: 1, name: `Hello, ${userName}` })).toBeFocused();

  // ...and sets up the new passkey: its status takes focus.
  await addPlatformAuthenticator(user);
  await user.waitForLoadState("networkidle");
  await tabTo(user, user.getByRole("button", { name: "Set up a new passkey" }));
  await user.keyboard.press("Enter");
  await expect(focused(user)).toHaveAttribute("role", "status");
  await expect(focused(user)).toContainText("Your new passkey");
  await userContext.close();
});

test.describe("at a phone's width (390 px)", () => {
  test.use({ viewport: PHONE });

  test("the user and case pages do not scroll sideways, and their buttons stay reachable", async ({
    page,
  }) => {
    await signInAs(page, "SUPERVISOR");
    await page.goto("/users?tier=PRIVILEGED&status=ACTIVE");
    const rows = page.getByRole("row").filter({ hasNot: page.getByRole("columnheader") });
    await rows
      .filter({ has: page.locator("td:last-child", { hasText: /^[2-9]/ }) })
      .first()
      .getByRole("link")
      .click();
    await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
    await page.waitForLoadState("networkidle");
    let { scrollWidth, clientWidth } = await sideScroll(page);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    expect(clientWidth).toBe(390);

    // Every button on the page, the passkeys' revoke buttons included, comes into view when the
    // keyboard reaches it (the passkeys table scrolls inside its own frame).
    const buttons = page.getByRole("main").getByRole("button");
    const revoke = page
      .getByRole("table", { name: /^Passkeys of / })
      .getByRole("button", { name: "Revoke" });
    expect(await revoke.count()).toBeGreaterThanOrEqual(2);
    for (const button of await buttons.all()) {
      if (await button.isDisabled()) continue;
      await tabTo(page, button);
      await expect(button).toBeInViewport({ ratio: 1 });
    }
    ({ scrollWidth, clientWidth } = await sideScroll(page));
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);

    await page.getByRole("button", { name: "Open case" }).click();
    await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
    await page.waitForLoadState("networkidle");
    ({ scrollWidth, clientWidth } = await sideScroll(page));
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    for (const button of await page.getByRole("main").getByRole("button").all()) {
      if (await button.isDisabled()) continue;
      await tabTo(page, button);
      await expect(button).toBeInViewport({ ratio: 1 });
    }
    ({ scrollWidth, clientWidth } = await sideScroll(page));
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  });
});

test("the console has an icon, and /favicon.ico is it", async ({ page, request }) => {
  const ico = await request.get("/favicon.ico");
  expect(ico.status()).toBe(200);
  expect(ico.headers()["content-type"]).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
  // An ICO file: reserved 0, type 1 (icon), at least one image.
  const bytes = await ico.body();
  expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2)]).toEqual([0, 1]);
  expect(bytes.readUInt16LE(4)).toBeGreaterThan(0);
  await page.goto("/sign-in");
  const icons = await page
    .locator('link[rel="icon"]')
    .evaluateAll((links) => links.map((link) => link.getAttribute("href")));
  expect(icons.some((href) => href?.startsWith("/favicon.ico"))).toBe(true);
  const svg = icons.find((href) => href?.startsWith("/icon"));
  expect(svg).toBeDefined();
  const response = await request.get(svg!);
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("image/svg+xml");
});
