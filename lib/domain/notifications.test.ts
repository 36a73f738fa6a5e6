import { describe, expect, it } from "vitest";
import {
  approvalLapsedNotice,
  approvalWaitingNotice,
  consoleUrl,
  NOTIFICATION_KINDS,
  securityAlert,
} from "./notifications";

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

const caseId = "0b7e4a52-6c1d-4d8e-9a55-3f1f2d7c9e10";
const userId = "5d2c1b0a-9e8f-4a7b-8c6d-1e2f3a4b5c6d";

describe("consoleUrl", () => {
  it.each([
    ["https://console.example", "https://console.example/cases/"],
    ["https://console.example/", "https://console.example/cases/"],
    ["https://console.example/desk//", "https://console.example/desk/cases/"],
  ])("an absolute case address from %s", (base, prefix) => {
    expect(consoleUrl(base, { caseId })).toBe(`${prefix}${caseId}`);
  });

  it("a person's page", () => {
    expect(consoleUrl("http://localhost:3000", { userId })).toBe(
      `http://localhost:3000/users/${userId}`,
    );
  });
});

describe("securityAlert", () => {
  it("links to the case and the person's page instead of carrying a bare id", () => {
    const alert = securityAlert({
      summary: "Ada says a recovery was not them",
      detail: "Ada (E10001) reported a recovery of theirs as not them.",
      baseUrl: "https://console.example",
      caseId,
      userId,
    });
    expect(alert.subject).toBe("Recovery alert: Ada says a recovery was not them");
    expect(alert.body).toContain(`\n\nOpen the case: https://console.example/cases/${caseId}\n`);
    expect(alert.body).toContain(
      `The person's page (their cases and passkeys; revoke there): https://console.example/users/${userId}`,
    );
    expect(alert.body.replace(/https:\/\/\S+/g, "")).not.toContain(caseId);
  });

  it("names the case link as told, and leaves out what it does not have", () => {
    const alert = securityAlert({
      summary: "repeat recovery calls for Ada",
      detail: "Blocked.",
      baseUrl: "https://console.example",
      caseId,
      caseLabel: "The latest case of the last 24 hours",
    });
    expect(alert.body).toMatch(
      new RegExp(
        `^Blocked\\.\\n\\nThe latest case of the last 24 hours: https://console\\.example/cases/${caseId}\\n\\n— `,
      ),
    );
    expect(securityAlert({ summary: "s", detail: "d", baseUrl: "https://x.example" }).body).toMatch(
      /^d\n\n— Northwind/,
    );
  });
});
