import { describe, expect, it } from "vitest";
import { judgeReadiness, unappliedMigrations, type ReadinessFacts } from "./readiness";

const limits = { outboxLagSeconds: 300, sinkLagSeconds: 900 };
const healthy: ReadinessFacts = {
  databaseReachable: true,
  unappliedMigrations: [],
  keyFiles: [{ name: "AUDIT_EVENT_KEY_FILE", readable: true }],
  outboxLagSeconds: 0,
  sinkLags: [{ sink: "siem", lagSeconds: 10 }],
};

describe("judgeReadiness", () => {
  it("is ready when every fact is within its threshold", () => {
    expect(judgeReadiness(healthy, limits)).toEqual({ ready: true });
    expect(judgeReadiness({ ...healthy, outboxLagSeconds: 300, sinkLags: [] }, limits)).toEqual({
      ready: true,
    });
  });

  it("gives every reason it is not, for the log", () => {
    const result = judgeReadiness(
      {
        databaseReachable: true,
        unappliedMigrations: ["20261128100000_next"],
        keyFiles: [
          { name: "AUDIT_EVENT_KEY_FILE", readable: false },
          { name: "SSF_SIGNING_KEY_FILE", readable: true },
        ],
        outboxLagSeconds: 301,
        sinkLags: [
          { sink: "siem", lagSeconds: 901 },
          { sink: "webhook", lagSeconds: 5 },
        ],
      },
      limits,
    );
    expect(result).toEqual({
      ready: false,
      reasons: [
        "migrations not applied: 20261128100000_next",
        "key file unreadable: AUDIT_EVENT_KEY_FILE",
        "outbox lag 301s over 300s",
        "sink siem lag 901s over 900s",
      ],
    });
  });

  it("is not ready without the database, and says only that about it", () => {
    expect(
      judgeReadiness(
        {
          ...healthy,
          databaseReachable: false,
          unappliedMigrations: null,
          outboxLagSeconds: null,
          sinkLags: [],
        },
        limits,
      ),
    ).toEqual({ ready: false, reasons: ["database unreachable"] });
  });

  it("is not ready when the migrations could not be read", () => {
    expect(judgeReadiness({ ...healthy, unappliedMigrations: null }, limits)).toEqual({
      ready: false,
      reasons: ["migrations unknown"],
    });
  });
});

describe("unappliedMigrations", () => {
  it("lists the build's migrations the database has not finished", () => {
    expect(
      unappliedMigrations(
        ["a_init", "b_more", "c_failed", "d_rolled_back", "e_new"],
        [
          { name: "a_init", finished: true, rolledBack: false },
          { name: "b_more", finished: true, rolledBack: false },
          { name: "c_failed", finished: false, rolledBack: false },
          { name: "d_rolled_back", finished: true, rolledBack: true },
          { name: "z_from_a_newer_build", finished: true, rolledBack: false },
        ],
      ),
    ).toEqual(["c_failed", "d_rolled_back", "e_new"]);
  });
});
