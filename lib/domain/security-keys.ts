/**
 * Hardware security keys for shared and frontline devices (issue 15, part D; docs/decisions/039).
 * Pure rules: which moves a key may make, when issuing one may enrol a passkey for a person, and
 * which keys are due back. The server runs them under the case unit of work's locks.
 */
import type { Refusal } from "./recovery-decisions";

export const SECURITY_KEY_STATUSES = ["IN_STOCK", "ISSUED", "RETURNED", "LOST", "RETIRED"] as const;
export type SecurityKeyStatus = (typeof SECURITY_KEY_STATUSES)[number];

export const SECURITY_KEY_STATUS_LABELS: Record<SecurityKeyStatus, string> = {
  IN_STOCK: "In stock",
  ISSUED: "Issued",
  RETURNED: "Returned",
  LOST: "Lost",
  RETIRED: "Retired",
};

/** The list's filters: a status, or "due" (issued to someone who has left or is suspended). */
export const SECURITY_KEY_FILTERS = ["all", "due", ...SECURITY_KEY_STATUSES] as const;
export type SecurityKeyFilter = (typeof SECURITY_KEY_FILTERS)[number];

export type KeyMove = "issue" | "return" | "lose" | "retire";

/** From which statuses each move may start. A returned key may be issued again (a new credential). */
const MOVES_FROM: Record<KeyMove, readonly SecurityKeyStatus[]> = {
  issue: ["IN_STOCK", "RETURNED"],
  return: ["ISSUED"],
  lose: ["IN_STOCK", "ISSUED", "RETURNED"],
  retire: ["IN_STOCK", "RETURNED"],
};

const MOVE_WORDS: Record<KeyMove, string> = {
  issue: "issued",
  return: "returned",
  lose: "reported lost",
  retire: "retired",
};

export function decideKeyMove(status: SecurityKeyStatus, move: KeyMove): { ok: true } | Refusal {
  if (MOVES_FROM[move].includes(status)) return { ok: true };
  return {
    ok: false,
    code: "SEQUENCE",
    message: `This key is ${SECURITY_KEY_STATUS_LABELS[status].toLowerCase()}: it cannot be ${MOVE_WORDS[move]}.`,
  };
}

/** An AAGUID in its canonical form (lower-case, hyphenated), or null if it is not one. */
export function normalizeAaguid(value: string): string | null {
  const hex = value.trim().toLowerCase().replaceAll("-", "");
  if (!/^[0-9a-f]{32}$/.test(hex)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A serial as printed on the key: letters, digits and dashes, upper-cased. */
export function normalizeSerial(value: string): string | null {
  const serial = value.trim().toUpperCase();
  return /^[A-Z0-9][A-Z0-9-]{2,39}$/.test(serial) ? serial : null;
}

/**
 * Whether a key may be issued from this case, before the recovery's own gates
 * (decideRegistration: open, not stopped, no hold, no leaver, no open fraud signal, verified,
 * approved where the policy needs a second person). Issuing enrols a passkey for the person, so
 * it is a recovery: the person stands at the desk (a walk-in case), and the agent has checked
 * their photo ID in person (an ID document step that passed).
 */
export function decideKeyIssue(input: {
  channel: string;
  steps: readonly { kind: string; outcome: string }[];
  keyStatus: SecurityKeyStatus;
}): { ok: true } | Refusal {
  const move = decideKeyMove(input.keyStatus, "issue");
  if (!move.ok) return move;
  if (input.channel !== "WALK_IN")
    return {
      ok: false,
      code: "FORBIDDEN",
      message:
        "A security key is issued only to someone at the desk: open a walk-in case and check their ID in person.",
    };
  if (!input.steps.some((step) => step.kind === "ID_DOCUMENT" && step.outcome === "PASSED"))
    return {
      ok: false,
      code: "VERIFICATION_INCOMPLETE",
      message: "Check the person's photo ID in person (the ID document step) before issuing a key.",
    };
  return { ok: true };
}

/** The new credential must come from the key on record: same AAGUID (the model). */
export function decideKeyCredential(input: {
  keyAaguid: string;
  credentialAaguid: string;
}): { ok: true } | Refusal {
  if (normalizeAaguid(input.keyAaguid) === normalizeAaguid(input.credentialAaguid))
    return { ok: true };
  return {
    ok: false,
    code: "INVALID_INPUT",
    message:
      "The key that answered is not the model on record for this serial: plug in the key you are issuing.",
  };
}

/** A key issued to someone who has left or is suspended is due back (their passkeys are already revoked). */
export function dueForReturn(key: { status: SecurityKeyStatus }, holderIsLeaver: boolean): boolean {
  return key.status === "ISSUED" && holderIsLeaver;
}
