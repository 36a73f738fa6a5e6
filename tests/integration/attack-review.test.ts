/**
 * An attacker's review of the rate limits, the edge, staff step-up and adding passkeys while
 * signed in. Each test asserts the secure behaviour. The unmarked ones reproduced a hole the
 * review found (each now closed: correctStep's step-up, the staff passkey swap, repudiating an
 * added passkey and what followed it, silent additions, client-shaped text in the audit trail,
 * the resting pass's answer, the per-account budget that locked users out silently, IPv6
 * prefixes, multipart spellings at the edge); "(regression)" ones held under attack then.
 *
 * The real server actions run with Next's request plumbing stood in (as in step-up-gates.test.ts);
 * the rate limits keep their documented defaults for /redeem (the other budgets are lifted so the
 * helpers can run), and every test starts with fresh budgets.
 */
import { request as httpRequest, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { beforeEach, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  // /redeem keeps its documented budgets; the rest are lifted out of the way of the helpers.
  process.env.RATE_LIMITS = [
    "anonymous.client",
    "link.client",
    "sso.client",
    "signIn.client",
    "signIn.account",
  ]
    .map((name) => `${name}=100000/60`)
    .join(",");
});

let staffCookie: string | null = null;
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (staffCookie ? { name, value: staffCookie } : undefined),
  }),
  headers: async () =>
    new Headers({ origin: "http://localhost:3000", "x-request-id": "req-attack-review" }),
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw new Error(`redirect ${to}`);
  },
  forbidden: () => {
    throw new Error("forbidden");
  },
  notFound: () => {
    throw new Error("not found");
  },
}));

const { db } = await import("@/tests/db");
const { createStaff } = await import("@/tests/factories");
const { actor, lastMessageTo, userWithManager, verifiedStandardCase, userWithSoftwarePasskey } =
  await import("@/tests/recovery");
const { softwarePasskey } = await import("@/tests/software-authenticator");
const { DomainError } = await import("@/lib/domain/errors");
const { normalizeTapCode } = await import("@/lib/domain/tap-code");
const { RATE_LIMIT_DEFAULTS } = await import("@/lib/domain/rate-limits");
const { unseal } = await import("@/lib/server/sealed");
const { hashToken, newToken } = await import("@/lib/server/secrets");
const { issueTap } = await import("@/lib/server/issue-tap");
const { redeemTap } = await import("@/lib/server/redeem-tap");
const { openCase } = await import("@/lib/server/open-case");
const { sendStepLink } = await import("@/lib/server/send-step-link");
const { answerManagerConfirmation } = await import("@/lib/server/answer-manager-confirmation");
const { startStaffSession } = await import("@/lib/server/start-staff-session");
const { staffUserHandle } = await import("@/lib/server/staff-passkeys");
const { startWorkforceSignIn, finishWorkforceSignIn } =
  await import("@/lib/server/workforce-sign-in");
const { startWorkforceReverification, finishWorkforceReverification } =
  await import("@/lib/server/reverify-workforce-session");
const { startPasskeyRegistration } = await import("@/lib/server/start-passkey-registration");
const { finishPasskeyRegistration } = await import("@/lib/server/finish-passkey-registration");
const { repudiateRecovery } = await import("@/lib/server/repudiate-recovery");
const staffPasskeyActions = await import("@/app/(console)/passkeys/actions");
const { correctStepAction } = await import("@/app/(console)/cases/[caseId]/actions");
const { clearHoldAction, revokePasskeysAction } =
  await import("@/app/(console)/users/[userId]/actions");
const { createEdge } = await import("../../scripts/lib/edge");
const { getServerActionRequestMetadata } =
  await import("next/dist/server/lib/server-action-request-meta.js");

const idle = { status: "idle" } as const;
const WRONG = "0000000000000000";
const from = (ip: string) => ({ requestId: `req-${ip}`, ip });

function form(fields: Record<string, string>) {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "OK",
    (e: unknown) => (e instanceof DomainError ? e.code : `ERROR ${String(e)}`),
  );
}

