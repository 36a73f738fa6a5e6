import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { confirmItsYou, signInAs, signInWithStaffPasskey } from "./fixtures";

/**
 * Security headers on every kind of response (docs/security-requirements.md G5): the content
 * security policy carries a fresh nonce per response, the page's scripts carry it, and the
 * console still works under it (hydrated forms, charts). Server actions, the audit export, route
 * handlers' refusals and the edge's own 400, 403 and 413 (scripts/lib/edge.ts) carry the same.
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
  // A hydrated form works under the policy (an agent opens a case), and the reports chart it: the
  // charts are drawn on the server with SVG attributes, so they need neither script nor style.
  await signInAs(page, "AGENT");
  await page.goto("/users?tier=CONTRACTOR&status=ACTIVE");
  await page.getByRole("row").nth(2).getByRole("link").click();
  await page.waitForLoadState("networkidle");
  await page.getByRole("button", { name: "Open case" }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  const supervisor = await browser.newPage();
  await signInAs(supervisor, "SUPERVISOR");
  await supervisor.goto("/reports");
  await expect(
    supervisor
      .getByRole("figure")
      .filter({ hasText: "Cases by reason" })
      .locator('[data-chart="bars"] svg')
      .first(),
  ).toBeVisible();
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

/** The headers every response carries, wherever it was written (docs/security-requirements.md G5). */
function expectSecurityHeaders(headers: Record<string, string>, what: string) {
  expect(headers["x-content-type-options"], what).toBe("nosniff");
  expect(headers["x-frame-options"], what).toBe("DENY");
  expect(headers["referrer-policy"], what).toBe("same-origin");
  expect(headers["permissions-policy"], what).toContain("camera=()");
  const csp = headers["content-security-policy"];
  for (const directive of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"])
    expect(csp, what).toContain(directive);
  expect(csp, what).toContain("'strict-dynamic'");
  expect(nonceOf(csp), what).toBeTruthy();
  expect(headers["cache-control"], what).toContain("no-store");
}

/** A server action's ID, from the build's manifest. */
function actionId(name: string): string {
  const manifest = JSON.parse(
    readFileSync(
      path.resolve(import.meta.dirname, "../../.next/server/server-reference-manifest.json"),
      "utf8",
    ),
  ) as { node: Record<string, { exportedName: string }> };
  const found = Object.entries(manifest.node).find(([, entry]) => entry.exportedName === name);
  if (!found) throw new Error(`no server action named ${name} in the build`);
  return found[0];
}

test("server actions, the edge's refusals and route handlers carry the same headers", async ({
  page,
  request,
  baseURL,
}) => {
  const origin = new URL(baseURL!).origin;
  const redeem = actionId("redeemTapAction");
  const form = () => {
    const data = new FormData();
    data.append("_1_email", "nobody@northwind.example");
    data.append("_1_code", "AAAA-BBBB-CCCC-DDDD");
    data.append("0", '[{"status":"idle"},"$K1"]');
    return data;
  };

  // A server action's own response (the pass is wrong: a refusal, rendered by Next).
  const action = await request.post("/redeem", {
    headers: { "next-action": redeem, origin },
    multipart: form(),
  });
  expect(action.status()).toBe(200);
  expect(action.headers()["content-type"]).toContain("text/x-component");
  expectSecurityHeaders(action.headers(), "server action");

  // The edge's own answers: too large (413), from elsewhere (403), unreadable (400).
  const tooLarge = await request.post("/redeem", {
    headers: { "next-action": redeem, origin, "content-type": "text/plain;charset=UTF-8" },
    data: Buffer.alloc(1024 * 1024 + 1, 0x20),
  });
  expect(tooLarge.status()).toBe(413);
  expect(await tooLarge.text()).toContain("larger than the console accepts");
  const foreign = await request.post("/redeem", {
    headers: { "next-action": redeem, origin: "https://evil.example" },
    multipart: form(),
  });
  expect(foreign.status()).toBe(403);
  expect(await foreign.text()).toContain("did not come from the console's own pages");
  const malformed = await request.post("/redeem", {
    headers: { "next-action": redeem, origin, "content-type": "text/plain;charset=UTF-8" },
    data: '[{"status":',
  });
  expect(malformed.status()).toBe(400);
  const badPath = await request.get("/users/%ff");
  expect(badPath.status()).toBe(400);
  for (const [what, response] of [
    ["413", tooLarge],
    ["403", foreign],
    ["400", malformed],
    ["400 path", badPath],
  ] as const) {
    expectSecurityHeaders(response.headers(), what);
    expect(response.headers()["content-type"], what).toBe("text/plain; charset=utf-8");
  }

  // The audit export, as the demo security reviewer (confirmed: exporting needs a step-up); a
  // route handler's 400 and 403.
  await signInWithStaffPasskey(page, "SECURITY");
  await page.goto("/audit");
  await confirmItsYou(page);
  const reviewer = page.context().request;
  const exported = await reviewer.get("/audit/export?format=csv&action=staff.signed_in");
  expect(exported.status()).toBe(200);
  expect(exported.headers()["content-disposition"]).toMatch(/^attachment; filename="audit-/);
  expectSecurityHeaders(exported.headers(), "audit export");
  const impossible = await reviewer.get("/audit/export?format=csv&from=2026-02-31");
  expect(impossible.status()).toBe(400);
  expect(await impossible.json()).toEqual({ error: "There is no such date as 2026-02-31." });
  expectSecurityHeaders(impossible.headers(), "route handler 400");
  const crossSite = await reviewer.get("/audit/export?format=csv", {
    headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" },
  });
  expect(crossSite.status()).toBe(403);
  expectSecurityHeaders(crossSite.headers(), "route handler 403");

  // The audit page shows the same message instead of failing.
  const auditPage = await page.goto("/audit?from=2026-13-01");
  expect(auditPage?.status()).toBe(200);
  await expect(page.getByRole("alert").filter({ hasText: "no such date" })).toHaveText(
    "There is no such date as 2026-13-01.",
  );
});
