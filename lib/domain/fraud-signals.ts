/**
 * Fraud signals across calls (issue 13, docs/decisions/031): the rules that look at more than one
 * call for an attack in progress, as pure functions. Each takes the call or pass being decided and
 * the history the server read, and returns findings: the rule, a key that ties repeats of the same
 * finding together (a normalised number, a person's record, an agent, a desk), the cases it names,
 * the facts kept as its evidence, and the effect the policy gives it. The server
 * (lib/server/signals/evaluate-signals.ts) reads, asks here, and merges findings into signals
 * (`mergeFindings`): one campaign is one signal. Thresholds are the active policy's
 * (`deskRules().signals`), reasoned in docs/decisions/007.
 */
import type { CountryCode } from "libphonenumber-js";
import type { RedFlagKind } from "./case-vocabulary";
import { normalisePhone } from "./directory-query";
import type { DeskRules, SignalEffect } from "./recovery-policy";
import type { RiskTier } from "./workforce";

export type SignalRules = DeskRules["signals"];

export const SIGNAL_RULES = [
  "shared-contact",
  "privileged-burst",
  "recent-record-change",
  "pass-outlier",
  "unusual-hour",
  "failed-after-mismatch",
] as const;
export type SignalRule = (typeof SIGNAL_RULES)[number];

export const SIGNAL_RULE_LABELS: Record<SignalRule, string> = {
  "shared-contact": "One number or address for different people",
  "privileged-burst": "Burst of privileged recovery calls",
  "recent-record-change": "Call soon after a record change",
  "pass-outlier": "Agent issuing far more passes than peers",
  "unusual-hour": "Call at an unusual hour",
  "failed-after-mismatch": "Failed check after details that don't match",
};

export const SIGNAL_EFFECT_LABELS: Record<SignalEffect, string> = {
  alert: "Alert only",
  escalate: "Escalates to a supervisor",
  stop: "Stops recovery",
};

/** What was heard on a call: the caller ID the agent saw, or a number or address the caller offered. */
export const CONTACT_KINDS = ["CALLER_ID", "OFFERED_PHONE", "OFFERED_EMAIL"] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];
export const CONTACT_KIND_LABELS: Record<ContactKind, string> = {
  CALLER_ID: "Caller ID",
  OFFERED_PHONE: "Number the caller offered",
  OFFERED_EMAIL: "Address the caller offered",
};

/** The fields of a person's record whose recent change makes a recovery call suspect. */
export const RECORD_FIELDS = ["PHONE", "MANAGER", "EMAIL"] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];
export const RECORD_FIELD_LABELS: Record<RecordField, string> = {
  PHONE: "phone of record",
  MANAGER: "manager",
  EMAIL: "email address",
};

/** A fact kept as evidence: numbers and short text only, never a full number or address. */
export type EvidenceFacts = Record<string, string | number | string[]>;

export type Finding = {
  rule: SignalRule;
  /** What ties repeats of this finding together (merging signals). */
  key: string;
  /** The cases it names, oldest first. */
  caseIds: string[];
  facts: EvidenceFacts;
  effect: SignalEffect;
  /** One line for the queue and the mail. */
  summary: string;
};

const EFFECT_RANK: Record<SignalEffect, number> = { alert: 0, escalate: 1, stop: 2 };

export function strongerEffect(a: SignalEffect, b: SignalEffect): SignalEffect {
  return EFFECT_RANK[b] > EFFECT_RANK[a] ? b : a;
}

export function strongestEffect(effects: readonly SignalEffect[]): SignalEffect | null {
  return effects.length === 0 ? null : effects.reduce(strongerEffect);
}

const DAY = 24 * 60 * 60 * 1000;
const uniq = <T>(items: readonly T[]) => [...new Set(items)];
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

// ---------------------------------------------------------------------------------------------
// Numbers and addresses
// ---------------------------------------------------------------------------------------------

const EMAIL_TEXT = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;

