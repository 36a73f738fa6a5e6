/**
 * A practice call scenario as data (docs/decisions/030): the caller's story, the records the
 * console would show, how each step the agent can take goes, the truth (the genuine employee or an
 * impostor, and the pretexts used), the red flags planted in the call, and the safe outcome.
 * Validated like the recovery policy: the schema checks the shape, `scenarioProblems` checks it
 * against a policy (every step the policy's script asks for has an answer; an impostor can be
 * caught; a genuine caller who should be helped can be).
 *
 * The built-in library (./library) holds version 1 of each built-in scenario; security reviewers
 * add versions in the console (PracticeScenarioVersion). A practice run keeps the scenario it was
 * played with, so an edit never changes a run.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { canonicalJson } from "../canonical-json";
import { describeMissing, evaluateChecklist } from "../checklist";
import {
  CASE_CHANNELS,
  CASE_REASONS,
  RED_FLAG_KINDS,
  scriptFor,
  STEP_KINDS,
  type RecoveryPolicy,
} from "../recovery-policy";
import { EMPLOYMENT_STATUSES, isLeaver, RISK_TIERS } from "../workforce";

/** The pretexts impostors use on help desks, from public accounts of attacks. */
export const PRETEXTS = [
  "urgent-executive",
  "new-number",
  "manager-on-leave",
  "cannot-take-callback",
  "sim-swap",
  "travelling",
  "new-device-today",
  "insider-knowledge",
  "calling-for-someone-else",
  "help-desk-familiarity",
  "compromised-mailbox",
] as const;
export type Pretext = (typeof PRETEXTS)[number];
export const PRETEXT_LABELS: Record<Pretext, string> = {
  "urgent-executive": "An urgent executive",
  "new-number": "A new phone number",
  "manager-on-leave": "“My manager is on leave”",
  "cannot-take-callback": "Can't take the callback",
  "sim-swap": "A SIM-swapped number",
  travelling: "Travelling, no access",
  "new-device-today": "A new phone today",
  "insider-knowledge": "Knows internal details",
  "calling-for-someone-else": "Calling for someone else",
  "help-desk-familiarity": "Knows the help desk's routine",
  "compromised-mailbox": "A compromised mailbox",
};

/** How a step goes when the agent takes it; NO_ANSWER: nobody answers (a link that is never used). */
export const ANSWER_OUTCOMES = ["PASSED", "FAILED", "UNABLE", "NO_ANSWER"] as const;
export type AnswerOutcome = (typeof ANSWER_OUTCOMES)[number];

/** Addresses in a scenario are fictional: only domains reserved for examples (RFC 2606, RFC 6761). */
const FICTIONAL_DOMAIN =
  /@([a-z0-9-]+\.)*(example|example\.com|example\.org|example\.net|invalid|test)$/i;
const Address = z
  .string()
  .max(200)
  .email()
  .refine((address) => FICTIONAL_DOMAIN.test(address), {
    message:
      "Use a fictional address on a reserved domain (…@northwind.example, …@mail.example): a scenario never names a real mailbox.",
  });
const Phone = z
  .string()
  .min(5)
  .max(40)
  .regex(/^\+?[0-9 ()-]+$/, "A phone number: digits, spaces, brackets, dashes, an optional +.");
const Text = (max: number) => z.string().trim().min(3).max(max);

const AnswerSchema = z.strictObject({
  /** What the agent sees or hears when they take the step (the caller's words, who answers). */
  happens: Text(600),
  /** What really happened: what the agent should record (or what the link's answer is). */
  outcome: z.enum(ANSWER_OUTCOMES),
});
export type ScenarioAnswer = z.infer<typeof AnswerSchema>;

export const ScenarioSchema = z.strictObject({
  key: z
    .string()
    .min(3)
    .max(60)
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "Lower-case words joined by dashes."),
  title: Text(100),
  /** For the library list: what the call is about, without giving the truth away. */
  summary: Text(300),
  /** Where it comes from: a public account of a help desk attack, or the policy's own red flags. */
  source: Text(400),
  reason: z.enum(CASE_REASONS),
  channel: z.enum(CASE_CHANNELS),
  /** The records as the console shows them. Fictional. */
  person: z.strictObject({
    name: Text(100),
    employeeId: z.string().regex(/^[A-Z]{1,3}[0-9]{3,7}$/, "Like E10234."),
    department: Text(100),
    title: Text(100),
    riskTier: z.enum(RISK_TIERS),
    status: z.enum(EMPLOYMENT_STATUSES),
    phoneOfRecord: Phone,
    manager: z.strictObject({ name: Text(100), title: Text(100) }).nullable(),
    emails: z
      .array(
        z.strictObject({
          address: Address,
          kind: z.enum(["work", "personal"]),
          verified: z.boolean(),
        }),
      )
      .min(1)
      .max(4),
    passkeys: z
      .array(
        z.strictObject({
          model: Text(80),
          synced: z.boolean(),
          addedDaysAgo: z.number().int().min(0).max(3650),
          lastUsedDaysAgo: z.number().int().min(0).max(3650).nullable(),
        }),
      )
      .max(6),
    /** Changes to the record shortly before the call (an attacker may have made them first). */
    recentChanges: z
      .array(
        z.strictObject({
          field: z.enum(["PHONE", "MANAGER", "EMAIL"]),
          daysAgo: z.number().int().min(0).max(365),
        }),
      )
      .max(5),
  }),
  call: z.strictObject({
    /** The number the call shows (spoofable: never evidence). */
    callerId: Phone,
    /** The caller's story, as they open the call. */
    opening: Text(1200),
    /** What the agent would note as the caller's claim. */
    claim: Text(300),
    /** A number or address the caller offers or asks to use, if any. */
    offeredContact: z
      .strictObject({
        kind: z.enum(["OFFERED_PHONE", "OFFERED_EMAIL"]),
        value: z.string().max(200),
      })
      .nullable(),
  }),
  /** How each step the agent can take goes: all five, whatever the script. */
  answers: z.strictObject(
    Object.fromEntries(STEP_KINDS.map((kind) => [kind, AnswerSchema])) as Record<
      (typeof STEP_KINDS)[number],
      typeof AnswerSchema
    >,
  ),
  /** The red flags planted in the call: what the caller says, and when. */
  cues: z
    .array(
      z.strictObject({
        flag: z.enum(RED_FLAG_KINDS),
        /** "opening", or the step during which the caller says it. */
        at: z.union([z.literal("opening"), z.enum(STEP_KINDS)]),
        line: Text(400),
      }),
    )
    .max(8),
  truth: z.strictObject({
    caller: z.enum(["genuine", "impostor"]),
    pretexts: z.array(z.enum(PRETEXTS)).max(6),
    /** Told in the debrief: who was really calling, and what gave it away. */
    explanation: Text(1200),
  }),
  safe: z.strictObject({
    /** "recover": verify and give the person a way back in; "stop": nothing is issued. */
    outcome: z.enum(["recover", "stop"]),
    explanation: Text(1200),
  }),
});
export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;

