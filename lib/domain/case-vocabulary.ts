/**
 * The words of a recovery case that the console's forms show: why the person is calling, how they
 * reached the help desk, the red flags an agent can raise. Plain data without zod, so a client
 * form imports it without shipping the policy's schemas to the browser
 * (tests/unit/client-bundles.test.ts); the recovery policy (lib/domain/recovery-policy.ts) builds
 * its schemas from these lists and re-exports them.
 */
export const CASE_REASONS = [
  "LOST_DEVICE",
  "REPLACED_DEVICE",
  "STOLEN_DEVICE",
  "SUSPECTED_COMPROMISE",
  "LOCKED_OUT",
] as const;
export type CaseReason = (typeof CASE_REASONS)[number];
export const CASE_REASON_LABELS: Record<CaseReason, string> = {
  LOST_DEVICE: "Lost device",
  REPLACED_DEVICE: "Replaced device",
  STOLEN_DEVICE: "Stolen device",
  SUSPECTED_COMPROMISE: "Suspected compromise",
  LOCKED_OUT: "Locked out",
};

export const CASE_CHANNELS = ["PHONE", "VIDEO", "CHAT", "WALK_IN"] as const;
export type CaseChannel = (typeof CASE_CHANNELS)[number];
/**
 * How a case came without a call: a saved recovery code (docs/decisions/037). Not a channel an
 * agent picks, so not in CASE_CHANNELS; the audit trail and the case page know it.
 */
export const SELF_SERVICE_CHANNEL = "SELF_SERVICE" as const;
export const RECORDED_CASE_CHANNELS = [...CASE_CHANNELS, SELF_SERVICE_CHANNEL] as const;
export type RecordedCaseChannel = (typeof RECORDED_CASE_CHANNELS)[number];

export const RED_FLAG_KINDS = [
  "PRESSURE",
  "REFUSED_CALLBACK",
  "NEW_CONTACT_REQUEST",
  "DETAILS_MISMATCH",
  "OTHER",
] as const;
export type RedFlagKind = (typeof RED_FLAG_KINDS)[number];