/**
 * The form a number or address is compared in, or null when it is neither: a phone number in
 * E.164 (`tel:+442079460958`, read as the directory reads one, in the desk's regions, the first
 * region's reading when a national number is valid in several), an address lower-cased with any
 * `+tag` dropped from its local part (`email:ada@example.com`), since the same inbox under two
 * tags is the same contact.
 */
export function normaliseContact(
  text: string,
  regions: readonly CountryCode[],
): { kind: "phone" | "email"; normalized: string } | null {
  const written = text.trim();
  if (written.includes("@")) {
    if (!EMAIL_TEXT.test(written)) return null;
    const at = written.lastIndexOf("@");
    const local = written.slice(0, at).toLowerCase().split("+")[0]!;
    const domain = written.slice(at + 1).toLowerCase();
    if (!local) return null;
    return { kind: "email", normalized: `email:${local}@${domain}` };
  }
  const phone = normalisePhone(written, regions)[0];
  return phone ? { kind: "phone", normalized: `tel:${phone}` } : null;
}

/** A normalised contact masked for the evidence and the trail: `+44•••••••958`, `a•••@example.com`. */
export function maskContact(normalized: string): string {
  if (normalized.startsWith("tel:")) {
    const number = normalized.slice(4);
    return `${number.slice(0, 3)}${"•".repeat(Math.max(0, number.length - 6))}${number.slice(-3)}`;
  }
  const address = normalized.replace(/^email:/, "");
  const [local = "", domain = ""] = address.split("@");
  return `${local.slice(0, 1)}•••@${domain}`;
}

// ---------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------

/** A contact seen on a call: its normalised form, the case, the person the call was about. */
export type Sighting = { normalized: string; caseId: string; userId: string; at: Date };

/**
 * The same caller ID, offered number or offered address on calls about at least `minPeople`
 * different people within `windowDays`. One finding per contact of the current call; one person
 * calling many times never raises it (that is the repeat-call rule's business).
 */
export function sharedContactFindings(
  rules: SignalRules,
  input: { now: Date; contacts: readonly string[]; sightings: readonly Sighting[] },
): Finding[] {
  const { windowDays, minPeople, effect } = rules.sharedContact;
  const from = input.now.getTime() - windowDays * DAY;
  const findings: Finding[] = [];
  for (const contact of uniq(input.contacts).sort()) {
    const seen = input.sightings
      .filter((s) => s.normalized === contact && s.at.getTime() > from && s.at <= input.now)
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    const people = uniq(seen.map((s) => s.userId)).length;
    if (people < minPeople) continue;
    const caseIds = uniq(seen.map((s) => s.caseId));
    const masked = maskContact(contact);
    findings.push({
      rule: "shared-contact",
      key: `contact:${contact}`,
      caseIds,
      facts: { contact: masked, people, calls: caseIds.length, windowDays },
      effect,
      summary: `${masked} came up on calls for ${people} different people within ${plural(windowDays, "day")}`,
    });
  }
  return findings;
}

/** A recovery call: its case, the person, their tier, the desk (team) that took it, when. */
export type Call = {
  caseId: string;
  userId: string;
  riskTier: RiskTier;
  team: string | null;
  at: Date;
};

/**
 * At least `minCalls` recovery calls about people of the listed tiers within `windowMinutes`,
 * whoever took them (an attacker spreads a campaign over agents and desks). Raised only when the
 * current call is itself about such a person.
 */
