import { expect, test } from "@playwright/test";
import { confirmItsYou, signInAs, signInWithStaffPasskey } from "./fixtures";

test("a security reviewer filters the trail, opens a case timeline and verifies integrity", async ({
  page,
  browser,
}) => {
  // 1. Some decisions to review: an agent opens a case and is refused a security-only page.
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signInAs(agent, "AGENT");
  await agent.goto("/users?tier=CONTRACTOR&status=ACTIVE");
  await agent.getByRole("row").nth(1).getByRole("link").click();
  await expect(agent).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  await agent.getByRole("button", { name: "Open case" }).click();
  await expect(agent).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  const caseId = agent.url().split("/").pop()!;
  expect((await agent.goto("/audit"))?.status()).toBe(403);
  await agentContext.close();

  // 2. The reviewer filters refusals and finds the agent's denied access.
  await signInAs(page, "SECURITY");
  await page.goto("/audit");
  await page.getByLabel("Action").selectOption("access.denied");
  await page.getByLabel("Outcome").selectOption("REFUSED");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/action=access.denied/);
  const rows = page.getByRole("table", { name: "Audit events, newest first" }).getByRole("row");
  await expect(rows.filter({ hasText: "Priya Shah" }).first()).toBeVisible();

  // 3. The case timeline shows every event of that case, in order.
  await page.goto(`/audit?caseId=${caseId}`);
  await expect(page.getByText(`Timeline of case ${caseId}`)).toBeVisible();
  await expect(rows.filter({ hasText: "case.opened" })).toHaveCount(1);

  // 4. The check reports an intact log; the reviewer's own reads are on the trail.
  await page.getByRole("link", { name: "Check integrity now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "intact" })).toContainText(
    "intact: the checkpoint's signature and tree",
  );
  await page.goto("/audit?action=audit.viewed");
  await expect(rows.filter({ hasText: "Mei Lin" }).first()).toBeVisible();

  // 5. A malformed filter is explained and changes nothing.
  await page.goto("/audit?caseId=not-a-case&from=yesterday");
  await expect(
    page.getByRole("form", { name: "Filter the audit trail" }).getByRole("alert"),
  ).toContainText("That is not a case ID.");

  // 6. The actor search needs 3 characters (it is looked up on a trigram index); with them, and a
  // day, it finds the agent's events of today.
  await page.getByLabel("Actor name").fill("Pr");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(
    page.getByRole("form", { name: "Filter the audit trail" }).getByRole("alert"),
  ).toContainText("Search for at least 3 characters of the actor's name.");
  const today = new Date().toISOString().slice(0, 10);
  await page.goto(`/audit?actor=priya&from=${today}&to=${today}`);
  await expect(rows.filter({ hasText: "case.opened" }).first()).toBeVisible();
  await expect(rows.filter({ hasNotText: "Priya Shah" })).toHaveCount(1); // the header row
});

