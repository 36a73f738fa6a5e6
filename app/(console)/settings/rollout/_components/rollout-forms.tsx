"use client";

import { ActionForm } from "@/components/action-form";
import { Button } from "@/components/ui/button";
import {
  DEFAULT_RATE_PER_HOUR,
  DEFAULT_RESEND_DAYS,
  MAX_RATE_PER_HOUR,
  MAX_RESEND_DAYS,
} from "@/lib/domain/nudges";
import {
  changeWaveAction,
  createWaveAction,
  retireWaveAction,
  startCampaignAction,
  stopCampaignAction,
} from "../actions";

type Option = { value: string; label: string };
type WaveValues = {
  id: string;
  name: string;
  departments: string[];
  tiers: string[];
  startsOn: string;
  windowEndsOn: string;
};

const input = "w-full rounded-md border border-slate-500 px-3 py-2 text-sm";
const fieldLabel = "block text-xs font-medium text-slate-700";

/** Define a wave, or (with `wave`) change one. No department or tier ticked: every one. */
export function WaveForm({
  departments,
  tiers,
  wave,
}: {
  departments: readonly string[];
  tiers: readonly Option[];
  wave?: WaveValues;
}) {
  const id = wave?.id ?? "new";
  return (
    <ActionForm
      action={wave ? changeWaveAction : createWaveAction}
      label={wave ? `Change ${wave.name}` : "Define a wave"}
      className="space-y-3"
    >
      {(pending) => (
        <>
          {wave ? <input type="hidden" name="waveId" value={wave.id} /> : null}
          <div>
            <label htmlFor={`wave-name-${id}`} className={fieldLabel}>
              Name
            </label>
            <input
              id={`wave-name-${id}`}
              name="name"
              maxLength={80}
              defaultValue={wave?.name}
              className={input}
            />
          </div>
          <fieldset>
            <legend className={fieldLabel}>Departments (none ticked: every department)</legend>
            <div className="mt-1 grid grid-cols-2 gap-1 text-sm">
              {departments.map((department) => (
                <label key={department} className="flex items-center gap-2">
                  <input
                    type="checkbox"
                    name="departments"
                    value={department}
                    defaultChecked={wave?.departments.includes(department)}
                  />
                  {department}
                </label>
              ))}
            </div>
          </fieldset>
          <fieldset>
            <legend className={fieldLabel}>Risk tiers (none ticked: every tier)</legend>
            <div className="mt-1 grid grid-cols-2 gap-1 text-sm">
              {tiers.map((tier) => (
                <label key={tier.value} className="flex items-center gap-2">
                  <input
                    type="checkbox"
                    name="tiers"
                    value={tier.value}
                    defaultChecked={wave?.tiers.includes(tier.value)}
                  />
                  {tier.label}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="grid grid-cols-2 gap-3">
            <div>
              <label htmlFor={`wave-starts-${id}`} className={fieldLabel}>
                Starts on
              </label>
              <input
                id={`wave-starts-${id}`}
                name="startsOn"
                type="date"
                defaultValue={wave?.startsOn}
                className={input}
              />
            </div>
            <div>
              <label htmlFor={`wave-ends-${id}`} className={fieldLabel}>
                Migration window ends
              </label>
              <input
                id={`wave-ends-${id}`}
                name="windowEndsOn"
                type="date"
                defaultValue={wave?.windowEndsOn}
                className={input}
              />
            </div>
          </div>
          <Button type="submit" disabled={pending}>
            {wave ? "Save wave" : "Define wave"}
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function RetireWaveForm({ waveId, name }: { waveId: string; name: string }) {
  return (
    <ActionForm action={retireWaveAction} label={`Retire ${name}`}>
      {(pending) => (
        <>
          <input type="hidden" name="waveId" value={waveId} />
          <Button type="submit" variant="secondary" disabled={pending}>
            Retire
          </Button>
        </>
      )}
    </ActionForm>
  );
}

/** Start a campaign for a wave or a risk tier (`scopes`: value "wave id" or "tier:TIER"). */
export function StartCampaignForm({ scopes }: { scopes: readonly Option[] }) {
  return (
    <ActionForm action={startCampaignAction} label="Start a campaign" className="space-y-3">
      {(pending) => (
        <>
          <div>
            <label htmlFor="campaign-scope" className={fieldLabel}>
              Who: the people at lockout risk in
            </label>
            <select id="campaign-scope" name="scope" className={input}>
              {scopes.map((scope) => (
                <option key={scope.value} value={scope.value}>
                  {scope.label}
                </option>
              ))}
            </select>
          </div>
          <div className="grid grid-cols-2 gap-3">
            <div>
              <label htmlFor="campaign-rate" className={fieldLabel}>
                Mails an hour, at most
              </label>
              <input
                id="campaign-rate"
                name="ratePerHour"
                type="number"
                min={1}
                max={MAX_RATE_PER_HOUR}
                defaultValue={DEFAULT_RATE_PER_HOUR}
                className={input}
              />
            </div>
            <div>
              <label htmlFor="campaign-resend" className={fieldLabel}>
                Days before mailing a person again
              </label>
              <input
                id="campaign-resend"
                name="resendDays"
                type="number"
                min={1}
                max={MAX_RESEND_DAYS}
                defaultValue={DEFAULT_RESEND_DAYS}
                className={input}
              />
            </div>
          </div>
          <Button type="submit" disabled={pending}>
            Start campaign
          </Button>
        </>
      )}
    </ActionForm>
  );
}

export function StopCampaignForm({ campaignId, name }: { campaignId: string; name: string }) {
  return (
    <ActionForm action={stopCampaignAction} label={`Stop ${name}`}>
      {(pending) => (
        <>
          <input type="hidden" name="campaignId" value={campaignId} />
          <Button type="submit" variant="secondary" disabled={pending}>
            Stop campaign
          </Button>
        </>
      )}
    </ActionForm>
  );
}
