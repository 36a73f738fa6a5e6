import { expect, test } from "@playwright/test";
import type { JSONWebKeySet } from "jose";
import { startSsfReceiver } from "../ssf-receiver";
import {
  confirmItsYou,
  e2eSql,
  passFromUserPage,
  signInAs,
  signInWithStaffPasskey,
  userWithEnrolledPasskey,
} from "./fixtures";

/**
 * HR deactivation over SCIM reaches everything at once (issue 14; decisions 033 and 034): a person
 * signed in on /account with the passkey they enrolled, and holding a second pass they have not
 * used, is deactivated by the identity provider. Their open page loses its session, the pass is
 * refused, and an application subscribed to Shared Signals receives, signed with the published
 * key, a credential-change (revoke) and then an account-disabled for them.
 */
test("HR deactivation over SCIM ends the live session, refuses the outstanding pass, and a receiver hears it", async ({
  page,
  browser,
  request,
}) => {
  test.setTimeout(240_000);

  // 1. Security issues the identity provider's SCIM token and a receiver token (step-up first).
  const security = await (await browser.newContext()).newPage();
  await signInWithStaffPasskey(security, "SECURITY");
  await security.goto("/settings/scim");
  await confirmItsYou(security);
  const issue = security.getByRole("form", { name: "Issue a token" });
  await issue.getByLabel("Identity provider").fill("HR feed");
  await issue.getByRole("button", { name: "Issue token" }).click();
  const shown = security.getByRole("status").filter({ hasText: "shown only once" });
  await expect(shown).toBeVisible();
  const scimToken = (await shown.textContent())!.match(/scim_[0-9a-f]{8}_[A-Za-z0-9_-]{43}/)![0];

  await security.goto("/ssf-receivers");
  await security.waitForLoadState("networkidle");
  await security.getByLabel("Receiver (the application that subscribes)").fill("Mail app");
  await security.getByRole("button", { name: "Issue token" }).click();
  const issued = security.getByText(/^Token for Mail app: /);
  await expect(issued).toBeVisible();
  const receiverToken = (await issued.textContent())!.match(/: ([A-Za-z0-9_-]{43}) /)![1]!;

  // 2. The application subscribes: a push stream to its own endpoint, which verifies every token
  //    against the console's published key set.
  const issuer = (
    (await (await request.get("/.well-known/ssf-configuration")).json()) as { issuer: string }
  ).issuer;
  const jwks = (await (await request.get("/ssf/jwks")).json()) as JSONWebKeySet;
  const expected = {
    jwks,
    issuer,
    audience: "set once the stream exists",
    authorization: "Bearer mail-app-inbound",
  };
  const receiver = await startSsfReceiver(expected);
  let streamId: string | null = null;
  try {
    const created = await request.post("/ssf/streams", {
      headers: { Authorization: `Bearer ${receiverToken}` },
      data: {
        delivery: {
          method: "urn:ietf:rfc:8935",
          endpoint_url: receiver.url,
          authorization_header: expected.authorization,
        },
      },
    });
    expect(created.status()).toBe(201);
    const stream = (await created.json()) as { aud: string; stream_id: string };
    expected.audience = stream.aud;
    streamId = stream.stream_id;

    // 3. A person recovers with a pass and enrols a passkey, then signs in with it: a live session.
    await signInAs(page, "AGENT");
    const { context, user, userName, workEmail, userUrl } = await userWithEnrolledPasskey(
      page,
      browser,
      25,
    );
    await user.getByRole("button", { name: "Sign out", exact: true }).click();
    await user.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(user.getByRole("heading", { name: `Hello, ${userName}` })).toBeVisible();

    // 4. A day later they call again and are sent a second pass, which they have not used yet.
    //    (The agent closes the first case; moving it a day back stands for the day between.)
    const caseUrl = page.url();
    await page.goto(caseUrl);
    const close = page.getByRole("form", { name: "Close the case" });
    await close.getByLabel("Why it is closed").fill("recovered");
    await close.getByRole("button", { name: "Close case" }).click();
    await expect(page.getByRole("region", { name: "Close" })).toContainText("recovered");
    const userId = userUrl.split("/").at(-1)!;
    await e2eSql(
      `UPDATE "RecoveryCase" SET "createdAt" = "createdAt" - interval '25 hours' WHERE "userId" = $1::uuid`,
      [userId],
    );
    await page.goto(userUrl);
    const { pass } = await passFromUserPage(page, browser, 2);

    // 5. HR deactivates them: the identity provider's PATCH, as Entra sends it.
    const deactivated = await request.patch(`/scim/v2/Users/${userId}`, {
      headers: {
        Authorization: `Bearer ${scimToken}`,
        "Content-Type": "application/scim+json",
      },
      data: {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "Replace", path: "active", value: "False" }],
      },
    });
    expect(deactivated.status()).toBe(200);

    // 6. The open account page has no session any more, and the passkey no longer signs in.
    await user.reload();
    await expect(user.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
    await user.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(user.getByRole("main").getByRole("alert")).toContainText(
      "That passkey cannot sign you in",
    );

    // 7. The outstanding pass is refused.
    await user.goto("/redeem");
    await user.waitForLoadState("networkidle");
    await user.getByLabel("Your work email", { exact: true }).fill(workEmail);
    await user.getByLabel("Temporary access pass", { exact: true }).fill(pass);
    await user.getByRole("button", { name: "Continue" }).click();
    await expect(user.getByRole("main").getByRole("alert")).toContainText(
      "That email and pass do not match a valid pass",
    );
    await expect(user).toHaveURL(/\/redeem$/);
    await context.close();

    // 8. The application heard it, verified against the published keys: the passkey revoked,
    //    then the account disabled, for this person.
    await expect(async () => {
      const theirs = receiver.accepted.filter((set) => set.subject.email === workEmail);
      const types = theirs.map((set) => set.type.split("/").at(-1));
      expect(types).toContain("account-disabled");
      const revoke = theirs.findIndex(
        (set) => set.type.endsWith("/credential-change") && set.claims.change_type === "revoke",
      );
      expect(revoke).toBeGreaterThanOrEqual(0);
      expect(revoke).toBeLessThan(types.indexOf("account-disabled"));
    }).toPass({ timeout: 60_000 });
    expect(receiver.refused).toEqual([]);

    // 9. HR takes them back (a returner: a new enrolment, nothing of before). Other specs pick
    //    people by their row among active standard staff, so the directory is left as it was.
    const back = await request.patch(`/scim/v2/Users/${userId}`, {
      headers: {
        Authorization: `Bearer ${scimToken}`,
        "Content-Type": "application/scim+json",
      },
      data: {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "Replace", path: "active", value: "True" }],
      },
    });
    expect(back.status()).toBe(200);
    const [returned] = await e2eSql<{ status: string; active: string }>(
      `SELECT u.status, (SELECT count(*) FROM "Passkey" p WHERE p."userId" = u.id AND p.status = 'ACTIVE') AS active
       FROM "WorkforceUser" u WHERE u.id = $1::uuid`,
      [userId],
    );
    expect(returned).toEqual({ status: "ACTIVE", active: "0" });
  } finally {
    // The application unsubscribes before it goes, so the console stops pushing to it.
    if (streamId) {
      const deleted = await request.delete(`/ssf/streams?stream_id=${streamId}`, {
        headers: { Authorization: `Bearer ${receiverToken}` },
      });
      expect(deleted.status()).toBe(204);
    }
    await receiver.stop();
  }
});
