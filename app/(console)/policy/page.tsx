import { minutesToExhaust } from "@/lib/domain/rate-limits";
import type { Metadata } from "next";
import { TierBadge } from "@/components/status-badge";
import { Badge } from "@/components/ui/badge";
import { requirePermission } from "@/lib/auth/session";
import {
  ACTIVE_POLICY,
  CASE_REASON_LABELS,
  RED_FLAG_KINDS,
  tapLimitsFor,
} from "@/lib/domain/recovery-policy";
import { RISK_TIER_LABELS, RISK_TIERS } from "@/lib/domain/workforce";

export const metadata: Metadata = { title: "Recovery policy" };

/** The active recovery policy, as the server applies it (lib/domain/recovery-policy.ts). */
export default async function PolicyPage() {
  await requirePermission("policy:read", "/policy");
  const policy = ACTIVE_POLICY;
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
