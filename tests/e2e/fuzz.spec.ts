/**
 * HTTP fuzzing against the production build (docs/decisions/014-the-edge.md,
 * docs/security-requirements.md G3, G4, G5, G9): every server action (read from the build's
 * server-reference manifest, so a new action is fuzzed without touching this file), every route
 * handler and the pages' query strings get a few thousand generated requests, signed out and
 * signed in as a demo supervisor (every permission but the audit trail's). Inputs: random and
 * known field names with values holding NUL, bidi and zero-width characters, huge strings,
 * impossible dates, UUIDs, token-shaped strings; wrong and missing content types; malformed
 * multipart and JSON; bytes that are not UTF-8; React reply references; a missing, foreign or
 * "null" Origin and cross-site fetch metadata; garbage Next-Action IDs.
 *
 * It asserts that:
 * - no response is a 5xx, and every response carries nosniff and a content security policy;
 * - nothing was written to the database but what refusals may write: rate-limit counters and
 *   counted refusals (RateLimit, RefusalTally), and audit rows that are refusals (outcome
 *   REFUSED) by an anonymous caller or by the fuzzing supervisor. A signed-in member's denials
 *   and unknown IDs are audited by design (G1, G2: a reviewer must see who probed what).
 *   Anonymous refusals are allowed because refusals with no known subject are counted, not
 *   audited: where a path already counts them in RefusalTally it writes no audit row, and where
 *   it still writes one, that row is an anonymous refusal and nothing else.
 *   One more table may grow: WebAuthnChallenge, with the single-use challenges of passkey
 *   sign-ins begun by nobody in particular (purpose "authenticate", tied to no user, session or
 *   link), and the fuzzing supervisor's own staff passkey ceremonies (purpose "staff-register" or
 *   "staff-step-up", tied to them: a fresh session may begin setting up a first staff passkey).
 *   Starting a ceremony is what these callers are there to do, and its challenge must be kept to
 *   be checked once; nothing else may create a challenge here.
 *
 * FUZZ_SEED reproduces a run (the seed is printed); FUZZ_SCALE multiplies the number of inputs.
 * Failing requests are written whole to fuzz-failures.json in the test's output folder.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import fc from "fast-check";
import pg from "pg";
import { signInAs } from "./fixtures";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const PG_PORT = Number(process.env.E2E_PG_PORT ?? 54339);
const ORIGIN = `http://localhost:${PORT}`;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const root = path.resolve(import.meta.dirname, "../..");

// FUZZ_SCALE multiplies the inputs, and so the time they take.
test.describe.configure({ timeout: 240_000 * Math.max(1, SCALE) });

// ---------------------------------------------------------------------------------------------
// What there is to fuzz

type Action = { id: string; name: string; page: string };

/** Every server action in the build, with a page that registers it (so Next need not forward). */
function actionsInBuild(): Action[] {
  const manifest = JSON.parse(
    readFileSync(path.join(root, ".next/server/server-reference-manifest.json"), "utf8"),
  ) as { node: Record<string, { exportedName: string; workers: Record<string, unknown> }> };
  return Object.entries(manifest.node).map(([id, entry]) => ({
    id,
    name: entry.exportedName,
    page: pagePath(Object.keys(entry.workers)[0]!),
  }));
}

/** "app/(console)/cases/[caseId]/page" → "/cases/<a UUID>". */
function pagePath(worker: string): string {
  const route = worker
    .replace(/^app/, "")
    .replace(/\/page$/, "")
    .replace(/\/\([^)]+\)/g, "");
  return (
    route
      .replace(/\[token\]/, "A".repeat(43))
      .replace(/\[\w+\]/, "00000000-0000-4000-8000-000000000000") || "/"
  );
}

// ---------------------------------------------------------------------------------------------
// Generated inputs