export function privilegedBurstFindings(
  rules: SignalRules,
  input: { now: Date; current: Call; calls: readonly Call[] },
): Finding[] {
  const { tiers, windowMinutes, minCalls, effect } = rules.privilegedBurst;
  if (!tiers.includes(input.current.riskTier)) return [];
  const from = input.now.getTime() - windowMinutes * 60_000;
  const byCase = new Map<string, Call>();
  for (const call of [...input.calls, { ...input.current, at: input.now }])
    if (tiers.includes(call.riskTier) && call.at.getTime() > from && call.at <= input.now)
      byCase.set(call.caseId, call);
  const calls = [...byCase.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
  if (calls.length < minCalls) return [];
  const people = uniq(calls.map((c) => c.userId)).length;
  return [
    {
      rule: "privileged-burst",
      key: `burst:${[...tiers].sort().join(",")}`,
      caseIds: calls.map((c) => c.caseId),
      facts: { calls: calls.length, people, windowMinutes },
      effect,
      summary: `${plural(calls.length, "recovery call")} for high-risk or privileged people within ${windowMinutes} minutes`,
    },
  ];
}

export type RecordChange = { field: RecordField; changedAt: Date };

/**
 * A recovery call within `withinDays` after a change to the person's phone, manager or email of
 * record: the classic takeover changes the callback number or the manager first, then calls.
 */
export function recentRecordChangeFindings(
  rules: SignalRules,
  input: { now: Date; caseId: string; userId: string; changes: readonly RecordChange[] },
): Finding[] {
  const { withinDays, effect } = rules.recentRecordChange;
  const from = input.now.getTime() - withinDays * DAY;
  const recent = input.changes.filter(
    (c) => c.changedAt.getTime() > from && c.changedAt <= input.now,
  );
  if (recent.length === 0) return [];
  const latest = Math.max(...recent.map((c) => c.changedAt.getTime()));
  const daysAgo = Math.floor((input.now.getTime() - latest) / DAY);
  const fields = uniq(recent.map((c) => c.field)).sort();
  return [
    {
      rule: "recent-record-change",
      key: `record:${input.userId}`,
      caseIds: [input.caseId],
      facts: { fields, daysSinceChange: daysAgo, withinDays },
      effect,
      summary: `A recovery call ${daysAgo === 0 ? "on the day" : `${plural(daysAgo, "day")} after`} a change to the person's ${fields.map((f) => RECORD_FIELD_LABELS[f]).join(", ")}`,
    },
  ];
}

/** A pass issued: by whom, on which case, when. */
export type PassIssued = { agentId: string; caseId: string; at: Date };

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * An agent who issued at least `minPasses` passes within `windowDays`, and at least `peerMultiple`
 * times the median of the other agents who issued passes in that window. With no peers there is
 * nothing to compare with, so nothing is raised (one agent's desk is a supervisor's to read).
 */
export function passOutlierFindings(
  rules: SignalRules,
  input: { now: Date; agentId: string; passes: readonly PassIssued[] },
): Finding[] {
  const { windowDays, minPasses, peerMultiple, effect } = rules.passOutlier;
  const from = input.now.getTime() - windowDays * DAY;
  const inWindow = input.passes.filter((p) => p.at.getTime() > from && p.at <= input.now);
  const counts = new Map<string, number>();
  for (const pass of inWindow) counts.set(pass.agentId, (counts.get(pass.agentId) ?? 0) + 1);
  const mine = counts.get(input.agentId) ?? 0;
  const peers = [...counts.entries()].filter(([id]) => id !== input.agentId).map(([, n]) => n);
  if (mine < minPasses || peers.length === 0) return [];
  const peerMedian = median(peers);
  if (mine < peerMultiple * peerMedian) return [];
  const caseIds = uniq(
    inWindow
      .filter((p) => p.agentId === input.agentId)
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .map((p) => p.caseId),
  );
  return [
    {
      rule: "pass-outlier",
      key: `agent:${input.agentId}`,
      caseIds,
      facts: { passes: mine, peerMedian, peers: peers.length, windowDays },
      effect,
      summary: `One agent issued ${plural(mine, "pass")} in ${plural(windowDays, "day")}, against a median of ${peerMedian} for ${plural(peers.length, "peer")}`,
    },
  ];
}

/** The hour (0-23) of `at` on the clock of `timeZone` (IANA), with Intl. */
export function hourIn(timeZone: string, at: Date): number {
  const hour = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "numeric",
    hourCycle: "h23",
  }).format(at);
  return Number(hour) % 24;
}

