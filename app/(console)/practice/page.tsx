import type { Metadata } from "next";
import Link from "next/link";
import { formatDateTime, TierBadge } from "@/components/status-badge";
import { Badge } from "@/components/ui/badge";
import { requirePermission } from "@/lib/auth/session";
import type { Scenario } from "@/lib/domain/practice/scenario";
import { CASE_REASON_LABELS } from "@/lib/domain/recovery-policy";
import { listMyPracticeRuns } from "@/lib/server/practice/runs";
import { currentCertification } from "@/lib/server/practice/certification";
import { certificationDate, progressSummary } from "@/lib/domain/practice/certification";
import { can } from "@/lib/domain/roles";
import { deskRules } from "@/lib/domain/recovery-policy";
import { RISK_TIER_LABELS } from "@/lib/domain/workforce";
import { listScenarios } from "@/lib/server/practice/scenarios";
import { StartPracticeForm } from "./[runId]/_components/practice-forms";

export const metadata: Metadata = { title: "Practice calls" };

/**
 * The practice library and the player's runs (docs/decisions/030). The library shows what an
 * agent would know when the phone rings (title, tier, reason, channel), never the truth.
 */
export default async function PracticePage() {
  const staff = await requirePermission("practice:play", "/practice");
  const [library, runs, { status, progress }] = await Promise.all([
    listScenarios(),
    listMyPracticeRuns(staff.id),
    currentCertification(staff.id),
  ]);
  const rules = deskRules().certification;
  const gatedTiers = rules.requiredForTiers
    .map((tier) => RISK_TIER_LABELS[tier].toLowerCase())
    .join(" and ");
  const inProgress = runs.filter((run) => run.finishedAt === null);
  const finished = runs.filter((run) => run.finishedAt !== null);
  const titleOf = (run: (typeof runs)[number]) => (run.scenario as Scenario).title;
  return (
    <div className="space-y-8">
      <div>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">Practice calls</h1>
          <Badge tone="warn">PRACTICE</Badge>
        </div>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Work a simulated call in the same case screens as a real one. The people are fictional: no
          mail is sent, no pass or passkey changes, and nothing reaches the security team’s systems.
          Some callers are who they say they are; some are not. At the end, a debrief compares each
          of your decisions with the safe one.
        </p>
      </div>

      {can(staff.role, "cases:work") ? (
        <section
          aria-labelledby="certification"
          className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm"
        >
          <h2 id="certification" className="text-lg font-semibold">
            Your certification
          </h2>
          <p data-testid="certification-status">
            {status.kind === "none"
              ? "You are not certified yet."
              : status.kind === "expired"
                ? `Your certification expired on ${certificationDate(status.expiresAt)}.`
                : `You are certified until ${certificationDate(status.expiresAt)}.`}
            {gatedTiers ? ` Working ${gatedTiers} cases needs a current certification.` : ""}
          </p>
          <p>
            To {status.kind === "none" ? "be certified" : "recertify"}: pass {rules.scenariosToPass}{" "}
            different scenarios with a score of at least {rules.passScore}, {rules.impostorsToPass}{" "}
            of them impostors. Only your first attempt at a scenario counts (a debrief gives its
            answers away), and being taken in by an impostor starts the count again.{" "}
            {progressSummary(progress)}
          </p>
          <p className="flex flex-wrap gap-4">
            {can(staff.role, "practice:readiness") ? (
              <Link href="/practice/team" className="text-indigo-700 hover:underline">
                Team readiness
              </Link>
            ) : null}
          </p>
        </section>
      ) : null}
      {can(staff.role, "scenarios:write") ? (
        <p className="text-sm">
          <Link href="/practice/scenarios" className="text-indigo-700 hover:underline">
            Write and edit scenarios
          </Link>
        </p>
      ) : null}

      <section aria-labelledby="library" className="space-y-3">
        <h2 id="library" className="text-lg font-semibold">
          Scenarios
        </h2>
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
          {library.map(({ scenario, version }) => (
            <li
              key={scenario.key}
              className="flex flex-wrap items-center justify-between gap-3 px-4 py-3"
            >
              <div className="max-w-2xl">
                <h3 className="font-medium">{scenario.title}</h3>
                <p className="text-sm text-slate-600">{scenario.summary}</p>
                <p className="mt-1 flex flex-wrap items-center gap-2 text-xs text-slate-600">
                  <TierBadge tier={scenario.person.riskTier} />
                  <span>{CASE_REASON_LABELS[scenario.reason]}</span>
                  <span>· {scenario.channel.toLowerCase().replace("_", "-")}</span>
                  <span>· version {version}</span>
                </p>
              </div>
              <StartPracticeForm scenarioKey={scenario.key} title={scenario.title} />
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="in-progress" className="space-y-3">
        <h2 id="in-progress" className="text-lg font-semibold">
          Your calls in progress
        </h2>
        {inProgress.length === 0 ? (
          <p className="text-sm text-slate-600">None.</p>
        ) : (
          <ul className="space-y-1 text-sm">
            {inProgress.map((run) => (
              <li key={run.id}>
                <Link href={`/practice/${run.id}`} className="text-indigo-700 hover:underline">
                  {titleOf(run)}
                </Link>{" "}
                <span className="text-slate-600">
                  started {formatDateTime(run.startedAt)} · {run.moveCount} moves
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="finished" className="space-y-3">
        <h2 id="finished" className="text-lg font-semibold">
          Your finished calls
        </h2>
        {finished.length === 0 ? (
          <p className="text-sm text-slate-600">None yet.</p>
        ) : (
          <ul className="space-y-1 text-sm">
            {finished.map((run) => (
              <li key={run.id} className="flex flex-wrap items-center gap-2">
                <Link href={`/practice/${run.id}`} className="text-indigo-700 hover:underline">
                  {titleOf(run)}
                </Link>
                <span>score {run.score} of 100</span>
                <Badge tone={run.safe ? "good" : "bad"}>{run.safe ? "safe" : "unsafe"}</Badge>
                <Badge tone={run.passed ? "good" : "warn"}>
                  {run.passed ? "passed" : "not passed"}
                </Badge>
                <span className="text-slate-600">
                  {run.finishedAt ? formatDateTime(run.finishedAt) : ""}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
