import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { DomainError } from "@/lib/domain/errors";

const calls: string[] = [];
const staff = { id: "staff-1", role: "AGENT" };
const REQUEST = { requestId: "req-1", ip: "203.0.113.9" };
/** What Next's redirect() throws, in spirit: a signal that must pass through untouched. */
class RedirectSignal extends Error {}
let signedIn = true;
let stepUpFresh = true;

vi.mock("./session", () => ({
  requirePermission: vi.fn(async (permission: string, path: string) => {
    calls.push(`requirePermission ${permission} ${path}`);
    if (!signedIn) throw new RedirectSignal(`/sign-in?callbackUrl=${path}`);
    return staff;
  }),
  requireStaff: vi.fn(async (path: string) => {
    calls.push(`requireStaff ${path}`);
    if (!signedIn) throw new RedirectSignal(`/sign-in?callbackUrl=${path}`);
    return staff;
  }),
  requireStepUp: vi.fn(async (_staff: unknown, attempted: string, path: string) => {
    calls.push(`requireStepUp ${attempted} ${path}`);
    return stepUpFresh
      ? { ok: true }
      : {
          ok: false,
          next: "confirm",
          message: "Confirm it's you with your passkey, then try again.",
        };
  }),
}));
let foreign: string | null = null;
vi.mock("@/lib/server/request-context", () => ({
  getRequestContext: vi.fn(async () => REQUEST),
  foreignOriginRefusal: vi.fn(async () => foreign),
}));
// The budgets themselves are tested against PostgreSQL (tests/integration/rate-limits.test.ts);
// here every client is within its budget.
vi.mock("@/lib/server/rate-limit", () => ({
  clientKey: vi.fn(() => "client"),
  spend: vi.fn(async () => ({ ok: true })),
}));
vi.mock("@/lib/server/refusal-tally", () => ({ countRefusal: vi.fn(async () => {}) }));
vi.mock("next/cache", () => ({
  revalidatePath: vi.fn((path: string) => calls.push(`revalidate ${path}`)),
}));

const { publicAction, publicButtonAction, publicCall, staffAction, staffButtonAction } =
  await import("./actions");

const Schema = z.strictObject({ caseId: z.uuid({ message: "That is not a case." }) });
const CASE_ID = "6f1c1a4e-9a57-4d0e-8a4b-0c3c1d1e2f30";
const form = (entries: [string, string][]) => {
  const data = new FormData();
  for (const [key, value] of entries) data.append(key, value);
  return data;
};
const idle = { status: "idle" } as const;

beforeEach(() => {
  foreign = null;
  calls.length = 0;
  signedIn = true;
  stepUpFresh = true;
});