/**
 * A call at an hour the desk rarely takes them. The desk is the case's team. With at least
 * `minHistory` of its calls in the last `historyDays`, an hour holding at most `rareShare` of
 * them is unusual (the desk's own pattern); with less history, the policy's opening hours decide,
 * on the clock of its time zone.
 */
export function unusualHourFindings(
  rules: SignalRules,
  input: { now: Date; caseId: string; team: string | null; history: readonly Date[] },
): Finding[] {
  const { timeZone, openFromHour, openUntilHour, historyDays, minHistory, rareShare, effect } =
    rules.unusualHour;
  const from = input.now.getTime() - historyDays * DAY;
  const history = input.history.filter((at) => at.getTime() > from && at < input.now);
  const hour = hourIn(timeZone, input.now);
  const desk = input.team ?? "no team";
  const clock = `${String(hour).padStart(2, "0")}:00`;
  let facts: EvidenceFacts;
  if (history.length >= minHistory) {
    const atHour = history.filter((at) => hourIn(timeZone, at) === hour).length;
    const share = atHour / history.length;
    if (share > rareShare) return [];
    facts = {
      hour: clock,
      timeZone,
      basis: "the desk's calls",
      callsAtHour: atHour,
      calls: history.length,
    };
  } else {
    if (hour >= openFromHour && hour < openUntilHour) return [];
    facts = { hour: clock, timeZone, basis: "opening hours", openFromHour, openUntilHour };
  }
  return [
    {
      rule: "unusual-hour",
      key: `hours:${desk}`,
      caseIds: [input.caseId],
      facts,
      effect,
      summary: `A recovery call at ${clock} (${timeZone}), an hour ${desk} rarely takes calls`,
    },
  ];
}

/**
 * A caller who failed a check on a case where they had given details that don't match the record
 * (a "details mismatch" red flag): in either order, once both are on the case.
 */