const NASTY = [
  "\u0000",
  "\u202E",
  "\u2066",
  "\u200B",
  "\u200F",
  "\uFEFF",
  "\u0007",
  "\u001B[2J",
  "\u0085",
  "\r\n",
  "\t",
  "\uD800",
  "'",
  '"',
  "<script>alert(1)</script>",
  "%00",
  "%ff",
  "../../",
  "$1",
  "$T",
  "$@0",
  "$K1",
  "$F1",
  "$Q1",
  "__proto__",
  "{{7*7}}",
];
const DATES = [
  "2026-02-31",
  "2026-13-01",
  "2026-00-10",
  "0000-00-00",
  "1999-12-31",
  "9999-12-31",
  "2026-11-22",
  "2026-1-1",
  "yesterday",
];
const FIELD_NAMES = [
  "caseId",
  "note",
  "kind",
  "outcome",
  "userId",
  "reason",
  "channel",
  "callerClaim",
  "approvalId",
  "decision",
  "staffId",
  "callbackUrl",
  "email",
  "code",
  "token",
  "answer",
  "lifetimeMinutes",
  "multiUse",
  "closeReason",
  "team",
  "passkeyId",
  "scope",
  "revoke",
  "role",
  "$ACTION_ID_7f00",
  "__proto__",
  "constructor",
];

const tokenShaped = fc.string({
  unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
  minLength: 43,
  maxLength: 43,
});
const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  {
    weight: 4,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 6 })), { maxLength: 8 })
      .map((parts) => parts.join("")),
  },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: fc.constantFrom(...DATES) },
  { weight: 1, arbitrary: fc.emailAddress() },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: tokenShaped },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "PASSED",
      "FAILED",
      "approve",
      "deny",
      "confirm",
      "ALL",
      "ONE",
      "LOST_DEVICE",
      "PHONE",
      "on",
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 600, max: 20_000 }).map((n) => "é".repeat(n)) },
);
const hugeText = fc.integer({ min: 50_000, max: 1_100_000 }).map((n) => "x".repeat(n));
const value = fc.oneof({ weight: 40, arbitrary: text }, { weight: 1, arbitrary: hugeText });
const fieldName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FIELD_NAMES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const fields = fc.array(fc.tuple(fieldName, value, fc.boolean()), { maxLength: 6 });

type Body = { contentType?: string; data?: Buffer };

async function multipartOf(entries: [string, string, boolean][]): Promise<Body> {
  const form = new FormData();
  for (const [name, v, asFile] of entries) form.append(name, asFile ? new Blob([v]) : v);
  const response = new Response(form);
  return {
    contentType: response.headers.get("content-type")!,
    data: Buffer.from(await response.arrayBuffer()),
  };
}

const jsonText = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v));
const replyRoot = fc.oneof(
  { weight: 6, arbitrary: fc.constant('[{"status":"idle"},"$K1"]') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '["$K1"]',
      '[null,"$K1"]',
      '[{"status":"idle"},"$K1","extra"]',
      '["$1"]',
      '[{},"$T"]',
      '["$@1"]',
      '[{"__proto__":{"then":1}},"$K1"]',
      '{"a":1}',
      "[{",
      "",
    ),
  },
  { weight: 1, arbitrary: jsonText },
  { weight: 1, arbitrary: text },
);

/** Field names React's reply decoder also reads as part 0, the arguments (`+name`, or after "S"). */
const rootAlias = fc.constantFrom("", "00", " 0", "0x0", "-0", "S0", "S00");

/**
 * The body of a form action as the page's script sends it, fields and all, or a broken one:
 * sometimes with a second field React would read as the arguments, before or after the real one.
 */
