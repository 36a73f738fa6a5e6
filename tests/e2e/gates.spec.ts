import { expect, test, type Browser, type Page } from "@playwright/test";
import {
  addPlatformAuthenticator,
  confirmItsYou,
  HIGH_RISK_USER,
  mailFor,
  managerAnswersFromMail,
  signInAs,
  signInAsStaff,
  signInWithStaffPasskey,
} from "./fixtures";

/**
 * The gates of a recovery: what stops it, and who else must say yes before a passkey. Each test
 * uses its own demo user (rows other specs leave alone: standard rows 3, 5, 7, 9 and 11 and the
 * first high-risk user with passkeys are theirs), since a second case for the same person within
 * 24 hours is a repeat call.
 */

const STANDARD = "/users?tier=STANDARD&status=ACTIVE";

/** Opens the user in row `row` of a directory listing, then a case for them; returns who and where. */
async function openCaseFor(page: Page, list: string, row: number, channel?: string) {
  await page.goto(list);
  await page.getByRole("row").nth(row).getByRole("link").click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  const userUrl = page.url();
  const userName = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
  const workEmail = (await page
    .getByText(/@northwind\.example/)
    .first()
    .textContent())!
    .trim()
    .split(" ")[0]!;
  await page.waitForLoadState("networkidle");
  if (channel) await page.getByLabel("How did they reach you?").selectOption(channel);
  await page.getByRole("button", { name: "Open case" }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  await page.waitForLoadState("networkidle");
  return { userUrl, userName, workEmail, caseUrl: page.url() };
}

/** The agent records a step they performed as passed. */
async function recordPassed(page: Page, title: string) {
  await page
    .getByRole("form", { name: `Record: ${title}` })
    .getByRole("button", { name: "Passed" })
    .click();
  await expect(page.getByRole("form", { name: `Record: ${title}` })).toHaveCount(0);
}

/** The agent asks the manager; the manager answers from their own mail, in their own browser. */
async function managerAnswers(
  page: Page,
  browser: Browser,
  userName: string,
  answer: "Yes, this is them" | "No, deny it",
) {
  await page.getByRole("button", { name: "Send confirmation request to the manager" }).click();
  await expect(page.getByText(/Sent to .•••@/)).toBeVisible();
  await managerAnswersFromMail(browser, userName, answer);
}

test("closing a case with a pass outstanding warns, voids the pass and tells the user", async ({
  page,
  browser,
}) => {
  // 1. The agent verifies a standard caller: callback, employee record, the manager by mail.
  await signInAs(page, "AGENT");
  const { userName, workEmail } = await openCaseFor(page, STANDARD, 13);
  await recordPassed(page, "Call back on the phone of record");
  await recordPassed(page, "Employee record details");
  await managerAnswers(page, browser, userName, "Yes, this is them");

  // 2. Verification is complete: the agent issues a pass.
  await page.reload();
  await page.waitForLoadState("networkidle");
  await expect(page.getByText("Verification complete.")).toBeVisible();
  await page.getByRole("button", { name: "Issue and send the pass" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Pass sent to" })).toBeVisible();

  // 3. The close form warns that the pass is still outstanding; the agent closes with a reason.
  const close = page.getByRole("form", { name: "Close the case" });
  await expect(close.getByRole("note")).toContainText("Still outstanding: a temporary access pass");
  await close.getByLabel("Why it is closed").fill("Caller hung up before the pass was used");
  await close.getByRole("button", { name: "Close case" }).click();
  // The form goes once the case is closed; the closed summary keeps the outcome on screen.
  await expect(page.getByRole("region", { name: "Close" })).toContainText(
    "Caller hung up before the pass was used",
  );
  await expect(page.getByRole("region", { name: "Close" })).toContainText(
    "The outstanding pass or link was voided and the user was told.",
  );
  await expect(
    page.getByRole("region", { name: "Temporary access pass" }).getByText(/void \(case closed\)/),
  ).toBeVisible();
  await expect(page.getByText("closed", { exact: true })).toBeVisible();

  // 4. The user reads the pass from their mail; it no longer works.
  const context = await browser.newContext();
  const user = await context.newPage();
  const pass = (await (
    await mailFor(user, "Your temporary access pass", `Hello ${userName},`)
  ).textContent())!.match(/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/)![0];
  await user.goto("/redeem");
  await user.waitForLoadState("networkidle");
  await user.getByLabel("Your work email", { exact: true }).fill(workEmail);
  await user.getByLabel("Temporary access pass", { exact: true }).fill(pass);
  await user.getByRole("button", { name: "Continue" }).click();
  await expect(user.getByRole("main").getByRole("alert")).toContainText(
    "That email and pass do not match a valid pass",
  );
  await expect(user).toHaveURL(/\/redeem$/);

  // 5. They were told, in their own mail, that the recovery was stopped.
  await expect(
    await mailFor(user, "Your account recovery was stopped", `Hello ${userName},`),
  ).toContainText("The temporary access pass you were sent no longer works");
  await context.close();
});

test("a high-risk caller cannot get a passkey from the agent alone", async ({ page, browser }) => {
  // 1. The agent opens a video case for a high-risk user with a manager and passkeys on record
  //    (each browser test takes its own: HIGH_RISK_USER).
  await signInAs(page, "AGENT");
  await page.goto("/users?tier=HIGH_RISK&status=ACTIVE");
  const rows = page.getByRole("row").filter({ hasNot: page.getByRole("columnheader") });
  await rows
    .filter({ has: page.locator("td:last-child", { hasText: /^[1-9]/ }) })
    .nth(HIGH_RISK_USER.gates)
    .getByRole("link")
    .click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  const userUrl = page.url();
  const userName = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
  const passkeysBefore = (await page.getByText(/^\d+ active of \d+$/).textContent())!.trim();
  const [activeBefore, totalBefore] = passkeysBefore.match(/\d+/g)!.map(Number) as [number, number];
  await page.waitForLoadState("networkidle");
  await page.getByLabel("How did they reach you?").selectOption("VIDEO");
  await page.getByRole("button", { name: "Open case" }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  await page.waitForLoadState("networkidle");
  const caseUrl = page.url();

  // 2. The full high-risk script: callback, the manager by mail, photo ID on video, record details.
  await recordPassed(page, "Call back on the phone of record");
  await managerAnswers(page, browser, userName, "Yes, this is them");
  await page.reload();
  await page.waitForLoadState("networkidle");
  await recordPassed(page, "Photo ID on video");
  await recordPassed(page, "Employee record details");
  await expect(page.getByText("Verification complete.")).toBeVisible();

  // 3. Verified, yet no pass: the page says a second person must approve.
  await expect(page.getByRole("button", { name: "Issue and send the pass" })).toHaveCount(0);
  await expect(
    page.getByText(
      /^A second person must approve this recovery \(high-risk tier\), so no pass can be issued\./,
    ),
  ).toBeVisible();
  await expect(page.getByText("Needs a second person: high-risk tier")).toBeVisible();

  // 4. The agent requests re-enrolment: it waits for a supervisor.
  await page
    .getByRole("form", { name: "Request re-enrolment" })
    .getByRole("button", { name: "Request re-enrolment" })
    .click();
  // The form goes once the request waits; the case shows the wait.
  await expect(page.getByText("pending approval", { exact: true })).toBeVisible();
  await expect(
    page
      .getByRole("region", { name: "Re-enrolment" })
      .getByText(/Approval pending \(high-risk tier\)/),
  ).toBeVisible();

  // 5. Until someone else approves, no link has gone out and no passkey was added.
  const userContext = await browser.newContext();
  const user = await userContext.newPage();
  await user.goto("/mailbox");
  await expect(
    user
      .getByRole("article", { name: "Someone called the service desk about your sign-in" })
      .filter({ hasText: `Hello ${userName},` })
      .first(),
  ).toBeVisible();
  await expect(
    user
      .getByRole("article", { name: "Set up your new passkey" })
      .filter({ hasText: `Hello ${userName},` }),
  ).toHaveCount(0);
  await page.goto(userUrl);
  await expect(page.getByText(`${activeBefore} active of ${totalBefore}`)).toBeVisible();

  // 6. Grace Okafor, a supervisor who did not work the case, approves it in her own browser.
  const supervisorContext = await browser.newContext();
  const supervisor = await supervisorContext.newPage();
  expect((await signInWithStaffPasskey(supervisor, "SUPERVISOR")).name).toBe("Grace Okafor");
  await supervisor.goto("/approvals");
  await confirmItsYou(supervisor);
  const request = supervisor.getByRole("article", { name: `Re-enrolment for ${userName}` });
  await request
    .getByLabel("Reason for your decision")
    .fill("Video ID, callback and manager all match");
  await request.getByRole("button", { name: "Approve" }).click();
  await expect(supervisor.getByRole("region", { name: "Your latest decisions" })).toContainText(
    `${userName}: approved, enrolment link sent`,
  );
  await supervisorContext.close();

  // 7. The enrolment link arrives in the user's mail; they set up a passkey on a virtual authenticator.
  const link = (await (
    await mailFor(user, "Set up your new passkey", `Hello ${userName},`)
  )
    .getByRole("link")
    .first()
    .getAttribute("href"))!;
  await user.goto(link);
  await user.waitForLoadState("networkidle");
  await addPlatformAuthenticator(user);
  await user.getByRole("button", { name: "Set up a new passkey" }).click();
  await expect(user.getByRole("status")).toContainText("Your new passkey");
  await userContext.close();

  // 8. Only now does the new passkey exist, and the case is re-enrolled.
  await page.goto(userUrl);
  await expect(page.getByText(`${activeBefore + 1} active of ${totalBefore + 1}`)).toBeVisible();
  await page.goto(caseUrl);
  await expect(page.getByText("reenrolled", { exact: true })).toBeVisible();
  await expect(page.getByText("used: new passkey set up")).toBeVisible();
});

test("a repeat call needs a second person before any passkey", async ({ page, browser }) => {
  // 1. A first call for a standard user, closed without anything issued.
  await signInAs(page, "AGENT");
  const first = await openCaseFor(page, STANDARD, 15);
  await page
    .getByRole("form", { name: "Close the case" })
    .getByLabel("Why it is closed")
    .fill("Caller will call back later");
  await page
    .getByRole("form", { name: "Close the case" })
    .getByRole("button", { name: "Close case" })
    .click();
  await expect(page.getByText("closed", { exact: true })).toBeVisible();

  // 2. The same person calls again within 24 hours: the case says it needs a second person.
  await page.goto(first.userUrl);
  await page.waitForLoadState("networkidle");
  await page.getByRole("button", { name: "Open case" }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  expect(page.url()).not.toBe(first.caseUrl);
  await page.waitForLoadState("networkidle");
  await expect(page.getByText("Call 2 in 24 h", { exact: true })).toBeVisible();
  await expect(page.getByText(/^Needs a second person: repeat call/)).toBeVisible();

  // 3. The agent verifies the caller in full: callback, employee record, the manager by mail.
  await recordPassed(page, "Call back on the phone of record");
  await recordPassed(page, "Employee record details");
  await managerAnswers(page, browser, first.userName, "Yes, this is them");
  await page.reload();
  await page.waitForLoadState("networkidle");
  await expect(page.getByText("Verification complete.")).toBeVisible();

  // 4. Still no pass: only a re-enrolment, for a supervisor to approve.
  await expect(page.getByRole("button", { name: "Issue and send the pass" })).toHaveCount(0);
  await expect(
    page.getByText(/^A second person must approve this recovery \(repeat call/),
  ).toBeVisible();
  const reenrolment = page.getByRole("region", { name: "Re-enrolment" });
  await expect(reenrolment).toContainText(
    "This recovery needs another supervisor’s approval first (repeat call",
  );
  await reenrolment.getByRole("button", { name: "Request re-enrolment" }).click();
  await expect(reenrolment.getByText(/Approval pending \(repeat call/)).toBeVisible();

  // 5. Nothing was issued: no pass and no enrolment link went out for this user.
  const userContext = await browser.newContext();
  const user = await userContext.newPage();
  await user.goto(`/mailbox?to=${encodeURIComponent(first.workEmail)}`);
  await expect(user.getByRole("heading", { name: "Demo mailbox" })).toBeVisible();
  await expect(user.getByRole("article", { name: "Your temporary access pass" })).toHaveCount(0);
  await expect(user.getByRole("article", { name: "Set up your new passkey" })).toHaveCount(0);
  await userContext.close();
});

test("a manager's denial stops the case", async ({ page, browser }) => {
  // 1. The agent opens a standard case, records the callback and asks the manager.
  await signInAs(page, "AGENT");
  const { userName, userUrl, caseUrl } = await openCaseFor(page, STANDARD, 17);
  await recordPassed(page, "Call back on the phone of record");

  // 2. The manager denies it from their mail.
  await managerAnswers(page, browser, userName, "No, deny it");

  // 3. The case is stopped: it says which check failed, offers no pass and no more records, only close.
  await page.reload();
  await page.waitForLoadState("networkidle");
  await expect(page.getByText("stopped", { exact: true })).toBeVisible();
  await expect(
    page
      .getByRole("status")
      .filter({ hasText: "“Manager confirms” failed, so the case is stopped." }),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: "Issue and send the pass" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: /^Record: / })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Ask the manager to confirm" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Request re-enrolment" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Close the case" })).toBeVisible();

  // 4. The user's page shows the hold, and offers no new case until a supervisor clears it.
  await page.goto(userUrl);
  await expect(page.getByRole("heading", { name: "Recovery on hold" })).toBeVisible();
  await expect(
    page.getByText("On hold after a denial: a supervisor must clear the hold first."),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: "Open case" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Clear the hold" })).toHaveCount(0);

  // 5. Grace Okafor, a supervisor who did not work the case, reviews and clears the hold.
  const supervisorContext = await browser.newContext();
  const supervisor = await supervisorContext.newPage();
  expect((await signInWithStaffPasskey(supervisor, "SUPERVISOR")).name).toBe("Grace Okafor");
  await supervisor.goto(userUrl);
  await confirmItsYou(supervisor);
  const clear = supervisor.getByRole("form", { name: "Clear the hold" });
  await clear
    .getByLabel("What you reviewed, and why recovery may go on")
    .fill("Spoke to the manager: they misread the request");
  await clear.getByRole("button", { name: "Clear the hold" }).click();
  await expect(supervisor.getByRole("heading", { name: "Recovery on hold" })).toHaveCount(0);
  await supervisor.reload();
  await expect(supervisor.getByRole("heading", { level: 1, name: userName })).toBeVisible();
  await expect(supervisor.getByRole("heading", { name: "Recovery on hold" })).toHaveCount(0);
  await supervisorContext.close();

  // 6. The agent sees the hold gone from the user's page; the denied case stays stopped.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Recovery on hold" })).toHaveCount(0);
  // The denied case is still open (stopped), so a new one needs it confirmed first.
  await expect(page.getByRole("button", { name: "Open another case" })).toBeVisible();
  await page.goto(caseUrl);
  await expect(page.getByText("stopped", { exact: true })).toBeVisible();
});

test("an agent of another team cannot open a North case", async ({ page, browser }) => {
  // 1. Priya Shah (Service Desk North) opens a case.
  await signInAs(page, "AGENT");
  const { caseUrl } = await openCaseFor(page, STANDARD, 19);
  await expect(page.getByText("Service Desk North", { exact: false }).first()).toBeVisible();

  // 2. Lucia Romero (Service Desk South) follows the case's URL: not allowed.
  const southContext = await browser.newContext();
  const south = await southContext.newPage();
  await signInAsStaff(south, "Lucia Romero");
  const response = await south.goto(caseUrl);
  expect(response?.status()).toBe(403);
  await expect(south.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await expect(south.getByRole("button", { name: "Close case" })).toHaveCount(0);
  await southContext.close();
});
