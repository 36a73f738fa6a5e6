import "server-only";
import { pgClient } from "@/lib/pg-connect";
import { checkpointDue } from "@/lib/domain/checkpoint-cadence";
import { runsPeriodicJobs } from "@/lib/domain/leadership";
import { db } from "@/lib/db";
import { env, siemSinks } from "@/lib/env";
import { CHECKPOINT_CHANNEL } from "./audit";
import { signRound, type SignerConfig } from "./audit-log-signer";
import { checkpointIntervalSeconds, signerConfig } from "./audit-log-config";
import { startLeaderElection, type Leadership } from "./cluster-leader";
import { deliverOutbox } from "./deliver-outbox";
import { lapseExpiredApprovals } from "./lapse-expired-approvals";
import { applySignalEffects } from "./signals/apply-signal-effects";
import { sweepCertifications } from "./practice/certification-sweep";
import { sweepEndedEmployment } from "./scim/users";
import { runNudgeCampaigns } from "./rollout/nudge-campaigns";
import { deliverSiem } from "./siem/deliver";
import { deliverWebhooks } from "./webhooks/deliver";
import { deliverSsf } from "./ssf/deliver";
import { ssfIssuer } from "./ssf/issuer";
import { ssfConfigured } from "./ssf/keys";
import { log } from "./log";

const INTERVAL_MS = 2000;

/** One worker per process, kept on globalThis (Next may evaluate this module twice). */
type Worker = {
  started: boolean;
  running: boolean;
  streaming: boolean;
  signalling: boolean;
  requested: boolean;
  kick: () => void;
  /** Whether this instance is the cluster's leader, which alone runs the jobs below. */
  leadership: Leadership | null;
};
/** Batches per SIEM sink per tick (each sink's batchSize events at most, so at most 10 × that). */
const SIEM_BATCHES_PER_TICK = 10;
const state = globalThis as unknown as { consoleWorker?: Worker };

/**
 * The server's background work, one pass at a time per process: lapsing re-enrolment requests
 * nobody decided in time (lib/server/lapse-expired-approvals.ts: claimed under the case unit of
 * work's locks, so instances never lapse one twice), sending the outbox (SKIP LOCKED keeps
 * processes apart) and, when a checkpoint key is configured, a signer round of the audit
 * log (docs/decisions/017): at least every AUDIT_CHECKPOINT_INTERVAL_SECONDS while events arrive,
 * and at once when a high-risk decision asks (NOTIFY on commit, heard by every instance; the one
 * that holds the signer lock signs). Only the rows since the latest checkpoint are verified here:
 * the full verification runs outside the web process (npm run audit:verify). The SIEM stream
 * (lib/server/siem/deliver.ts, decision 019) runs beside it, one pass per tick and never two at
 * once, so a slow or unreachable SIEM delays neither the mail, the checkpoints nor a page.
 *
 * With several instances over one database (docs/decisions/042), only the leader runs any of
 * this (lib/server/cluster-leader.ts: a session-level advisory lock); the others try to become
 * leader every two seconds and take over when it stops. The per-job claims above stay, as
 * defence in depth.
 */