const formActionBody = fc
  .tuple(
    fields,
    replyRoot,
    fc.boolean(),
    fc.option(fc.tuple(rootAlias, fc.oneof(replyRoot, text), fc.boolean()), { freq: 8 }),
  )
  .map(([entries, rootValue, rootAsFile, alias]) => {
    const root: [string, string, boolean] = ["0", rootValue, rootAsFile && rootValue.length < 40];
    const extra: [string, string, boolean][] = alias ? [[alias[0], alias[1], false]] : [];
    return multipartOf([
      ...entries.map(([n, v, f]) => [`_1_${n}`, v, f] as [string, string, boolean]),
      ...(alias?.[2] ? [...extra, root] : [root, ...extra]),
    ]);
  });

/** What publicCall actions receive: JSON arguments, WebAuthn-shaped or not. */
const webauthnLike = fc.record(
  {
    id: text,
    rawId: text,
    type: fc.constantFrom("public-key", "x"),
    response: fc.record(
      {
        clientDataJSON: text,
        authenticatorData: text,
        signature: text,
        attestationObject: text,
        userHandle: text,
        transports: fc.array(text, { maxLength: 12 }),
      },
      { requiredKeys: [] },
    ),
    clientExtensionResults: fc.oneof(
      fc.constant({}),
      fc.dictionary(text, fc.jsonValue({ maxDepth: 2 })),
    ),
    authenticatorAttachment: fc.constantFrom("platform", "cross-platform", "x"),
  },
  { requiredKeys: [] },
);
const callBody = fc
  .oneof(
    fc
      .array(fc.oneof(text, webauthnLike, fc.jsonValue({ maxDepth: 3 })), { maxLength: 3 })
      .map((a) => JSON.stringify(a)),
    fc.tuple(tokenShaped, webauthnLike).map((a) => JSON.stringify(a)),
    jsonText,
    replyRoot,
    text,
  )
  .map((json): Body => ({ contentType: "text/plain;charset=UTF-8", data: Buffer.from(json) }));

const notUtf8: fc.Arbitrary<Body> = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => ({
  contentType: "text/plain;charset=UTF-8",
  data: Buffer.from([0x5b, 0x22, 0xc3, ...bytes, 0xff, 0x22, 0x5d]),
}));

/** A valid multipart body cut, spliced or given the wrong boundary. */
const brokenMultipart = fc
  .tuple(
    fields,
    fc.nat(),
    fc.uint8Array({ maxLength: 8 }),
    fc.constantFrom("cut", "splice", "boundary", "no-boundary"),
  )
  .map(async ([entries, at, bytes, how]): Promise<Body> => {
    const body = await multipartOf([...entries, ["0", '[{"status":"idle"},"$K1"]', false]]);
    const data = body.data!;
    const where = at % (data.length + 1);
    if (how === "cut") return { ...body, data: data.subarray(0, where) };
    if (how === "splice")
      return {
        ...body,
        data: Buffer.concat([data.subarray(0, where), bytes, data.subarray(where + 2)]),
      };
    if (how === "boundary")
      return { contentType: "multipart/form-data; boundary=not-the-one", data };
    return { contentType: "multipart/form-data", data };
  });

const wrongType = fc
  .tuple(
    fc.constantFrom(
      "application/json",
      "application/x-www-form-urlencoded",
      "image/png",
      "text/html",
      undefined,
      "multipart/mixed; boundary=x",
      "text/plain; charset=utf-16",
    ),
    fc.oneof(
      jsonText,
      text,
      fields.map((f) => new URLSearchParams(f.map(([n, v]) => [n, v])).toString()),
    ),
  )
  .map(([contentType, body]): Body => ({ contentType, data: Buffer.from(body) }));

/**
 * A form posted without JavaScript: `$ACTION_ID_<id>`, or the fields React renders for a form
 * with useActionState (`$ACTION_REF_1`, the descriptor in `$ACTION_1:0`, the bound state in
 * `$ACTION_1:1`), as rendered or broken.
 */
