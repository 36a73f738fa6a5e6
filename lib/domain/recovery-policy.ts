/**
 * The recovery policy as data: for each risk tier and call reason, the ordered verification
 * script the agent walks, the red flags that stop a case, and the limits on temporary access
 * passes, who needs a second person, and how long every link and session lives. Validated with
 * zod against the bounds in docs/decisions/007 and versioned: every case records the version it
 * runs under, and every decision on the case reads that version (`policyFor`), not the newest.
 */
import { z } from "zod";
import { CASE_REASONS, RED_FLAG_KINDS, type CaseReason } from "./case-vocabulary";
import { minutesToExhaust } from "./rate-limits";
import { STEP_ASSURANCE, STEP_KINDS } from "./step-kinds";
import { RISK_TIERS, type RiskTier } from "./workforce";

// The case vocabulary lives in ./case-vocabulary.ts, without zod, so client forms import it there.
export {
  CASE_CHANNELS,
  CASE_REASON_LABELS,
  CASE_REASONS,
  RED_FLAG_KINDS,
  type CaseChannel,
  type CaseReason,
  type RedFlagKind,
} from "./case-vocabulary";
export {
  AGENT_RECORDED_STEPS,
  LINKED_STEPS,
  STEP_ASSURANCE,
  STEP_KINDS,
  type Assurance,
  type StepKind,
} from "./step-kinds";

const StepSchema = z.strictObject({
  kind: z.enum(STEP_KINDS),
  /** "required", or the name of a group of which at least one step must pass. */
  requirement: z.union([z.literal("required"), z.string().regex(/^one-of:[a-z-]+$/)]),
  title: z.string().min(3).max(80),
  /** The words the agent reads to the caller. */
  say: z.string().min(10).max(600),
  /** What counts as evidence for this step. */
  evidence: z.string().min(10).max(600),
});
export type ScriptStep = z.infer<typeof StepSchema>;

const ScriptSchema = z
  .strictObject({ key: z.string().regex(/^[a-z0-9-]+$/), steps: z.array(StepSchema).min(2).max(8) })
  .refine(
    (script) => new Set(script.steps.map((s) => s.kind)).size === script.steps.length,
    "A step kind appears twice.",
  )
  .refine(
    (script) =>
      script.steps.some(
        (s) => s.requirement === "required" && STEP_ASSURANCE[s.kind] === "out_of_band",
      ),
    "Every script requires at least one out-of-band confirmation.",
  );
export type VerificationScript = z.infer<typeof ScriptSchema>;

const MINUTES = { min: 10, max: 8 * 60, highTierMax: 60 };

/** What a fraud signal does to the cases it names (docs/decisions/031). */
export const SIGNAL_EFFECTS = ["alert", "escalate", "stop"] as const;
export type SignalEffect = (typeof SIGNAL_EFFECTS)[number];
const Effect = z.enum(SIGNAL_EFFECTS);

/**
 * Rules for the desk rather than for one case: who may work which tiers (certification by
 * practice calls, docs/decisions/032) and the thresholds of the fraud signals across calls
 * (docs/decisions/031). They are read from the active policy only (`deskRules`), at the moment of
 * the decision: a case records its policy for how it is verified, not for who may work it or for
 * what other calls reveal about it. The reasoning behind each default is in docs/decisions/007.
 */