test("an export downloads, streams every event with its signed entry and proof, and verifies outside the console with public keys", async ({
  page,
}) => {
  await signInWithStaffPasskey(page, "SECURITY");
  await page.goto("/audit");
  // Exporting the trail is a high-risk act: no export links until she confirms it's her.
  await expect(page.getByRole("link", { name: "Export JSON Lines" })).toHaveCount(0);
  expect((await page.request.get("/audit/export?format=jsonl")).status()).toBe(403);
  await confirmItsYou(page);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export JSON Lines" }).click(),
  ]);
  const file = await download.path();
  // What an auditor holds: the public keys the reviewer page shows.
  await page.reload();
  const logKey = (await page.getByLabel("log key").textContent())!;
  const eventKey = (await page.getByLabel(/^event key /).textContent())!;
  const { spawnSync } = await import("node:child_process");
  // The commands' output is asserted whole, so a failure shows what they said.
  const run = (args: string[]) => spawnSync("npx", args, { encoding: "utf8" }).stdout;
  const output = run([
    "tsx",
    "scripts/audit-verify-export.ts",
    file,
    "--complete",
    "--log-key",
    logKey,
    "--event-key",
    eventKey,
  ]);
  expect(output).toMatch(
    /^\d+ events read; v2: \d+ entries with verified signatures, \d+ inclusion proofs verified; v1: 0 hashes, 0 links\nOK\n$/,
  );
  expect(Number(output.match(/^(\d+) events read/)![1])).toBeGreaterThan(0);
  // One event's proof, checked on its own with the log's key only.
  const proofs = run(["tsx", "scripts/audit-verify-proof.ts", file, "--log-key", logKey]);
  expect(proofs).toMatch(/line 1: ok, position 0 in /);
  expect(proofs).toMatch(/^(\d+) of \1 events verified$/m);

  // The console serves the checkpoint and any event's proof; the proof verifies on its own.
  const checkpoint = await page.request.get("/audit/log/checkpoint");
  expect(await checkpoint.text()).toMatch(/^localhost:\d+\/audit\n\d+\n[A-Za-z0-9+/]{43}=\n\n— /);
  const served = await page.request.get("/audit/log/proof?position=1");
  expect(served.status()).toBe(200);
  const { writeFileSync } = await import("node:fs");
  writeFileSync(`${file}.one`, await served.text());
  expect(run(["tsx", "scripts/audit-verify-proof.ts", `${file}.one`, "--log-key", logKey])).toMatch(
    /^line 1: ok, position 1 in localhost:\d+\/audit at size \d+\n1 of 1 events verified\n$/,
  );
  expect((await page.request.get("/audit/log/proof?position=-1")).status()).toBe(400);
  expect((await page.request.get("/audit/log/proof?position=99999999")).status()).toBe(404);

  // The CSV export is for people: a header and one row per event.
  const csv = await page.request.get("/audit/export?format=csv&action=staff.signed_in");
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const lines = (await csv.text()).trim().split("\r\n");
  expect(lines[0]).toContain('"position","eventId"');
  expect(lines.length).toBeGreaterThan(1);
  expect(lines.slice(1).every((l) => l.includes('"staff.signed_in"'))).toBe(true);

  // Other roles cannot export.
  const agent = await page.context().browser()!.newContext();
  const agentPage = await agent.newPage();
  await signInAs(agentPage, "AGENT");
  expect((await agentPage.request.get("/audit/export?format=jsonl")).status()).toBe(403);
  expect((await agentPage.request.get("/audit/log/proof?position=0")).status()).toBe(403);
  expect((await agentPage.request.get("/audit/log/checkpoint")).status()).toBe(403);
  await agent.close();
});

test("supervisors and reviewers see recovery reports over a chosen period", async ({ page }) => {
  await signInAs(page, "SUPERVISOR");
  await page.goto("/reports");
  await expect(page.getByRole("heading", { name: "Reports" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Last 30 days" })).toHaveAttribute(
    "aria-current",
    "page",
  );
  await expect(page.locator("dt", { hasText: "Cases" }).first()).toBeVisible();
  await expect(page.getByRole("figure").filter({ hasText: "Cases by reason" })).toBeVisible();
  await page.getByRole("link", { name: "Last 7 days" }).click();
  await expect(page).toHaveURL(/days=7/);
  await expect(page.getByRole("link", { name: "Last 7 days" })).toHaveAttribute(
    "aria-current",
    "page",
  );
});

test("a reviewer starts a full verification from the page and sees its result without the request waiting for it", async ({
  page,
  browser,
}) => {
  // Only reviewers may follow a verification: the status route checks it itself.
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signInAs(agent, "AGENT");
  expect((await agent.request.get("/audit/verification")).status()).toBe(403);
  await agentContext.close();

  await signInAs(page, "SECURITY");
  await page.goto("/audit");
  const panel = page.getByRole("region", { name: "Log integrity" });
  await panel.getByRole("button", { name: "Run a full verification" }).click();
  // The request only queues it; the verification worker (started beside the console) runs it.
  await expect(
    panel.getByText(/Full verification queued|Queued|Verifying|intact, /).first(),
  ).toBeVisible();
  await expect(panel.getByText(/^intact, /)).toBeVisible({ timeout: 60_000 });
  await expect(panel.getByRole("button", { name: "Run a full verification" })).toBeVisible();
  // Asking for it is on the trail, with the reviewer as the actor.
  await page.goto("/audit?action=audit.verification_requested");
  const rows = page.getByRole("table", { name: "Audit events, newest first" }).getByRole("row");
  await expect(rows.filter({ hasText: "Mei Lin" }).first()).toBeVisible();
});
