/**
 * GET /metrics (docs/decisions/041): only with the token, and what it counts, on PostgreSQL:
 * an audited write by action, a refusal by code (audited or tallied), a rate-limit hit by limit, a
 * fraud signal raised by rule, the lag gauges and the log's integrity read at scrape time; a
 * rolled-back decision counts nothing.
 */
import { describe, expect, it, vi } from "vitest";
import { GET } from "@/app/metrics/route";
import { DomainError } from "@/lib/domain/errors";
import { normalizeTapCode } from "@/lib/domain/tap-code";
import { auditedTransaction, recordAudit } from "@/lib/server/audit";
import { recordResult } from "@/lib/server/full-verification";
import { openCase } from "@/lib/server/open-case";
import { issueTap } from "@/lib/server/issue-tap";
import { spend } from "@/lib/server/rate-limit";
import { forgetReadiness } from "@/lib/server/readiness";
import { redeemTap } from "@/lib/server/redeem-tap";
import { countRefusal } from "@/lib/server/refusal-tally";
import { db } from "@/tests/db";
import { createStaff, createWorkforceUser } from "@/tests/factories";
import { lastMessageTo, verifiedStandardCase } from "@/tests/recovery";

// The checkpoint key attests a full verification's result (decision 017); the environment is read
// when the application's modules load, so it is set before them.
await vi.hoisted(async () => {
  const { generateKeyPairSync } = await import("node:crypto");
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const path = await import("node:path");
  const file = path.join(mkdtempSync(path.join(tmpdir(), "metrics-keys-")), "checkpoint-key.pem");
  const key = generateKeyPairSync("ed25519").privateKey;
  writeFileSync(file, key.export({ type: "pkcs8", format: "pem" }) as string, { mode: 0o600 });
  process.env.AUDIT_SIGNING_KEY_FILE = file;
});

const TOKEN = vi.hoisted(() => {
  const token = "metrics-token-for-tests-0123456789abcdef";
  process.env.METRICS_TOKEN = token;
  // One budget small enough to run out (tests/setup-db.ts sets the others out of the way).
  process.env.RATE_LIMITS = `${process.env.RATE_LIMITS},recoveryCode.account=5/900`;
  return token;
});

function scrapeRequest(authorization?: string) {
  return new Request("http://localhost:3000/metrics", {
    headers: authorization ? { authorization } : {},
  });
}

async function scrape(): Promise<string> {
  const response = await GET(scrapeRequest(`Bearer ${TOKEN}`));
  expect(response.status).toBe(200);
  return response.text();
}

/** A sample's value in the exposition text (0 when the series does not exist yet). */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function counted(series: string, work: () => Promise<unknown>): Promise<number> {
  const before = sample(await scrape(), series);
  await work();
  return sample(await scrape(), series) - before;
}

describe("GET /metrics's token", () => {
  it("answers 401 without the token or with a wrong one, and counts each", async () => {
    const refusedSeries = "console_metrics_scrapes_refused_total";
    const before = sample(await scrape(), refusedSeries);
    for (const authorization of [
      undefined,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `Basic ${TOKEN}`,
      TOKEN,
      `Bearer ${TOKEN} ${TOKEN}`,
    ]) {
      const response = await GET(scrapeRequest(authorization));
      expect(response.status, String(authorization)).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
      expect(await response.text()).not.toContain("console_");
    }
    expect(sample(await scrape(), refusedSeries) - before).toBe(6);
  });

  it("with the token, answers Prometheus text with the process's default metrics", async () => {
    const response = await GET(scrapeRequest(`Bearer ${TOKEN}`));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    for (const name of [
      "console_process_cpu_user_seconds_total",
      "console_http_request_duration_seconds",
      "console_audit_append_seconds",
      "console_outbox_lag_seconds",
    ])
      expect(text).toContain(`# TYPE ${name} `);
  });
});