export function failedAfterMismatchFindings(
  rules: SignalRules,
  input: {
    caseId: string;
    redFlags: readonly RedFlagKind[];
    steps: readonly { kind: string; outcome: string }[];
  },
): Finding[] {
  if (!input.redFlags.includes("DETAILS_MISMATCH")) return [];
  const failed = input.steps.filter((s) => s.outcome === "FAILED").map((s) => s.kind);
  if (failed.length === 0) return [];
  return [
    {
      rule: "failed-after-mismatch",
      key: `case:${input.caseId}`,
      caseIds: [input.caseId],
      facts: { failedSteps: uniq(failed).sort() },
      effect: rules.failedAfterMismatch.effect,
      summary: "The caller failed a check after giving details that don't match the record",
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// One campaign, one signal
// ---------------------------------------------------------------------------------------------

/** A finding as kept in a signal's evidence, with when it was found. */
export type EvidenceEntry = Finding & { at: string };

/** The signal as stored (the parts merging reads). */
export type SignalState = {
  rules: readonly string[];
  keys: readonly string[];
  evidence: readonly EvidenceEntry[];
  effect: SignalEffect;
};

/** How long an open signal keeps gathering findings with its keys (docs/decisions/031). */
export const SIGNAL_MERGE_HOURS = 24;

/** Whether an open signal takes these findings: it names one of their cases or shares a key. */
export function signalMatches(
  signal: { keys: readonly string[]; caseIds: readonly string[] },
  findings: readonly Finding[],
): boolean {
  return findings.some(
    (f) => signal.keys.includes(f.key) || f.caseIds.some((id) => signal.caseIds.includes(id)),
  );
}

/**
 * Findings joined to a signal (or the first state of a new one). A finding with the same rule and
 * key as one in the evidence replaces it, with the union of their cases, so the evidence holds
 * each finding once at its latest; the effect only ever rises; each case's effect is the
 * strongest of the findings naming it.
 */
export function mergeFindings(
  existing: SignalState | null,
  findings: readonly Finding[],
  now: Date,
): SignalState & {
  summary: string;
  caseEffects: Map<string, SignalEffect>;
  effectRaised: boolean;
} {
  const evidence: EvidenceEntry[] = [...(existing?.evidence ?? [])];
  for (const finding of findings) {
    const at = evidence.findIndex((e) => e.rule === finding.rule && e.key === finding.key);
    const entry: EvidenceEntry = { ...finding, at: now.toISOString() };
    if (at >= 0) {
      entry.caseIds = uniq([...evidence[at]!.caseIds, ...finding.caseIds]);
      evidence[at] = entry;
    } else evidence.push(entry);
  }
  const caseEffects = new Map<string, SignalEffect>();
  for (const entry of evidence)
    for (const id of entry.caseIds)
      caseEffects.set(id, strongerEffect(caseEffects.get(id) ?? "alert", entry.effect));
  const effect = strongestEffect([
    ...(existing ? [existing.effect] : []),
    ...evidence.map((e) => e.effect),
  ])!;
  return {
    rules: uniq([...(existing?.rules ?? []), ...findings.map((f) => f.rule)]),
    keys: uniq([...(existing?.keys ?? []), ...findings.map((f) => f.key)]),
    evidence,
    effect,
    summary: summarise(evidence),
    caseEffects,
    effectRaised: existing === null || EFFECT_RANK[effect] > EFFECT_RANK[existing.effect],
  };
}

/** The signal's one line: its findings' summaries, the newest first, cut to 300 characters. */
export function summarise(evidence: readonly EvidenceEntry[]): string {
  const text = [...evidence]
    .reverse()
    .map((e) => e.summary)
    .join("; ");
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/** Every case a signal's evidence names. */
export function evidenceCaseIds(evidence: readonly EvidenceEntry[]): string[] {
  return uniq(evidence.flatMap((e) => e.caseIds));
}

/**
 * A 32-bit key for `pg_advisory_xact_lock(namespace, key)`, from a finding's key: collisions only
 * serialise more. Sorted before locking, so two evaluations never wait on each other in a circle.
 */
export function advisoryKey(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

export function lockOrder(keys: readonly string[]): number[] {
  return uniq(keys.map(advisoryKey)).sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

export type SignalBucket = { start: Date; counts: Record<SignalRule, number>; total: number };

/**
 * Signals raised over the last `days`, by rule, per day (up to 31 days) or per week (Monday,
 * UTC) beyond, in whole days or weeks: every bucket of the period is present, empty ones too,
 * oldest first. A signal
 * with several rules counts once for each rule and once in the total.
 */
export function signalsOverTime(
  signals: readonly { raisedAt: Date; rules: readonly string[] }[],
  input: { now: Date; days: number },
): { unit: "day" | "week"; buckets: SignalBucket[] } {
  const unit = input.days <= 31 ? "day" : "week";
  const startOf = (at: Date) => {
    const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
    if (unit === "week") day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
    return day.getTime();
  };
  const from = new Date(input.now.getTime() - (input.days - 1) * DAY);
  const empty = () =>
    Object.fromEntries(SIGNAL_RULES.map((rule) => [rule, 0])) as Record<SignalRule, number>;
  const buckets = new Map<number, SignalBucket>();
  for (let at = startOf(from); at <= startOf(input.now); at += (unit === "day" ? 1 : 7) * DAY)
    buckets.set(at, { start: new Date(at), counts: empty(), total: 0 });
  for (const signal of signals) {
    const bucket = buckets.get(startOf(signal.raisedAt));
    if (!bucket || signal.raisedAt > input.now) continue;
    bucket.total++;
    for (const rule of signal.rules)
      if ((SIGNAL_RULES as readonly string[]).includes(rule)) bucket.counts[rule as SignalRule]++;
  }
  return { unit, buckets: [...buckets.values()] };
}
