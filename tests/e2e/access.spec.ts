import { expect, test, type Page } from "@playwright/test";
import { signInAs, type DemoRole } from "./fixtures";

// Who may open which page. Every page checks this itself on the server (lib/auth/session.ts).
const PAGES: { path: string; allowed: DemoRole[] }[] = [
  { path: "/users", allowed: ["AGENT", "SUPERVISOR", "SECURITY"] },
  { path: "/users/{userId}", allowed: ["AGENT", "SUPERVISOR", "SECURITY"] },
  // Security reviewers read every team's cases (they work none).
  { path: "/cases", allowed: ["AGENT", "SUPERVISOR", "SECURITY"] },
  { path: "/approvals", allowed: ["SUPERVISOR"] },
  { path: "/audit", allowed: ["SECURITY"] },
  { path: "/reports", allowed: ["SUPERVISOR", "SECURITY"] },
  { path: "/policy", allowed: ["SUPERVISOR", "SECURITY"] },
  { path: "/cases/{caseId}", allowed: ["AGENT", "SUPERVISOR", "SECURITY"] },
];

async function someUserId(page: Page): Promise<string> {
  await page.goto("/users?q=E10001");
  const href = await page.getByRole("row").nth(1).getByRole("link").getAttribute("href");
  return href!.split("/").pop()!;
}

test("anonymous requests to any console page are sent to sign-in", async ({ page }) => {
  for (const { path } of PAGES) {
    const target = path.replace(/\{\w+\}/, "00000000-0000-4000-8000-000000000000");
    await page.goto(target);
    await expect(page, target).toHaveURL(
      new RegExp(
        `/sign-in\\?callbackUrl=${encodeURIComponent(target).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`,
      ),
    );
  }
});

for (const role of ["AGENT", "SUPERVISOR", "SECURITY"] as const) {
  test(`${role.toLowerCase()} reaches exactly the pages of their role`, async ({ page }) => {
    await signInAs(page, role);
    const userId = await someUserId(page);
    for (const { path, allowed } of PAGES) {
      // An unknown case is a 404 for those who may work cases, and 403 before that for others.
      const response = await page.goto(
        path
          .replace("{userId}", userId)
          .replace("{caseId}", "00000000-0000-4000-8000-000000000000"),
      );
      const expected = allowed.includes(role) ? (path.includes("{caseId}") ? 404 : 200) : 403;
      expect(response?.status(), `${role} ${path}`).toBe(expected);
      if (expected === 403)
        await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
    }
    // The navigation offers only what the role may open.
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const { path, allowed } of PAGES.filter((p) => !p.path.includes("{"))) {
      await expect(
        nav.getByRole("link", { name: new RegExp(`^${path.slice(1)}$`, "i") }),
        `${role} nav ${path}`,
      ).toHaveCount(allowed.includes(role) ? 1 : 0);
    }
  });
}

test("an agent cannot reach security-only pages, and the attempt is refused server-side", async ({
  page,
  request,
}) => {
  await signInAs(page, "AGENT");
  const response = await page.goto("/audit");
  expect(response?.status()).toBe(403);
  await expect(page.getByText("The attempt has been recorded in the audit trail.")).toBeVisible();
  // A forged header that once bypassed Next.js middleware (CVE-2025-29927) changes nothing.
  const cookies = await page.context().cookies();
  const forged = await request.get("/audit", {
    headers: {
      cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; "),
      "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware",
    },
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(403);
});

test("signing out ends the session on the server: the old cookie no longer works", async ({
  page,
  browser,
}) => {
  await signInAs(page, "SUPERVISOR");
  const oldCookies = await page.context().cookies();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  // Someone who copied the cookie before sign-out gets nothing with it.
  const thief = await browser.newContext();
  await thief.addCookies(oldCookies);
  const stolen = await thief.newPage();
  await stolen.goto("/approvals");
  await expect(stolen).toHaveURL(/\/sign-in\?callbackUrl=%2Fapprovals/);
  await thief.close();
});

test("a forged role in the sign-in form is refused and signs nobody in", async ({
  page,
  context,
}) => {
  await page.goto("/sign-in");
  await page.locator("form").evaluate((form) => {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "role";
    input.value = "SECURITY";
    form.appendChild(input);
  });
  await page.getByRole("button", { name: /Sign in as Priya Shah, Agent/ }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(
    "This form was changed outside the console and was not accepted.",
  );
  await expect(page).toHaveURL(/\/sign-in/);
  expect((await context.cookies()).filter((c) => c.name.endsWith("console.session"))).toEqual([]);
});

test("a sign-in link cannot send staff to another site afterwards", async ({ page }) => {
  await signInAs(page, "AGENT", "/sign-in?callbackUrl=https%3A%2F%2Fevil.example%2F");
  await expect(page).toHaveURL(/localhost:\d+\/users$/);
});

test("server actions refuse anonymous callers even when called directly", async ({
  page,
  playwright,
  baseURL,
}) => {
  // Take the sign-out action's ID from the form a signed-in agent is served (React drops the
  // hidden field once the page hydrates, so read the server's HTML)...
  await signInAs(page, "AGENT");
  const html = await (await page.request.get("/users")).text();
  const field = html.match(/name="(\$ACTION_ID_[0-9a-f]+)"/)?.[1];
  expect(field).toBeDefined();

  // ...and post it with no session at all, as a script would.
  const anonymous = await playwright.request.newContext({ baseURL });
  const response = await anonymous.post("/users", {
    multipart: { [field!]: "" },
    headers: { origin: baseURL! },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(303);
  expect(response.headers()["location"]).toMatch(/^\/sign-in\?callbackUrl=/);
  await anonymous.dispose();

  // The agent who was signed in is still signed in: nothing was done on their behalf.
  await page.reload();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
});

test("server actions refuse a request from another origin, or with no origin, even with the staff member's cookie", async ({
  page,
  baseURL,
}) => {
  // The agent is signed in; a page elsewhere tries to press their sign-out button for them.
  await signInAs(page, "AGENT");
  const html = await (await page.request.get("/users")).text();
  const field = html.match(/name="(\$ACTION_ID_[0-9a-f]+)"/)?.[1];
  expect(field).toBeDefined();
  const attempts: Record<string, string>[] = [
    { origin: "http://evil.example", "x-forwarded-host": "evil.example" },
    { origin: "http://evil.example" },
    { "sec-fetch-site": "cross-site", origin: baseURL! },
    {},
  ];
  for (const headers of attempts) {
    // page.request carries the agent's session cookie, as a browser would on a cross-site POST.
    const response = await page.request.post("/users", {
      multipart: { [field!]: "" },
      headers,
      maxRedirects: 0,
    });
    // The server's edge refuses every one of them with a 403 before Next reads the request
    // (docs/decisions/014-the-edge.md); the action wrapper would refuse them too.
    expect(response.status(), JSON.stringify(headers)).toBe(403);
    await page.goto("/users");
    await expect(
      page.getByRole("button", { name: "Sign out" }),
      JSON.stringify(headers),
    ).toBeVisible();
  }
  // From the console's own origin the same press works: the refusals above were the origin's.
  await page.request.post("/users", {
    multipart: { [field!]: "" },
    headers: { origin: baseURL! },
    maxRedirects: 0,
  });
  await page.goto("/users");
  await expect(page).toHaveURL(/\/sign-in/);
});
