import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain/errors";
import { parseSiemSinks } from "@/lib/domain/siem-sinks";
import { db } from "@/tests/db";
import { auditedTransaction, recordAudit } from "../audit";
import { getSiemSinkStatus } from "./status";

const KEY = "status-test-hmac-key-".padEnd(48, "q");
const sinks = parseSiemSinks(
  JSON.stringify([
    {
      name: "hec",
      type: "webhook",
      url: "https://reader:pw@siem.example/ingest?token=in-the-query",
      secretEnv: "STATUS_SIEM_KEY",
    },
    { name: "rsyslog", type: "syslog", host: "logs.example", port: 6514 },
    { name: "fresh", type: "syslog", host: "logs.example", port: 6514, transport: "tcp" },
  ]),
  { STATUS_SIEM_KEY: KEY },
);

describe("the SIEM section of the reviewer page", () => {
  it("shows each sink's cursor, lag, failures and dead letters, and never its key", async () => {
    for (let i = 0; i < 5; i++)
      await auditedTransaction(db, (tx) =>
        recordAudit(tx, {
          action: "system.demo_seeded",
          outcome: "ALLOWED",
          actor: { type: "SYSTEM", name: "status test" },
          data: { workforceUsers: i, staff: 0 },
        }),
      );
    const head = (await db.auditEvent.aggregate({ _max: { position: true } }))._max.position!;
    const when = new Date("2026-11-24T09:00:00Z");
    await db.siemCursor.createMany({
      data: [
        { sink: "hec", position: head - 2n, lastSuccessAt: when },
        { sink: "rsyslog", position: head, attempts: 3, lastError: "connect ECONNREFUSED" },
        { sink: "not-configured-any-more", position: 0 },
      ],
    });
    await db.siemDeadLetter.createMany({
      data: [
        { sink: "rsyslog", fromPosition: 0, toPosition: 1, error: "refused" },
        { sink: "rsyslog", fromPosition: 2, toPosition: 2, error: "refused", replayedAt: when },
      ],
    });

    const status = await getSiemSinkStatus({ role: "SECURITY" }, sinks);

    expect(status).toEqual([
      expect.objectContaining({
        name: "hec",
        type: "webhook",
        format: "jsonl",
        destination: "https://siem.example/ingest",
        position: head - 2n,
        lag: 2n,
        lastSuccessAt: when,
        lastError: null,
        attempts: 0,
        deadLetters: { waiting: 0, total: 0 },
      }),
      expect.objectContaining({
        name: "rsyslog",
        destination: "tls://logs.example:6514",
        lag: 0n,
        attempts: 3,
        lastError: "connect ECONNREFUSED",
        deadLetters: { waiting: 1, total: 2 },
      }),
      expect.objectContaining({ name: "fresh", position: null, lag: head + 1n }),
    ]);
    const shown = JSON.stringify(status, (_, value) =>
      typeof value === "bigint" ? value.toString() : value,
    );
    for (const secret of [KEY, "STATUS_SIEM_KEY", "in-the-query", "pw@"])
      expect(shown).not.toContain(secret);
  });

  it("is refused to staff who may not read the audit trail", async () => {
    for (const role of ["AGENT", "SUPERVISOR"] as const)
      await expect(getSiemSinkStatus({ role }, sinks)).rejects.toBeInstanceOf(DomainError);
  });
});
