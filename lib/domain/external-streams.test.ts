import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS } from "./audit-actions";
import { reachesExternalStreams } from "./external-streams";

describe("what reaches the SIEM and Shared Signals", () => {
  it("keeps every practice action inside the console", () => {
    const practice = Object.keys(AUDIT_ACTIONS).filter((a) => a.startsWith("practice."));
    expect(practice.length).toBeGreaterThanOrEqual(3);
    for (const action of practice) expect(reachesExternalStreams(action), action).toBe(false);
  });

  it("lets every other action through", () => {
    for (const action of Object.keys(AUDIT_ACTIONS).filter((a) => !a.startsWith("practice.")))
      expect(reachesExternalStreams(action), action).toBe(true);
  });
});
