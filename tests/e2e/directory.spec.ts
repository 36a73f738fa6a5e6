import { expect, test } from "@playwright/test";
import { signInAs } from "./fixtures";

test("an agent signs in, finds a caller and reads their passkeys", async ({ page, context }) => {
  // 1. Anonymous visitors are sent to sign-in, which brings them back where they were going.
  await page.goto("/users?q=E10042");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fusers/);
  await page.getByRole("button", { name: /Sign in as Priya Shah, Agent/ }).click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  // 2. The session cookie is HttpOnly, SameSite=Lax and host-wide; its token is not a UUID.
  const session = (await context.cookies()).find((cookie) =>
    cookie.name.endsWith("console.session"),
  );
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
  expect(session!.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

  // 3. Search by employee ID finds exactly one person.
  await page.getByRole("searchbox", { name: "Name, email, phone or employee ID" }).fill("E10042");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("1 user", { exact: true })).toBeVisible();
  const row = page.getByRole("row").nth(1);
  const name = (await row.getByRole("link").textContent())!.trim();

  // 4. Search by part of that name finds them among others.
  await page.getByRole("searchbox").fill(name.split(" ")[1]!.slice(0, 4));
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("link", { name })).toBeVisible();

  // 5. Their page shows the HR record and every passkey with model, kind and last use.
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByText("Phone of record")).toBeVisible();
  await expect(page.getByText(/^\+44 20 7946 0\d{3}$/)).toBeVisible();
  await expect(page.getByRole("heading", { name: "Passkeys" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Recent audit events" })).toBeVisible();
});

test("an agent finds a caller by the phone number they give and by first.last", async ({
  page,
}) => {
  await signInAs(page, "AGENT");
  // The person of record: their work address from the list, their phone from their page.
  await page.goto("/users?q=E10042");
  const row = page.getByRole("row").nth(1);
  const name = (await row.getByRole("link").textContent())!.trim();
  const workAddress = (await row.getByText(/@northwind\.example$/).textContent())!.trim();
  await row.getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  const phone = (await page.getByText(/^\+44 20 7946 0\d{3}$/).textContent())!.trim();

  // The caller reads the number out nationally ("020 7946 0123"); the agent types it as heard.
  const national = `0${phone.slice(4)}`;
  await page.goto("/users");
  const search = page.getByRole("searchbox", { name: "Name, email, phone or employee ID" });
  await search.fill(national);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/users\?q=020/);
  // (Demo phones repeat, so others may share it: each found says the phone is why.)
  const byPhone = page.getByRole("row").filter({ has: page.getByRole("link", { name }) });
  await expect(byPhone).toContainText("Phone of record matches");
  const found = page.getByRole("row").filter({ has: page.getByRole("link") });
  for (const other of await found.all())
    await expect(other).toContainText("Phone of record matches");

  // Written internationally, without spaces, it is the same number.
  await search.fill(phone.replace(/ /g, ""));
  await page.getByRole("button", { name: "Search" }).click();
  await expect(byPhone).toContainText("Phone of record matches");

  // first.last, without the domain: the work address's local part, ranked first.
  const firstLast = workAddress.split("@")[0]!;
  await search.fill(firstLast);
  await page.getByRole("button", { name: "Search" }).click();
  const first = page.getByRole("row").nth(1);
  await expect(first.getByRole("link")).toHaveText(name);
  await expect(first).toContainText("Work address matches");
  await expect(first).toContainText(workAddress);

  // Surname first, with a comma, finds them too.
  const [given, ...surname] = name.split(" ");
  await search.fill(`${surname.join(" ")}, ${given}`);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("row").nth(1).getByRole("link")).toHaveText(name);
});

test("the directory filters by tier and pages through results", async ({ page }) => {
  await signInAs(page, "AGENT");
  await page.goto("/users");
  await page.getByRole("combobox", { name: "Risk tier" }).selectOption("PRIVILEGED");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/tier=PRIVILEGED/);
  const tiers = await page.getByRole("row").locator("td:nth-child(4)").allTextContents();
  expect(tiers.length).toBeGreaterThan(0);
  expect(new Set(tiers)).toEqual(new Set(["Privileged"]));

  await page.goto("/users");
  await expect(page.getByText(/page 1 of \d+/)).toBeVisible();
  await page.getByRole("link", { name: "Next →" }).click();
  await expect(page.getByText(/page 2 of \d+/)).toBeVisible();
});

test("bad input gets a clear message or page and changes nothing", async ({ page }) => {
  await signInAs(page, "AGENT");

  // A malformed search is explained next to the field, and nothing is searched.
  await page.goto("/users?q=%3Cscript%3E&tier=VIP");
  const alert = page.getByRole("main").getByRole("alert");
  await expect(alert).toContainText("Search by name, email, phone or employee ID");
  await expect(alert).toContainText("Unknown risk tier.");
  await expect(page.getByRole("searchbox")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("table")).toHaveCount(0);

  // An unknown or malformed user ID is a 404 page.
  for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-user"]) {
    const response = await page.goto(`/users/${id}`);
    expect(response?.status(), id).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  }
  // A path that climbs out of /users is refused by the load balancer in front of the instances
  // (docs/decisions/042) before any instance sees it.
  expect((await page.goto("/users/..%2F..%2Fetc"))?.status()).toBe(400);
});

test("a leaver's page says they cannot be recovered", async ({ page }) => {
  await signInAs(page, "AGENT");
  await page.goto("/users?status=LEFT");
  await page.getByRole("row").nth(1).getByRole("link").click();
  const banner = page
    .getByRole("status")
    .filter({ hasText: "This person has left the organisation" });
  await expect(banner).toContainText("They cannot be recovered and cannot sign in with a passkey");
  // What could still be used is spelled out, so nothing of a leaver's access goes unnoticed.
  await expect(banner).toContainText("Still active:");
  await expect(page.getByRole("button", { name: "Open case" })).toHaveCount(0);
});
