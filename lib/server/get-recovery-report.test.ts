/**
 * The reports' "stolen-device calls to revocation" on a real database, through the use cases an
 * agent uses: revoking first and then opening the case (the order the desk recommends) counts,
 * as does the other order; a revocation by another agent before the case does not
 * (docs/decisions/026).
 */
import { describe, expect, it } from "vitest";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor } from "@/tests/recovery";
import { getRecoveryReport } from "./get-recovery-report";
import { openCase } from "./open-case";
import { revokePasskeys } from "./revoke-passkeys";

const stolenCall = (agent: Awaited<ReturnType<typeof actor>>, userId: string) =>
  openCase({
    actor: agent,
    userId,
    reason: "STOLEN_DEVICE",
    channel: "PHONE",
    callerClaim: "My phone was stolen an hour ago",
  });

describe("stolen-device calls to revocation", () => {
  it("counts a revocation made just before the case was opened, and one made after it", async () => {
    const agent = await actor("AGENT");
    const empty = await getRecoveryReport(30);
    expect(empty).toMatchObject({ stolenCases: 0, revokedStolenCases: 0 });
    expect(empty.medianMinutesToRevocation).toBeNull();

    // 1. The recommended order: revoke everything from the user's page, then open the case.
    const first = await createWorkforceUser(db, { passkeys: 2 });
    await revokePasskeys({
      actor: agent,
      userId: first.id,
      request: { scope: "ALL" },
      reason: "STOLEN",
    });
    await stolenCall(agent, first.id);
    const revokedFirst = await getRecoveryReport(30);
    expect(revokedFirst).toMatchObject({ stolenCases: 1, revokedStolenCases: 1 });
    expect(revokedFirst.medianMinutesToRevocation).toBe(0);

    // 2. The other order: open the case, then revoke from it.
    const second = await createWorkforceUser(db, { passkeys: 1 });
    const { caseId } = await stolenCall(agent, second.id);
    await revokePasskeys({
      actor: agent,
      userId: second.id,
      request: { scope: "ALL" },
      reason: "STOLEN",
      caseId,
    });
    const both = await getRecoveryReport(30);
    expect(both).toMatchObject({ stolenCases: 2, revokedStolenCases: 2 });
    expect(both.medianMinutesToRevocation).toBeGreaterThanOrEqual(0);
    expect(both.medianMinutesToRevocation).toBeLessThan(REVOKED_SOON);

    // 3. Another agent revoked this person's passkeys before the call: not this call's doing,
    // and nothing was revoked after it opened.
    const third = await createWorkforceUser(db, { passkeys: 1 });
    await revokePasskeys({
      actor: await actor("SUPERVISOR"),
      userId: third.id,
      request: { scope: "ALL" },
      reason: "SUSPECTED_COMPROMISE",
    });
    await stolenCall(agent, third.id);
    expect(await getRecoveryReport(30)).toMatchObject({ stolenCases: 3, revokedStolenCases: 2 });
  });
});

/** Within the test, the case and its revocation are moments apart: well under a minute. */
const REVOKED_SOON = 1;
