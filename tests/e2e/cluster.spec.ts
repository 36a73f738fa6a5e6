import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { confirmItsYou, signInAs, signInWithStaffPasskey } from "./fixtures";

/**
 * Two instances over one database behind nginx (docs/decisions/042; playwright.config.ts starts
 * them with scripts/start.ts and CONSOLE_INSTANCE_PORTS). A page's requests are spread over both
 * instances, and a change made on one instance reaches a page that is open on the other.
 */
const PORT = Number(process.env.E2E_PORT ?? 3100);
const [A, B] = (process.env.E2E_INSTANCE_PORTS ?? `${PORT + 1},${PORT + 2}`).split(",");
const ACCESS_LOG = path.resolve(".data/e2e-nginx/access.log");

/** The instances nginx sent each logged request to, from its access log. */
function upstreamsSince(offset: number): string[] {
  const lines = readFileSync(ACCESS_LOG, "utf8").slice(offset).trim().split("\n");
  return lines.map((line) => /upstream=\S*:(\d+)/.exec(line)?.[1] ?? "");
}

test("a signed-in page is served by both instances, one request here, the next there", async ({
  page,
}) => {
  const offset = readFileSync(ACCESS_LOG, "utf8").length;
  await signInAs(page, "AGENT");
  await page.goto("/cases");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  const upstreams = upstreamsSince(offset);
  expect(new Set(upstreams)).toEqual(new Set([A, B]));
  // Round robin: the session and everything the page needs is in the database, not an instance.
  expect(upstreams.filter((port) => port === A).length).toBeGreaterThan(upstreams.length / 4);
});

test("a change made on one instance reaches a page open on the other, live", async ({
  page,
  request,
}) => {
  // A SCIM token, issued through nginx.
  await signInWithStaffPasskey(page, "SECURITY");
  await page.goto("/settings/scim");
  await confirmItsYou(page);
  const issue = page.getByRole("form", { name: "Issue a token" });
  await issue.getByLabel("Identity provider").fill("Cluster IdP");
  await issue.getByRole("button", { name: "Issue token" }).click();
  const shown = page.getByRole("status").filter({ hasText: "shown only once" });
  await expect(shown).toBeVisible();
  const token = (await shown.textContent())!.match(/scim_[0-9a-f]{8}_[A-Za-z0-9_-]{43}/)![0];
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" };

  // The identity provider provisions a person on instance A, directly.
  const userName = `cluster.${Date.now()}@northwind.example`;
  const created = await request.post(`http://localhost:${A}/scim/v2/Users`, {
    headers,
    data: {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName,
      displayName: "Cluster Starter",
      emails: [{ value: userName, type: "work", primary: true }],
      // A department other pages already list (rollout.spec.ts checks the department choices).
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Finance" },
    },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };

  // The reviewer's page is on instance B, directly: its live stream is B's.
  await page.goto(`http://localhost:${B}/users/${id}`);
  await expect(page.getByRole("heading", { name: "Cluster Starter" })).toBeVisible();
  await expect(page.locator("[data-live-state=live]")).toBeAttached();

  // The provider renames them on instance A: B's page shows it without a reload.
  const renamed = await request.patch(`http://localhost:${A}/scim/v2/Users/${id}`, {
    headers,
    data: {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "displayName", value: "Cluster Renamed" }],
    },
  });
  expect(renamed.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Cluster Renamed" })).toBeVisible();
  expect(page.url()).toBe(`http://localhost:${B}/users/${id}`);

  // Gone again, so the specs that pick active people by row find the rows they expect.
  const off = await request.patch(`http://localhost:${A}/scim/v2/Users/${id}`, {
    headers,
    data: {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    },
  });
  expect(off.status()).toBe(200);
});
