import { expect, test, type Page } from "@playwright/test";
import {
  demoStaff,
  HIGH_RISK_USER,
  mailFor,
  requestHighRiskReenrolment,
  signInAs,
} from "./fixtures";

/** The "Approvals" link in the console's navigation. */
const approvalsLink = (page: Page, name: string | RegExp = /^Approvals/) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });

/** How many requests the badge says wait for this supervisor (none shown: 0). */
async function waiting(page: Page): Promise<number> {
  const label = (await approvalsLink(page).getAttribute("aria-label")) ?? "";
  return Number(label.match(/^Approvals, (\d+) waiting$/)?.[1] ?? 0);
}

/**
 * Issue 12, "a day on the desk": a supervisor is told that a re-enrolment waits. The agent
 * verifies a high-risk caller and requests a re-enrolment; the team's supervisor, already signed
 * in elsewhere, sees the count on "Approvals" go up, finds the mail in the demo mailbox (what is
 * asked, why, until when) and follows its link to the queue, which says how long is left.
 */
test("a supervisor sees the waiting request on the Approvals badge and in their mail", async ({
  page,
  browser,
}) => {
  const supervisorName = demoStaff("SUPERVISOR").name;
  const supervisorContext = await browser.newContext();
  const supervisor = await supervisorContext.newPage();
  await signInAs(supervisor, "SUPERVISOR");
  await supervisor.goto("/cases");
  await expect(approvalsLink(supervisor)).toBeVisible();
  // Other tests of the suite may have left requests waiting: the count is read, then compared.
  const before = await waiting(supervisor);

  // 1-3. The agent verifies a high-risk user with passkeys (the high-risk script, the manager by
  //      mail) and requests a re-enrolment: it waits, and the case says until when.
  await signInAs(page, "AGENT");
  await expect(approvalsLink(page)).toHaveCount(0);
  const { userName } = await requestHighRiskReenrolment(
    page,
    browser,
    HIGH_RISK_USER.supervisorsTold,
  );
  await expect(
    page
      .getByRole("region", { name: "Re-enrolment" })
      .getByText(/Approval pending \(high-risk tier\) · requested .* · lapses .* \(\d+ min left\)/),
  ).toBeVisible();

  // 4. The supervisor's next page counts it on the badge, named for screen readers.
  await supervisor.goto("/cases");
  await expect(approvalsLink(supervisor, `Approvals, ${before + 1} waiting`)).toBeVisible();

  // 5. The mail: what is asked, why, until when, and an absolute link to the queue.
  const mail = await mailFor(
    supervisor,
    `A re-enrolment for ${userName} waits for your approval`,
    `Hello ${supervisorName},`,
  );
  await expect(mail).toContainText(
    `${demoStaff("AGENT").name} asks a second person to approve a passkey re-enrolment for ${userName}`,
  );
  await expect(mail).toContainText("revoking 1 lost passkey in the same step");
  await expect(mail).toContainText("Why a second person: high-risk tier.");
  await expect(mail).toContainText(/It lapses at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  const link = mail.getByRole("link");
  await expect(link).toHaveAttribute("href", /^https?:\/\/[^/]+\/approvals$/);

  // 6. The link opens the queue: the request, what it revokes, and how long is left.
  await link.click();
  await expect(supervisor).toHaveURL(/\/approvals$/);
  const request = supervisor.getByRole("article", { name: `Re-enrolment for ${userName}` });
  await expect(request.getByText("to revoke")).toBeVisible();
  await expect(request.getByText(/^\d+ min left$/)).toBeVisible();
  await expect(request).toContainText(/, lapses \d+ \w+ \d{4}/);
  await expect(request.getByRole("button", { name: "Approve" })).toBeVisible();
  await supervisorContext.close();
});
