import type { Metadata } from "next";
import Link from "next/link";
import { formatDate, formatDateTime } from "@/components/status-badge";
import { requirePermission } from "@/lib/auth/session";
import { WAVE_PHASE_LABELS, wavePhase } from "@/lib/domain/coverage";
import { RISK_TIER_LABELS, RISK_TIERS, type RiskTier } from "@/lib/domain/workforce";
import { findCampaigns } from "@/lib/server/rollout/nudge-campaigns";
import { findDepartments, findWaves } from "@/lib/server/rollout/waves";
import {
  RetireWaveForm,
  StartCampaignForm,
  StopCampaignForm,
  WaveForm,
} from "./_components/rollout-forms";

export const metadata: Metadata = { title: "Passkey rollout" };

const day = (date: Date) => date.toISOString().slice(0, 10);
const tierLabel = (tier: string) => RISK_TIER_LABELS[tier as RiskTier] ?? tier;

/**
 * Rollout waves and nudge campaigns (issue 15, part C; docs/decisions/038), for security
 * reviewers: define, change and retire waves; start a campaign for a wave or a risk tier, stop
 * it, and follow its effect. Coverage itself is on /reports.
 */
export default async function RolloutPage() {
  await requirePermission("rollout:manage", "/settings/rollout");
  const [waves, departments, campaigns] = await Promise.all([
    findWaves(),
    findDepartments(),
    findCampaigns(),
  ]);
  const now = new Date();
  const tiers = RISK_TIERS.map((tier) => ({ value: tier, label: RISK_TIER_LABELS[tier] }));
  const live = waves.filter((wave) => wave.retiredAt === null);
  const scopes = [
    ...live.map((wave) => ({ value: wave.id, label: `Wave: ${wave.name}` })),
    ...tiers.map((tier) => ({ value: `tier:${tier.value}`, label: `Risk tier: ${tier.label}` })),
  ];
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Passkey rollout</h1>
      <p className="max-w-prose text-sm text-slate-700">
        A wave names the departments and risk tiers it takes, when it starts and when its migration
        window ends. Waves may overlap: a person belongs to the first wave, by start date, that
        takes them. Coverage by wave is on the <Link href="/reports#coverage">reports</Link>.
      </p>

      <section aria-labelledby="waves" className="space-y-3">
        <h2 id="waves" className="text-lg font-semibold">
          Waves
        </h2>
        {waves.length === 0 ? <p className="text-sm text-slate-600">No waves yet.</p> : null}
        {waves.map((wave) => {
          const phase = wavePhase(wave, now);
          return (
            <article
              key={wave.id}
              aria-labelledby={`wave-${wave.id}`}
              className="space-y-2 rounded-lg border border-slate-200 bg-white p-4"
            >
              <div className="flex flex-wrap items-baseline justify-between gap-3">
                <h3 id={`wave-${wave.id}`} className="text-sm font-semibold">
                  {wave.name}{" "}
                  <span className="text-xs font-normal text-slate-600">
                    {WAVE_PHASE_LABELS[phase]}
                  </span>
                </h3>
                {phase === "retired" ? null : <RetireWaveForm waveId={wave.id} name={wave.name} />}
              </div>
              <p className="text-sm text-slate-700">
                {wave.departments.length ? wave.departments.join(", ") : "Every department"} ·{" "}
                {wave.tiers.length ? wave.tiers.map(tierLabel).join(", ") : "every tier"} · from{" "}
                {formatDate(wave.startsOn)}, window ends {formatDate(wave.windowEndsOn)}
              </p>
              {phase === "retired" ? null : (
                <>
                  <p className="text-sm">
                    <Link
                      href={`/users?coverage=lockout-risk&wave=${wave.id}`}
                      className="text-indigo-700 hover:underline"
                    >
                      People at lockout risk in this wave
                    </Link>
                  </p>
                  <details>
                    <summary className="cursor-pointer text-sm text-indigo-700">
                      Change {wave.name}
                    </summary>
                    <div className="mt-3 max-w-md">
                      <WaveForm
                        departments={departments}
                        tiers={tiers}
                        wave={{
                          id: wave.id,
                          name: wave.name,
                          departments: wave.departments,
                          tiers: wave.tiers,
                          startsOn: day(wave.startsOn),
                          windowEndsOn: day(wave.windowEndsOn),
                        }}
                      />
                    </div>
                  </details>
                </>
              )}
            </article>
          );
        })}
        <section
          aria-labelledby="define-wave"
          className="max-w-md rounded-lg border border-slate-200 bg-white p-4"
        >
          <h3 id="define-wave" className="mb-2 text-sm font-semibold">
            Define a wave
          </h3>
          <WaveForm departments={departments} tiers={tiers} />
        </section>
      </section>

      <section aria-labelledby="campaigns" className="space-y-3">
        <h2 id="campaigns" className="text-lg font-semibold">
          Nudge campaigns
        </h2>
        <p className="max-w-prose text-sm text-slate-700">
          A campaign mails the people at lockout risk (no passkey, or one device-bound passkey) in a
          wave or a risk tier, asking them to add a second passkey on their account page. It mails
          at most its rate an hour, each person at most once in the days you choose, skips anyone
          covered by the time their mail would go, and completes when nobody is left at risk.
        </p>
        <section
          aria-labelledby="start-campaign"
          className="max-w-md rounded-lg border border-slate-200 bg-white p-4"
        >
          <h3 id="start-campaign" className="mb-2 text-sm font-semibold">
            Start a campaign
          </h3>
          <StartCampaignForm scopes={scopes} />
        </section>
        {campaigns.length === 0 ? (
          <p className="text-sm text-slate-600">No campaigns yet.</p>
        ) : null}
        {campaigns.map((campaign) => {
          const name = campaign.wave
            ? `Wave: ${campaign.wave.name}`
            : `Risk tier: ${tierLabel(campaign.tier ?? "")}`;
          return (
            <article
              key={campaign.id}
              aria-labelledby={`campaign-${campaign.id}`}
              className="space-y-2 rounded-lg border border-slate-200 bg-white p-4"
            >
              <div className="flex flex-wrap items-baseline justify-between gap-3">
                <h3 id={`campaign-${campaign.id}`} className="text-sm font-semibold">
                  {name}{" "}
                  <span className="text-xs font-normal text-slate-600">
                    {campaign.status === "running"
                      ? "Running"
                      : campaign.status === "completed"
                        ? "Completed: nobody left at risk"
                        : "Stopped"}
                  </span>
                </h3>
                {campaign.status === "running" ? (
                  <StopCampaignForm campaignId={campaign.id} name={name} />
                ) : null}
              </div>
              <p className="text-xs text-slate-600">
                Started {formatDateTime(campaign.startedAt)} by {campaign.startedByName}
                {campaign.endedAt ? ` · ended ${formatDateTime(campaign.endedAt)}` : ""} · at most{" "}
                {campaign.ratePerHour} mails an hour, each person every {campaign.resendDays} days
              </p>
              <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
                <div>
                  <dt className="text-xs text-slate-600">At risk at the start</dt>
                  <dd className="font-semibold">{campaign.atRiskAtStart}</dd>
                </div>
                <div>
                  <dt className="text-xs text-slate-600">Mailed</dt>
                  <dd className="font-semibold">{campaign.mailed}</dd>
                </div>
                <div>
                  <dt className="text-xs text-slate-600">Covered since their mail</dt>
                  <dd className="font-semibold">{campaign.covered}</dd>
                </div>
                <div>
                  <dt className="text-xs text-slate-600">At risk now</dt>
                  <dd className="font-semibold">
                    {campaign.atRiskNow === null ? "—" : campaign.atRiskNow}
                  </dd>
                </div>
              </dl>
              <div className="overflow-x-auto">
                <table className="text-sm">
                  <caption className="text-left text-xs text-slate-600">
                    Effect by day: {name}
                  </caption>
                  <thead>
                    <tr className="text-left text-xs text-slate-600">
                      <th scope="col" className="pr-4 font-medium">
                        Day
                      </th>
                      <th scope="col" className="pr-4 font-medium">
                        Mailed
                      </th>
                      <th scope="col" className="pr-4 font-medium">
                        Covered
                      </th>
                      <th scope="col" className="pr-4 font-medium">
                        Mailed so far
                      </th>
                      <th scope="col" className="font-medium">
                        Covered so far
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {campaign.effect.map((row) => (
                      <tr key={row.day}>
                        <th scope="row" className="pr-4 text-left font-normal whitespace-nowrap">
                          {row.day}
                        </th>
                        <td className="pr-4 tabular-nums">{row.mailed}</td>
                        <td className="pr-4 tabular-nums">{row.covered}</td>
                        <td className="pr-4 tabular-nums">{row.mailedSoFar}</td>
                        <td className="tabular-nums">{row.coveredSoFar}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </article>
          );
        })}
      </section>
    </div>
  );
}