function noScriptForm(id: string): fc.Arbitrary<Promise<Body>> {
  const descriptor = fc.oneof(
    { weight: 4, arbitrary: fc.constant(`{"id":"${id}","bound":"$@1"}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `{"id":"${id}","bound":null}`,
        `{"id":"${id}","bound":"$@2"}`,
        `{"id":"${id}","bound":7}`,
        `{"id":"${id}","id":"7f00","bound":null}`,
        `{"id":"${id}"`,
        `{"id":"${id}","bound":"$@1","__proto__":{}}`,
      ),
    },
    { weight: 1, arbitrary: text },
  );
  return fc
    .tuple(fields, fc.boolean(), descriptor, replyRoot)
    .map(([entries, stateful, meta, bound]) =>
      multipartOf([
        ...entries,
        ...((stateful
          ? [
              ["$ACTION_REF_1", "", false],
              ["$ACTION_1:0", meta, false],
              ["$ACTION_1:1", bound, false],
              ["$ACTION_KEY", "k1", false],
            ]
          : [[`$ACTION_ID_${id}`, "", false]]) as [string, string, boolean][]),
      ]),
    );
}

const anyActionBody: fc.Arbitrary<Body | Promise<Body>> = fc.oneof(
  { weight: 5, arbitrary: formActionBody },
  { weight: 4, arbitrary: callBody },
  { weight: 1, arbitrary: notUtf8 },
  { weight: 2, arbitrary: brokenMultipart },
  { weight: 2, arbitrary: wrongType },
  { weight: 1, arbitrary: fc.constant<Body>({}) },
);

const origin = fc.oneof(
  { weight: 8, arbitrary: fc.constant<string | undefined>(ORIGIN) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      undefined,
      "http://evil.example",
      "null",
      `http://127.0.0.1:${PORT}`,
      `https://localhost:${PORT}`,
    ),
  },
);
const fetchSite = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string | undefined>(undefined) },
  { weight: 1, arbitrary: fc.constantFrom("same-origin", "same-site", "cross-site", "none") },
);

// ---------------------------------------------------------------------------------------------
// Requests

type Probe = {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Body | Promise<Body>;
  label: string;
};

function headersOf(entries: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

function actionProbes(actions: Action[], count: number, seed: number): Probe[] {
  const actionId = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...actions.map((a) => a.id)) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 42, maxLength: 42 }),
        fc.string({ maxLength: 50 }),
        fc.constant(""),
      ),
    },
  );
  const probe = fc
    .tuple(actionId, origin, fetchSite, fc.nat({ max: 5 }), fc.nat({ max: 7 }))
    .chain(([id, o, site, oneInSix, elsewhere]) => {
      // Now and then the form as posted without JavaScript: no Next-Action header, and the action
      // named in the form's own fields, as React renders them or broken.
      const noScript = oneInSix === 0;
      const body = noScript ? fc.oneof(noScriptForm(id), anyActionBody) : anyActionBody;
      return body.map((b): Probe => {
        const action = actions.find((a) => a.id === id);
        // Now and then at another page than its own (Next forwards it to one that has it).
        const url = elsewhere === 0 || !action ? "/sign-in" : action.page;
        return {
          method: "POST",
          url,
          headers: headersOf({
            "next-action": noScript ? undefined : id,
            origin: o,
            "sec-fetch-site": site,
          }),
          body: b,
          label: `${action?.name ?? `id ${JSON.stringify(id.slice(0, 50))}`}${noScript ? " without JavaScript" : ""} at ${url}`,
        };
      });
    });
  return fc.sample(probe, { numRuns: count, seed });
}

