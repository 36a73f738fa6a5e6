import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { signInAs } from "./fixtures";

/**
 * Fraud signals across calls (issue 13, docs/decisions/031): one caller ID on calls for two
 * different people, typed into the open-case form, raises a signal; the desk sees it on the case,
 * and a security reviewer reads its evidence in the queue and dismisses it with a note.
 */

const CALLER_ID = "+44 20 7946 0777";

/** Nothing serious or critical for axe on the page as it stands (the queue holds a signal here). */
async function expectNoSeriousViolations(page: Page) {
  await page.waitForLoadState("networkidle");
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(
    violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`),
  ).toEqual([]);
}

/** Opens a case for the n-th active standard-tier user on page 3 of the directory, with a caller ID. */
async function openCaseWithCallerId(page: Page, row: number) {
  await page.goto("/users?tier=STANDARD&status=ACTIVE&page=3");
  await page.getByRole("row").nth(row).getByRole("link").click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  const userName = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
  await page.waitForLoadState("networkidle");
  for (const box of await page.getByRole("checkbox", { name: /needs its own case/ }).all())
    await box.check();
  await page.getByLabel("Caller ID (the number the call came from)").fill(CALLER_ID);
  await page.getByRole("button", { name: /^Open (another )?case$/ }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  return { userName, caseUrl: page.url() };
}

test("one caller ID for two people: the case shows the signal, a security reviewer reads its evidence and dismisses it", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  await signInAs(page, "AGENT");
  const first = await openCaseWithCallerId(page, 3);
  // One call from the number so far: no signal about it. (Signals of the hour or of a burst of
  // privileged calls may stand beside it, depending on when the suite runs: the desk's usual
  // hours are learnt from the demo's calls, so an evening run is "an unusual hour".)
  const onFirst = page.getByRole("region", { name: "Fraud signals" });
  await expect(onFirst.getByRole("heading", { name: "Fraud signals" })).toBeVisible();
  await expect(onFirst.getByText("One number or address for different people")).toHaveCount(0);
  const second = await openCaseWithCallerId(page, 4);
  const onCase = page.getByRole("region", { name: "Fraud signals" });
  await expect(onCase.getByText("One number or address for different people")).toBeVisible();
  await expect(onCase.getByText("Escalates to a supervisor")).toBeVisible();
  await expect(page.getByText(/Needs a second person: a fraud signal/)).toBeVisible();
  // The desk is not shown the other person.
  await expect(onCase.getByText(first.userName)).toHaveCount(0);

  const security = await browser.newContext();
  const reviewer = await security.newPage();
  await signInAs(reviewer, "SECURITY");
  await reviewer
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Signals" })
    .click();
  await expect(reviewer).toHaveURL(/\/signals$/);
  await expectNoSeriousViolations(reviewer);
  await reviewer
    .getByRole("link", { name: /One number or address for different people/ })
    .first()
    .click();
  await expect(reviewer).toHaveURL(/\/signals\/[0-9a-f-]{36}$/);
  const evidence = reviewer.getByRole("region", { name: "Evidence" });
  await expect(evidence.getByText("+44•••••••777").first()).toBeVisible();
  // Both calls are named (a call may also be named by another finding the same signal gathered).
  await expect(
    evidence.getByRole("link", { name: new RegExp(first.userName) }).first(),
  ).toBeVisible();
  await expect(
    evidence.getByRole("link", { name: new RegExp(second.userName) }).first(),
  ).toBeVisible();
  await expect(evidence.getByText("+44 20 7946 0777")).toHaveCount(0);
  await expectNoSeriousViolations(reviewer);

  await reviewer.waitForLoadState("networkidle");
  await reviewer
    .getByLabel("Note for the trail")
    .fill("Both calls came from the office switchboard");
  await reviewer.getByRole("button", { name: "Dismiss" }).click();
  await expect(reviewer.getByText(/^Dismissed\. Its effect is lifted/)).toBeVisible();
  await reviewer.reload();
  await expect(
    reviewer.getByText(/Dismissed by .*: Both calls came from the office switchboard/),
  ).toBeVisible();

  // The desk's case no longer needs a supervisor for the signal.
  await page.goto(second.caseUrl);
  await expect(page.getByText(/Needs a second person: a fraud signal/)).toHaveCount(0);
  await security.close();
});
