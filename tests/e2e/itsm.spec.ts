import { createHmac } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { startHttpReceiver } from "../siem-receivers";
import { confirmItsYou, e2eSql, signInAs, signInWithStaffPasskey } from "./fixtures";

/**
 * The desk's ITSM (issue 14, docs/decisions/035): a security reviewer adds a webhook endpoint and
 * reads its secret once; an ITSM's link opens the person's page with the ticket filled in; the
 * case opens with it, and the running console posts the case event, signed with that secret, to a
 * real receiver, logged on the settings page. The reviewer rotates the secret (both sign for a
 * day) and sends again an event the receiver refused for good. The dormant access report lists the leavers who
 * still hold passkeys.
 */

async function expectNoSeriousViolations(page: Page) {
  await page.waitForLoadState("networkidle");
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(
    violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`),
  ).toEqual([]);
}

test("an ITSM's link opens a case with its ticket, the case event reaches the ITSM signed, and a rotated secret and an event sent again do too", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const receiver = await startHttpReceiver();
  try {
    // 1. The security reviewer adds the endpoint: the secret is shown once.
    const security = await browser.newContext();
    const reviewer = await security.newPage();
    // Adding an endpoint is gated by step-up (decision 015): a staff passkey, confirmed here.
    await signInWithStaffPasskey(reviewer, "SECURITY");
    await reviewer.goto("/settings/webhooks");
    await expect(reviewer.getByRole("heading", { name: "Ticket webhooks" })).toBeVisible();
    await confirmItsYou(reviewer);
    await reviewer.getByLabel("Name").fill("Service desk");
    await reviewer.getByLabel("Receiver address (https://)").fill(receiver.url);
    await reviewer.getByRole("button", { name: "Add endpoint" }).click();
    const added = reviewer.getByText(/Its signing secret, shown only now/);
    await expect(added).toBeVisible();
    const secret = (await added.textContent())!.match(/whsec_[A-Za-z0-9_-]+/)![0];
    await expectNoSeriousViolations(reviewer);

    // 2. An unknown employee: a clear page.
    await signInAs(page, "AGENT");
    await page.goto("/cases/new?ticket=INC0012345&employee=E0000000");
    await expect(
      page.getByRole("heading", { name: "This ticket link cannot open a case" }),
    ).toBeVisible();
    await expect(
      page.getByText("No one in the directory has the employee ID E0000000."),
    ).toBeVisible();

    // 3. The ITSM's link: the person's page, the ticket filled in, normalised.
    const [person] = await e2eSql<{ id: string; employeeId: string }>(
      `SELECT u.id, u."employeeId" FROM "WorkforceUser" u
       WHERE u.status = 'ACTIVE' AND u."riskTier" = 'STANDARD' AND u."leavingOn" IS NULL
         AND NOT EXISTS (SELECT 1 FROM "RecoveryCase" c WHERE c."userId" = u.id)
       ORDER BY u."employeeId" DESC LIMIT 1`,
    );
    await page.goto(`/cases/new?ticket=inc0012345&employee=${person!.employeeId}`);
    await expect(page).toHaveURL(new RegExp(`/users/${person!.id}\\?ticket=INC0012345`));
    await expect(page.getByLabel("Ticket (optional)")).toHaveValue("INC0012345");
    await page.waitForLoadState("networkidle");
    await page.getByRole("button", { name: /^Open (another )?case$/ }).click();
    await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
    const caseId = page.url().split("/").at(-1)!;
    await expect(page.getByText("INC0012345").first()).toBeVisible();

    // 4. The console's worker posts case.opened, signed with the endpoint's secret.
    await expect
      .poll(() => receiver.requests.map((r) => JSON.parse(r.body).type as string), {
        timeout: 30_000,
      })
      .toContain("case.opened");
    const request = receiver.requests.find((r) => JSON.parse(r.body).caseId === caseId)!;
    const timestamp = String(request.headers["x-console-timestamp"]);
    expect(request.headers["x-console-signature"]).toBe(
      `sha256=${createHmac("sha256", secret).update(`${timestamp}.${request.body}`).digest("hex")}`,
    );
    expect(JSON.parse(request.body)).toMatchObject({
      type: "case.opened",
      caseId,
      ticketRef: "INC0012345",
      employeeId: person!.employeeId,
    });

    // 5. The delivery log shows it.
    await reviewer.reload();
    const log = reviewer.getByRole("table", { name: "Delivery log of Service desk" });
    await expect(log.getByText("case.opened").first()).toBeVisible();
    await expect(log.getByText("delivered (HTTP 200)").first()).toBeVisible();

    // 6. The reviewer rotates the secret, keeping the old one for a day (the default): the new
    // one is shown once, and the next event is signed with both.
    await reviewer.waitForLoadState("networkidle");
    await reviewer.getByText("Rotate the signing secret").click();
    await expect(
      reviewer.getByLabel(/Keep the old secret signing beside the new one for a day/),
    ).toBeChecked();
    await reviewer.getByRole("button", { name: "Rotate secret" }).click();
    const rotated = reviewer.getByText(/The new signing secret, shown only now/);
    await expect(rotated).toBeVisible();
    await expect(rotated).toContainText("The old secret keeps signing beside it until");
    const newSecret = (await rotated.textContent())!.match(/whsec_[A-Za-z0-9_-]+/)![0];
    expect(newSecret).not.toBe(secret);

    // 7. The ITSM refuses the next event for good (a 400): given up on, and the reviewer sends it
    // again once the receiver is fixed, from the delivery log.
    receiver.answer = () => 400;
    const close = page.getByRole("form", { name: "Close the case" });
    await close.getByLabel("Why it is closed").fill("Resolved on the ticket");
    await close.getByRole("button", { name: "Close case" }).click();
    await expect
      .poll(
        () => receiver.requests.filter((r) => JSON.parse(r.body).type === "case.closed").length,
        {
          timeout: 30_000,
        },
      )
      .toBe(1);
    await expect
      .poll(
        async () => {
          await reviewer.reload();
          return reviewer.getByRole("button", { name: "Send again" }).count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    await expect(log.getByText("given up (HTTP 400)")).toBeVisible();
    receiver.answer = () => 200;
    await reviewer.waitForLoadState("networkidle");
    await reviewer.getByRole("button", { name: "Send again" }).click();
    await expect(reviewer.getByText(/Asked\. It is sent again on the next delivery/)).toBeVisible();
    await expect
      .poll(
        () => receiver.requests.filter((r) => JSON.parse(r.body).type === "case.closed").length,
        {
          timeout: 30_000,
        },
      )
      .toBe(2);
    const [refused, resent] = receiver.requests.filter(
      (r) => JSON.parse(r.body).type === "case.closed",
    );
    // The same event (its id is the Idempotency-Key), signed with the new secret and the old one.
    expect(resent!.body).toBe(refused!.body);
    expect(resent!.headers["idempotency-key"]).toBe(refused!.headers["idempotency-key"]);
    const sign = (key: string, request: typeof resent) =>
      `sha256=${createHmac("sha256", key)
        .update(`${String(request!.headers["x-console-timestamp"])}.${request!.body}`)
        .digest("hex")}`;
    expect(String(resent!.headers["x-console-signature"]).split(", ")).toEqual([
      sign(newSecret, resent),
      sign(secret, resent),
    ]);
    await reviewer.reload();
    await expect(log.getByText(/sent again on request/)).toBeVisible();
    await expect(log.getByText(/^Sent again /)).toBeVisible();
    await expectNoSeriousViolations(reviewer);

    // 8. Disabled: the reviewer turns it off.
    await reviewer.waitForLoadState("networkidle");
    await reviewer.getByRole("button", { name: "Disable" }).click();
    await expect(reviewer.getByText("Disabled. Nothing more is sent to it.")).toBeVisible();
    await security.close();
  } finally {
    await receiver.stop();
  }
});

test("the dormant access report lists leavers still holding passkeys, each figure linking to its people", async ({
  page,
}) => {
  await signInAs(page, "SECURITY");
  await page.goto("/reports?dormant=30");
  const section = page.getByRole("region", { name: "Dormant access" });
  await expect(section).toBeVisible();
  const [held] = await e2eSql<{ count: string }>(
    `SELECT count(DISTINCT u.id) AS count FROM "WorkforceUser" u JOIN "Passkey" p ON p."userId" = u.id
     WHERE u.status = 'LEFT' AND p.status = 'ACTIVE'`,
  );
  const leftWithPasskeys = Number(held!.count);
  expect(leftWithPasskeys).toBeGreaterThan(0);
  const figure = section.locator('a[href="#dormant-leavers"]');
  const shown = Number(await figure.textContent());
  // Every seeded leaver with a passkey at least (other leavers may hold a session or a case).
  expect(shown).toBeGreaterThanOrEqual(leftWithPasskeys);
  await figure.click();
  await expect(page).toHaveURL(/#dormant-leavers$/);
  await expect(page.locator("#dormant-leavers tbody tr")).toHaveCount(Math.min(shown, 100));
  await expect(section.getByRole("link", { name: "30 days" })).toHaveAttribute(
    "aria-current",
    "page",
  );
  await expectNoSeriousViolations(page);
});
