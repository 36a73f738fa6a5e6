/**
 * A refusal by a business rule. `code` is for programs and the audit trail; `userMessage`
 * is safe to show the person who asked (documenso's AppError idea). Anything that is not a
 * DomainError is a bug: it is thrown, logged, and shown generically.
 */
export const DOMAIN_ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "INVALID_INPUT",
  "CONFLICT",
  "SIGN_IN_REFUSED",
  /** The case is not in a state where this can happen (docs/security-requirements.md A1). */
  "SEQUENCE",
  /** The server judged the checklist incomplete; the message names what is missing. */
  "VERIFICATION_INCOMPLETE",
  /** A red flag stopped the case, or needs a supervisor first. */
  "RED_FLAG",
  /** A leaver cannot be recovered; only revocation is offered. */
  "LEAVER",
  /** Too many recovery calls for this user in the policy's window. */
  "THROTTLED",
  /** A failed step (a manager's denial, a failed callback or ID check) stopped the case. */
  "STOPPED",
  /** The policy needs a second person's approval before this can lead to a new passkey. */
  "APPROVAL_REQUIRED",
  /** An earlier denial put the user's recovery on hold until a supervisor clears it. */
  "ON_HOLD",
  /** Too many tries from this client or for this account: wait, then try again. */
  "RATE_LIMITED",
  /** A high-risk act needs the staff member to confirm it's them (a fresh step-up) first. */
  "STEP_UP_REQUIRED",
  /** The case's tier needs a current practice certification the staff member lacks (decision 032). */
  "NOT_CERTIFIED",
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly userMessage: string;

  constructor(code: DomainErrorCode, userMessage: string, logMessage?: string) {
    super(logMessage ?? `${code}: ${userMessage}`);
    this.name = "DomainError";
    this.code = code;
    this.userMessage = userMessage;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
