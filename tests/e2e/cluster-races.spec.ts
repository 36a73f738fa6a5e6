import { expect, test, type Page } from "@playwright/test";
import {
  addPlatformAuthenticator,
  confirmItsYou,
  e2eSql,
  HIGH_RISK_USER,
  requestHighRiskReenrolment,
  signInAs,
  signInWithStaffPasskey,
  STANDARD_LIST,
  userWithPass,
} from "./fixtures";

/**
 * The races of tests/integration/case-races.test.ts over HTTP, with the two requests on two
 * instances (docs/decisions/042). Each browser page is loaded through nginx; its form posts
 * (server actions) are sent by the browser's network layer to one instance directly, as the load
 * balancer could have chosen, with the page's own origin and cookies.
 */
const PORT = Number(process.env.E2E_PORT ?? 3100);
const [A, B] = (process.env.E2E_INSTANCE_PORTS ?? `${PORT + 1},${PORT + 2}`).split(",");

/**
 * Sends this page's POSTs to the instances given, in turn (one port: all to it), with the Host
 * and X-Forwarded-For nginx would have sent; returns the ports the answers came from, in order.
 */
async function pinPosts(page: Page, ...ports: string[]): Promise<string[]> {
  const answeredBy: string[] = [];
  let next = 0;
  await page.route("**/*", async (route) => {
    const request = route.request();
    if (request.method() !== "POST") return route.continue();
    const url = new URL(request.url());
    const host = url.host;
    url.port = ports[next++ % ports.length]!;
    const forwarded = request.headers()["x-forwarded-for"];
    // nginx keeps the Host the browser sent (Next checks a server action's Origin against it);
    // sent straight to an instance, the trusted X-Forwarded-Host says it.
    return route.continue({
      url: url.toString(),
      headers: {
        ...request.headers(),
        "x-forwarded-host": host,
        "x-forwarded-for": forwarded ? `${forwarded}, 127.0.0.1` : "127.0.0.1",
      },
    });
  });
  page.on("response", (response) => {
    if (response.request().method() === "POST") answeredBy.push(new URL(response.url()).port);
  });
  return answeredBy;
}

test("one pass redeemed at the same moment on two instances opens exactly one session", async ({
  page,
  browser,
}) => {
  await signInAs(page, "AGENT");
  const { pass, workEmail, userUrl } = await userWithPass(
    page,
    browser,
    15,
    `${STANDARD_LIST}&page=2`,
  );
  const userId = userUrl.split("/").pop()!;

  const pages: Page[] = [];
  const answers: string[][] = [];
  for (const port of [A!, B!]) {
    const user = await (await browser.newContext()).newPage();
    answers.push(await pinPosts(user, port));
    await user.goto("/redeem");
    await user.waitForLoadState("networkidle");
    await user.getByLabel("Your work email", { exact: true }).fill(workEmail);
    await user.getByLabel("Temporary access pass", { exact: true }).fill(pass);
    pages.push(user);
  }
  await Promise.all(pages.map((user) => user.getByRole("button", { name: "Continue" }).click()));

  // One is in; the other is told the pass is not valid (it was spent a moment ago).
  const inside = (user: Page) => user.url().endsWith("/account");
  await expect.poll(() => pages.filter(inside).length, { timeout: 20_000 }).toBe(1);
  const outside = pages.find((user) => !inside(user))!;
  await expect(
    outside.getByRole("form", { name: "Use a temporary access pass" }).getByRole("alert"),
  ).toContainText("do not match a valid pass");
  expect(answers[0]).toContain(A);
  expect(answers[1]).toContain(B);

  const sessions = await e2eSql<{ count: string }>(
    `SELECT count(*)::text AS count FROM "WorkforceSession" WHERE "userId" = $1 AND "tapId" IS NOT NULL`,
    [userId],
  );
  expect(sessions).toEqual([{ count: "1" }]);
  for (const user of pages) await user.context().close();
});