const DeskRulesSchema = z.strictObject({
  certification: z.strictObject({
    /** Tiers whose cases only a currently certified agent or supervisor may work. */
    requiredForTiers: z.array(z.enum(RISK_TIERS)),
    /** Distinct scenarios to pass, since the last impostor the player was taken in by. */
    scenariosToPass: z.number().int().min(3).max(40),
    /** …of which at least this many impostors, each handled safely. */
    impostorsToPass: z.number().int().min(1).max(40),
    /** The debrief's score (0-100) a safe run needs to count as passed. */
    passScore: z.number().int().min(50).max(100),
    /** NIST SP 800-63A-4: recertified at least yearly. */
    validMonths: z.number().int().min(1).max(12),
    /** The staff member is reminded this many days before it expires. */
    remindDaysBefore: z.number().int().min(1).max(90),
  }),
  signals: z.strictObject({
    /** The same caller ID, offered number or offered address on calls about different people. */
    sharedContact: z.strictObject({
      windowDays: z.number().int().min(1).max(365),
      minPeople: z.number().int().min(2).max(10),
      effect: Effect,
    }),
    /** Several calls about high-risk or privileged people within a short window, whoever takes them. */
    privilegedBurst: z.strictObject({
      tiers: z.array(z.enum(RISK_TIERS)).min(1),
      windowMinutes: z
        .number()
        .int()
        .min(5)
        .max(24 * 60),
      minCalls: z.number().int().min(2).max(50),
      effect: Effect,
    }),
    /** A call within days of a change to the person's phone, manager or email of record. */
    recentRecordChange: z.strictObject({
      withinDays: z.number().int().min(1).max(90),
      effect: Effect,
    }),
    /** An agent issuing passes far above their peers. */
    passOutlier: z.strictObject({
      windowDays: z.number().int().min(1).max(90),
      /** Never raised below this many passes (a quiet week is not an outlier). */
      minPasses: z.number().int().min(2).max(1000),
      /** …and only at this multiple of the peers' median or more. */
      peerMultiple: z.number().min(1.5).max(20),
      effect: Effect,
    }),
    /** Calls at hours the desk rarely takes them. */
    unusualHour: z.strictObject({
      /** The desk's time zone (IANA), for its hours. */
      timeZone: z.string().min(1).max(64),
      /** Until the desk has history: its opening hours, [start, end) in its time zone. */
      openFromHour: z.number().int().min(0).max(23),
      openUntilHour: z.number().int().min(1).max(24),
      historyDays: z.number().int().min(7).max(365),
      /** The history needed before the desk's own pattern replaces its opening hours. */
      minHistory: z.number().int().min(20).max(100_000),
      /** An hour with at most this share of the desk's calls is unusual. */
      rareShare: z.number().min(0).max(0.2),
      effect: Effect,
    }),
    /** A caller fails a check after offering details that don't match the record. */
    failedAfterMismatch: z.strictObject({ effect: Effect }),
  }),
});
export type DeskRules = z.infer<typeof DeskRulesSchema>;

/**
 * Saved recovery codes (NIST SP 800-63B-4 §4.2.1.1 "saved recovery codes"; docs/decisions/037):
 * which tiers may use them, how many a set holds, and how many wrong codes in a row void a set.
 */
const RecoveryCodesSchema = z.strictObject({
  tiers: z.record(z.enum(RISK_TIERS), z.strictObject({ allowed: z.boolean() })),
  /** Codes in a set (each single use; a new set replaces the old one). */
  setSize: z.number().int().min(5).max(20),
  /** NIST SP 800-63B-4 §3.2.2: never more than 100 consecutive failed attempts. */
  maxFailedAttempts: z.number().int().min(10).max(100),
});
export type RecoveryCodeRules = z.infer<typeof RecoveryCodesSchema>;