async function lastAuditId() {
  return (await db.auditEvent.findFirst({ orderBy: { id: "desc" } }))?.id ?? 0n;
}

beforeEach(async () => {
  staffCookie = null;
  // Fresh budgets for every test (as if every window had passed).
  await db.$executeRaw`UPDATE "RateLimit" SET expire = ${Date.now() - 1}`;
});

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** A staff session of `staffId` carried by the (stood-in) cookie, optionally with a staff passkey. */
async function staffSignIn(
  staffId: string,
  options: { passkey?: boolean; method?: "demo" | "oidc"; acr?: string } = {},
) {
  const token = newToken();
  await startStaffSession({
    staffId,
    token,
    method: options.method ?? "demo",
    assurance:
      options.method === "oidc"
        ? { amr: ["pwd"], acr: options.acr ?? "urn:northwind:pwd", authTime: new Date() }
        : undefined,
  });
  staffCookie = token;
  const authenticator = softwarePasskey();
  if (options.passkey !== false) await enrolStaffPasskey(authenticator);
  return {
    token,
    authenticator,
    async stepUp(with_ = authenticator) {
      const start = await staffPasskeyActions.startStepUpAction();
      if (!start.ok) throw new Error(start.message);
      const finish = await staffPasskeyActions.finishStepUpAction(
        with_.authenticate(start.value.challenge, staffUserHandle(staffId)),
      );
      if (!finish.ok) throw new Error(finish.message);
    },
  };
}

async function enrolStaffPasskey(authenticator: ReturnType<typeof softwarePasskey>) {
  const start = await staffPasskeyActions.startStaffRegistrationAction();
  if (!start.ok) return start;
  return staffPasskeyActions.finishStaffRegistrationAction(
    authenticator.register(start.value.challenge),
  );
}

/** A verified standard case with a pass sent; the pass as the user would type it. */
async function issuedPass() {
  const { agent, user, caseId } = await verifiedStandardCase();
  const address = user.emails[0]!.address;
  await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
  const text = (await lastMessageTo(address)).text;
  const code = normalizeTapCode(text.match(/\n {4}([0-9A-Z-]{19})\n/)![1]!)!;
  return { agent, user, caseId, address, code };
}

type WorkforceUser = Awaited<ReturnType<typeof userWithSoftwarePasskey>>["user"];
type Authenticator = ReturnType<typeof softwarePasskey>;

async function workforceSignIn(user: WorkforceUser, passkey: Authenticator) {
  const options = await startWorkforceSignIn();
  const { token } = await finishWorkforceSignIn({
    response: passkey.authenticate(options.challenge, user.webauthnUserId),
  });
  return token;
}

async function addPasskey(token: string, added = softwarePasskey()) {
  const grant = { kind: "session" as const, token };
  const options = await startPasskeyRegistration({ grant });
  await finishPasskeyRegistration({ grant, response: added.register(options.challenge) });
  return added;
}

/** The "this wasn't me" tokens of the self-service notices to `address`, oldest first. */
async function addedNoticeLinks(userId: string, address: string) {
  const messages = await db.outboxMessage.findMany({
    where: { subjectUserId: userId, toAddress: address, kind: "passkey.enrolled", caseId: null },
    orderBy: { createdAt: "asc" },
  });
  return messages.map((m) => unseal(m.body).match(/\/report\/([A-Za-z0-9_-]{43})/)![1]!);
}

/** A response whose client data says something else (the signature no longer matters: it is refused before). */
function withClientData<T extends { response: { clientDataJSON: string } }>(
  response: T,
  change: (data: Record<string, unknown>) => void,
): T {
  const data = JSON.parse(Buffer.from(response.response.clientDataJSON, "base64url").toString());
  change(data);
  return {
    ...response,
    response: {
      ...response.response,
      clientDataJSON: Buffer.from(JSON.stringify(data)).toString("base64url"),
    },
  };
}

// Unicode Cc and Cf: what plainText refuses everywhere else (docs/decisions/014, G8).
const HIDDEN = /[\p{Cc}\p{Cf}]/u;

