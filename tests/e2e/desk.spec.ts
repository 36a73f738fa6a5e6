import { expect, test, type Page } from "@playwright/test";
import { signInAs } from "./fixtures";

/**
 * A desk's day (issue 12): the case page updates while the manager answers elsewhere, without
 * a reload and without losing what the agent is typing; notes, the ticket, the queue's filters,
 * and the warning before a second case for the same caller.
 */

/** Opens a case for the n-th active standard-tier user in the directory; returns their name. */
async function openCaseForUser(page: Page, row: number) {
  await page.goto("/users?tier=STANDARD&status=ACTIVE");
  await page.getByRole("row").nth(row).getByRole("link").click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  const userName = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
  const userUrl = page.url();
  await page.waitForLoadState("networkidle");
  // If an earlier test left this person a case, this call is a case of its own: confirm it.
  for (const box of await page.getByRole("checkbox", { name: /needs its own case/ }).all())
    await box.check();
  await page.getByRole("button", { name: /^Open (another )?case$/ }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  return { userName, userUrl, caseUrl: page.url() };
}

test("the case page follows the manager's answer live, keeping the agent's unsent note", async ({
  page,
  browser,
}) => {
  await signInAs(page, "AGENT");
  const { userName, caseUrl } = await openCaseForUser(page, 20);
  await expect(page.locator("[data-live-state=live]")).toBeAttached();

  await page
    .getByRole("form", { name: "Record: Call back on the phone of record" })
    .getByRole("button", { name: "Passed" })
    .click();
  await page
    .getByRole("form", { name: "Record: Employee record details" })
    .getByRole("button", { name: "Passed" })
    .click();
  await expect(page.getByRole("form", { name: "Record: Employee record details" })).toHaveCount(0);
  await page.getByRole("button", { name: "Send confirmation request to the manager" }).click();
  await expect(page.getByText(/Sent to .•••@northwind\.example/)).toBeVisible();

  // The agent starts a note while waiting.
  const note = page.getByLabel("Call note (kept as written: notes cannot be edited or removed)");
  await note.fill("Caller is waiting on the line; manager is in a meeting");

  // The manager answers from their own mail, in their own browser.
  const manager = await browser.newContext();
  const managerPage = await manager.newPage();
  const subject = `Please confirm: ${userName} asked for account recovery`;
  await expect(async () => {
    await managerPage.goto("/mailbox");
    await expect(managerPage.getByRole("article", { name: subject }).first()).toBeVisible({
      timeout: 1000,
    });
  }).toPass({ timeout: 20_000 });
  await managerPage.getByRole("article", { name: subject }).first().getByRole("link").click();
  await managerPage.waitForLoadState("networkidle");
  await managerPage.getByRole("button", { name: "Yes, this is them" }).click();
  await expect(managerPage.getByRole("status")).toContainText("You confirmed the request");
  await manager.close();

  // No reload: the agent's page shows the answer by itself, and the note is still there.
  await expect(page.getByText("Verification complete.")).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole("button", { name: "Issue and send the pass" })).toBeVisible();
  expect(page.url()).toBe(caseUrl);
  await expect(note).toHaveValue("Caller is waiting on the line; manager is in a meeting");

  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Note added." })).toBeVisible();
  await expect(
    page
      .getByRole("region", { name: "Call notes" })
      .getByText("Caller is waiting on the line; manager is in a meeting"),
  ).toBeVisible();
  await expect(note).toHaveValue("");

  // A ticket in the desk's own format, normalised.
  await page.getByRole("textbox", { name: /^Ticket \(/ }).fill("inc0071234");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Ticket INC0071234 recorded." }),
  ).toBeVisible();
});

test("the queue: mine, a ticket search, filters that keep and clear, and who has each case", async ({
  page,
}) => {
  const agent = await signInAs(page, "AGENT");
  const { userName } = await openCaseForUser(page, 12);
  await expect(page.getByText(`Owner: you (${agent.name})`)).toBeVisible();
  await page.getByRole("textbox", { name: /^Ticket \(/ }).fill("HD-4242");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Ticket HD-4242" })).toBeVisible();

  await page.goto("/cases");
  await page
    .getByRole("navigation", { name: "Queues" })
    .getByRole("link", { name: "Mine" })
    .click();
  await expect(page).toHaveURL(/view=mine/);
  const row = page.getByRole("row").filter({ hasText: userName });
  await expect(row).toContainText("You");
  await expect(row).toContainText("HD-4242");

  // A search keeps the view; a reason that does not match empties the list.
  await page.getByLabel("Ticket, name or employee ID").fill("hd-4242");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/view=mine&q=hd-4242/);
  await expect(page.getByRole("row").filter({ hasText: userName })).toBeVisible();
  await page.getByLabel("Reason").selectOption("STOLEN_DEVICE");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByText("No cases match.")).toBeVisible();

  // Clearing keeps the view, drops the filters.
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/cases\?view=mine$/);
  await expect(page.getByRole("row").filter({ hasText: userName })).toBeVisible();

  // Not stopped, so not in "Stopped".
  await page
    .getByRole("navigation", { name: "Queues" })
    .getByRole("link", { name: "Stopped" })
    .click();
  await expect(page.getByRole("row").filter({ hasText: userName })).toHaveCount(0);
});

test("a second case for the same caller: the user page lists the open case and asks to confirm it", async ({
  page,
  browser,
}) => {
  await signInAs(page, "AGENT");
  const { userUrl, caseUrl } = await openCaseForUser(page, 14);

  // Another agent takes the same caller's call.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signInAs(otherPage, "SUPERVISOR");
  await otherPage.goto(userUrl);
  const cases = otherPage.getByRole("region", { name: "Cases" });
  await expect(cases.getByRole("link", { name: "Lost device" }).first()).toHaveAttribute(
    "href",
    new URL(caseUrl).pathname,
  );
  await expect(otherPage.getByText("This person already has an open case")).toBeVisible();
  const confirm = otherPage.getByRole("checkbox", { name: /needs its own case/ });
  await expect(confirm).toHaveCount(1);
  // The browser will not send the form until the open case is confirmed.
  await otherPage.getByRole("button", { name: "Open another case" }).click();
  await expect(otherPage).toHaveURL(userUrl);
  await other.close();
});
