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
  const userName = (await agent.getByRole("heading", { level: 1 }).textContent())!.trim();
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

  // 3. The case timeline shows every event of that case, in words: what happened, the details
  // of its payload, and whom it is about, by name, with links to the person and the case.
  await page.goto(`/audit?caseId=${caseId}`);
  await expect(page.getByText(`Timeline of case ${caseId}`)).toBeVisible();
  const opened = rows.filter({ hasText: "Recovery case opened" });
  await expect(opened).toHaveCount(1);
  await expect(opened).toContainText("Reason: Lost device");
  await expect(opened).toContainText("Channel: Phone");
  await expect(opened.getByRole("link", { name: userName })).toHaveAttribute(
    "href",
    /^\/users\/[0-9a-f-]{36}$/,
  );
  await expect(opened.getByRole("link", { name: caseId.slice(0, 8) })).toHaveAttribute(
    "href",
    `/cases/${caseId}`,
  );
  // The stored codes and payload stay one click away, for reviewers.
  await expect(opened.getByText('"case.opened"')).toBeHidden();
  await opened.getByText("Raw event").click();
  await expect(opened.getByText(/"action": "case.opened"/)).toBeVisible();

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
  await expect(rows.filter({ hasText: "Recovery case opened" }).first()).toBeVisible();
  await expect(rows.filter({ hasNotText: "Priya Shah" })).toHaveCount(1); // the header row
});

test("the reviewer's own reads are hidden until shown, and the trail pages newer and older keeping its filters", async ({
  page,
  browser,
}) => {
  // 1. More refusals than one page holds: an agent tries the audit trail 55 times.
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signInAs(agent, "AGENT");
  for (let i = 0; i < 55; i++)
    expect((await agent.request.get(`/audit?try=${i}`)).status()).toBe(403);
  await agentContext.close();

  // 2. Every visit of the reviewer's is a read on the trail; the page hides them, and says so.
  await signInAs(page, "SECURITY");
  for (let i = 0; i < 3; i++) await page.goto("/audit");
  const rows = page.getByRole("table", { name: "Audit events, newest first" }).getByRole("row");
  const note = page.getByRole("note", { name: "Reads of the trail" });
  await expect(note).toContainText(/are hidden: \d+ on this page/);
  expect(Number((await note.textContent())!.match(/hidden: (\d+)/)![1])).toBeGreaterThanOrEqual(2);
  await expect(rows.filter({ hasText: "Audit trail viewed" })).toHaveCount(0);
  await expect(rows.filter({ hasText: "Access denied" }).first()).toBeVisible();
  await note.getByRole("link", { name: "Show reads" }).click();
  await expect(page).toHaveURL(/reads=shown/);
  await expect(rows.filter({ hasText: "Audit trail viewed" }).first()).toContainText("Mei Lin");
  await expect(page.getByRole("checkbox", { name: /Show reads of the trail/ })).toBeChecked();
  await note.getByRole("link", { name: "Hide reads" }).click();
  await expect(page).not.toHaveURL(/reads=/);
  await expect(rows.filter({ hasText: "Audit trail viewed" })).toHaveCount(0);

  // 3. One action, refused: 50 on the first page, older ones on the next, the filters kept.
  await page.getByLabel("Action").selectOption("access.denied");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/action=access.denied/);
  await expect(rows).toHaveCount(51); // the header and 50 events
  const newest = await rows.nth(1).getByRole("cell").first().textContent();
  const pages = page.getByRole("navigation", { name: "Pages" });
  await expect(pages.getByRole("link", { name: "Newer" })).toHaveCount(0);
  await pages.getByRole("link", { name: "Older" }).click();
  await expect(page).toHaveURL(/action=access.denied.*before=\d+|before=\d+.*action=access.denied/);
  await expect(page.getByLabel("Action")).toHaveValue("access.denied");
  expect(await rows.count()).toBeGreaterThan(5);
  for (const row of await rows.all())
    if (await row.getByRole("cell").count()) await expect(row).toContainText("Access denied");
  await expect(rows.filter({ hasText: newest! })).toHaveCount(0);

  // 4. Newer goes back: the first page again, with nothing newer than it.
  await pages.getByRole("link", { name: "Newer" }).click();
  await expect(page).toHaveURL(/action=access.denied/);
  await expect(rows.nth(1).getByRole("cell").first()).toHaveText(newest!);
  await expect(pages.getByRole("link", { name: "Newer" })).toHaveCount(0);

  // 5. Changing a filter starts again from the newest page; "Clear filters" clears them all.
  await pages.getByRole("link", { name: "Older" }).click();
  await expect(page).toHaveURL(/before=/);
  await page.getByLabel("Outcome").selectOption("REFUSED");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/outcome=REFUSED/);
  await expect(page).not.toHaveURL(/before=|after=/);
  await expect(page).toHaveURL(/action=access.denied/);
  await expect(rows.nth(1).getByRole("cell").first()).toHaveText(newest!);
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByLabel("Action")).toHaveValue("");
  await expect(page.getByLabel("Outcome")).toHaveValue("");
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
