import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { confirmItsYou, signInAs, signInWithStaffPasskey } from "./fixtures";

/**
 * Shared Signals receivers (issue 14, docs/decisions/034): a security reviewer issues an
 * application its token on /ssf-receivers, the application reads the metadata and creates a poll
 * stream with it, and once the reviewer revokes the token the API refuses it. Agents have no
 * such page.
 */
test("a security reviewer issues a receiver token that works on the stream API until revoked", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  // Issuing a receiver token is gated by step-up (decision 015).
  await signInWithStaffPasskey(page, "SECURITY");
  await page.getByRole("link", { name: "Receivers" }).click();
  await expect(page.getByRole("heading", { name: "Shared Signals receivers" })).toBeVisible();
  await confirmItsYou(page);
  const name = `Chat app ${Date.now()}`;
  await page.getByLabel("Receiver (the application that subscribes)").fill(name);
  await page.getByRole("button", { name: "Issue token" }).click();
  const shown = page.getByText(/^Token for Chat app \d+: /);
  await expect(shown).toBeVisible();
  const token = (await shown.textContent())!.match(/: ([A-Za-z0-9_-]{43}) /)![1]!;

  const metadata = await page.request.get("/.well-known/ssf-configuration");
  expect(metadata.status()).toBe(200);
  const issuer = ((await metadata.json()) as { issuer: string }).issuer;
  const jwks = await page.request.get("/ssf/jwks");
  expect(((await jwks.json()) as { keys: unknown[] }).keys).toHaveLength(1);

  const created = await page.request.post("/ssf/streams", {
    headers: { Authorization: `Bearer ${token}` },
    data: { delivery: { method: "urn:ietf:rfc:8936" } },
  });
  expect(created.status()).toBe(201);
  const stream = (await created.json()) as {
    stream_id: string;
    delivery: { endpoint_url: string };
  };
  expect(stream.delivery.endpoint_url).toBe(`${issuer}/ssf/poll/${stream.stream_id}`);

  await page.reload();
  const row = page.getByRole("listitem").filter({ hasText: name });
  await expect(row.getByText("poll enabled")).toBeVisible();
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(
    violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id),
  ).toEqual([]);

  await page.waitForLoadState("networkidle");
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("Revoked. Its streams are disabled")).toBeVisible();
  const refused = await page.request.get("/ssf/streams", {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(refused.status()).toBe(401);

  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signInAs(agent, "AGENT");
  await expect(agent.getByRole("link", { name: "Receivers" })).toHaveCount(0);
  await agent.goto("/ssf-receivers");
  await expect(agent.getByRole("heading", { name: "Shared Signals receivers" })).toHaveCount(0);
  await agentContext.close();
});
