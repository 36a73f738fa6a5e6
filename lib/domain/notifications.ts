/**
 * What the console tells people, as pure templates. Every recovery notice carries the
 * "this wasn't me" link (NIST SP 800-63B-4 §4.2.3; ASVS 6.3.7). Secrets appear only in the
 * one message meant to carry them, and never in a subject line.
 */
import { formatTapCode } from "./tap-code";

export const NOTIFICATION_KINDS = [
  "case.opened",
  "step.manager_confirmation",
  "step.passkey_proof",
  "tap.issued",
  "tap.issued_notice",
  "tap.redeemed",
  "tap.guessed",
  "passkey.enrolled",
  "passkey.revoked",
  "enrolment.link",
  "recovery.stopped",
  "approval.waiting",
  "approval.lapsed",
  "security.alert",
  "security.signal",
  "certification.expiring",
  // Self-service on /account (docs/decisions/036).
  "account.changed",
  "rollout.nudge",
  // Recovery codes (issue 15, part B).
  "codes.generated",
  "codes.redeemed",
  "codes.voided",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export type Message = { kind: NotificationKind; subject: string; body: string };

const signature =
  "\n\n— Northwind IT Service Desk. We will never ask you for a pass or code over the phone.";
const notMe = (reportUrl: string) =>
  `\n\nIf this wasn't you, open this link at once: it cancels what was done and alerts security.\n${reportUrl}`;

export function caseOpenedNotice(input: {
  name: string;
  reason: string;
  reportUrl: string;
}): Message {
  return {
    kind: "case.opened",
    subject: "Someone called the service desk about your sign-in",
    body: `Hello ${input.name},\n\nThe service desk has opened a recovery case for your account (${input.reason.toLowerCase()}).${notMe(input.reportUrl)}${signature}`,
  };
}

export function managerConfirmationRequest(input: {
  managerName: string;
  userName: string;
  employeeId: string;
  link: string;
  expiresMinutes: number;
}): Message {
  return {
    kind: "step.manager_confirmation",
    subject: `Please confirm: ${input.userName} asked for account recovery`,
    body:
      `Hello ${input.managerName},\n\n${input.userName} (${input.employeeId}) asked the service desk to recover their sign-in. ` +
      `Please confirm or deny that this request comes from them. If you have not heard from them, deny it.\n\n${input.link}\n\n` +
      `The link works once and expires in ${input.expiresMinutes} minutes.${signature}`,
  };
}

export function passkeyProofRequest(input: {
  name: string;
  link: string;
  expiresMinutes: number;
}): Message {
  return {
    kind: "step.passkey_proof",
    subject: "Confirm it's you with a passkey you still have",
    body:
      `Hello ${input.name},\n\nTo continue your recovery, open this link on a device that still has your passkey and sign in with it.\n\n${input.link}\n\n` +
      `The link works once and expires in ${input.expiresMinutes} minutes.${signature}`,
  };
}

export function tapIssued(input: {
  name: string;
  code: string;
  expiresAt: Date;
  oneTime: boolean;
  redeemUrl: string;
  reportUrl: string;
}): Message {
  return {
    kind: "tap.issued",
    subject: "Your temporary access pass",
    body:
      `Hello ${input.name},\n\nHere is your temporary access pass:\n\n    ${formatTapCode(input.code)}\n\n` +
      `Enter it at ${input.redeemUrl} to set up a new passkey. It ${input.oneTime ? "works once and " : ""}expires at ` +
      `${input.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC. Nobody from the service desk will ask you for it.${notMe(input.reportUrl)}${signature}`,
  };
}

export function tapIssuedNotice(input: {
  name: string;
  sentTo: string;
  reportUrl: string;
}): Message {
  return {
    kind: "tap.issued_notice",
    subject: "A temporary access pass was issued for your account",
    body: `Hello ${input.name},\n\nThe service desk issued a temporary access pass for your account and sent it to ${maskAddress(input.sentTo)}.${notMe(input.reportUrl)}${signature}`,
  };
}

export function tapRedeemedNotice(input: { name: string; reportUrl: string }): Message {
  return {
    kind: "tap.redeemed",
    subject: "Your temporary access pass was used",
    body: `Hello ${input.name},\n\nYour temporary access pass was just used to sign in.${notMe(input.reportUrl)}${signature}`,
  };
}

/**
 * Someone is guessing at the user's pass: after the free tries it rests (a back-off), at the
 * cap it is void. Either way the user hears of it, with the way to raise the alarm.
 */
export function tapGuessedNotice(input: {
  name: string;
  wrongTries: number;
  voided: boolean;
  reportUrl: string;
}): Message {
  const what = input.voided
    ? "The pass no longer works: ask the service desk for a new one if you still need it."
    : "The pass still works, but each further try now has to wait a little longer.";
  return {
    kind: "tap.guessed",
    subject: "Wrong passes were tried for your account",
    body: `Hello ${input.name},

Someone entered a wrong temporary access pass for your account ${input.wrongTries} times. ${what}${notMe(input.reportUrl)}${signature}`,
  };
}

export function passkeyEnrolledNotice(input: {
  name: string;
  model: string;
  reportUrl: string;
}): Message {
  return {
    kind: "passkey.enrolled",
    subject: "A new passkey was added to your account",
    body: `Hello ${input.name},\n\nA new passkey (${input.model}) was added to your account.${notMe(input.reportUrl)}${signature}`,
  };
}

/**
 * A passkey was added from an account session signed in with another passkey (no case, no
 * agent): which device, when, and what to do if it was not them (NIST SP 800-63B-4 §4.1.2.1,
 * §4.6). The link removes that passkey, signs them out everywhere and alerts security.
 */
export function passkeyAddedNotice(input: {
  name: string;
  model: string;
  backedUp: boolean;
  addedAt: Date;
  reportUrl: string;
}): Message {
  return {
    kind: "passkey.enrolled",
    subject: "A passkey was added to your account",
    body:
      `Hello ${input.name},\n\nA passkey (${input.model}, ${input.backedUp ? "synced" : "device-bound"}) was added to your account on ${utc(input.addedAt)} UTC, ` +
      `by someone signed in to your account with one of your passkeys who confirmed it was them with a fingerprint, face or PIN.\n\n` +
      `If this was you, there is nothing to do.\n\n` +
      `If this wasn't you, open this link at once: it removes that passkey, signs you out everywhere and alerts security. Then call the service desk on the number in the staff directory.\n${input.reportUrl}${signature}`,
  };
}

export function enrolmentLinkMessage(input: {
  name: string;
  link: string;
  expiresMinutes: number;
  reportUrl: string;
}): Message {
  return {
    kind: "enrolment.link",
    subject: "Set up your new passkey",
    body:
      `Hello ${input.name},\n\nThe service desk approved setting up a new passkey for your account. Open this link on the device you want to use:\n\n${input.link}\n\n` +
      `It works once and expires in ${input.expiresMinutes} minutes.${notMe(input.reportUrl)}${signature}`,
  };
}

export function passkeysRevokedNotice(input: {
  name: string;
  count: number;
  all: boolean;
  reason: string;
}): Message {
  return {
    kind: "passkey.revoked",
    subject: input.all ? "All your passkeys were revoked" : "One of your passkeys was revoked",
    body:
      `Hello ${input.name},\n\nThe service desk revoked ${input.all ? `all your passkeys (${input.count})` : "one of your passkeys"} (reason: ${input.reason.toLowerCase()}).` +
      `${input.all ? " Any temporary access pass or link you had no longer works, and you were signed out everywhere." : ""}` +
      `\n\nIf you did not expect this, call the service desk on the number in the staff directory.${signature}`,
  };
}

/**
 * A recovery stopped (closed, stopped by a red flag or a failed step, denied, or the person
 * left) while a pass or link was outstanding: the user learns it no longer works, and why in
 * words that reveal nothing to an impostor.
 */
export function recoveryStoppedNotice(input: { name: string; voided: string[] }): Message {
  return {
    kind: "recovery.stopped",
    subject: "Your account recovery was stopped",
    body:
      `Hello ${input.name},\n\nThe service desk stopped an account recovery for you. ${input.voided.join(" and ")} you were sent no longer ${input.voided.length > 1 ? "work" : "works"}.` +
      `\n\nIf you still need help, call the service desk on the number in the staff directory. If you did not ask for a recovery, tell them.${signature}`,
  };
}

/**
 * A supervisor of the case's team who may decide it (not its requester, nobody who worked the
 * case) is told that a re-enrolment waits: what is asked, why a second person, until when, and
 * where to decide. Names and counts only: the link is the console's queue, never a token.
 */
export function approvalWaitingNotice(input: {
  supervisorName: string;
  userName: string;
  employeeId: string;
  requestedBy: string;
  needReason: string;
  revokePasskeys: number;
  expiresAt: Date;
  expiresMinutes: number;
  link: string;
}): Message {
  const revoking =
    input.revokePasskeys === 0
      ? "revoking none of their passkeys"
      : `revoking ${input.revokePasskeys} lost passkey${input.revokePasskeys > 1 ? "s" : ""} in the same step`;
  return {
    kind: "approval.waiting",
    subject: `A re-enrolment for ${input.userName} waits for your approval`,
    body:
      `Hello ${input.supervisorName},\n\n${input.requestedBy} asks a second person to approve a passkey re-enrolment for ${input.userName} (${input.employeeId}).\n\n` +
      `What is asked: a one-time link, sent to ${input.userName}'s verified address, to set up a new passkey, ${revoking}.\n` +
      `Why a second person: ${input.needReason}.\n` +
      `It lapses at ${utc(input.expiresAt)} UTC (${input.expiresMinutes} minutes after the request); after that the agent has to ask again.\n\n` +
      `Review the evidence and decide in the approvals queue:\n${input.link}${signature}`,
  };
}

/**
 * The agent who asked for a re-enrolment is told that no supervisor decided it in time: nothing
 * was approved, no link went out, and they may ask again from the case.
 */
export function approvalLapsedNotice(input: {
  agentName: string;
  userName: string;
  employeeId: string;
  lapsedAt: Date;
  link: string;
}): Message {
  return {
    kind: "approval.lapsed",
    subject: `The re-enrolment request for ${input.userName} lapsed`,
    body:
      `Hello ${input.agentName},\n\nNo supervisor decided the re-enrolment you requested for ${input.userName} (${input.employeeId}) before it lapsed at ${utc(input.lapsedAt)} UTC. ` +
      `Nothing was approved and no link was sent.\n\nIf the caller still needs it, request it again from the case:\n${input.link}${signature}`,
  };
}

/**
 * A staff member's practice certification expires soon (docs/decisions/032): sent once, within
 * the policy's reminder window. Without it they cannot work the tiers the policy reserves.
 */
export function certificationExpiringNotice(input: {
  staffName: string;
  expiresAt: Date;
  daysLeft: number;
  tiers: string;
  practiceUrl: string;
}): Message {
  return {
    kind: "certification.expiring",
    subject: `Your practice certification expires in ${input.daysLeft} day${input.daysLeft === 1 ? "" : "s"}`,
    body:
      `Hello ${input.staffName},\n\nYour practice certification expires at ${utc(input.expiresAt)} UTC. ` +
      `After that you cannot work ${input.tiers} people's recoveries until you are certified again.\n\n` +
      `Recertify by passing practice calls in the console:\n${input.practiceUrl}${signature}`,
  };
}

/**
 * A page of the console, as an absolute address from its configured base URL (NEXTAUTH_URL):
 * mail is read outside the console, so a link must work from there.
 */
export function consoleUrl(baseUrl: string, page: { caseId: string } | { userId: string }): string {
  const base = baseUrl.replace(/\/+$/, "");
  return "caseId" in page
    ? `${base}/cases/${encodeURIComponent(page.caseId)}`
    : `${base}/users/${encodeURIComponent(page.userId)}`;
}

/**
 * An alert to the security reviewers. It links to what they act on (decision 025): the case, read
 * in the console (any team's), and the person's page, where they can revoke; never a bare id to
 * look up.
 */
export function securityAlert(input: {
  summary: string;
  detail: string;
  baseUrl: string;
  caseId?: string;
  /** What the case link says ("Open the case" unless told). */
  caseLabel?: string;
  userId?: string;
}): Message {
  const links = [
    input.caseId
      ? `${input.caseLabel ?? "Open the case"}: ${consoleUrl(input.baseUrl, { caseId: input.caseId })}`
      : null,
    input.userId
      ? `The person's page (their cases and passkeys; revoke there): ${consoleUrl(input.baseUrl, { userId: input.userId })}`
      : null,
  ].filter((line): line is string => line !== null);
  return {
    kind: "security.alert",
    subject: `Recovery alert: ${input.summary}`,
    body: `${input.detail}${links.length ? `\n\n${links.join("\n")}` : ""}${signature}`,
  };
}

/**
 * A fraud signal across calls, to the security reviewers (docs/decisions/031): raised, or made
 * stronger by new evidence. Links to the signal (its evidence, where they review it) and to the
 * first case it names; counts and the masked rule lines only, never a full number or a secret.
 */
export function fraudSignalAlert(input: {
  signalId: string;
  summary: string;
  rules: readonly string[];
  effect: string;
  cases: number;
  people: number;
  raised: boolean;
  baseUrl: string;
  firstCaseId: string;
}): Message {
  const base = input.baseUrl.replace(/\/+$/, "");
  const what = input.raised ? "raised" : "stronger after new evidence";
  return {
    kind: "security.signal",
    subject: `Fraud signal ${what}: ${input.rules.join(", ")}`.slice(0, 200),
    body: `A fraud signal across help desk calls was ${what}.\n\n${input.summary}\n\nRules: ${input.rules.join(", ")}\nEffect: ${input.effect}\nCalls: ${input.cases}, about ${input.people} ${input.people === 1 ? "person" : "people"}\n\nRead the evidence and review it: ${base}/signals/${encodeURIComponent(input.signalId)}\nThe first case: ${consoleUrl(base, { caseId: input.firstCaseId })}${signature}`,
  };
}

/** 2026-11-24 10:15: a time in a notice, in UTC (the notice says so). */
function utc(date: Date): string {
  return date.toISOString().slice(0, 16).replace("T", " ");
}

/** m•••@example.com: enough for the owner to recognise, too little to harvest. */
export function maskAddress(address: string): string {
  const [local = "", domain = ""] = address.split("@");
  return `${local.slice(0, 1)}•••@${domain}`;
}

/**
 * Where a temporary access pass goes: a verified personal address first (a lost phone often
 * means no access to work mail), else the verified primary work address. Never an address the
 * caller offers: only addresses of record are candidates.
 */
export function chooseTapAddress(
  emails: readonly { address: string; kind: string; verified: boolean; isPrimary: boolean }[],
): string | null {
  const verified = emails.filter((email) => email.verified);
  return (
    verified.find((email) => email.kind === "personal")?.address ??
    verified.find((email) => email.isPrimary)?.address ??
    verified[0]?.address ??
    null
  );
}

// ---------------------------------------------------------------------------------------------
// Self-service on /account (docs/decisions/036).

/**
 * The person changed their own ways in on /account: named, removed or reported lost a passkey,
 * or signed out everywhere. Told to every verified address with its own "this wasn't me" link,
 * which signs them out everywhere, holds their recovery and alerts security.
 */
export function accountChangedNotice(input: {
  name: string;
  change: "renamed" | "removed" | "lost" | "signed_out";
  /** The passkey as the person knows it: their name for it, else its model and kind. */
  passkey?: string;
  /** A removal or lost report that took their last passkey. */
  last?: boolean;
  at: Date;
  reportUrl: string;
}): Message {
  const what = {
    renamed: [
      "A passkey on your account was renamed",
      `The passkey ${input.passkey} was given a new name`,
    ],
    removed: [
      "A passkey was removed from your account",
      `The passkey ${input.passkey} was removed from your account`,
    ],
    lost: [
      "A device was reported lost on your account",
      `The device holding the passkey ${input.passkey} was reported lost: that passkey no longer works, and every session on your account was signed out`,
    ],
    signed_out: ["You were signed out everywhere", "Every session on your account was signed out"],
  }[input.change];
  return {
    kind: "account.changed",
    subject: what[0]!,
    body:
      `Hello ${input.name},\n\n${what[1]} on ${utc(input.at)} UTC, by someone signed in to your account with one of your passkeys.` +
      (input.last
        ? " It was your last passkey: to sign in again you need the service desk to help you set up a new one."
        : "") +
      `\n\nIf this was you, there is nothing to do.\n\n` +
      `If this wasn't you, open this link at once: it signs you out everywhere, pauses changes to your account until the service desk has reviewed it, and alerts security. Then call the service desk on the number in the staff directory.\n${input.reportUrl}${signature}`,
  };
}

/**
 * A nudge campaign's mail (docs/decisions/038) to someone one lost device away from a lockout: it
 * links to /account, where they sign in with the passkey they have and add a second one. It asks
 * for nothing and carries no secret; the link is the console's own address, not a token.
 */
export function secondPasskeyNudge(input: { name: string; accountUrl: string }): Message {
  return {
    kind: "rollout.nudge",
    subject: "Add a second passkey so a lost phone does not lock you out",
    body:
      `Hello ${input.name},\n\nYou have only one way to sign in to Northwind: a passkey on one device (or none yet). ` +
      `If you lose that device you would have to call the service desk to get back in.\n\n` +
      `Add a second passkey now, on another phone, laptop or security key: sign in at the link below with the passkey you have, ` +
      `choose "Confirm it's you", then "Add a passkey".\n${input.accountUrl}\n\n` +
      `If you have no passkey yet, call the service desk and they will set one up with you.${signature}`,
  };
}

// Recovery codes (issue 15, part B; docs/decisions/037). The codes themselves are never mailed:
// they are shown once, on the page that made them.

/** A new set of recovery codes was made (the older set, if any, stopped working). */
export function recoveryCodesGeneratedNotice(input: {
  name: string;
  codes: number;
  replaced: boolean;
  madeAt: Date;
}): Message {
  return {
    kind: "codes.generated",
    subject: "New recovery codes were made for your account",
    body:
      `Hello ${input.name},\n\n${input.codes} new recovery codes were made for your account on ${utc(input.madeAt)} UTC, ` +
      `by someone signed in with one of your passkeys who confirmed it was them.` +
      (input.replaced ? " Your earlier recovery codes no longer work." : "") +
      `\n\nIf this wasn't you, call the service desk at once on the number in the staff directory: they can revoke your passkeys and codes.${signature}`,
  };
}

/** A recovery code was used to get into the account (it may now set up one passkey). */
export function recoveryCodeRedeemedNotice(input: {
  name: string;
  codesLeft: number;
  reportUrl: string;
}): Message {
  return {
    kind: "codes.redeemed",
    subject: "A recovery code was used for your account",
    body: `Hello ${input.name},\n\nOne of your recovery codes was just used to get into your account. It cannot be used again; ${input.codesLeft} left.${notMe(input.reportUrl)}${signature}`,
  };
}

/** Too many wrong recovery codes in a row: the set is void. */
export function recoveryCodesVoidedNotice(input: { name: string; wrongTries: number }): Message {
  return {
    kind: "codes.voided",
    subject: "Your recovery codes no longer work",
    body: `Hello ${input.name},\n\nSomeone entered a wrong recovery code for your account ${input.wrongTries} times in a row, so your recovery codes no longer work. Sign in with your passkey to make new ones, or call the service desk if you need help.${signature}`,
  };
}
