import { describe, expect, it } from "vitest";
import { approvalLapsedNotice, approvalWaitingNotice, NOTIFICATION_KINDS } from "./notifications";

describe("approvalWaitingNotice", () => {
  const notice = approvalWaitingNotice({
    supervisorName: "Grace Okafor",
    userName: "Jonas Berg",
    employeeId: "E10042",
    requestedBy: "Priya Shah",
    needReason: "high-risk tier",
    revokePasskeys: 1,
    expiresAt: new Date("2026-11-24T10:45:00Z"),
    expiresMinutes: 30,
    link: "https://console.example/approvals",
  });

  it("tells the supervisor what is asked, why a second person, until when, and where to decide", () => {
    expect(notice.kind).toBe("approval.waiting");
    expect(notice.subject).toBe("A re-enrolment for Jonas Berg waits for your approval");
    expect(notice.body).toContain("Hello Grace Okafor,");
    expect(notice.body).toContain(
      "Priya Shah asks a second person to approve a passkey re-enrolment for Jonas Berg (E10042).",
    );
    expect(notice.body).toContain(
      "What is asked: a one-time link, sent to Jonas Berg's verified address, to set up a new passkey, revoking 1 lost passkey in the same step.",
    );
    expect(notice.body).toContain("Why a second person: high-risk tier.");
    expect(notice.body).toContain(
      "It lapses at 2026-11-24 10:45 UTC (30 minutes after the request)",
    );
    expect(notice.body).toContain("\nhttps://console.example/approvals");
  });

  it("carries no link but the queue's (no token, no address of the user)", () => {
    expect(notice.body.match(/https?:\/\/\S+/g)).toEqual(["https://console.example/approvals"]);
    expect(notice.body).not.toMatch(/@/);
  });

  it("says when nothing is to be revoked, and counts several", () => {
    const none = approvalWaitingNotice({
      supervisorName: "Grace Okafor",
      userName: "Jonas Berg",
      employeeId: "E10042",
      requestedBy: "Priya Shah",
      needReason: "repeat call (2 in 24 h)",
      revokePasskeys: 0,
      expiresAt: new Date("2026-11-24T10:45:00Z"),
      expiresMinutes: 30,
      link: "https://console.example/approvals",
    });
    expect(none.body).toContain("revoking none of their passkeys.");
    const two = approvalWaitingNotice({
      supervisorName: "Grace Okafor",
      userName: "Jonas Berg",
      employeeId: "E10042",
      requestedBy: "Priya Shah",
      needReason: "high-risk tier",
      revokePasskeys: 2,
      expiresAt: new Date("2026-11-24T10:45:00Z"),
      expiresMinutes: 30,
      link: "https://console.example/approvals",
    });
    expect(two.body).toContain("revoking 2 lost passkeys in the same step.");
  });
});

describe("approvalLapsedNotice", () => {
  it("tells the agent who asked that nobody decided in time, and links the case", () => {
    const notice = approvalLapsedNotice({
      agentName: "Priya Shah",
      userName: "Jonas Berg",
      employeeId: "E10042",
      lapsedAt: new Date("2026-11-24T10:45:00Z"),
      link: "https://console.example/cases/5b0c4f5e-8a49-4b1e-9a61-3c2a1f0e9d7b",
    });
    expect(notice.kind).toBe("approval.lapsed");
    expect(notice.subject).toBe("The re-enrolment request for Jonas Berg lapsed");
    expect(notice.body).toContain(
      "No supervisor decided the re-enrolment you requested for Jonas Berg (E10042) before it lapsed at 2026-11-24 10:45 UTC. Nothing was approved and no link was sent.",
    );
    expect(notice.body).toContain(
      "request it again from the case:\nhttps://console.example/cases/5b0c4f5e-8a49-4b1e-9a61-3c2a1f0e9d7b",
    );
  });

  it("is a kind of the closed list", () => {
    expect(NOTIFICATION_KINDS).toContain("approval.lapsed");
    expect(NOTIFICATION_KINDS).toContain("approval.waiting");
  });
});