export const RecoveryPolicySchema = z
  .strictObject({
    version: z.number().int().positive(),
    tap: z.strictObject({
      defaultLifetimeMinutes: z.number().int().min(MINUTES.min).max(MINUTES.max),
      minLifetimeMinutes: z.number().int().min(MINUTES.min).max(MINUTES.max),
      maxLifetimeMinutes: z.number().int().min(MINUTES.min).max(MINUTES.max),
      /** High-risk and privileged users: never more than one hour. */
      maxLifetimeMinutesHighTier: z.number().int().min(MINUTES.min).max(MINUTES.highTierMax),
      /** NIST SP 800-63B-4 §3.2.2: never more than 100 failed attempts. */
      maxFailedAttempts: z.number().int().min(1).max(100),
      /** Wrong guesses a pass takes without waiting; then each try waits (lib/domain/rate-limits.ts). */
      freeFailedAttempts: z.number().int().min(1).max(10),
      /** The first wait, doubling with each further wrong guess. */
      backoffFirstMinutes: z.number().int().min(1).max(60),
      /** Tiers that may be given a multi-use pass (within its lifetime). Only standard is allowed. */
      multiUseTiers: z.array(z.literal("STANDARD")),
    }),
    enrolmentLinkMinutes: z.number().int().min(1).max(60),
    approvalMinutes: z.number().int().min(5).max(120),
    /** How long the one-time links and short sessions of a recovery live. */
    lifetimes: z.strictObject({
      /** A manager's confirmation link or a passkey-proof link. */
      stepLinkMinutes: z.number().int().min(5).max(60),
      /** The session a redeemed pass opens: it may enrol one passkey, nothing else. */
      passSessionMinutes: z.number().int().min(5).max(30),
      /** A workforce user's account session after a passkey sign-in. */
      workforceSessionHours: z.number().int().min(1).max(12),
      /** …and it ends after this long without a request (NIST SP 800-63B-4 reauthentication). */
      workforceIdleMinutes: z.number().int().min(5).max(60),
      /** The "this wasn't me" link in every notice. */
      repudiationLinkDays: z.number().int().min(7).max(90),
      /**
       * How long a user-verified passkey assertion (the sign-in, or "Confirm it's you") lets an
       * account session add one passkey (NIST SP 800-63B-4 §4.1.2.1: binding an additional
       * authenticator needs an authenticated session; a fresh one, as for any change of factors).
       */
      freshVerificationMinutes: z.number().int().min(1).max(15),
    }),
    /**
     * Who needs a second person (a supervisor who worked no part of the case) before any path
     * ends in a new passkey through a case: a pass or an enrolment link. Never revocation. (Adding
     * a passkey while signed in with another is no recovery: it needs a fresh user verification
     * and tells every address of record; docs/decisions/016.)
     */
    approval: z.strictObject({
      tiers: z
        .array(z.enum(RISK_TIERS))
        .refine((tiers) => tiers.includes("HIGH_RISK") && tiers.includes("PRIVILEGED"), {
          message: "High-risk and privileged users always need approval.",
        }),
      reasons: z.array(z.enum(CASE_REASONS)),
      /** Any red flag, stop or escalate. Bound: always true. */
      anyRedFlag: z.literal(true),
    }),
    /** Tiers whose passes are capped at tap.maxLifetimeMinutesHighTier. */
    shortPassTiers: z
      .array(z.enum(RISK_TIERS))
      .refine((tiers) => tiers.includes("HIGH_RISK") && tiers.includes("PRIVILEGED"), {
        message: "High-risk and privileged passes are always capped.",
      }),
    repeatCalls: z.strictObject({
      windowHours: z.number().int().min(1).max(168),
      /** The n-th case in the window needs a supervisor (2 by default). */
      approvalFrom: z.number().int().min(2),
      /** The n-th case in the window is blocked and security alerted (4 by default). */
      blockFrom: z.number().int().min(3),
    }),
    redFlags: z.record(
      z.enum(RED_FLAG_KINDS),
      z.strictObject({
        label: z.string().min(3),
        effect: z.enum(["stop", "escalate"]),
        guidance: z.string().min(10),
      }),
    ),
    scripts: z.record(z.enum(RISK_TIERS), ScriptSchema),
    /** Scripts for a call reason that replace the tier's script (e.g. a stricter one for stolen devices). */
    reasonScripts: z.partialRecord(
      z.enum(CASE_REASONS),
      z.partialRecord(z.enum(RISK_TIERS), ScriptSchema),
    ),
    /** Desk rules, from version 2 (read from the active policy only: `deskRules`). */
    desk: DeskRulesSchema.optional(),
    /** Saved recovery codes, from version 3 (docs/decisions/037). Absent: no tier may use them. */
    recoveryCodes: RecoveryCodesSchema.optional(),
  })
  .refine(
    (p) =>
      p.tap.minLifetimeMinutes <= p.tap.defaultLifetimeMinutes &&
      p.tap.defaultLifetimeMinutes <= p.tap.maxLifetimeMinutes,
    {
      message: "TAP lifetimes must satisfy min ≤ default ≤ max.",
      path: ["tap"],
    },
  )
  .refine((p) => minutesToExhaust(p.tap) > p.tap.maxLifetimeMinutes, {
    message:
      "The pass back-off must outlast the longest pass: guesses from strangers may delay a pass, never void it.",
    path: ["tap"],
  })
  .refine((p) => p.repeatCalls.approvalFrom < p.repeatCalls.blockFrom, {
    message: "Repeat calls must need approval before they are blocked.",
    path: ["repeatCalls"],
  })
  .refine(
    (p) => !p.desk || p.desk.certification.impostorsToPass <= p.desk.certification.scenariosToPass,
    {
      message: "The impostors to pass are part of the scenarios to pass.",
      path: ["desk", "certification"],
    },
  )
  .refine(
    (p) =>
      !p.desk || p.desk.signals.unusualHour.openFromHour < p.desk.signals.unusualHour.openUntilHour,
    { message: "The desk opens before it closes.", path: ["desk", "signals", "unusualHour"] },
  )
  .refine(
    (p) =>
      !p.recoveryCodes || p.approval.tiers.every((tier) => !p.recoveryCodes!.tiers[tier].allowed),
    {
      message:
        "A tier that needs a second person cannot use recovery codes: a code is nobody's approval.",
      path: ["recoveryCodes", "tiers"],
    },
  );
