import { minutesToExhaust } from "@/lib/domain/rate-limits";
import type { Metadata } from "next";
import { TierBadge } from "@/components/status-badge";
import { Badge } from "@/components/ui/badge";
import { requirePermission } from "@/lib/auth/session";
import {
  ACTIVE_POLICY,
  CASE_REASON_LABELS,
  deskRules,
  RED_FLAG_KINDS,
  tapLimitsFor,
  type SignalEffect,
} from "@/lib/domain/recovery-policy";
import { RISK_TIER_LABELS, RISK_TIERS } from "@/lib/domain/workforce";

export const metadata: Metadata = { title: "Recovery policy" };

/** The active recovery policy, as the server applies it (lib/domain/recovery-policy.ts). */
export default async function PolicyPage() {
  await requirePermission("policy:read", "/policy");
  const policy = ACTIVE_POLICY;
  const desk = deskRules(policy);
  const { certification, signals } = desk;
  const tiers = (list: readonly (keyof typeof RISK_TIER_LABELS)[]) =>
    list.map((tier) => RISK_TIER_LABELS[tier].toLowerCase()).join(" and ") || "no";
  const signalRows: { label: string; rule: string; effect: SignalEffect }[] = [
    {
      label: "One number or address for several people",
      rule: `the same caller ID, offered number or offered address on calls about ${signals.sharedContact.minPeople} or more people within ${signals.sharedContact.windowDays} days`,
      effect: signals.sharedContact.effect,
    },
    {
      label: "A burst of calls for high-tier people",
      rule: `${signals.privilegedBurst.minCalls} or more calls about ${tiers(signals.privilegedBurst.tiers)} people within ${signals.privilegedBurst.windowMinutes} minutes`,
      effect: signals.privilegedBurst.effect,
    },
    {
      label: "A call soon after the record changed",
      rule: `a call within ${signals.recentRecordChange.withinDays} days of a change to the person’s phone, manager or email of record`,
      effect: signals.recentRecordChange.effect,
    },
    {
      label: "An agent issuing far more passes than peers",
      rule: `at least ${signals.passOutlier.minPasses} passes in ${signals.passOutlier.windowDays} days and ${signals.passOutlier.peerMultiple}× the peers’ median`,
      effect: signals.passOutlier.effect,
    },
    {
      label: "A call at an unusual hour",
      rule: `an hour with at most ${Math.round(signals.unusualHour.rareShare * 1000) / 10}% of the desk’s calls over ${signals.unusualHour.historyDays} days (until there are ${signals.unusualHour.minHistory} calls: outside ${signals.unusualHour.openFromHour}:00–${signals.unusualHour.openUntilHour}:00, ${signals.unusualHour.timeZone})`,
      effect: signals.unusualHour.effect,
    },
    {
      label: "A failed check after mismatching details",
      rule: "a caller fails verification after offering details that don’t match the record",
      effect: signals.failedAfterMismatch.effect,
    },
  ];
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">
          Recovery policy{" "}
          <span className="text-base font-normal text-slate-500">version {policy.version}</span>
        </h1>
        <p className="mt-1 text-sm text-slate-600">
          Every case records the version it ran under. The reasoning is in
          docs/decisions/007-help-desk-recovery-risk-analysis.md.
        </p>
      </div>

      <section
        aria-labelledby="limits"
        className="grid gap-4 rounded-lg border border-slate-200 bg-white p-5 text-sm sm:grid-cols-2"
      >
        <h2 id="limits" className="sr-only">
          Limits
        </h2>
        <dl className="space-y-1">
          <div>
            <dt className="inline font-medium">Temporary access pass: </dt>
            <dd className="inline">
              {policy.tap.defaultLifetimeMinutes} min by default, {policy.tap.minLifetimeMinutes}–
              {policy.tap.maxLifetimeMinutes} min ({policy.tap.maxLifetimeMinutesHighTier} min at
              most for high-risk and privileged)
            </dd>
          </div>
          <div>
            <dt className="inline font-medium">Failed attempts: </dt>
            <dd className="inline">{policy.tap.maxFailedAttempts}, then the pass is void</dd>
          </div>
          <div>
            <dt className="inline font-medium">After wrong tries: </dt>
            <dd className="inline">
              {policy.tap.freeFailedAttempts} without waiting, then {policy.tap.backoffFirstMinutes}{" "}
              min before the next, doubling each time; reaching the limit takes{" "}
              {Math.round(minutesToExhaust(policy.tap) / 60)} h, longer than any pass lives, so
              guesses can delay a pass but never void it
            </dd>
          </div>
          <div>
            <dt className="inline font-medium">Multi-use passes: </dt>
            <dd className="inline">
              {policy.tap.multiUseTiers.join(", ").toLowerCase() || "never"} tier only
            </dd>
          </div>
        </dl>
        <dl className="space-y-1">
          <div>
            <dt className="inline font-medium">Enrolment link: </dt>
            <dd className="inline">{policy.enrolmentLinkMinutes} min</dd>
          </div>
          <div>
            <dt className="inline font-medium">Approval lifetime: </dt>
            <dd className="inline">{policy.approvalMinutes} min</dd>
          </div>
          <div>
            <dt className="inline font-medium">
              Repeat calls in {policy.repeatCalls.windowHours} h:{" "}
            </dt>
            <dd className="inline">
              call {policy.repeatCalls.approvalFrom} needs a supervisor; call{" "}
              {policy.repeatCalls.blockFrom} is blocked and security alerted
            </dd>
          </div>
          <div>
            <dt className="inline font-medium">Step links: </dt>
            <dd className="inline">
              {policy.lifetimes.stepLinkMinutes} min; a redeemed pass’s session{" "}
              {policy.lifetimes.passSessionMinutes} min (one passkey)
            </dd>
          </div>
          <div>
            <dt className="inline font-medium">Account session: </dt>
            <dd className="inline">
              {policy.lifetimes.workforceSessionHours} h, ends after{" "}
              {policy.lifetimes.workforceIdleMinutes} min idle; “this wasn’t me” links{" "}
              {policy.lifetimes.repudiationLinkDays} days
            </dd>
          </div>
          <div>
            <dt className="inline font-medium">Adding a passkey while signed in: </dt>
            <dd className="inline">
              within {policy.lifetimes.freshVerificationMinutes} min of a user-verified passkey
              (sign-in or “Confirm it’s you”), one per verification, never on hold; every address is
              told
            </dd>
          </div>
        </dl>
        <p className="sm:col-span-2">
          <span className="font-medium">A second person approves</span> every path to a new passkey
          (no pass; an enrolment link after another supervisor approves) for{" "}
          {policy.approval.tiers.map((tier) => RISK_TIER_LABELS[tier].toLowerCase()).join(", ")}{" "}
          users
          {policy.approval.reasons.length
            ? `, calls about ${policy.approval.reasons.map((r) => CASE_REASON_LABELS[r].toLowerCase()).join(", ")}`
            : ""}
          , any red flag and every repeat call. A failed step stops the case; a denial holds the
          person’s recovery until a supervisor clears it.
        </p>
      </section>

      <section aria-labelledby="flags" className="space-y-2">
        <h2 id="flags" className="text-lg font-semibold">
          Red flags
        </h2>
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
          {RED_FLAG_KINDS.map((kind) => (
            <li key={kind} className="flex flex-wrap items-center justify-between gap-2 px-4 py-2">
              <span>{policy.redFlags[kind].label}</span>
              <span className="text-xs text-slate-600">
                <Badge tone={policy.redFlags[kind].effect === "stop" ? "bad" : "warn"}>
                  {policy.redFlags[kind].effect}
                </Badge>{" "}
                {policy.redFlags[kind].guidance}
              </span>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="desk" className="space-y-2">
        <h2 id="desk" className="text-lg font-semibold">
          The desk: certification and fraud signals
        </h2>
        <p className="text-sm">
          <span className="font-medium">Certification.</span> Working a{" "}
          {tiers(certification.requiredForTiers)} case needs a current practice certification:{" "}
          {certification.scenariosToPass} different scenarios passed (a score of at least{" "}
          {certification.passScore} and handled safely), {certification.impostorsToPass} of them
          impostors; being taken in by an impostor starts the count again. It lasts{" "}
          {certification.validMonths} months; a reminder goes out {certification.remindDaysBefore}{" "}
          days before it ends.
        </p>
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
          {signalRows.map((row) => (
            <li
              key={row.label}
              className="flex flex-wrap items-center justify-between gap-2 px-4 py-2"
            >
              <span>
                <span className="font-medium">{row.label}</span>
                <span className="block text-xs text-slate-600">{row.rule}</span>
              </span>
              <Badge
                tone={
                  row.effect === "stop" ? "bad" : row.effect === "escalate" ? "warn" : "neutral"
                }
              >
                {row.effect === "alert" ? "security is alerted" : `${row.effect}s the case`}
              </Badge>
            </li>
          ))}
        </ul>
      </section>

      {policy.recoveryCodes ? (
        <section aria-labelledby="recovery-codes" className="space-y-2">
          <h2 id="recovery-codes" className="text-lg font-semibold">
            Saved recovery codes
          </h2>
          <p className="text-sm">
            Staff of the{" "}
            {tiers(RISK_TIERS.filter((tier) => policy.recoveryCodes!.tiers[tier].allowed))} tiers
            may make a set of {policy.recoveryCodes.setSize} single-use recovery codes on their
            account page and use one to set up a new passkey without a call; every other tier is
            recovered by the desk. {policy.recoveryCodes.maxFailedAttempts} wrong codes in a row
            void a set.
          </p>
        </section>
      ) : null}

      <section aria-labelledby="scripts" className="space-y-4">
        <h2 id="scripts" className="text-lg font-semibold">
          Verification scripts
        </h2>
        {RISK_TIERS.map((tier) => {
          const script = policy.scripts[tier];
          const limits = tapLimitsFor(policy, tier);
          return (
            <article
              key={tier}
              aria-label={`Script for ${tier}`}
              className="rounded-lg border border-slate-200 bg-white p-4"
            >
              <div className="flex flex-wrap items-center gap-2">
                <TierBadge tier={tier} />
                <span className="font-mono text-xs text-slate-500">{script.key}</span>
                <span className="text-xs text-slate-600">
                  pass up to {limits.maxMinutes} min
                  {limits.multiUseAllowed ? ", multi-use allowed" : ", one use"}
                </span>
              </div>
              <ol className="mt-3 list-decimal space-y-1 pl-5 text-sm">
                {script.steps.map((step) => (
                  <li key={step.kind}>
                    <span className="font-medium">{step.title}</span>{" "}
                    <span className="text-xs text-slate-500">
                      {step.requirement === "required" ? "required" : "one of the alternatives"}
                    </span>
                    <p className="text-xs text-slate-600">{step.evidence}</p>
                  </li>
                ))}
              </ol>
            </article>
          );
        })}
      </section>
    </div>
  );
}
