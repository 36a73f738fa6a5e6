/**
 * The pure parts of the soak benchmark (scripts/bench/soak-core.ts), on which its printed figures
 * rest: the mix of calls, the per-action percentiles and error counts, the server-action request
 * as the browser sends it and the reading of its answer, and the audit check that turns
 * acknowledged actions into expected events and finds the missing ones.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  actionBody,
  actionIds,
  actionOutcome,
  CALL_MIX,
  expectedEvent,
  formValues,
  lostEvents,
  pickCall,
  pickDecision,
  Tally,
  type Acknowledged,
  type CallKind,
} from "@/scripts/bench/soak-core";

const CASE = "0b6f3c2e-4a51-4c39-9a55-2f0d7a1e9c01";
const OTHER_CASE = "1c7a4d3f-5b62-4d4a-8b66-3a1e8b2fad12";
const USER = "2d8b5e40-6c73-4e5b-9c77-4b2f9c30be23";
const APPROVAL = "3e9c6f51-7d84-4f6c-8d88-5c30ad41cf34";

describe("the mix", () => {
  it("draws each kind of call in proportion to its weight", () => {
    const counts: Record<CallKind, number> = { lookup: 0, pass: 0, reenrol: 0, revoke: 0 };
    const draws = 11_000;
    for (let i = 0; i < draws; i++) counts[pickCall(i / draws)]++;
    const total = Object.values(CALL_MIX).reduce((a, b) => a + b, 0);
    for (const kind of Object.keys(CALL_MIX) as CallKind[])
      expect(counts[kind]).toBe((draws * CALL_MIX[kind]) / total);
  });

  it("keeps draws at and beyond the ends inside the mix", () => {
    expect(pickCall(0)).toBe("lookup");
    expect(pickCall(0.999_999_999_9)).toBe("revoke");
    expect(pickCall(1)).toBe("revoke");
    expect(pickCall(-1)).toBe("lookup");
  });

  it("never draws a kind of weight 0", () => {
    const mix = { lookup: 0, pass: 1, reenrol: 0, revoke: 1 };
    const drawn = new Set(Array.from({ length: 100 }, (_, i) => pickCall(i / 100, mix)));
    expect(drawn).toEqual(new Set(["pass", "revoke"]));
  });

  it("denies the given share of approvals and approves the rest", () => {
    expect(pickDecision(0.1)).toBe("deny");
    expect(pickDecision(0.2)).toBe("approve");
    expect(pickDecision(0.9)).toBe("approve");
  });
});

describe("the tally", () => {
  it("reports count, rate, p50/p95/p99 and errors by message per action, in the desk's order", () => {
    const tally = new Tally();
    for (let ms = 1; ms <= 100; ms++) tally.record("record step", ms, null);
    tally.record("search", 5, null);
    tally.record("search", 7, "HTTP 500");
    tally.record("search", 9, "HTTP 500");
    tally.record("search", 11, "refused: no");
    const [search, step] = tally.summary(10);
    expect(search).toMatchObject({ action: "search", count: 4, perSecond: 0.4 });
    expect(search!.errors).toEqual([
      ["HTTP 500", 2],
      ["refused: no", 1],
    ]);
    expect(step).toMatchObject({ action: "record step", count: 100, p50: 51, p95: 96, p99: 100 });
    expect(step!.errors).toEqual([]);
    expect(tally.requests).toBe(104);
    expect(tally.errors).toBe(3);
  });
});

describe("server actions over HTTP", () => {
  it("maps filename and export to the action's id from the build's manifest", () => {
    const ids = actionIds({
      node: {
        "7fabc": { filename: "app/(console)/approvals/actions.ts", exportedName: "decideAction" },
        "7fdef": { filename: "app/(auth)/sign-in/actions.ts", exportedName: "demoSignIn" },
      },
    });
    expect(ids.get("app/(console)/approvals/actions.ts#decideAction")).toBe("7fabc");
    expect(ids.get("app/(auth)/sign-in/actions.ts#demoSignIn")).toBe("7fdef");
  });

  it("encodes a form exactly as React's client encodes (previous state, form data)", async () => {
    const require = createRequire(import.meta.url);
    const { encodeReply } = require("next/dist/compiled/react-server-dom-webpack/client.edge") as {
      encodeReply: (value: unknown) => Promise<FormData | string>;
    };
    const form = new FormData();
    form.append("caseId", CASE);
    form.append("revoke", USER);
    form.append("revoke", APPROVAL);
    form.append("note", "");
    const browser = (await encodeReply([{ status: "idle" }, form])) as FormData;
    const ours = actionBody({ caseId: CASE, revoke: [USER, APPROVAL], note: "" });
    expect([...ours.entries()]).toEqual([...browser.entries()]);
  });

  it("reads what the page's forms would submit: hidden inputs and checkboxes by name", () => {
    const html = [
      `<form><input type="hidden" name="approvalId" value="${APPROVAL}"/>`,
      `<input name="reason" value="x"/></form>`,
      `<form><input value="${CASE}" type="hidden" name="approvalId">`,
      `<input type="checkbox" name="acknowledgedOpenCases" value="${OTHER_CASE}" required=""/>`,
      `<input type="hidden" name="confirmedPasskeyIds" value="${USER},${CASE}"/>`,
      `<input type="text" name="approvalIdentity" value="not this"/>`,
      `<input type="hidden" name="note" value="a &quot;b&quot; &amp; c"/></form>`,
    ].join("");
    expect(formValues(html, "approvalId")).toEqual([APPROVAL, CASE]);
    expect(formValues(html, "acknowledgedOpenCases")).toEqual([OTHER_CASE]);
    expect(formValues(html, "confirmedPasskeyIds")).toEqual([`${USER},${CASE}`]);
    expect(formValues(html, "note")).toEqual(['a "b" & c']);
    expect(formValues(html, "revoke")).toEqual([]);
  });

  it("acknowledges a redirect (open case) and an ok state, with its message", () => {
    expect(actionOutcome(303, null, "")).toEqual({ ok: false, error: "HTTP 303" });
    expect(actionOutcome(200, `/cases/${CASE};push`, '0:{"a":"$@1"}\n')).toEqual({
      ok: true,
      message: "",
      redirect: `/cases/${CASE}`,
    });
    expect(
      actionOutcome(
        200,
        null,
        '0:{"a":"$@1","f":"","b":"build"}\n1:{"status":"ok","message":"Approved. The enrolment link went to a•••@example.com."}\n',
      ),
    ).toEqual({
      ok: true,
      message: "Approved. The enrolment link went to a•••@example.com.",
      redirect: null,
    });
  });

  it("names what went wrong: a refusal, invalid input, a server error, no result", () => {
    expect(
      actionOutcome(
        200,
        null,
        '1:{"status":"refused","message":"Confirm it\'s you.","stepUp":"confirm"}\n',
      ),
    ).toEqual({ ok: false, error: "refused: Confirm it's you." });
    expect(
      actionOutcome(
        200,
        null,
        '1:{"status":"invalid","fieldErrors":{"reason":["Give the reason for your decision."]},"formErrors":[]}\n',
      ),
    ).toEqual({ ok: false, error: "invalid: Give the reason for your decision." });
    expect(actionOutcome(500, null, "")).toEqual({ ok: false, error: "HTTP 500" });
    expect(actionOutcome(200, null, '0:{"a":"$@1"}\n')).toEqual({
      ok: false,
      error: "no action result in the answer",
    });
  });
});

describe("audit events lost", () => {
  it("expects each acknowledged action's own event on the ids it acted on", () => {
    expect(expectedEvent({ kind: "open case", caseId: CASE })).toEqual({
      action: "case.opened",
      targetId: CASE,
    });
    expect(expectedEvent({ kind: "issue pass", caseId: CASE }).action).toBe("tap.issued");
    expect(expectedEvent({ kind: "request re-enrolment", caseId: CASE }).action).toBe(
      "reenrolment.requested",
    );
    expect(expectedEvent({ kind: "revoke passkeys", userId: USER })).toEqual({
      action: "passkey.revoked",
      targetId: USER,
    });
    const decided = (message: string) =>
      expectedEvent({ kind: "decide approval", approvalId: APPROVAL, message });
    expect(decided("Approved. The enrolment link went to a•••@x.")).toEqual({
      action: "approval.approved",
      targetId: APPROVAL,
    });
    expect(decided("Denied. The case is closed.").action).toBe("approval.denied");
    expect(decided("Your approval is recorded. Still needed: …").action).toBe(
      "approval.vote_recorded",
    );
  });

  it("finds nothing lost when every acknowledgement has its event", () => {
    const acks: Acknowledged[] = [
      { kind: "open case", caseId: CASE },
      { kind: "record step", caseId: CASE },
      { kind: "record step", caseId: CASE },
      { kind: "issue pass", caseId: CASE },
    ];
    const events = [
      { action: "case.opened", targetId: CASE },
      { action: "step.recorded", targetId: CASE },
      { action: "step.recorded", targetId: CASE },
      { action: "tap.issued", targetId: CASE },
      // Unrelated events of the run are not in the way.
      { action: "message.sent", targetId: null },
    ];
    expect(lostEvents(acks, events)).toEqual([]);
  });

  it("counts each acknowledgement once: two steps recorded need two events on the case", () => {
    const acks: Acknowledged[] = [
      { kind: "record step", caseId: CASE },
      { kind: "record step", caseId: CASE },
    ];
    expect(lostEvents(acks, [{ action: "step.recorded", targetId: CASE }])).toEqual([
      { kind: "record step", caseId: CASE },
    ]);
  });

  it("does not take another case's event, or another action's event on the same case", () => {
    const acks: Acknowledged[] = [
      { kind: "issue pass", caseId: CASE },
      { kind: "open case", caseId: CASE },
    ];
    const events = [
      { action: "tap.issued", targetId: OTHER_CASE },
      { action: "case.opened", targetId: CASE },
      { action: "reenrolment.requested", targetId: CASE },
    ];
    expect(lostEvents(acks, events)).toEqual([{ kind: "issue pass", caseId: CASE }]);
  });
});
