import { expect, test } from "@playwright/test";
import { signInAs, userWithPass } from "./fixtures";

/**
 * Rate limits over HTTP against the production build (the budgets the suite keeps at their
 * defaults: redeem.* and sso.client; playwright.config.ts). The console trusts one proxy hop in
 * this run, so each test picks its client address with X-Forwarded-For.
 */

test("a stranger spraying passes from one client is told to wait; the legitimate user, from their own, still redeems", async ({
  browser,
  page,
}) => {
  test.setTimeout(180_000); // twenty tries through the form, each answered in no less than 400 ms
  await signInAs(page, "AGENT");
  const { pass, workEmail } = await userWithPass(page, browser, 23);

  const strangerContext = await browser.newContext({
    extraHTTPHeaders: { "X-Forwarded-For": "10.66.0.1" },
  });
  const stranger = await strangerContext.newPage();
  await stranger.goto("/redeem");
  await stranger.waitForLoadState("networkidle");
  const answer = stranger
    .getByRole("form", { name: "Use a temporary access pass" })
    .getByRole("alert");
  const attempt = async (email: string, code: string) => {
    await stranger.getByLabel("Your work email", { exact: true }).fill(email);
    await stranger.getByLabel("Temporary access pass", { exact: true }).fill(code);
    // Each answer replaces the last: wait for this one before reading it.
    await Promise.all([
      stranger.waitForResponse(
        (r) => r.request().method() === "POST" && r.url().endsWith("/redeem"),
      ),
      stranger.getByRole("button", { name: "Continue" }).click(),
    ]);
    // A refused try keeps what was typed (the next fill replaces it) and the form is ready again.
    await expect(stranger.getByLabel("Your work email", { exact: true })).toHaveValue(email);
    await expect(stranger.getByRole("button", { name: "Continue" })).toBeEnabled();
  };
  // Two wrong passes at the user's account (within the pass's free tries), then a spray over
  // other addresses until the client's budget (20 per 15 minutes) is spent.
  for (let i = 0; i < 2; i++) {
    await attempt(workEmail, "0000-0000-0000-0000");
    await expect(answer).toContainText("do not match a valid pass");
  }
  for (let i = 0; i < 18; i++) {
    await attempt(`nobody-${i}@northwind.example`, "0000-0000-0000-0000");
    await expect(answer).toContainText("do not match a valid pass");
  }
  await attempt(workEmail, pass);
  await expect(answer).toContainText(/Too many tries\. Wait \d+ minutes, then try again\./);
  await strangerContext.close();

  const userContext = await browser.newContext({
    extraHTTPHeaders: { "X-Forwarded-For": "10.66.0.2" },
  });
  const user = await userContext.newPage();
  await user.goto("/redeem");
  await user.waitForLoadState("networkidle");
  await user.getByLabel("Your work email", { exact: true }).fill(workEmail);
  await user.getByLabel("Temporary access pass", { exact: true }).fill(pass);
  await user.getByRole("button", { name: "Continue" }).click();
  await expect(user).toHaveURL(/\/account$/);
  await userContext.close();
});

test("the SSO endpoints answer 429 with Retry-After once a client's budget is spent, and only for that client", async ({
  request,
}) => {
  const from = (ip: string) => ({ headers: { "X-Forwarded-For": ip } });
  let response = await request.get("/api/auth/csrf", from("10.66.1.1"));
  let tries = 1;
  while (response.status() !== 429 && tries < 400) {
    expect(response.status()).toBe(200);
    response = await request.get("/api/auth/csrf", from("10.66.1.1"));
    tries += 1;
  }
  expect(response.status()).toBe(429);
  expect(tries).toBe(301); // the default budget: 300 per 10 minutes
  const retryAfter = Number(response.headers()["retry-after"]);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(600);
  expect(await response.text()).toMatch(/^Too many tries\. Wait \d+ minutes?, then try again\.$/);
  expect((await request.get("/api/auth/csrf", from("10.66.1.2"))).status()).toBe(200);
});
