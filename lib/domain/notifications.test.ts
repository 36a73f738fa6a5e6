import { describe, expect, it } from "vitest";
import { consoleUrl, securityAlert } from "./notifications";

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