describe("staffAction", () => {
  const options = {
    path: (formData: FormData) => `/cases/${String(formData.get("caseId") ?? "")}`,
    revalidate: (input: { caseId: string }) => `/cases/${input.caseId}`,
    fields: (formData: FormData) => {
      calls.push("read fields");
      return Object.fromEntries(formData.entries());
    },
  };

  it("guards first, then parses, runs the body with actor, input and request, and revalidates", async () => {
    const action = staffAction(
      "cases:work",
      Schema,
      async ({ actor, input, request }) => {
        calls.push("body");
        expect(actor).toBe(staff);
        expect(request).toEqual(REQUEST);
        return `Recorded ${input.caseId}.`;
      },
      options,
    );
    await expect(action(idle, form([["caseId", CASE_ID]]))).resolves.toEqual({
      status: "ok",
      message: `Recorded ${CASE_ID}.`,
    });
    expect(calls).toEqual([
      `requirePermission cases:work /cases/${CASE_ID}`,
      "read fields",
      "body",
      `revalidate /cases/${CASE_ID}`,
    ]);
  });

  it("reads nothing of the input when the guard refuses (signed out)", async () => {
    signedIn = false;
    const body = vi.fn(async () => "never");
    const action = staffAction("cases:work", Schema, body, options);
    await expect(action(idle, form([["caseId", "nonsense"]]))).rejects.toBeInstanceOf(
      RedirectSignal,
    );
    expect(calls).toEqual(["requirePermission cases:work /cases/nonsense"]);
    expect(body).not.toHaveBeenCalled();
  });

  it("returns invalid input as a value and changes nothing", async () => {
    const body = vi.fn(async () => "never");
    const state = await staffAction(
      "cases:work",
      Schema,
      body,
      options,
    )(
      idle,
      form([
        ["caseId", "nonsense"],
        ["role", "SUPERVISOR"],
      ]),
    );
    // A field the form never had is a form error, not silently dropped.
    expect(state).toMatchObject({
      status: "invalid",
      fieldErrors: { caseId: ["That is not a case."] },
      formErrors: [expect.stringContaining("role")],
    });
    expect(body).not.toHaveBeenCalled();
    expect(calls.some((c) => c.startsWith("revalidate"))).toBe(false);
  });

  it("turns a DomainError into a refusal with its user message, and still revalidates", async () => {
    const action = staffAction(
      "cases:work",
      Schema,
      async () => {
        throw new DomainError("SEQUENCE", "That step was already recorded.");
      },
      options,
    );
    await expect(action(idle, form([["caseId", CASE_ID]]))).resolves.toEqual({
      status: "refused",
      message: "That step was already recorded.",
    });
    expect(calls.at(-1)).toBe(`revalidate /cases/${CASE_ID}`);
  });

  it("rethrows anything else (a bug, or a redirect from the body) and does not revalidate", async () => {
    const action = staffAction(
      "cases:work",
      Schema,
      async () => {
        throw new RedirectSignal("/cases/new");
      },
      options,
    );
    await expect(action(idle, form([["caseId", CASE_ID]]))).rejects.toBeInstanceOf(RedirectSignal);
    expect(calls.some((c) => c.startsWith("revalidate"))).toBe(false);
  });

  it("passes a state the body returns through, and accepts any signed-in staff member with 'signed-in'", async () => {
    const state = { status: "refused", message: "Not now." } as const;
    const action = staffAction("signed-in", Schema, async () => state, { path: "/users" });
    await expect(action(idle, form([["caseId", CASE_ID]]))).resolves.toBe(state);
    expect(calls).toEqual(["requireStaff /users"]);
  });

  it("parses what `fields` makes of the form (every checked checkbox) and ignores Next's $ACTION fields by default", async () => {
    const Revoke = z.strictObject({ caseId: z.uuid(), revoke: z.array(z.string()) });
    const seen: unknown[] = [];
    const withFields = staffAction(
      "cases:work",
      Revoke,
      async ({ input }) => (seen.push(input), "ok"),
      {
        path: "/cases",
        fields: (formData) => ({
          ...Object.fromEntries(formData.entries()),
          revoke: formData.getAll("revoke"),
        }),
      },
    );
    await withFields(
      idle,
      form([
        ["caseId", CASE_ID],
        ["revoke", "a"],
        ["revoke", "b"],
      ]),
    );
    const byDefault = staffAction(
      "cases:work",
      Schema,
      async ({ input }) => (seen.push(input), "ok"),
      { path: "/cases" },
    );
    await byDefault(
      idle,
      form([
        ["caseId", CASE_ID],
        ["$ACTION_ID_abc", ""],
      ]),
    );
    expect(seen).toEqual([{ caseId: CASE_ID, revoke: ["a", "b"] }, { caseId: CASE_ID }]);
  });
});

describe("staffAction with stepUp (decision 015)", () => {
  const options = {
    path: "/approvals",
    stepUp: "decide an approval",
    fields: (formData: FormData) => {
      calls.push("read fields");
      return Object.fromEntries(formData.entries());
    },
  };

  it("checks the step-up right after the guard, and with a stale one reads and runs nothing", async () => {
    stepUpFresh = false;
    const body = vi.fn(async () => "never");
    const state = await staffAction(
      "approvals:decide",
      Schema,
      body,
      options,
    )(idle, form([["caseId", CASE_ID]]));
    expect(state).toEqual({
      status: "refused",
      message: "Confirm it's you with your passkey, then try again.",
      stepUp: "confirm",
    });
    expect(calls).toEqual([
      "requirePermission approvals:decide /approvals",
      "requireStepUp decide an approval /approvals",
    ]);
    expect(body).not.toHaveBeenCalled();
  });

  it("goes on as usual with a fresh one", async () => {
    const state = await staffAction(
      "approvals:decide",
      Schema,
      async () => "Done.",
      options,
    )(idle, form([["caseId", CASE_ID]]));
    expect(state).toEqual({ status: "ok", message: "Done." });
    expect(calls).toEqual([
      "requirePermission approvals:decide /approvals",
      "requireStepUp decide an approval /approvals",
      "read fields",
    ]);
  });
});

describe("publicAction", () => {
  it("calls no staff guard, parses, runs and revalidates every path given", async () => {
    const action = publicAction(
      Schema,
      async ({ input, request }) => `Answered ${input.caseId} (${request.requestId}).`,
      { revalidate: ["/a", "/b"] },
    );
    await expect(action(idle, form([["caseId", CASE_ID]]))).resolves.toEqual({
      status: "ok",
      message: `Answered ${CASE_ID} (req-1).`,
    });
    expect(calls).toEqual(["revalidate /a", "revalidate /b"]);
  });
});