export type RecoveryPolicy = z.infer<typeof RecoveryPolicySchema>;

const CALLBACK: Omit<ScriptStep, "requirement"> = {
  kind: "CALLBACK",
  title: "Call back on the phone of record",
  say: "For your security I'm going to end this call and call you back on the number we hold for you. Please answer when it rings.",
  evidence:
    "The person answers the number of record (from HR, shown here) and confirms they asked for recovery. Never call a number the caller gives.",
};
const MANAGER: Omit<ScriptStep, "requirement"> = {
  kind: "MANAGER_CONFIRMATION",
  title: "Manager confirms",
  say: "I'm sending your manager a request to confirm it's you asking. This completes when they answer.",
  evidence:
    "The manager of record follows their one-time link and confirms. A denial fails the step.",
};
const PASSKEY: Omit<ScriptStep, "requirement"> = {
  kind: "PASSKEY_PROOF",
  title: "Sign in with a remaining passkey",
  say: "If you still have another device with your passkey, I'll send you a link: sign in with it and I'll see it here.",
  evidence:
    "A verified passkey sign-in, with user verification, by a passkey registered to this user.",
};
const ID_DOCUMENT: Omit<ScriptStep, "requirement"> = {
  kind: "ID_DOCUMENT",
  title: "Photo ID on video",
  say: "Please join the video call and hold your photo ID next to your face.",
  evidence:
    "Government or company photo ID matching the HR name and the face on video; note the document type and last four characters only.",
};
const EMPLOYEE_RECORD: Omit<ScriptStep, "requirement"> = {
  kind: "EMPLOYEE_RECORD",
  title: "Employee record details",
  say: "Can you tell me your employee ID, department and manager's name?",
  evidence: "The answers match the HR record. Weak on its own: it corroborates, it never decides.",
};

