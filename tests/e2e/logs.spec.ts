import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { E2E_METRICS_TOKEN } from "../../playwright.config";
import { mailFor, signInAs, STANDARD_LIST, userWithPass } from "./fixtures";

/**
 * The console's JSON log (docs/decisions/041) against the production build: the server writes it
 * to LOG_FILE (playwright.config.ts). After a real recovery (an agent signed in, a manager's
 * confirmation link opened, a pass issued and redeemed into an account session, a wrong pass
 * refused), the log holds the requests' IDs, as the responses returned them, and lines logged
 * inside Next (a server action's, a route handler's) carry them too; it never holds the pass,
 * the link's token or a session cookie's value. First, GET /readyz says the server is ready.
 */
const LOG_FILE = process.env.E2E_LOG_FILE ?? ".data/e2e-console.log";

type Line = { msg: string; requestId?: string; path?: string; status?: number; code?: string };
const logLines = (): Line[] =>
  readFileSync(LOG_FILE, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Line);

test("the log keeps request IDs and never a pass, a link token or a session token", async ({
  browser,
  page,
}) => {
  test.setTimeout(180_000);
  // The production server is ready: its database has every migration of the build (read by the
  // application role), its keys are readable, nothing waits.
  const ready = await page.request.get("/readyz");
  expect(ready.status()).toBe(200);
  expect(await ready.text()).toBe('{"status":"ready"}');
  await signInAs(page, "AGENT");
  const staffSession = (await page.context().cookies()).find((c) =>
    c.name.endsWith("console.session"),
  )!.value;
  const { pass, userName, workEmail } = await userWithPass(
    page,
    browser,
    3,
    `${STANDARD_LIST}&page=2`,
  );

  // The manager's link, as the mail carried it (already answered by the recovery above).
  const mailbox = await browser.newPage();
  const link = (await (
    await mailFor(mailbox, `Please confirm: ${userName} asked for account recovery`)
  )
    .getByRole("link")
    .getAttribute("href"))!;
  const linkToken = new URL(link, "http://console.test").pathname.split("/").pop()!;
  expect(linkToken.length).toBeGreaterThan(16);
  const opened = await mailbox.goto(link);
  const linkRequestId = opened!.headers()["x-request-id"]!;
  await mailbox.close();

  // A wrong pass first (a server action the console refuses), then the right one.
  const context = await browser.newContext();
  const user = await context.newPage();
  await user.goto("/redeem");
  await user.waitForLoadState("networkidle");
  await user.getByLabel("Your work email", { exact: true }).fill(workEmail);
  await user.getByLabel("Temporary access pass", { exact: true }).fill("0000-0000-0000-0000");
  const [refused] = await Promise.all([
    user.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/redeem")),
    user.getByRole("button", { name: "Continue" }).click(),
  ]);
  const refusedRequestId = (await refused.allHeaders())["x-request-id"]!;
  await expect(
    user.getByRole("form", { name: "Use a temporary access pass" }).getByRole("alert"),
  ).toBeVisible();
  await user.getByLabel("Temporary access pass", { exact: true }).fill(pass);
  await user.getByRole("button", { name: "Continue" }).click();
  await expect(user).toHaveURL(/\/account$/);
  const accountSession = (await context.cookies()).find((c) =>
    c.name.endsWith("account.session"),
  )!.value;
  await context.close();

  // A route handler's line: a scrape without the token.
  const scrape = await page.request.get("/metrics", {
    headers: { authorization: "Bearer not-the-token" },
  });
  expect(scrape.status()).toBe(401);
  const scrapeRequestId = scrape.headers()["x-request-id"]!;

  // With the token: one registry per process, so the route handler shows what the edge, the
  // pages and the server actions counted.
  const metrics = await (
    await page.request.get("/metrics", {
      headers: { authorization: `Bearer ${E2E_METRICS_TOKEN}` },
    })
  ).text();
  const value = (series: string) =>
    Number(
      metrics
        .split("\n")
        .find((l) => l.startsWith(`${series} `))
        ?.split(" ")[1] ?? 0,
    );
  expect(
    value(
      'console_http_request_duration_seconds_count{method="GET",route="/confirm/[token]",status="2xx"}',
    ),
  ).toBeGreaterThanOrEqual(1);
  expect(value('console_audited_writes_total{action="tap.issued"}')).toBeGreaterThanOrEqual(1);
  expect(value('console_refusals_total{code="INVALID_INPUT"}')).toBeGreaterThanOrEqual(1);
  expect(metrics).not.toContain(linkToken);

  await expect(async () => {
    const lines = logLines();
    const access = (id: string) => lines.find((l) => l.msg === "request" && l.requestId === id);
    expect(access(linkRequestId)).toMatchObject({ path: "/confirm/[token]", status: 200 });
    expect(access(refusedRequestId)).toMatchObject({ path: "/redeem", status: 200 });
    expect(access(scrapeRequestId)).toMatchObject({ path: "/metrics" });
    // Lines logged inside Next carry the ID of the request they belong to.
    expect(
      lines.find((l) => l.msg === "action refused" && l.requestId === refusedRequestId),
    ).toMatchObject({ code: "INVALID_INPUT" });
    expect(
      lines.find((l) => l.requestId === scrapeRequestId && l.msg.startsWith("metrics:")),
    ).toBeTruthy();
  }).toPass({ timeout: 10_000 });

  const text = readFileSync(LOG_FILE, "utf8");
  for (const [name, secret] of Object.entries({
    pass,
    "pass without dashes": pass.replaceAll("-", ""),
    "link token": linkToken,
    "staff session": staffSession,
    "account session": accountSession,
  }))
    expect(text.includes(secret), name).toBe(false);
});