describe("button actions", () => {
  it("staffButtonAction guards, runs, then revalidates", async () => {
    const action = staffButtonAction(
      "signed-in",
      async ({ actor }) => void calls.push(`body ${actor.id}`),
      { path: "/users", revalidate: "/users" },
    );
    await action(new FormData());
    expect(calls).toEqual(["requireStaff /users", "body staff-1", "revalidate /users"]);
  });

  it("staffButtonAction runs nothing when signed out", async () => {
    signedIn = false;
    const body = vi.fn(async () => {});
    await expect(
      staffButtonAction("cases:work", body, { path: "/users" })(new FormData()),
    ).rejects.toBeInstanceOf(RedirectSignal);
    expect(body).not.toHaveBeenCalled();
  });

  it("publicButtonAction lets a refusal throw: it has no state to show it in", async () => {
    const action = publicButtonAction(async () => {
      throw new DomainError("UNAUTHENTICATED", "Signed out.");
    });
    await expect(action(new FormData())).rejects.toBeInstanceOf(DomainError);
  });
});

describe("publicCall", () => {
  const Token = { schema: z.string().length(3), invalid: "This link is not valid." };
  const Response = { schema: z.object({ id: z.string() }), invalid: "Unexpected response." };

  it("parses each argument in order and answers with the first one's message that fails", async () => {
    const body = vi.fn(async () => "never");
    const action = publicCall([Token, Response], body);
    await expect(action("nope", null)).resolves.toEqual({
      ok: false,
      message: "This link is not valid.",
    });
    await expect(action("abc", null)).resolves.toEqual({
      ok: false,
      message: "Unexpected response.",
    });
    expect(body).not.toHaveBeenCalled();
  });

  it("returns the body's value, or a DomainError's user message", async () => {
    const ok = publicCall([Token, Response], async ({ input: [token, response], request }) => ({
      token,
      id: response.id,
      requestId: request.requestId,
    }));
    await expect(ok("abc", { id: "x" })).resolves.toEqual({
      ok: true,
      value: { token: "abc", id: "x", requestId: "req-1" },
    });
    const refused = publicCall([], async () => {
      throw new DomainError("CONFLICT", "Already used.");
    });
    await expect(refused()).resolves.toEqual({ ok: false, message: "Already used." });
    const broken = publicCall([], async () => {
      throw new Error("bug");
    });
    await expect(broken()).rejects.toThrow("bug");
  });

  it("reads the credential before parsing any argument, and passes it to the body", async () => {
    const signedOut = publicCall([Response], async () => "never", {
      credential: async () => {
        throw new DomainError("UNAUTHENTICATED", "Your session has ended.");
      },
    });
    await expect(signedOut("not a response")).resolves.toEqual({
      ok: false,
      message: "Your session has ended.",
    });
    const withSession = publicCall(
      [Response],
      async ({ credential, input: [response] }) => `${credential}:${response.id}`,
      { credential: async () => "token" },
    );
    await expect(withSession({ id: "x" })).resolves.toEqual({ ok: true, value: "token:x" });
  });
});

describe("requests from another origin", () => {
  it("are refused before the guard, the parse or the body run, for every kind of action", async () => {
    foreign = "This request did not come from the console's own pages.";
    const body = vi.fn(async () => "done");
    const staffForm = staffAction("cases:work", Schema, body, { path: "/cases" });
    const publicForm = publicAction(Schema, body);
    const call = publicCall([{ schema: Schema, invalid: "bad" }], body);
    expect(await staffForm(idle, form([["caseId", CASE_ID]]))).toEqual({
      status: "refused",
      message: foreign,
    });
    expect(await publicForm(idle, form([["caseId", CASE_ID]]))).toEqual({
      status: "refused",
      message: foreign,
    });
    expect(await call({ caseId: CASE_ID })).toEqual({ ok: false, message: foreign });
    await staffButtonAction("signed-in", async () => void body(), { path: "/" })(form([]));
    await publicButtonAction(async () => void body())(form([]));
    expect(body).not.toHaveBeenCalled();
    expect(calls).toEqual([]);
  });
});

describe("form actions called with something other than a form", () => {
  it("answer that the form was changed, before the guard, the path or the body read anything", async () => {
    const body = vi.fn(async () => "done");
    const path = vi.fn((formData: FormData) => `/cases/${String(formData.get("caseId"))}`);
    const staffForm = staffAction("cases:work", Schema, body, { path });
    const publicForm = publicAction(Schema, body);
    // What a hand-made request can make React decode as the second argument.
    for (const value of [undefined, null, "text", 42, { caseId: CASE_ID }, [CASE_ID], new Map()]) {
      for (const action of [staffForm, publicForm]) {
        expect(await action(idle, value as unknown as FormData)).toEqual({
          status: "invalid",
          fieldErrors: {},
          formErrors: ["This form was changed outside the console and was not accepted."],
        });
      }
    }
    expect(path).not.toHaveBeenCalled();
    expect(body).not.toHaveBeenCalled();
    expect(calls).toEqual([]);
  });
});
