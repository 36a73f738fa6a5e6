import { expect, test, type Browser, type Page } from "@playwright/test";
import {
  confirmItsYou,
  e2eSql,
  mailFor,
  signInAs,
  signInAsStaff,
  signInWithStaffPasskey,
} from "./fixtures";

/**
 * Decision 025 in the browser: revoke-all asks first and names what it revokes; the manager's
 * link shows the answer it recorded; a denial leaves the agent with words for the caller and
 * links to what can happen next; a security reviewer reads a case without working it and revokes
 * from the person's page. Each test has its own demo users (standard rows 16, 18, 22 and 24; the
 * other specs keep to theirs), since a second case for one person is a repeat call.
 */

const STANDARD = "/users?tier=STANDARD&status=ACTIVE";

async function openUser(page: Page, row: number) {
  await page.goto(STANDARD);
  await page.getByRole("row").nth(row).getByRole("link").click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  await page.waitForLoadState("networkidle");
  const userName = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
  return { userUrl: page.url(), userId: page.url().split("/").pop()!, userName };
}

/** Opens a case for the user in `row`, records the callback and asks the manager. */
async function caseWaitingForTheManager(page: Page, row: number) {
  const user = await openUser(page, row);
  await page.getByRole("button", { name: "Open case" }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  await page.waitForLoadState("networkidle");
  await page
    .getByRole("form", { name: "Record: Call back on the phone of record" })
    .getByRole("button", { name: "Passed" })
    .click();
  await expect(
    page.getByRole("form", { name: "Record: Call back on the phone of record" }),
  ).toHaveCount(0);
  await page.getByRole("button", { name: "Send confirmation request to the manager" }).click();
  await expect(page.getByText(/Sent to .•••@/)).toBeVisible();
  return { ...user, caseUrl: page.url() };
}

/** The manager opens their link from their own mail, in their own browser. */
async function managersLink(browser: Browser, userName: string) {
  const context = await browser.newContext();
  const manager = await context.newPage();
  const link = await (
    await mailFor(manager, `Please confirm: ${userName} asked for account recovery`)
  )
    .getByRole("link")
    .getAttribute("href");
  await manager.goto(link!);
  await manager.waitForLoadState("networkidle");
  return { context, manager, link: link! };
}

/** The active passkeys' models, as the user page's table lists them. */
async function activeModels(page: Page, userName: string) {
  const rows = page
    .getByRole("table", { name: `Passkeys of ${userName}` })
    .getByRole("row")
    .filter({ hasText: "Active" });
  const models: string[] = [];
  for (const row of await rows.all())
    models.push((await row.getByRole("cell").first().locator("span").first().textContent())!);
  return models;
}

test("revoke all asks first, naming each passkey and what else stops; Escape changes nothing; a changed list is refused; what was confirmed is revoked", async ({
  page,
}) => {
  await signInWithStaffPasskey(page, "AGENT");
  const { userId, userName } = await openUser(page, 16);
  await confirmItsYou(page);
  const models = await activeModels(page, userName);
  expect(models.length).toBeGreaterThan(0);
  const form = page.getByRole("form", { name: "Revoke all passkeys" });
  const opener = form.getByRole("button", { name: "Revoke all passkeys…" });
  const dialog = page.getByRole("dialog", { name: `Revoke all of ${userName}’s passkeys?` });

  // 1. The button opens a modal dialog: focus on Cancel, each passkey named, the reason shown.
  await opener.click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  const listed = dialog.getByRole("list", { name: "Passkeys to revoke" }).getByRole("listitem");
  await expect(listed).toHaveCount(models.length);
  for (const model of models) await expect(listed.filter({ hasText: model })).not.toHaveCount(0);
  await expect(dialog).toContainText("Reason: Stolen.");
  await expect(dialog).toContainText("It cannot be undone");

  // 2. Escape closes it, focus goes back to the button, and nothing was revoked.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
  await expect(page.getByText(`${models.length} active of`)).toBeVisible();

  // 3. Someone sets up a passkey while the agent reads the dialog: confirming what is no longer
  //    the whole list is refused, and nothing is revoked.
  await opener.click();
  await e2eSql(
    `INSERT INTO "Passkey" ("userId", "credentialId", "publicKey", transports, aaguid, "modelName", "backedUp")
     VALUES ($1::uuid, $2, '\\x00'::bytea, '{usb}', '00000000-0000-0000-0000-000000000000', 'Intruder key', false)`,
    [userId, `e2e-intruder-${Date.now()}`],
  );
  await dialog
    .getByRole("button", { name: /^Revoke (this passkey|these \d+ passkeys) now$/ })
    .click();
  await expect(form.getByRole("alert")).toContainText(
    "Nothing was revoked: the passkeys changed since you confirmed (1 passkey was added).",
  );
  await expect(page.getByText(`${models.length + 1} active of`)).toBeVisible();

  // 4. By keyboard alone: another reason, open, Tab to the confirmation (it names the new
  //    passkey too), Enter. Exactly the named passkeys are revoked.
  await form.getByLabel("Reason").selectOption("SUSPECTED_COMPROMISE");
  await opener.focus();
  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await expect(listed).toHaveCount(models.length + 1);
  await expect(listed.filter({ hasText: "Intruder key" })).toHaveCount(1);
  await expect(dialog).toContainText("Reason: Suspected compromise.");
  await page.keyboard.press("Tab");
  await expect(
    dialog.getByRole("button", { name: `Revoke these ${models.length + 1} passkeys now` }),
  ).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(form.getByRole("status")).toContainText(
    `Revoked ${models.length + 1} passkeys; passes, links and approvals voided`,
  );
  await expect(page.getByText("0 active of")).toBeVisible();
});

test("the manager's link shows the answer recorded instead of the buttons, also on reload", async ({
  page,
  browser,
}) => {
  await signInAs(page, "AGENT");
  const { userName } = await caseWaitingForTheManager(page, 22);
  const { context, manager, link } = await managersLink(browser, userName);
  await manager.getByRole("button", { name: "Yes, this is them" }).click();

  const answered = async (where: Page) => {
    await expect(where.getByRole("heading", { name: "You answered this request" })).toBeVisible();
    await expect(where.locator("#recorded-answer")).toHaveText(
      new RegExp(
        `^You confirmed the request from ${userName} on \\d+ \\w+ \\d{4}, \\d\\d:\\d\\d UTC`,
      ),
    );
    await expect(where.getByRole("button")).toHaveCount(0);
  };
  await answered(manager);
  await manager.reload();
  await answered(manager);
  // The same link opened again later, in another browser: the answer, never the question.
  const later = await (await browser.newContext()).newPage();
  await later.goto(link);
  await answered(later);
  await later.context().close();
  await context.close();
});

test("after a manager's denial the agent is told what to say and what can happen next, on the case and on the person's page", async ({
  page,
  browser,
}) => {
  await signInAs(page, "AGENT");
  const { userName, userUrl } = await caseWaitingForTheManager(page, 24);
  const { context, manager } = await managersLink(browser, userName);
  await manager.getByRole("button", { name: "No, deny it" }).click();
  await expect(manager.getByRole("status")).toContainText("You denied the request");
  await expect(manager.locator("#recorded-answer")).toContainText(
    `You denied the request from ${userName} on`,
  );
  await manager.reload();
  await expect(manager.locator("#recorded-answer")).toContainText("You denied the request");
  await expect(manager.getByRole("button")).toHaveCount(0);
  await context.close();

  // 1. The case: what happened, the words to read (which say nothing of the manager), what not
  //    to say, and what can happen next.
  await page.reload();
  await page.waitForLoadState("networkidle");
  const guidance = page.getByRole("status", { name: "What to tell the caller" });
  await expect(guidance).toContainText("“Manager confirms” failed, so the case is stopped.");
  await expect(guidance.getByRole("blockquote")).toHaveText(
    "“I'm sorry, I can't go ahead with this recovery on this call. For your security we only continue when every check is complete. The service desk will contact you using the details we hold for you.”",
  );
  await expect(guidance).toContainText("Don’t: Don't say that their manager said no");
  await expect(guidance).toContainText(
    "A supervisor of Service Desk North who did not work this case reviews the denial",
  );

  // 2. Each next step links to its action: closing is on this page...
  await guidance.getByRole("link", { name: "Close the case" }).click();
  await expect(page).toHaveURL(/#close$/);
  await expect(page.getByRole("form", { name: "Close the case" })).toBeInViewport();

  // 3. ...the review is on the person's page, which says why no case can be opened.
  await guidance.getByRole("link", { name: "Open the person’s page" }).click();
  await expect(page).toHaveURL(userUrl);
  const onUser = page.getByRole("status", { name: "What to tell the caller" });
  await expect(onUser).toContainText("Recovery for this person is on hold after a denial.");
  await expect(onUser).toContainText("I can't start a recovery for your account at the moment");
  await expect(onUser.getByRole("link", { name: "Revoke passkeys" })).toHaveAttribute(
    "href",
    "#passkeys",
  );
  await expect(onUser.getByRole("link", { name: "Clear the hold" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Open case" })).toHaveCount(0);
});

test("a security reviewer reads any case with no working control, and revokes from the person's page", async ({
  page,
  browser,
}) => {
  // 1. An agent of Service Desk South opens a case (a team the reviewer is not in).
  await signInAsStaff(page, "Lucia Romero");
  const { userName, userUrl, caseUrl } = await caseWaitingForTheManager(page, 18);

  // 2. Mei Lin, security reviewer, opens it: read, not worked.
  const context = await browser.newContext();
  const reviewer = await context.newPage();
  await signInWithStaffPasskey(reviewer, "SECURITY");
  const response = await reviewer.goto(caseUrl);
  expect(response?.status()).toBe(200);
  await expect(reviewer.getByRole("heading", { level: 1 })).toContainText(userName);
  await expect(reviewer.getByRole("note")).toContainText(
    "You are reading this case: security reviewers work no case.",
  );
  await expect(reviewer.getByText("Service Desk South", { exact: false }).first()).toBeVisible();
  await expect(reviewer.getByRole("main").getByRole("form")).toHaveCount(0);
  await expect(reviewer.getByRole("main").getByRole("button")).toHaveCount(0);

  // 3. On the person's page they confirm it's them and revoke one passkey.
  await reviewer.goto(userUrl);
  await confirmItsYou(reviewer);
  const models = await activeModels(reviewer, userName);
  expect(models.length).toBeGreaterThan(0);
  const revokeOne = reviewer.getByRole("form", { name: `Revoke ${models[0]}` }).first();
  await revokeOne.getByLabel("Reason").selectOption("SUSPECTED_COMPROMISE");
  await revokeOne.getByRole("button", { name: "Revoke" }).click();
  await expect(reviewer.getByText(`${models.length - 1} active of`)).toBeVisible();
  // 4. The trail says it was them, as a security reviewer.
  await reviewer.reload();
  const events = reviewer.locator("section[aria-labelledby=events]");
  await expect(
    events.getByRole("listitem").filter({ hasText: "Passkeys revoked" }).first(),
  ).toContainText("Mei Lin (security)");
  await context.close();
});