export type ScenarioProblem = { path: string; message: string };

/** What the schema cannot see: the scenario against a policy's script and red flags. */
export function scenarioProblems(scenario: Scenario, policy: RecoveryPolicy): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const script = scriptFor(policy, scenario.person.riskTier, scenario.reason);
  const impostor = scenario.truth.caller === "impostor";
  if (impostor && scenario.safe.outcome !== "stop")
    problems.push({
      path: "safe.outcome",
      message: "An impostor is never recovered: the safe outcome is “stop”.",
    });
  if (impostor && scenario.truth.pretexts.length === 0)
    problems.push({ path: "truth.pretexts", message: "Name the impostor's pretexts." });
  if (!impostor && scenario.truth.pretexts.length > 0)
    problems.push({ path: "truth.pretexts", message: "A genuine caller uses no pretext." });
  const revealing = script.steps.some((step) => scenario.answers[step.kind].outcome !== "PASSED");
  if (impostor && !revealing && scenario.cues.length === 0)
    problems.push({
      path: "cues",
      message:
        "An impostor must be detectable: plant a red flag, or let a step of the script fail.",
    });
  // A scenario has no leaving date: its status alone says whether the person has left.
  if (
    scenario.safe.outcome === "recover" &&
    isLeaver({ status: scenario.person.status, leavingOn: null }, new Date(0))
  )
    problems.push({
      path: "safe.outcome",
      message: `A ${scenario.person.status === "LEFT" ? "leaver" : "suspended person"} is never recovered (only revoked): the safe outcome is “stop”.`,
    });
  if (!impostor && scenario.safe.outcome === "recover") {
    for (const step of script.steps.filter((s) => s.requirement === "required")) {
      if (scenario.answers[step.kind].outcome !== "PASSED")
        problems.push({
          path: `answers.${step.kind}.outcome`,
          message: `The script requires “${step.title}”: a genuine caller to be recovered must pass it.`,
        });
    }
    // Beyond the required steps: a group of which one must pass, and NIST's combination.
    const passedSteps = script.steps.map((step) => ({
      kind: step.kind,
      outcome:
        scenario.answers[step.kind].outcome === "PASSED"
          ? ("PASSED" as const)
          : ("PENDING" as const),
    }));
    for (const item of evaluateChecklist(script, passedSteps).missing) {
      if (item.kind !== "step")
        problems.push({
          path: "answers",
          message: `A genuine caller to be recovered must complete the script: ${describeMissing(item)} must pass.`,
        });
    }
    const stopCue = scenario.cues.find((cue) => policy.redFlags[cue.flag].effect === "stop");
    if (stopCue)
      problems.push({
        path: "cues",
        message: `“${policy.redFlags[stopCue.flag].label}” stops a case: a caller to be recovered cannot show it.`,
      });
  }
  if (scenario.call.offeredContact?.kind === "OFFERED_EMAIL") {
    const parsed = Address.safeParse(scenario.call.offeredContact.value);
    if (!parsed.success)
      problems.push({
        path: "call.offeredContact.value",
        message: parsed.error.issues[0]?.message ?? "Not a fictional address.",
      });
  }
  const addresses = scenario.person.emails.map((email) => email.address.toLowerCase());
  if (new Set(addresses).size !== addresses.length)
    problems.push({ path: "person.emails", message: "An address appears twice." });
  return problems;
}

export type ParsedScenario =
  { ok: true; scenario: Scenario } | { ok: false; problems: ScenarioProblem[] };

/** Parses and checks a scenario against a policy: what the console accepts from an author. */
export function parseScenario(input: unknown, policy: RecoveryPolicy): ParsedScenario {
  const parsed = ScenarioSchema.safeParse(input);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        path: issue.path.join("."),
        message: issue.message,
      })),
    };
  const problems = scenarioProblems(parsed.data, policy);
  return problems.length ? { ok: false, problems } : { ok: true, scenario: parsed.data };
}

/** SHA-256 of the scenario's canonical JSON: what a run or a version records it played. */
export function scenarioHash(scenario: Scenario): string {
  return createHash("sha256").update(canonicalJson(scenario)).digest("hex");
}