function routeProbes(count: number, seed: number): Probe[] {
  const query = fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom(
            "format",
            "from",
            "to",
            "actor",
            "action",
            "outcome",
            "userId",
            "caseId",
            "before",
            "verify",
            "callbackUrl",
            "error",
            "csrf",
          ),
          fc.string({ maxLength: 8 }),
        ),
        fc.oneof(
          fc.constantFrom("csv", "jsonl", "ocsf", "pdf", "1", "9999999999999999999", ...DATES),
          text,
        ),
      ),
      { maxLength: 5 },
    )
    .map((pairs) => new URLSearchParams(pairs).toString());
  const exportProbe = fc
    .tuple(query, fetchSite, fc.constantFrom(undefined, "navigate", "cors", "no-cors"))
    .map(([q, site, mode]): Probe => ({
      method: "GET",
      url: `/audit/export?${q}`,
      headers: headersOf({ "sec-fetch-site": site, "sec-fetch-mode": mode }),
      label: "GET /audit/export",
    }));
  const authPath = fc
    .tuple(
      fc.constantFrom(
        "signin",
        "signout",
        "callback",
        "session",
        "csrf",
        "providers",
        "_log",
        "error",
        "verify-request",
        "nope",
      ),
      fc.oneof(
        fc.constant(""),
        fc.constantFrom("/oidc", "/credentials", "/email"),
        fc.string({ maxLength: 10 }).map((s) => `/${encode(s)}`),
      ),
    )
    .map(([a, b]) => `/api/auth/${a}${b}`);
  const authBody = fc.oneof(
    fc.constant<Body>({}),
    fc
      .tuple(fc.constantFrom("csrfToken", "callbackUrl", "json", "redirect", "level", "code"), text)
      .map(([k, v]): Body => ({
        contentType: "application/x-www-form-urlencoded",
        data: Buffer.from(
          new URLSearchParams([
            [k, v],
            ["json", "true"],
          ]).toString(),
        ),
      })),
    jsonText.map((j): Body => ({ contentType: "application/json", data: Buffer.from(j) })),
    text.map((t): Body => ({ contentType: "application/json", data: Buffer.from(t) })),
    brokenMultipart,
    wrongType,
  );
  const authProbe = fc
    .tuple(
      fc.constantFrom("GET", "POST", "POST", "PUT", "DELETE"),
      authPath,
      query,
      authBody,
      origin,
      fetchSite,
      fc.constantFrom(undefined, "navigate", "cors"),
    )
    .map(([method, p, q, body, o, site, mode]): Probe => ({
      method,
      url: `${p}${q ? `?${q}` : ""}`,
      headers: headersOf({ origin: o, "sec-fetch-site": site, "sec-fetch-mode": mode }),
      body: method === "GET" ? undefined : body,
      label: `${method} ${p}`,
    }));
  const pageProbe = fc
    .tuple(
      fc.constantFrom(
        "/users",
        "/audit",
        "/cases",
        "/approvals",
        "/reports",
        "/policy",
        "/sign-in",
        "/redeem",
        "/account",
        "/mailbox",
        "/users/",
        "/cases/",
        "/confirm/",
        "/enrol/",
        "/prove/",
        "/report/",
      ),
      fc.oneof(
        fc.uuid(),
        tokenShaped,
        text.map((t) => encode(t)),
        fc.constantFrom("%ff", "%00", "%E2%80%AE", "%", "..%2f..%2f"),
      ),
      query,
      fc
        .oneof(fc.string({ maxLength: 20 }), fc.constantFrom(...NASTY))
        .map((s) => `q=${encode(s)}&page=${encode(s)}&raw=%ff%00%e2%80%ae`),
    )
    .map(([base, param, q, search]): Probe => {
      const url = `${base.endsWith("/") ? base + param : base}?${q}&${search}`;
      return { method: "GET", url, headers: {}, label: `GET ${base}` };
    });
  return fc.sample(
    fc.oneof(
      { weight: 2, arbitrary: exportProbe },
      { weight: 3, arbitrary: authProbe },
      { weight: 2, arbitrary: pageProbe },
    ),
    { numRuns: count, seed },
  );
}