// ---------------------------------------------------------------------------------------------
// 1. Step-up: a gated effect through an ungated action
// ---------------------------------------------------------------------------------------------

describe("step-up holds on every path to a gated effect", () => {
  it("reopening a manager's denied step does not clear the denial's hold without a fresh step-up", async () => {
    const agent = await actor("AGENT");
    const { user, manager } = await userWithManager();
    const { caseId } = await openCase({
      actor: agent,
      userId: user.id,
      reason: "LOST_DEVICE",
      channel: "PHONE",
      callerClaim: "Lost my phone",
    });
    await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
    const text = (await lastMessageTo(manager.emails[0]!.address)).text;
    const token = text.match(/\/confirm\/([A-Za-z0-9_-]{43})/)![1]!;
    await answerManagerConfirmation({ token, answer: "deny" });
    const holds = () => db.recoveryHold.findMany({ where: { userId: user.id, clearedAt: null } });
    expect(await holds()).toHaveLength(1);

    // A supervisor's session that has NOT confirmed it's them (a stolen cookie, say).
    const supervisor = await createStaff(db, { role: "SUPERVISOR", team: agent.team });
    await staffSignIn(supervisor.id);

    // The gated way is refused...
    expect(
      await clearHoldAction(idle, form({ userId: user.id, note: "Spoke to the manager" })),
    ).toMatchObject({ status: "refused", stepUp: "confirm" });
    expect(await holds()).toHaveLength(1);

    // ...and so must be the other way to the same effect.
    const state = await correctStepAction(
      idle,
      form({ caseId, kind: "MANAGER_CONFIRMATION", note: "The manager denied by mistake" }),
    );
    expect(await holds()).toHaveLength(1);
    expect(state).toMatchObject({ status: "refused", stepUp: "confirm" });
  });

  it("a session stolen at sign-in (plain SSO) cannot swap the owner's staff passkey for its own and step up", async () => {
    const { user } = await verifiedStandardCase();
    const agent = await createStaff(db, { role: "AGENT" });
    // The owner set up a staff passkey in an earlier session.
    await staffSignIn(agent.id);
    const owners = await db.staffPasskey.findMany({ where: { staffId: agent.id } });
    expect(owners).toHaveLength(1);

    // The owner signs in again with SSO (password, not phishing-resistant); a phishing proxy
    // relays the sign-in and keeps the session cookie. Within the window, the thief:
    await staffSignIn(agent.id, { method: "oidc", passkey: false });
    const removed = await staffPasskeyActions.removeStaffPasskeyAction(
      idle,
      form({ passkeyId: owners[0]!.id }),
    );
    const thiefKey = softwarePasskey();
    const added = await enrolStaffPasskey(thiefKey);
    let revoked: unknown = null;
    if (added.ok) {
      const start = await staffPasskeyActions.startStepUpAction();
      if (start.ok)
        await staffPasskeyActions.finishStepUpAction(
          thiefKey.authenticate(start.value.challenge, staffUserHandle(agent.id)),
        );
      revoked = await revokePasskeysAction(
        idle,
        form({
          userId: user.id,
          scope: "ALL",
          reason: "STOLEN",
          confirmedPasskeyIds: (
            await db.passkey.findMany({ where: { userId: user.id, status: "ACTIVE" } })
          )
            .map((passkey) => passkey.id)
            .join(","),
        }),
      );
    }
    const facts = {
      removed: removed.status,
      added: added.ok,
      revoked: (revoked as { status?: string } | null)?.status ?? null,
      activePasskeysOfVictim: await db.passkey.count({
        where: { userId: user.id, status: "ACTIVE" },
      }),
    };
    // Secure: somewhere in the chain the thief is stopped, and the victim keeps their passkey.
    const secure = facts.revoked !== "ok" && facts.activePasskeysOfVictim === 1;
    expect(secure ? "secure" : facts).toBe("secure");
  });

  it("(regression) a plain SSO sign-in does not count as a step-up, and another staff member's passkey does not confirm it's you", async () => {
    const { user } = await verifiedStandardCase();
    const other = await createStaff(db, { role: "AGENT" });
    const others = await staffSignIn(other.id);
    const agent = await createStaff(db, { role: "AGENT" });
    await staffSignIn(agent.id, { method: "oidc" });
    const confirmedPasskeyIds = (
      await db.passkey.findMany({ where: { userId: user.id, status: "ACTIVE" } })
    )
      .map((passkey) => passkey.id)
      .join(",");
    const revoke = () =>
      revokePasskeysAction(
        idle,
        form({ userId: user.id, scope: "ALL", reason: "STOLEN", confirmedPasskeyIds }),
      );
    expect(await revoke()).toMatchObject({ status: "refused", stepUp: "confirm" });
    // The other staff member's authenticator answering this session's challenge:
    const start = await staffPasskeyActions.startStepUpAction();
    expect(start.ok).toBe(true);
    if (!start.ok) return;
    const finish = await staffPasskeyActions.finishStepUpAction(
      others.authenticator.authenticate(start.value.challenge, staffUserHandle(agent.id)),
    );
    expect(finish.ok).toBe(false);
    expect(await revoke()).toMatchObject({ status: "refused", stepUp: "confirm" });
    expect(await db.passkey.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Adding a passkey while signed in; "this wasn't me"
// ---------------------------------------------------------------------------------------------

describe("adding passkeys while signed in", () => {
  it("'this wasn't me' about an added passkey also removes the passkeys added through it afterwards", async () => {
    const { user, passkey } = await userWithSoftwarePasskey();
    const address = user.emails[0]!.address;
    // Someone holding the person's (synced) passkey signs in and adds A...
    const token = await workforceSignIn(user, passkey);
    const a = await addPasskey(token);
    // ...then signs in with A (a fresh verification) and adds B.
    const tokenA = await workforceSignIn(user, a);
    const b = await addPasskey(tokenA);
    const [aRow, bRow] = await Promise.all([
      db.passkey.findUniqueOrThrow({ where: { credentialId: a.id } }),
      db.passkey.findUniqueOrThrow({ where: { credentialId: b.id } }),
    ]);

    // The person follows the link in the first notice (about A).
    const [aboutA] = await addedNoticeLinks(user.id, address);
    expect(await repudiateRecovery({ token: aboutA! })).toBe("passkey");

    const facts = {
      a: (await db.passkey.findUniqueOrThrow({ where: { id: aRow.id } })).status,
      // B was added from a session signed in with A: it must not survive the report about A.
      b: (await db.passkey.findUniqueOrThrow({ where: { id: bRow.id } })).status,
      // Nor sign anyone in afterwards (the hold the report puts on the person does not stop sign-in).
      bSignsIn: await outcome(workforceSignIn(user, b)),
    };
    expect(facts).toEqual({ a: "REVOKED", b: "REVOKED", bSignsIn: "INVALID_INPUT" });
  });

  it("an addition is never silent: a person with no verified address cannot add one without anyone being told", async () => {
    const { user, passkey } = await userWithSoftwarePasskey();
    const token = await workforceSignIn(user, passkey);
    await db.workforceEmail.updateMany({ where: { userId: user.id }, data: { verified: false } });
    const result = await addPasskey(token).then(
      () => "added",
      (e: unknown) => (e instanceof DomainError ? e.code : `ERROR ${String(e)}`),
    );
    const notices = await db.outboxMessage.count({
      where: { subjectUserId: user.id, kind: "passkey.enrolled", caseId: null },
    });
    expect(result === "added" ? notices : 1).toBeGreaterThan(0);
  });

  it("a forged client-data type in 'Confirm it's you' is an audited refusal, not a 500", async () => {
    const { user, passkey } = await userWithSoftwarePasskey();
    const token = await workforceSignIn(user, passkey);
    const mark = await lastAuditId();
    const options = await startWorkforceReverification({ token });
    const response = withClientData(
      passkey.authenticate(options.challenge, user.webauthnUserId),
      (data) => (data.type = "webauthn.get\u0000"),
    );
    const error = await finishWorkforceReverification({ token, response }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    const rows = await db.auditEvent.findMany({
      where: { id: { gt: mark }, action: "workforce.reverify_refused" },
    });
    expect(rows).toHaveLength(1);
  });

  it("a staff member's forged client-data type in 'Confirm it's you' is an audited refusal, not a 500", async () => {
    const agent = await createStaff(db, { role: "AGENT" });
    const { authenticator } = await staffSignIn(agent.id);
    const mark = await lastAuditId();
    const start = await staffPasskeyActions.startStepUpAction();
    expect(start.ok).toBe(true);
    if (!start.ok) return;
    const response = withClientData(
      authenticator.authenticate(start.value.challenge, staffUserHandle(agent.id)),
      (data) => (data.type = "webauthn.get\u0000"),
    );
    const answer = await staffPasskeyActions
      .finishStepUpAction(response)
      .catch((e: unknown) => `THROWN ${String(e).slice(0, 80)}`);
    expect(answer).toMatchObject({ ok: false });
    expect(
      await db.auditEvent.count({ where: { id: { gt: mark }, action: "staff.step_up_refused" } }),
    ).toBe(1);
  });

  it("text an attacker puts in a WebAuthn response never reaches the audit trail with hidden characters", async () => {
    const { user, passkey } = await userWithSoftwarePasskey();
    const token = await workforceSignIn(user, passkey);
    const mark = await lastAuditId();
    const options = await startWorkforceReverification({ token });
    const response = withClientData(
      passkey.authenticate(options.challenge, user.webauthnUserId),
      (data) => (data.origin = "https://\u202eelpmaxe.live\u202c.northwind.example"),
    );
    await finishWorkforceReverification({ token, response }).catch(() => {});
    const rows = await db.auditEvent.findMany({ where: { id: { gt: mark } } });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(JSON.stringify(row.data)).not.toMatch(HIDDEN);
    for (const row of rows)
      expect(HIDDEN.test((row.data as { detail?: string }).detail ?? "")).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. /redeem: enumeration, budgets and lockouts
// ---------------------------------------------------------------------------------------------

describe("/redeem against strangers", () => {
  it("a known email with a resting pass answers exactly as an unknown email", async () => {
    const { address } = await issuedPass();
    // Three wrong guesses (from anyone) start the pass's rest.
    for (let i = 0; i < 3; i++)
      await outcome(redeemTap({ email: address, code: WRONG, request: from("10.20.0.1") }));
    // A prober's first and only try at each email, from fresh clients:
    const known = await redeemTap({
      email: address,
      code: WRONG,
      request: from("10.20.0.2"),
    }).catch((e: InstanceType<typeof DomainError>) => [e.code, e.userMessage]);
    const unknown = await redeemTap({
      email: "nobody-at-all@northwind.example",
      code: WRONG,
      request: from("10.20.0.3"),
    }).catch((e: InstanceType<typeof DomainError>) => [e.code, e.userMessage]);
    expect(known).toEqual(unknown);
  });

  it("a stranger's tries that never reach a pass do not lock the user out of it silently", async () => {
    const { user, caseId, address, code } = await issuedPass();
    const mark = await lastAuditId();
    for (const ip of ["10.30.0.1", "10.30.0.2"])
      for (let i = 0; i < RATE_LIMIT_DEFAULTS["redeem.clientAccount"].tries; i++)
        await outcome(redeemTap({ email: address, code: "x", request: from(ip) }));
    const result = await outcome(redeemTap({ email: address, code, request: from("192.0.2.77") }));
    const told = await db.outboxMessage.count({
      where: { subjectUserId: user.id, kind: "tap.guessed" },
    });
    const onCase = await db.auditEvent.count({ where: { id: { gt: mark }, caseId } });
    // Secure: the user redeems; or, at the least, the user is told and the case shows it.
    const facts = { result, told, onCase };
    const secure = result === "OK" || (told > 0 && onCase > 0);
    expect(secure ? "secure" : facts).toBe("secure");
  });

  it("per-client budgets hold for one IPv6 host rotating addresses in its /64", async () => {
    const tries = RATE_LIMIT_DEFAULTS["redeem.client"].tries + 5;
    const results = await Promise.all(
      Array.from({ length: tries }, (_, i) =>
        outcome(
          redeemTap({
            email: `spray-${i}@northwind.example`,
            code: WRONG,
            request: from(`2001:db8:aa:bb::${(i + 1).toString(16)}`),
          }),
        ),
      ),
    );
    expect(results.filter((r) => r === "RATE_LIMITED").length).toBeGreaterThanOrEqual(5);
  });

  it("(regression) case and whitespace variants of an email share one account budget, and an IPv4 client is limited", async () => {
    const { address } = await issuedPass();
    const variants = [
      address,
      address.toUpperCase(),
      ` ${address} `,
      address.replace(/^./, (c) => c.toUpperCase()),
    ];
    const results: string[] = [];
    for (let i = 0; i < 8; i++)
      results.push(
        await outcome(
          redeemTap({
            email: variants[i % variants.length]!,
            code: "x",
            request: from("10.40.0.1"),
          }),
        ),
      );
    expect(results.slice(0, 5).every((r) => r === "INVALID_INPUT")).toBe(true);
    expect(results.slice(5)).toEqual(["RATE_LIMITED", "RATE_LIMITED", "RATE_LIMITED"]);
  });

  it("(regression) neither the pass nor the session token is stored or audited in the clear, nor in the rate-limit and refusal tables", async () => {
    const { user, address, code } = await issuedPass();
    await outcome(redeemTap({ email: address, code: WRONG, request: from("10.50.0.1") }));
    const { token } = await redeemTap({ email: address, code, request: from("10.50.0.2") });
    const dump = JSON.stringify(
      [
        await db.auditEvent.findMany({ where: { subjectUserId: user.id } }),
        await db.$queryRaw`SELECT * FROM "RateLimit"`,
        await db.$queryRaw`SELECT * FROM "RefusalTally"`,
        await db.workforceSession.findMany({ where: { userId: user.id } }),
        await db.temporaryAccessPass.findMany({ where: { userId: user.id } }),
      ],
      (_k, v) => (typeof v === "bigint" ? v.toString() : v),
    );
    expect(dump).not.toContain(code);
    expect(dump).not.toContain(token);
    expect(dump).toContain(hashToken(token)); // only the hash
  });
});

// ---------------------------------------------------------------------------------------------
// 4. The edge: what it lets through that Next decodes as a server action
// ---------------------------------------------------------------------------------------------

describe("the edge and Next agree on what a server action is", () => {
  it("a POST that Next treats as a no-JavaScript action is checked at the edge, whatever its Content-Type spelling", async () => {
    const seen: { status: ReturnType<typeof getServerActionRequestMetadata> }[] = [];
    const edge = createEdge(
      async (req, res) => {
        seen.push({ status: getServerActionRequestMetadata(req) });
        for await (const _ of req);
        res.writeHead(200).end("next");
      },
      { publicUrl: "http://localhost:3000", trustedProxyHops: 0 },
    );
    const server = createServer(edge.onRequest);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const contentType = "multipart/form-data-x; boundary=a";
    const body = '--a\r\nContent-Disposition: form-data; name="$ACTION_ID_x"\r\n\r\n\r\n--a--\r\n';
    const answer = await new Promise<{ status: number }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/redeem",
          // No Origin at all: the edge refuses that for anything it takes for an action.
          headers: { "content-type": contentType, "content-length": Buffer.byteLength(body) },
          agent: false,
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode! }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    server.close();
    // What Next does with it once it is through (action-handler.js: fakeRequest.formData()):
    await expect(
      new Request("http://localhost", {
        method: "POST",
        headers: { "content-type": contentType },
        body,
      }).formData(),
    ).rejects.toThrow(TypeError);

    const reachedNextAsAction = seen.some((s) => s.status.isPossibleServerAction);
    expect({ status: answer.status, reachedNextAsAction }).toMatchObject({
      reachedNextAsAction: false,
    });
  });
});
