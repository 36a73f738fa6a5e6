import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { mailFor, signInAs } from "./fixtures";

/**
 * The passkey rollout (issue 15, part C; docs/decisions/038): a security reviewer defines a wave,
 * sees its coverage on the reports, follows "at lockout risk" to the directory listing exactly
 * that many people, starts a campaign for the wave, and the running console's job mails the
 * people at risk through the outbox: the mail reaches the demo mailbox with the link to /account.
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

test("security defines a wave, follows its lockout risk to its people, and nudges them by mail", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const name = "Wave E2E: Marketing";
  const today = new Date().toISOString().slice(0, 10);
  const later = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

  // 1. The wave: Marketing, from today (before the seed's "everyone else" wave, after the others).
  await signInAs(page, "SECURITY");
  await page.getByRole("link", { name: "Rollout" }).click();
  await expect(page.getByRole("heading", { name: "Passkey rollout", level: 1 })).toBeVisible();
  await page.waitForLoadState("networkidle");
  const define = page.getByRole("form", { name: "Define a wave" });
  await define.getByLabel("Name").fill(name);
  await define.getByRole("checkbox", { name: "Marketing" }).check();
  await define.getByLabel("Starts on").fill(today);
  await define.getByLabel("Migration window ends").fill(later);
  await define.getByRole("button", { name: "Define wave" }).click();
  await expect(page.getByText(`Wave "${name}" defined.`)).toBeVisible();
  await expect(page.getByRole("heading", { name: new RegExp(`^${name}`), level: 3 })).toBeVisible();
  await expectNoSeriousViolations(page);

  // 2. Its coverage on the reports; "at lockout risk" lists exactly that many people.
  await page.goto("/reports#coverage");
  const byWave = page.getByRole("region", { name: "By wave" });
  const atRisk = byWave.getByRole("link", {
    name: new RegExp(`^At lockout risk, ${name} \\(from .*\\): \\d+$`),
  });
  const label = (await atRisk.getAttribute("aria-label"))!;
  const count = Number(label.match(/: (\d+)$/)![1]);
  expect(count).toBeGreaterThan(0);
  await expectNoSeriousViolations(page);
  await atRisk.click();
  await expect(page).toHaveURL(/\/users\?coverage=lockout-risk&wave=[0-9a-f-]{36}$/);
  await expect(page.getByText(`Rollout report: at lockout risk, wave ${name}.`)).toBeVisible();
  await expect(page.getByText(new RegExp(`^${count} users?( · page 1 of \\d+)?$`))).toBeVisible();
  const firstPerson = (await page
    .getByRole("row")
    .nth(1)
    .getByRole("link")
    .first()
    .textContent())!.trim();

  // 3. A campaign for the wave; the job mails the people at risk, first by name first.
  await page.goto("/settings/rollout");
  await page.waitForLoadState("networkidle");
  const start = page.getByRole("form", { name: "Start a campaign" });
  await start.getByLabel("Who: the people at lockout risk in").selectOption({
    label: `Wave: ${name}`,
  });
  await start.getByRole("button", { name: "Start campaign" }).click();
  await expect(page.getByText("Campaign started.")).toBeVisible();
  await expect(
    page.getByRole("heading", { name: new RegExp(`^Wave: ${name} Running`), level: 3 }),
  ).toBeVisible();

  const mail = await mailFor(
    page,
    "Add a second passkey so a lost phone does not lock you out",
    `Hello ${firstPerson},`,
  );
  const link = mail.getByRole("link", { name: /\/account$/ });
  await expect(link).toHaveAttribute("href", /^http:\/\/localhost:\d+\/account$/);
  await link.click();
  await expect(page).toHaveURL(/\/account$/);
});