/** encodeURIComponent, with lone surrogates (which it refuses) as U+FFFD. */
function encode(text: string): string {
  return encodeURIComponent(
    text.replace(/[\uD800-\uDFFF]/g, (c, i: number) => {
      const code = c.charCodeAt(0);
      const pair = code < 0xdc00 ? text.charCodeAt(i + 1) : text.charCodeAt(i - 1);
      const paired =
        code < 0xdc00 ? pair >= 0xdc00 && pair <= 0xdfff : pair >= 0xd800 && pair < 0xdc00;
      return paired ? c : "\uFFFD";
    }),
  );
}

type Failure = {
  label: string;
  status: number;
  detail: string;
  /** The whole request, to replay it (attached to the test's results as fuzz-failures.json). */
  replay: { method: string; url: string; headers: Record<string, string>; body?: string };
};

async function send(request: APIRequestContext, probe: Probe, failures: Failure[]): Promise<void> {
  const body = probe.body ? await probe.body : undefined;
  const headers = {
    ...probe.headers,
    ...(body?.contentType ? { "content-type": body.contentType } : {}),
  };
  const response = await request.fetch(probe.url, {
    method: probe.method,
    headers,
    data: body?.data,
    maxRedirects: 0,
    timeout: 30_000,
  });
  const status = response.status();
  const h = response.headers();
  const problems = [
    status >= 500 ? `status ${status}` : "",
    h["x-content-type-options"] !== "nosniff" ? "no nosniff" : "",
    !h["content-security-policy"]?.includes("frame-ancestors 'none'") ? "no CSP" : "",
  ].filter(Boolean);
  if (problems.length)
    failures.push({
      label: `${probe.label} → ${status} [${problems.join(", ")}]`,
      status,
      detail: `${probe.method} ${probe.url.slice(0, 200)} ${JSON.stringify(probe.headers)} ${body?.contentType ?? ""} ${(body?.data?.subarray(0, 300).toString("utf8") ?? "").replace(/\s+/g, " ")} → ${(await response.text()).slice(0, 200)}`,
      replay: {
        method: probe.method,
        url: probe.url,
        headers,
        body: body?.data?.toString("base64"),
      },
    });
}

/** Sends the probes a few at a time (the machine is shared; the server is one process). */
async function run(request: APIRequestContext, probes: Probe[], failures: Failure[]) {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < probes.length) await send(request, probes[next++]!, failures);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// The database, before and after

async function database(): Promise<pg.Client> {
  const passwordFile = path.join(root, ".data/e2e-postgres.password");
  const password = readFileSync(passwordFile, "utf8").trim();
  const client = new pg.Client({
    connectionString: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${PG_PORT}/console`,
  });
  await client.connect();
  return client;
}

async function rowCounts(db: pg.Client): Promise<Record<string, number>> {
  const { rows } = await db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of rows)
    counts[table_name] = (
      await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table_name}"`)
    ).rows[0]!.n;
  return counts;
}