describe("what /metrics counts", () => {
  it("an audited write, by action, and the append's duration", async () => {
    const { agent, caseId } = await verifiedStandardCase();
    const appends = sample(await scrape(), "console_audit_append_seconds_count");
    const issued = await counted('console_audited_writes_total{action="tap.issued"}', () =>
      issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false }),
    );
    expect(issued).toBe(1);
    expect(sample(await scrape(), "console_audit_append_seconds_count")).toBeGreaterThan(appends);
  });

  it("an audited refusal by its code, and a tallied one", async () => {
    const { agent, user, caseId } = await verifiedStandardCase();
    await issueTap({ actor: agent, caseId, lifetimeMinutes: 60, multiUse: false });
    const address = user.emails[0]!.address;
    expect((await lastMessageTo(address)).text).toMatch(/\n {4}[0-9A-Z-]{19}\n/);
    const wrong = await counted('console_refusals_total{code="INVALID_INPUT"}', async () => {
      const error = await redeemTap({
        email: address,
        code: normalizeTapCode("0000-0000-0000-0000")!,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
    });
    expect(wrong).toBe(1);
    expect(
      await counted('console_refusals_total{code="UNKNOWN_LINK"}', () =>
        countRefusal("step.link_refused", "UNKNOWN_LINK"),
      ),
    ).toBe(1);
    // A reason that is not a machine code cannot add a label value.
    expect(
      await counted('console_refusals_total{code="other"}', () =>
        countRefusal("step.link_refused", "a made-up reason with spaces"),
      ),
    ).toBe(1);
  });

  it("nothing for a decision that rolled back", async () => {
    const before = await scrape();
    const failed = await auditedTransaction(db, async (tx) => {
      await recordAudit(tx, {
        action: "access.denied",
        outcome: "REFUSED",
        reason: "FORBIDDEN",
        actor: { type: "ANONYMOUS" },
        data: { permission: "case:work", path: "/cases" },
      });
      throw new Error("rolled back");
    }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    const after = await scrape();
    for (const series of [
      'console_audited_writes_total{action="access.denied"}',
      'console_refusals_total{code="FORBIDDEN"}',
    ])
      expect(sample(after, series)).toBe(sample(before, series));
  });

  it("a rate-limit hit, by the limit's name", async () => {
    const key = `metrics-test-${Date.now()}`;
    const hits = await counted(
      'console_rate_limit_hits_total{limit="recoveryCode.account"}',
      async () => {
        for (let i = 0; i < 6; i++) await spend([{ limit: "recoveryCode.account", key }]);
      },
    );
    expect(hits).toBe(1);
  });

  it("a fraud signal raised, by its rule", async () => {
    // A desk of its own: a desk's unusual-hour signal is one open signal that later calls join
    // (not raise), and the other tests here open cases at the hour the suite runs, which in the
    // evening is already an unusual one for Service Desk North.
    const staff = await createStaff(db, { role: "AGENT", team: `Night Desk ${Date.now()}` });
    const agent = {
      ...staff,
      role: "AGENT" as const,
      sessionExpires: new Date(Date.now() + 60_000),
    };
    const user = await createWorkforceUser(db, {});
    const night = new Date(Date.now() - 24 * 60 * 60_000);
    night.setUTCHours(3, 10, 0, 0);
    const raised = await counted('console_signals_raised_total{kind="unusual-hour"}', () =>
      openCase({
        actor: agent,
        userId: user.id,
        reason: "LOST_DEVICE",
        channel: "PHONE",
        callerClaim: "Lost my phone",
        now: night,
      }),
    );
    expect(raised).toBe(1);
  });

  it("the audit log's integrity, from the results that are part of the log: the last full verification and the newest alert", async () => {
    // Before any result: no verification series (an absent series is what "never verified" is),
    // and no alert.
    let text = await scrape();
    expect(text).not.toContain("console_audit_verification_intact{");
    expect(text).toContain("\nconsole_audit_integrity_alert_timestamp_seconds 0\n");
    // A row in the runs table is a claim, not a result (decision 017): it changes nothing here.
    await db.auditVerification.create({
      data: { kind: "full", startedAt: new Date(), finishedAt: new Date(), ok: true },
    });
    expect(await scrape()).not.toContain("console_audit_verification_intact{");

    // A full verification that found the log broken, recorded as the worker records it: a signed
    // event attested by the checkpoint key.
    const result = { ok: false, rows: 10, size: 10, checkpointSize: 8, problemCount: 1 };
    await recordResult(db, { ...result, problems: ["position 3: the signature does not verify"] });
    text = await scrape();
    expect(text).toContain('\nconsole_audit_verification_intact{kind="full"} 0\n');
    expect(sample(text, 'console_audit_verification_age_seconds{kind="full"}')).toBeLessThan(60);
    await recordResult(db, { ...result, ok: true, problemCount: 0, problems: [] });
    expect(await scrape()).toContain('\nconsole_audit_verification_intact{kind="full"} 1\n');

    // The signer's alert (a signed event): its time, to alert on when it changes.
    const before = Math.floor(Date.now() / 1000);
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "audit.integrity_alert",
        outcome: "REFUSED",
        reason: "NOT_PART_OF_THE_LOG",
        actor: { type: "SYSTEM", name: "audit log signer" },
        data: { checkpointSize: 8, flagged: [], flaggedCount: 0, gap: null, strayRows: 1 },
      }),
    );
    expect(
      sample(await scrape(), "console_audit_integrity_alert_timestamp_seconds"),
    ).toBeGreaterThanOrEqual(before);
  });

  it("the outbox's lag, read at scrape time", async () => {
    await db.outboxMessage.create({
      data: {
        kind: "tap.issued",
        toAddress: "someone@example.test",
        subject: "old",
        body: "",
        createdAt: new Date(Date.now() - 3_600_000),
      },
    });
    forgetReadiness();
    expect(sample(await scrape(), "console_outbox_lag_seconds")).toBeGreaterThanOrEqual(3600);
    await db.outboxMessage.updateMany({ where: { subject: "old" }, data: { sentAt: new Date() } });
  });
});
