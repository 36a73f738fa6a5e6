import { expect, test } from "@playwright/test";
import { confirmItsYou, signInWithStaffPasskey } from "./fixtures";

/**
 * Provisioning (docs/decisions/033): a security reviewer issues a SCIM token on the console's
 * page, an identity provider provisions and deprovisions a person with it over HTTP, the
 * person's page shows what it did, and rotating the token stops the old one at once.
 */
test("a reviewer issues a SCIM token, an identity provider provisions and deactivates with it, rotation stops the old one", async ({
  page,
  request,
}) => {
  await signInWithStaffPasskey(page, "SECURITY");
  await page.getByRole("link", { name: "Provisioning" }).click();
  await expect(page.getByRole("heading", { name: "Provisioning (SCIM)" })).toBeVisible();
  await confirmItsYou(page);

  const issue = page.getByRole("form", { name: "Issue a token" });
  await issue.getByLabel("Identity provider").fill("Entra ID");
  await issue.getByRole("button", { name: "Issue token" }).click();
  const shown = page.getByRole("status").filter({ hasText: "shown only once" });
  await expect(shown).toBeVisible();
  const token = (await shown.textContent())!.match(/scim_[0-9a-f]{8}_[A-Za-z0-9_-]{43}/)![0];

  const headers = {
    Authorization: `Bearer ${token}`,
    "Content-Type": "application/scim+json",
  };
  const userName = `e2e.${Date.now()}@northwind.example`;
  const created = await request.post("/scim/v2/Users", {
    headers,
    data: {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName,
      displayName: "Provisioned Starter",
      emails: [{ value: userName, type: "work", primary: true }],
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Finance" },
    },
  });
  expect(created.status()).toBe(201);
  expect(created.headers()["content-type"]).toBe("application/scim+json");
  const { id } = (await created.json()) as { id: string };

  const off = await request.patch(`/scim/v2/Users/${id}`, {
    headers,
    data: {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    },
  });
  expect(off.status()).toBe(200);
  expect(((await off.json()) as { active: boolean }).active).toBe(false);

  await page.goto(`/users/${id}`);
  await expect(page.getByRole("heading", { name: "Provisioned Starter" })).toBeVisible();
  const events = page.locator("section[aria-labelledby=events]");
  await expect(events.getByText("Person joined (identity provider)")).toBeVisible();
  await expect(events.getByText("Passkeys revoked").first()).toBeVisible();

  await page.goto("/settings/scim");
  await page
    .getByRole("form", { name: "Rotate Entra ID" })
    .first()
    .getByRole("button", { name: "Rotate" })
    .click();
  await expect(
    page.getByRole("status").filter({ hasText: "The old token no longer works" }),
  ).toBeVisible();
  const refused = await request.get("/scim/v2/ServiceProviderConfig", { headers });
  expect(refused.status()).toBe(401);
  expect(((await refused.json()) as { schemas: string[] }).schemas).toEqual([
    "urn:ietf:params:scim:api:messages:2.0:Error",
  ]);
});