export function startOutboxWorker(): void {
  if (state.consoleWorker?.started) return;
  const worker: Worker = {
    started: true,
    running: false,
    streaming: false,
    signalling: false,
    requested: false,
    kick: () => {},
    leadership: null,
  };
  state.consoleWorker = worker;
  let config: SignerConfig | null | undefined;
  const leading = () => runsPeriodicJobs(worker.leadership?.role() ?? "standby");
  const tick = async () => {
    if (worker.running || !leading()) return;
    worker.running = true;
    // Requests nobody decided in time lapse first, so the agents' mail goes out in this tick.
    try {
      const swept = await lapseExpiredApprovals();
      for (const { approvalId, error } of swept.failed)
        log().error({ err: error }, `approval sweep: request ${approvalId} could not lapse`);
    } catch (error) {
      log().error({ err: error }, "approval sweep failed");
    }
    // Fraud signals' escalations and stops a crash left unapplied (docs/decisions/031).
    try {
      const swept = await applySignalEffects();
      for (const { caseId, error } of swept.failed)
        log().error({ err: error }, `fraud signal sweep: case ${caseId} could not be updated`);
    } catch (error) {
      log().error({ err: error }, "fraud signal sweep failed");
    }
    // Employment end dates reached (decision 033): each person stopped once, under their lock.
    try {
      const ended = await sweepEndedEmployment();
      for (const { userId, error } of ended.failed)
        log().error({ err: error }, `employment end sweep: user ${userId} could not be stopped`);
    } catch (error) {
      log().error({ err: error }, "employment end sweep failed");
    }
    // Certification reminders and expiries (decision 032): each claimed once by a guarded update.
    try {
      await sweepCertifications();
    } catch (error) {
      log().error({ err: error }, "certification sweep failed");
    }
    // Nudge campaigns (decision 038): a round of each running one, claimed by one instance, before
    // the outbox is sent so this tick's mails go out with it.
    try {
      await runNudgeCampaigns();
    } catch (error) {
      log().error({ err: error }, "nudge campaigns failed");
    }
    try {
      await deliverOutbox();
      config ??= signerConfig();
      if (config) {
        const requested = worker.requested;
        worker.requested = false;
        const now = new Date();
        const result = await signRound(db, config, {
          due: (latest, size) =>
            checkpointDue({
              size,
              signedSize: latest?.size ?? 0,
              signedAt: latest?.createdAt ?? null,
              now,
              intervalSeconds: checkpointIntervalSeconds(),
              requested,
            }),
        });
        if (result.kind === "refused") log().error(`audit checkpoint refused: ${result.problem}`);
        // A backlog is signed over several rounds, one after another.
        if (result.kind === "signed" && result.behind > 0) {
          worker.requested = true;
          setTimeout(worker.kick, 0).unref();
        }
        if (result.kind === "signed" && result.stoppedAt)
          log().error(
            `audit log: position ${result.stoppedAt.position}: ${result.stoppedAt.problem}; checkpoints stop before it`,
          );
        for (const row of result.kind === "signed" ? result.flagged : [])
          log().error(
            `audit log: position ${row.position} (row ${row.id}) is not part of the log: ${row.problem}`,
          );
        for (const witness of result.kind === "signed" ? (result.witnesses ?? []) : [])
          if (witness.kind === "failed")
            log().error(`audit witness ${witness.witness}: ${witness.problem}`);
      }
    } catch (error) {
      log().error({ err: error }, "background work failed");
    } finally {
      worker.running = false;
    }
  };
  const stream = async () => {
    if (worker.streaming || !leading()) return;
    worker.streaming = true;
    try {
      const sinks = siemSinks();
      if (sinks.length > 0) await deliverSiem(db, sinks, { batches: SIEM_BATCHES_PER_TICK });
    } catch (error) {
      log().error({ err: error }, "SIEM streaming failed");
    }
    // The ITSM's case-event webhooks (docs/decisions/035): claimed per endpoint, like the sinks.
    try {
      await deliverWebhooks();
    } catch (error) {
      log().error({ err: error }, "ticket webhooks failed");
    }
    worker.streaming = false;
  };
  // Shared Signals push streams (decision 034), beside the SIEM: a slow receiver delays neither.
  // Each stream is claimed by one worker at a time, so a person's events stay in order.
  const signal = async () => {
    if (worker.signalling || !leading() || !ssfConfigured()) return;
    worker.signalling = true;
    try {
      for (const pass of await deliverSsf(db, { issuer: ssfIssuer() }))
        if (pass.status === "failed")
          log().error(`Shared Signals stream ${pass.streamId}: ${pass.error}`);
    } catch (error) {
      log().error({ err: error }, "Shared Signals delivery failed");
    } finally {
      worker.signalling = false;
    }
  };
  worker.kick = () => void tick();
  worker.leadership = startLeaderElection({
    connectionString: env.DATABASE_URL,
    onChange: (role) => {
      console.log(
        role === "leader"
          ? "[console] this instance now runs the periodic jobs (cluster leader)"
          : "[console] this instance no longer runs the periodic jobs (standby)",
      );
      // A new leader catches up at once rather than at the next tick.
      if (role === "leader") worker.kick();
    },
  });
  setInterval(() => {
    void tick();
    void stream();
    void signal();
  }, INTERVAL_MS).unref();
  if (env.AUDIT_SIGNING_KEY_FILE) void listenForCheckpointRequests(worker);
}

/** A dedicated connection that hears high-risk decisions ask for a checkpoint. */
async function listenForCheckpointRequests(worker: Worker) {
  const client = pgClient(env.DATABASE_URL);
  client.on("notification", () => {
    worker.requested = true;
    worker.kick();
  });
  client.on("error", (error) => {
    log().error({ err: error }, "checkpoint listener lost its connection; retrying");
    setTimeout(() => void listenForCheckpointRequests(worker), 5000).unref();
  });
  try {
    await client.connect();
    await client.query(`LISTEN ${CHECKPOINT_CHANNEL}`);
  } catch (error) {
    log().error({ err: error }, "checkpoint listener could not start; retrying");
    setTimeout(() => void listenForCheckpointRequests(worker), 5000).unref();
  }
}