/** Policy version 1: the defaults of docs/product.md. */
export const DEFAULT_POLICY: RecoveryPolicy = RecoveryPolicySchema.parse({
  version: 1,
  tap: {
    defaultLifetimeMinutes: 60,
    minLifetimeMinutes: 10,
    maxLifetimeMinutes: 480,
    maxLifetimeMinutesHighTier: 60,
    maxFailedAttempts: 10,
    freeFailedAttempts: 3,
    backoffFirstMinutes: 5,
    multiUseTiers: ["STANDARD"],
  },
  enrolmentLinkMinutes: 10,
  approvalMinutes: 30,
  lifetimes: {
    stepLinkMinutes: 30,
    passSessionMinutes: 15,
    workforceSessionHours: 8,
    workforceIdleMinutes: 30,
    repudiationLinkDays: 30,
    freshVerificationMinutes: 5,
  },
  approval: { tiers: ["HIGH_RISK", "PRIVILEGED"], reasons: [], anyRedFlag: true },
  shortPassTiers: ["HIGH_RISK", "PRIVILEGED"],
  repeatCalls: { windowHours: 24, approvalFrom: 2, blockFrom: 4 },
  redFlags: {
    PRESSURE: {
      label: "Pressure or urgency",
      effect: "escalate",
      guidance: "Slow down. A supervisor decides whether to continue.",
    },
    REFUSED_CALLBACK: {
      label: "Refuses the callback",
      effect: "stop",
      guidance: "Stop. Recovery needs the callback to the number of record.",
    },
    NEW_CONTACT_REQUEST: {
      label: "Asks to use a new number or address",
      effect: "stop",
      guidance: "Stop. Codes and links only ever go to addresses of record.",
    },
    DETAILS_MISMATCH: {
      label: "Details don't match the record",
      effect: "stop",
      guidance: "Stop. Do not say which details were wrong.",
    },
    OTHER: {
      label: "Something else feels wrong",
      effect: "escalate",
      guidance: "Describe it; a supervisor decides.",
    },
  },
  scripts: {
    STANDARD: {
      key: "standard",
      steps: [
        { ...CALLBACK, requirement: "required" },
        { ...PASSKEY, requirement: "one-of:second-factor" },
        { ...MANAGER, requirement: "one-of:second-factor" },
        { ...ID_DOCUMENT, requirement: "one-of:second-factor" },
        { ...EMPLOYEE_RECORD, requirement: "required" },
      ],
    },
    HIGH_RISK: {
      key: "high-risk",
      steps: [
        { ...CALLBACK, requirement: "required" },
        { ...MANAGER, requirement: "required" },
        { ...ID_DOCUMENT, requirement: "required" },
        { ...EMPLOYEE_RECORD, requirement: "required" },
      ],
    },
    PRIVILEGED: {
      key: "privileged",
      steps: [
        { ...CALLBACK, requirement: "required" },
        { ...MANAGER, requirement: "required" },
        { ...ID_DOCUMENT, requirement: "required" },
        { ...EMPLOYEE_RECORD, requirement: "required" },
      ],
    },
    CONTRACTOR: {
      key: "contractor",
      steps: [
        { ...CALLBACK, requirement: "required" },
        { ...MANAGER, title: "Sponsor confirms", requirement: "required" },
        { ...EMPLOYEE_RECORD, requirement: "required" },
      ],
    },
    FRONTLINE: {
      key: "frontline",
      steps: [
        { ...MANAGER, title: "Shift lead confirms", requirement: "required" },
        { ...CALLBACK, requirement: "one-of:second-factor" },
        { ...ID_DOCUMENT, requirement: "one-of:second-factor" },
        { ...EMPLOYEE_RECORD, requirement: "required" },
      ],
    },
  },
  reasonScripts: {},
});

/** The script for a call: the reason's own script for this tier if the policy has one, else the tier's. */
export function scriptFor(
  policy: RecoveryPolicy,
  tier: RiskTier,
  reason: CaseReason,
): VerificationScript {
  return policy.reasonScripts[reason]?.[tier] ?? policy.scripts[tier];
}

export type TapLimits = {
  minMinutes: number;
  maxMinutes: number;
  defaultMinutes: number;
  multiUseAllowed: boolean;
  maxFailedAttempts: number;
};