test("revoke-all on one instance against an enrolment finishing on the other: no passkey survives", async ({
  page,
  browser,
}) => {
  await signInWithStaffPasskey(page, "AGENT");
  const { pass, workEmail, userName, userUrl } = await userWithPass(
    page,
    browser,
    16,
    `${STANDARD_LIST}&page=2`,
  );
  const userId = userUrl.split("/").pop()!;

  // The user, on instance A, redeems the pass and is about to set up a passkey.
  const context = await browser.newContext();
  const user = await context.newPage();
  const userAnswers = await pinPosts(user, A!);
  await user.goto("/redeem");
  await user.waitForLoadState("networkidle");
  await user.getByLabel("Your work email", { exact: true }).fill(workEmail);
  await user.getByLabel("Temporary access pass", { exact: true }).fill(pass);
  await user.getByRole("button", { name: "Continue" }).click();
  await expect(user).toHaveURL(/\/account$/);
  await addPlatformAuthenticator(user);

  // The agent, on instance B, has the revoke-all dialog open.
  const agentAnswers = await pinPosts(page, B!);
  await page.goto(userUrl);
  await confirmItsYou(page);
  await page
    .getByRole("form", { name: "Revoke all passkeys" })
    .getByRole("button", { name: "Revoke all passkeys…" })
    .click();
  const revoke = page
    .getByRole("dialog", { name: `Revoke all of ${userName}’s passkeys?` })
    .getByRole("button", { name: /^Revoke (this passkey|these \d+ passkeys) now$/ });

  await Promise.all([
    user.getByRole("button", { name: "Set up a new passkey" }).click(),
    revoke.click(),
  ]);
  await expect(page.getByRole("status").filter({ hasText: "Revoked" })).toBeVisible();
  // The user's page settles either way: the new passkey (revoked a moment later) or a refusal.
  await expect(
    user
      .getByRole("status")
      .filter({ hasText: "Your new passkey" })
      .or(user.getByRole("alert"))
      .or(user.getByRole("heading", { name: "Sign in to your account" }))
      .first(),
  ).toBeVisible();
  expect(userAnswers).toContain(A);
  expect(agentAnswers).toContain(B);

  await expect
    .poll(async () =>
      e2eSql<{ count: string }>(
        `SELECT count(*)::text AS count FROM "Passkey" WHERE "userId" = $1 AND status = 'ACTIVE'`,
        [userId],
      ),
    )
    .toEqual([{ count: "0" }]);
  await context.close();
});

test("a passkey set-up begun on one instance is finished on the other", async ({
  page,
  browser,
}) => {
  await signInAs(page, "AGENT");
  const { pass, workEmail, userUrl } = await userWithPass(
    page,
    browser,
    17,
    `${STANDARD_LIST}&page=2`,
  );
  const userId = userUrl.split("/").pop()!;
  const context = await browser.newContext();
  const user = await context.newPage();
  await user.goto("/redeem");
  await user.waitForLoadState("networkidle");
  await user.getByLabel("Your work email", { exact: true }).fill(workEmail);
  await user.getByLabel("Temporary access pass", { exact: true }).fill(pass);
  await user.getByRole("button", { name: "Continue" }).click();
  await expect(user).toHaveURL(/\/account$/);
  await user.waitForLoadState("networkidle");
  await addPlatformAuthenticator(user);

  // The ceremony's start (the challenge) goes to A, its finish (the signed answer) to B.
  const answers = await pinPosts(user, A!, B!);
  await user.getByRole("button", { name: "Set up a new passkey" }).click();
  await expect(user.getByRole("status")).toContainText("Your new passkey");
  expect(answers.slice(0, 2)).toEqual([A, B]);
  const active = await e2eSql<{ count: string }>(
    `SELECT count(*)::text AS count FROM "Passkey"
      WHERE "userId" = $1 AND status = 'ACTIVE' AND "createdAt" > now() - interval '10 minutes'`,
    [userId],
  );
  expect(active).toEqual([{ count: "1" }]);
  await context.close();
});