/** Earlier tests queue notifications; the fuzz starts once the outbox has delivered them. */
async function outboxSettled(db: pg.Client) {
  await expect
    .poll(
      async () =>
        (
          await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM "OutboxMessage" WHERE "sentAt" IS NULL`,
          )
        ).rows[0]!.n,
      { timeout: 30_000, intervals: [500] },
    )
    .toBe(0);
}

// The signer's checkpoints (and their tiles and cosignatures) cover whatever was audited before
// or during the run, at least once a minute while events arrive: they grow with time, not with a
// request. What requests audit is checked below (refusals only).
const MAY_GROW = new Set([
  "RateLimit",
  "RefusalTally",
  "AuditEvent",
  "WebAuthnChallenge",
  "AuditCheckpoint",
  "AuditTile",
  "AuditCosignature",
]);

test("no generated request gets a 5xx or writes more than a refusal", async ({
  page,
  playwright,
}, testInfo) => {
  console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} reproduces this run)`);
  const actions = actionsInBuild();
  expect(actions.length).toBeGreaterThan(20);
  const db = await database();
  try {
    // Signed in as a supervisor, through the demo sign-in form, before anything is counted.
    const supervisor = await signInAs(page, "SUPERVISOR");
    const staff = page.context().request;
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM "Staff" WHERE name = $1`, [
      supervisor.name,
    ]);
    const supervisorId = rows[0]!.id;
    await outboxSettled(db);
    const before = await rowCounts(db);
    const startedAt = (await db.query<{ now: Date }>("SELECT now() AS now")).rows[0]!.now;
    const lastAudit = (
      await db.query<{ id: string }>(`SELECT coalesce(max(id), 0)::text AS id FROM "AuditEvent"`)
    ).rows[0]!.id;

    const anonymous = await playwright.request.newContext({ baseURL: ORIGIN });
    const failures: Failure[] = [];
    const perAction = Math.round(45 * SCALE);
    // Signing out is what a session may always do (tests/e2e/access.spec.ts); the supervisor stays signed in.
    const staffActions = actions.filter((a) => a.name !== "signOut");
    const started = Date.now();
    await run(anonymous, actionProbes(actions, perAction * actions.length, SEED), failures);
    await run(
      staff,
      actionProbes(staffActions, perAction * staffActions.length, SEED + 1),
      failures,
    );
    await run(anonymous, routeProbes(Math.round(300 * SCALE), SEED + 2), failures);
    await run(staff, routeProbes(Math.round(300 * SCALE), SEED + 3), failures);
    console.log(
      `fuzz: ${perAction * (actions.length + staffActions.length) + Math.round(600 * SCALE)} requests in ${Math.round((Date.now() - started) / 1000)} s`,
    );
    await anonymous.dispose();

    // Still the supervisor: the fuzz did not end the session.
    expect((await staff.get("/users", { maxRedirects: 0 })).status()).toBe(200);

    if (failures.length)
      writeFileSync(testInfo.outputPath("fuzz-failures.json"), JSON.stringify(failures, null, 2));
    // One line per kind of bad response, with how often it happened and one example.
    const kinds = new Map<string, { count: number; example: string }>();
    for (const failure of failures) {
      const kind = kinds.get(failure.label) ?? { count: 0, example: failure.detail };
      kind.count += 1;
      kinds.set(failure.label, kind);
    }
    expect(
      [...kinds].map(([label, { count, example }]) => `${count}× ${label}: ${example}`),
      `bad responses (seed ${SEED})`,
    ).toEqual([]);

    const after = await rowCounts(db);
    const grown = Object.keys(after).filter(
      (t) => after[t]! > (before[t] ?? 0) && !MAY_GROW.has(t),
    );
    expect(grown.map((t) => `${t}: ${before[t]} → ${after[t]}`)).toEqual([]);
    const audited = await db.query<{
      action: string;
      outcome: string;
      actorType: string;
      actorId: string | null;
    }>(`SELECT action, outcome, "actorType", "actorId" FROM "AuditEvent" WHERE id > $1`, [
      lastAudit,
    ]);
    const notRefusals = audited.rows.filter(
      (row) =>
        row.outcome !== "REFUSED" ||
        !(row.actorType === "ANONYMOUS" || row.actorId === supervisorId),
    );
    expect(notRefusals).toEqual([]);
    const challenges = await db.query<{ purpose: string; tiedTo: string; staffId: string | null }>(
      `SELECT purpose, "staffId", concat_ws(',', "userId", "staffId", "sessionId", "stepLinkId", "enrolmentLinkId") AS "tiedTo"
         FROM "WebAuthnChallenge" WHERE "createdAt" >= $1`,
      [startedAt],
    );
    const ownCeremony = (row: { purpose: string; staffId: string | null }) =>
      row.purpose.startsWith("staff-") && row.staffId === supervisorId;
    expect(
      challenges.rows.filter(
        (row) => !(row.purpose === "authenticate" && row.tiedTo === "") && !ownCeremony(row),
      ),
    ).toEqual([]);
  } finally {
    await db.end();
  }
});
