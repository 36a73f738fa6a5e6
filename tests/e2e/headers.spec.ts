import { expect, test } from "@playwright/test";
import { signInAs } from "./fixtures";

/**
 * Security headers on every kind of response (docs/security-requirements.md G5): the content
 * security policy carries a fresh nonce per response, the page's scripts carry it, and the
 * console still works under it (hydrated forms, charts).
 */
const nonceOf = (csp: string | undefined) => csp?.match(/'nonce-([A-Za-z0-9+/=]+)'/)?.[1];

test("pages, the 404 and redirects carry a strict CSP with a fresh nonce; the page's scripts carry it", async ({
  page,
  request,
  browser,
}) => {
  const first = await request.get("/sign-in");
  const second = await request.get("/sign-in");
  for (const response of [first, second]) {
    const csp = response.headers()["content-security-policy"];
    expect(csp).toContain("'strict-dynamic'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(response.headers()["x-content-type-options"]).toBe("nosniff");
  }
  // A nonce is used once.
  expect(nonceOf(first.headers()["content-security-policy"])).not.toBe(
    nonceOf(second.headers()["content-security-policy"]),
  );

  // The built-in 404 too, and a redirect to sign-in.
  const missing = await request.get("/no-such-page");
  expect(missing.status()).toBe(404);
  expect(missing.headers()["content-security-policy"]).toContain("'strict-dynamic'");
  const redirect = await request.get("/users", { maxRedirects: 0 });
  expect([302, 303, 307]).toContain(redirect.status());
  expect(redirect.headers()["content-security-policy"]).toContain("'strict-dynamic'");

  // Every script of the page carries this response's nonce, and the page still hydrates under it.
  const response = await page.goto("/sign-in");
  const nonce = nonceOf(response!.headers()["content-security-policy"]);
  expect(nonce).toBeTruthy();
  const scriptNonces = await page
    .locator("script")
    .evaluateAll((scripts) => scripts.map((s) => (s as HTMLScriptElement).nonce));
  expect(scriptNonces.length).toBeGreaterThan(0);
  expect(new Set(scriptNonces)).toEqual(new Set([nonce]));
  // Charts draw under the policy (recharts uses inline styles): an agent opens a case so the
  // reports have something to chart, then a supervisor reads them.
  await signInAs(page, "AGENT");
  await page.goto("/users?tier=CONTRACTOR&status=ACTIVE");
  await page.getByRole("row").nth(2).getByRole("link").click();
  await page.waitForLoadState("networkidle");
  await page.getByRole("button", { name: "Open case" }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  const supervisor = await browser.newPage();
  await signInAs(supervisor, "SUPERVISOR");
  await supervisor.goto("/reports");
  await expect(supervisor.locator(".recharts-surface").first()).toBeVisible();
  await supervisor.close();
});

test("static files are served with nosniff and never as HTML", async ({ page, request }) => {
  await page.goto("/sign-in");
  const src = await page.locator("script[src]").first().getAttribute("src");
  const asset = await request.get(src!);
  expect(asset.ok()).toBe(true);
  expect(asset.headers()["x-content-type-options"]).toBe("nosniff");
  expect(asset.headers()["content-type"]).toContain("javascript");
});