test("a client's rate limit is counted across both instances", async ({ browser }) => {
  test.setTimeout(180_000); // twenty-one tries, each answered in no less than 400 ms
  const context = await browser.newContext({
    extraHTTPHeaders: { "X-Forwarded-For": "10.88.0.1" },
  });
  const stranger = await context.newPage();
  const answers = await pinPosts(stranger, A!, B!);
  await stranger.goto("/redeem");
  await stranger.waitForLoadState("networkidle");
  const answer = stranger
    .getByRole("form", { name: "Use a temporary access pass" })
    .getByRole("alert");
  const attempt = async (email: string) => {
    await stranger.getByLabel("Your work email", { exact: true }).fill(email);
    await stranger.getByLabel("Temporary access pass", { exact: true }).fill("0000-0000-0000-0000");
    await Promise.all([
      stranger.waitForResponse(
        (r) => r.request().method() === "POST" && r.url().endsWith("/redeem"),
      ),
      stranger.getByRole("button", { name: "Continue" }).click(),
    ]);
    await expect(stranger.getByLabel("Your work email", { exact: true })).toHaveValue(email);
    await expect(stranger.getByRole("button", { name: "Continue" })).toBeEnabled();
  };
  // The client's budget (20 per 15 minutes), ten tries on each instance.
  for (let i = 0; i < 20; i++) {
    await attempt(`cluster-nobody-${i}@northwind.example`);
    await expect(answer).toContainText("do not match a valid pass");
  }
  await attempt("cluster-nobody-20@northwind.example");
  await expect(answer).toContainText(/Too many tries\. Wait \d+ minutes, then try again\./);
  expect(answers.filter((port) => port === A).length).toBeGreaterThanOrEqual(10);
  expect(answers.filter((port) => port === B).length).toBeGreaterThanOrEqual(10);
  await context.close();
});

test("one re-enrolment request approved at the same moment on two instances is decided once", async ({
  page,
  browser,
}) => {
  // The agent verifies a high-risk user and asks for a re-enrolment.
  await signInAs(page, "AGENT");
  const { userName, caseId } = await requestHighRiskReenrolment(
    page,
    browser,
    HIGH_RISK_USER.clusterRaces,
  );

  // The supervisor has the queue open twice (one session, stepped up once): one tab's decisions
  // go to instance A, the other's to instance B, and both press Approve at the same moment.
  const supervisorContext = await browser.newContext();
  const first = await supervisorContext.newPage();
  await signInWithStaffPasskey(first, "SUPERVISOR");
  const second = await supervisorContext.newPage();
  const answers = [await pinPosts(first, A!), await pinPosts(second, B!)];
  await first.goto("/approvals");
  await confirmItsYou(first);
  await second.goto("/approvals");
  await second.waitForLoadState("networkidle");
  const requests = [first, second].map((tab) =>
    tab.getByRole("article", { name: `Re-enrolment for ${userName}` }),
  );
  for (const request of requests)
    await request.getByLabel("Reason for your decision").fill("Video ID and manager confirm");
  const before = answers.map((tab) => tab.length);
  await Promise.all(
    requests.map((request) => request.getByRole("button", { name: "Approve" }).click()),
  );
  // Each tab's decision was answered, by its own instance.
  await expect.poll(() => answers[0]!.slice(before[0])).toContain(A);
  await expect.poll(() => answers[1]!.slice(before[1])).toContain(B);

  // Decided once: one approval (used at once: its link went out), one audited approval, one link.
  await expect
    .poll(async () =>
      e2eSql<{ status: string }>(`SELECT status::text FROM "Approval" WHERE "caseId" = $1`, [
        caseId,
      ]),
    )
    .toEqual([{ status: "USED" }]);
  const decided = await e2eSql<{ action: string; count: string }>(
    `SELECT action, count(*)::text AS count FROM "AuditEvent"
      WHERE "caseId" = $1 AND action IN ('approval.approved', 'reenrolment.link_sent')
      GROUP BY action ORDER BY action`,
    [caseId],
  );
  expect(decided).toEqual([
    { action: "approval.approved", count: "1" },
    { action: "reenrolment.link_sent", count: "1" },
  ]);
  await supervisorContext.close();
});