export function tapLimitsFor(policy: RecoveryPolicy, tier: RiskTier): TapLimits {
  const highTier = policy.shortPassTiers.includes(tier);
  const maxMinutes = highTier
    ? policy.tap.maxLifetimeMinutesHighTier
    : policy.tap.maxLifetimeMinutes;
  return {
    minMinutes: policy.tap.minLifetimeMinutes,
    maxMinutes,
    defaultMinutes: Math.min(policy.tap.defaultLifetimeMinutes, maxMinutes),
    multiUseAllowed: (policy.tap.multiUseTiers as readonly string[]).includes(tier),
    maxFailedAttempts: policy.tap.maxFailedAttempts,
  };
}

/**
 * Policy version 2: version 1's case rules unchanged, plus the desk's rules (a ready desk, issue
 * 13): certification for high-risk and privileged cases, and the fraud signals' thresholds. The
 * reasoning for each default is in docs/decisions/007.
 */
export const POLICY_V2: RecoveryPolicy = RecoveryPolicySchema.parse({
  ...DEFAULT_POLICY,
  version: 2,
  desk: {
    certification: {
      requiredForTiers: ["HIGH_RISK", "PRIVILEGED"],
      scenariosToPass: 8,
      impostorsToPass: 4,
      passScore: 80,
      validMonths: 12,
      remindDaysBefore: 30,
    },
    signals: {
      sharedContact: { windowDays: 30, minPeople: 2, effect: "escalate" },
      privilegedBurst: {
        tiers: ["HIGH_RISK", "PRIVILEGED"],
        windowMinutes: 60,
        minCalls: 3,
        // Alert, not escalate: these tiers always need a supervisor already (decision 007).
        effect: "alert",
      },
      recentRecordChange: { withinDays: 7, effect: "escalate" },
      passOutlier: { windowDays: 7, minPasses: 6, peerMultiple: 3, effect: "alert" },
      unusualHour: {
        timeZone: "Europe/London",
        openFromHour: 7,
        openUntilHour: 20,
        historyDays: 28,
        minHistory: 200,
        rareShare: 0.01,
        effect: "alert",
      },
      failedAfterMismatch: { effect: "alert" },
    },
  },
});

/**
 * Policy version 3: version 2 unchanged, plus saved recovery codes (issue 15): standard and
 * contractor staff may use them; high-risk and privileged never (they always need a second
 * person); frontline not (shared devices). The reasoning is in docs/decisions/037.
 */
export const POLICY_V3: RecoveryPolicy = RecoveryPolicySchema.parse({
  ...POLICY_V2,
  version: 3,
  recoveryCodes: {
    tiers: {
      STANDARD: { allowed: true },
      CONTRACTOR: { allowed: true },
      HIGH_RISK: { allowed: false },
      PRIVILEGED: { allowed: false },
      FRONTLINE: { allowed: false },
    },
    setSize: 10,
    maxFailedAttempts: 100,
  },
});

/** Every policy version ever used, by version: a case is judged by the version it opened under. */
const POLICIES: ReadonlyMap<number, RecoveryPolicy> = new Map([
  [DEFAULT_POLICY.version, DEFAULT_POLICY],
  [POLICY_V2.version, POLICY_V2],
  [POLICY_V3.version, POLICY_V3],
]);

/** The policy new cases open under. Versions are code-reviewed data, validated above. */
export const ACTIVE_POLICY = POLICY_V3;

/** The desk's rules: always the active policy's (see DeskRulesSchema). */
export function deskRules(policy: RecoveryPolicy = ACTIVE_POLICY): DeskRules {
  if (!policy.desk) throw new Error(`Policy version ${policy.version} has no desk rules`);
  return policy.desk;
}

/** The policy a case recorded. An unknown version is a bug (or tampering): fail closed. */
export function policyFor(version: number): RecoveryPolicy {
  const policy = POLICIES.get(version);
  if (!policy) throw new Error(`Unknown recovery policy version ${version}`);
  return policy;
}
