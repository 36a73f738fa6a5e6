import "server-only";
/**
 * Joiner, mover, leaver from SCIM (docs/decisions/033). Every write runs in the user's unit of
 * work (runUserWork: the user's row lock, the same order every path keeps), so a pass an agent
 * issues at the same moment is either issued first and voided by the leaver stop, or refused
 * because the person is a leaver by then.
 *
 * - Joiner: a new WorkforceUser (random WebAuthn handle, no passkey).
 * - Mover: department, manager, phone of record, emails or tier changed: a WorkforceRecordChange
 *   row per phone, manager and email change (source "scim", a fraud-signal input), and every
 *   pending approval of the person's open cases lapses as stale (the agent must ask again).
 * - Leaver: active=false, DELETE, or an employment end date that has passed: status LEFT and the
 *   revoke-all stop in the same transaction, open cases closed.
 * - Returner: active=true again: ACTIVE, with every old passkey revoked (a new enrolment).
 */
import { randomBytes } from "node:crypto";
import { Prisma } from "@/generated/prisma/client";
import { isOpenCase, nextStatus } from "@/lib/domain/case-state";
import { DomainError } from "@/lib/domain/errors";
import { ScimError } from "@/lib/domain/scim/schemas";
import {
  scimActive,
  storedAsInput,
  type ScimUserInput,
  type StoredUser,
} from "@/lib/domain/scim/user";
import { isLeaver, type EmploymentStatus } from "@/lib/domain/workforce";
import { db } from "@/lib/db";
import { auditedTransaction, recordAudit, type Tx } from "../audit";
import { runUserWork } from "../cases/unit-of-work";
import type { RequestContext } from "../request-context";
import { revokeAllWithinUnit } from "../revoke-passkeys";
import { stopRecovery, type Voided } from "../cases/void-recovery";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { tierRaiseNeedsSecondPerson } from "@/lib/domain/recovery-decisions";
import type { ScimClient } from "./tokens";
import { isUuid } from "@/lib/domain/uuid";

export const STORED_USER_SELECT = {
  id: true,
  employeeId: true,
  name: true,
  title: true,
  department: true,
  managerId: true,
  phoneOfRecord: true,
  riskTier: true,
  status: true,
  leavingOn: true,
  scimUserName: true,
  scimExternalId: true,
  createdAt: true,
  updatedAt: true,
  emails: {
    select: { address: true, kind: true, isPrimary: true },
    orderBy: [{ isPrimary: "desc" }, { address: "asc" }],
  },
} satisfies Prisma.WorkforceUserSelect;

export async function findScimUser(id: string): Promise<StoredUser | null> {
  if (!isUuid(id)) return null;
  return db.workforceUser.findUnique({ where: { id }, select: STORED_USER_SELECT });
}

export async function listScimUsers(input: {
  where: Prisma.WorkforceUserWhereInput;
  startIndex: number;
  count: number;
}): Promise<{ total: number; users: StoredUser[] }> {
  const [total, users] = await db.$transaction([
    db.workforceUser.count({ where: input.where }),
    db.workforceUser.findMany({
      where: input.where,
      select: STORED_USER_SELECT,
      orderBy: { id: "asc" },
      skip: input.startIndex - 1,
      take: input.count,
    }),
  ]);
  return { total, users };
}

/** A refusal of a request whose token we hold: audited in a transaction that writes nothing else. */
export async function auditScimRefusal(
  client: ScimClient,
  error: ScimError,
  request?: RequestContext,
) {
  await auditedTransaction(db, async (tx) => {
    await recordAudit(tx, {
      action: "scim.request_refused",
      outcome: "REFUSED",
      reason: error.scimType ?? `HTTP_${error.status}`,
      actor: client.actor,
      target: { type: "scim_token", id: client.id },
      data: {
        status: error.status,
        ...(error.scimType ? { scimType: error.scimType } : {}),
        detail: error.message,
      },
      request,
    });
  });
}

function uniqueTarget(error: unknown): string | null {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    // The whole meta: a clash on an expression index (userName ignoring case) names the index,
    // not a field.
    const target = JSON.stringify(error.meta ?? "");
    if (target.includes("scimUserName")) return "userName";
    if (target.includes("employeeId")) return "employeeNumber";
    if (target.includes("address")) return "emails";
    return "a unique attribute";
  }
  return null;
}

/** Runs a SCIM write; a unique-constraint clash becomes SCIM's 409 uniqueness (nothing written). */
async function uniquely<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const which = uniqueTarget(error);
    if (which) throw new ScimError(409, "uniqueness", `Another user already has this ${which}.`);
    throw error;
  }
}

async function checkManager(tx: Tx, managerId: string | null, self: string | null) {
  if (managerId === null) return;
  if (managerId === self)
    throw new ScimError(400, "invalidValue", "A person cannot manage themselves.");
  const found = await tx.workforceUser.findUnique({
    where: { id: managerId },
    select: { id: true },
  });
  if (!found) throw new ScimError(400, "invalidValue", "manager: no user has that SCIM id.");
}

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** The employment status SCIM's active flag and end date give, from the status before. */
export function statusFrom(
  before: EmploymentStatus | null,
  input: Pick<ScimUserInput, "active" | "employmentEndDate">,
  now: Date,
): EmploymentStatus {
  // Only a change of `active` is a decision: a value left out, removed, or sent back as the
  // console showed it (a suspended person reads as active=false, and an identity provider echoes
  // that in its next PATCH) leaves the person as they are.
  const active =
    input.active === null || (before !== null && input.active === scimActive(before))
      ? null
      : input.active;
  if (active === false) return "LEFT";
  const ended =
    input.employmentEndDate !== null &&
    input.employmentEndDate.getTime() < startOfUtcDay(now).getTime();
  if (ended) return "LEFT";
  // A leaver comes back only when the identity provider says active=true; a console suspension
  // is the console's, and SCIM does not lift it.
  if (before === "SUSPENDED" || (before === "LEFT" && active !== true)) return before;
  return input.employmentEndDate ? "LEAVING" : "ACTIVE";
}

/** Joiner: a new person, with no passkey (their first one comes from an enrolment). */
export async function createScimUser(
  client: ScimClient,
  input: ScimUserInput,
  request?: RequestContext,
): Promise<StoredUser> {
  const now = new Date();
  return uniquely(() =>
    auditedTransaction(db, async (tx) => {
      await checkManager(tx, input.managerId, null);
      const status = statusFrom(null, input, now);
      const user = await tx.workforceUser.create({
        data: {
          employeeId: input.employeeNumber ?? `S${randomBytes(5).toString("hex").toUpperCase()}`,
          name: input.name,
          title: input.title,
          department: input.department ?? "",
          managerId: input.managerId,
          phoneOfRecord: input.phone ?? "",
          riskTier: input.riskTier ?? "STANDARD",
          status,
          leavingOn: input.employmentEndDate,
          scimUserName: input.userName,
          scimExternalId: input.externalId,
          webauthnUserId: randomBytes(32),
          emails: {
            create: input.emails.map((e) => ({
              address: e.address,
              kind: e.kind,
              isPrimary: e.isPrimary,
              verified: true,
            })),
          },
        },
        select: STORED_USER_SELECT,
      });
      await recordAudit(tx, {
        action: "scim.user_created",
        outcome: "ALLOWED",
        actor: client.actor,
        subjectUserId: user.id,
        target: { type: "user", id: user.id },
        data: { employeeId: user.employeeId, active: scimActive(status) },
        request,
      });
      return user;
    }),
  );
}

function sameEmails(a: StoredUser["emails"], b: ScimUserInput["emails"]): boolean {
  const key = (e: { address: string; kind: string; isPrimary: boolean }) =>
    `${e.address}|${e.kind}|${e.isPrimary}`;
  return JSON.stringify(a.map(key).sort()) === JSON.stringify(b.map(key).sort());
}

/**
 * Replace (PUT, and PATCH after its ops are applied): the person becomes `input` under their
 * lock, `check` first sees the row as it is under the lock (ETags), and the mover and leaver
 * effects follow. `input` null: DELETE (a leaver; the row and its cases stay).
 */
export async function writeScimUser(
  client: ScimClient,
  id: string,
  next: (current: StoredUser) => ScimUserInput | null,
  request?: RequestContext,
  now = new Date(),
): Promise<StoredUser> {
  // An unknown id is the route's one audited refusal (scim.request_refused), not also the unit
  // of work's: people are never deleted from the table, so it cannot appear meanwhile.
  if (!isUuid(id) || (await db.workforceUser.count({ where: { id } })) === 0)
    throw new ScimError(404, null, "No user has that id.");
  try {
    return await uniquely(() =>
      runUserWork(
        {
          userId: id,
          actor: { kind: "public", audit: client.actor },
          attempted: "SCIM write",
          request,
          now,
          unknownUser: { ok: false, code: "NOT_FOUND", message: "No user has that id." },
        },
        async ({ tx, now, actor, lockCase }) => {
          const before = await tx.workforceUser.findUniqueOrThrow({
            where: { id },
            select: STORED_USER_SELECT,
          });
          const replaced = next(before);
          const input: ScimUserInput = replaced ?? { ...storedAsInput(before), active: false };
          await checkManager(tx, input.managerId, id);
          // A returner's old leaving date (echoed back by a PATCH of active) is not a new one.
          if (
            before.status === "LEFT" &&
            input.active === true &&
            input.employmentEndDate?.getTime() === before.leavingOn?.getTime()
          )
            input.employmentEndDate = null;
          // DELETE (no replacement) is a leaver whatever the person's state.
          const status = replaced ? statusFrom(before.status, input, now) : "LEFT";
          const leavingOn =
            status === "LEFT" && !input.employmentEndDate
              ? (before.leavingOn ?? startOfUtcDay(now))
              : input.employmentEndDate;
          // An identity provider that does not map phone numbers sends none: HR's phone of record
          // stays (clearing it would leave the callback no number, and count as a record change).
          const phone = input.phone ?? before.phoneOfRecord;
          const department = input.department ?? before.department;
          const riskTier = input.riskTier ?? before.riskTier;
          const changed = {
            phone: phone !== before.phoneOfRecord,
            manager: input.managerId !== before.managerId,
            email: !sameEmails(before.emails, input.emails),
            department: department !== before.department,
            tier: riskTier !== before.riskTier,
          };
          await tx.workforceUser.update({
            where: { id },
            data: {
              name: input.name,
              title: input.title,
              department,
              managerId: input.managerId,
              phoneOfRecord: phone,
              riskTier,
              status,
              leavingOn,
              scimUserName: input.userName,
              scimExternalId: input.externalId,
              ...(input.employeeNumber ? { employeeId: input.employeeNumber } : {}),
            },
          });
          if (changed.email) {
            // Another person's address is a uniqueness clash, never a move of it.
            const taken = await tx.workforceEmail.count({
              where: { address: { in: input.emails.map((e) => e.address) }, userId: { not: id } },
            });
            if (taken > 0)
              throw new ScimError(409, "uniqueness", "Another user already has this email.");
            await tx.workforceEmail.deleteMany({
              where: { userId: id, address: { notIn: input.emails.map((e) => e.address) } },
            });
            for (const e of input.emails)
              await tx.workforceEmail.upsert({
                where: { address: e.address },
                create: {
                  userId: id,
                  address: e.address,
                  kind: e.kind,
                  isPrimary: e.isPrimary,
                  verified: true,
                },
                update: { kind: e.kind, isPrimary: e.isPrimary },
              });
          }
          const recordChanges = [
            ...(changed.phone ? ["PHONE"] : []),
            ...(changed.manager ? ["MANAGER"] : []),
            ...(changed.email ? ["EMAIL"] : []),
          ];
          if (recordChanges.length > 0)
            await tx.workforceRecordChange.createMany({
              data: recordChanges.map((field) => ({
                userId: id,
                field,
                source: "scim",
                changedAt: now,
              })),
            });

          const nowLeaver = isLeaver({ status, leavingOn }, now);
          let lapsedApprovals = 0;
          let voided: Voided | null = null;
          if (status === "LEFT" && before.status !== "LEFT") {
            await leaverStop(tx, {
              id,
              before: before.status,
              status,
              actor,
              client,
              now,
              request,
            });
          } else if (status !== "LEFT" && before.status === "LEFT") {
            // A returner is a new enrolment: nothing of before comes back.
            await revokeAllWithinUnit(tx, {
              userId: id,
              now,
              actor,
              actorId: client.id,
              reason: "LEAVER",
              request,
            });
            await recordAudit(tx, {
              action: "workforce.status_changed",
              outcome: "ALLOWED",
              actor,
              subjectUserId: id,
              target: { type: "user", id },
              data: {
                from: before.status,
                to: status,
                endedSessions: 0,
                voided: {
                  passes: 0,
                  passSessions: 0,
                  codeSessions: 0,
                  enrolmentLinks: 0,
                  stepLinks: 0,
                  approvals: 0,
                  challenges: 0,
                },
                closedCases: 0,
              },
              request,
            });
          } else if (
            !nowLeaver &&
            (changed.department || changed.manager || changed.phone || changed.tier)
          ) {
            lapsedApprovals = await lapsePendingApprovals(tx, { id, actor, request, lockCase });
            // A raise to a tier that needs a second person: a pass or link issued without one
            // no longer stands (the case goes on, judged under the new tier).
            if (tierRaiseNeedsSecondPerson(ACTIVE_POLICY, before.riskTier, riskTier))
              voided = await stopRecovery(
                tx,
                { userId: id },
                {
                  reason: "risk tier raised",
                  now,
                  userId: id,
                },
              );
          }
          const fields = [
            ...(input.name !== before.name ? ["name"] : []),
            ...(input.title !== before.title ? ["title"] : []),
            ...(changed.department ? ["department"] : []),
            ...(changed.manager ? ["manager"] : []),
            ...(changed.phone ? ["phone"] : []),
            ...(changed.email ? ["emails"] : []),
            ...(changed.tier ? ["riskTier"] : []),
            ...(status !== before.status ? ["status"] : []),
            ...(input.userName !== before.scimUserName ? ["userName"] : []),
            ...(input.employeeNumber && input.employeeNumber !== before.employeeId
              ? ["employeeNumber"]
              : []),
          ];
          if (fields.length > 0)
            await recordAudit(tx, {
              action: "scim.user_changed",
              outcome: "ALLOWED",
              actor,
              subjectUserId: id,
              target: { type: "user", id },
              data: { fields, lapsedApprovals, ...(voided ? { voided } : {}) },
              request,
            });
          const after = await tx.workforceUser.findUniqueOrThrow({
            where: { id },
            select: STORED_USER_SELECT,
          });
          return { ok: true, value: after };
        },
      ),
    );
  } catch (error) {
    if (error instanceof DomainError && error.code === "NOT_FOUND")
      throw new ScimError(404, null, "No user has that id.");
    throw error;
  }
}

/** The leaver stop: status already written; the revoke-all stop, then open cases closed. */
async function leaverStop(
  tx: Tx,
  input: {
    id: string;
    before: EmploymentStatus;
    status: EmploymentStatus;
    actor: ScimClient["actor"];
    client: ScimClient;
    now: Date;
    request?: RequestContext;
  },
) {
  const { id, now } = input;
  const stopped = await revokeAllWithinUnit(tx, {
    userId: id,
    now,
    actor: input.actor,
    actorId: input.client.id,
    reason: "LEAVER",
    request: input.request,
  });
  const reason = "the person left";
  const cases = await tx.recoveryCase.findMany({
    where: { userId: id },
    select: { id: true, status: true },
  });
  const toClose = cases.filter((k) => isOpenCase(k.status)).map((k) => k.id);
  const closed = await tx.recoveryCase.updateMany({
    where: { id: { in: toClose } },
    data: { status: "CLOSED", closedAt: now, closeReason: reason },
  });
  await recordAudit(tx, {
    action: "workforce.status_changed",
    outcome: "ALLOWED",
    actor: input.actor,
    subjectUserId: id,
    target: { type: "user", id },
    data: {
      from: input.before,
      to: input.status,
      endedSessions: stopped.endedSessions,
      voided: stopped.voided,
      closedCases: closed.count,
    },
    request: input.request,
  });
}

/** A mover's pending approvals lapse as stale: the approver would decide on facts that changed. */
async function lapsePendingApprovals(
  tx: Tx,
  input: {
    id: string;
    actor: ScimClient["actor"];
    request?: RequestContext;
    lockCase: Parameters<Parameters<typeof runUserWork>[1]>[0]["lockCase"];
  },
): Promise<number> {
  const pending = await tx.approval.findMany({
    where: { status: "PENDING", case: { userId: input.id } },
    select: { id: true, caseId: true, snapshotHash: true },
  });
  let lapsed = 0;
  for (const approval of pending) {
    const loaded = await input.lockCase(approval.caseId, [{ table: "Approval", id: approval.id }]);
    if (!loaded) continue;
    const marked = await tx.approval.updateMany({
      where: { id: approval.id, status: "PENDING" },
      data: { status: "VOIDED", reason: "stale: the person's record changed (SCIM)" },
    });
    if (marked.count !== 1) continue;
    lapsed += 1;
    const back = nextStatus(loaded.kase.status, "EXPIRE_APPROVAL");
    if (back.ok)
      await tx.recoveryCase.update({
        where: { id: loaded.kase.id },
        data: { status: back.status },
      });
    await recordAudit(tx, {
      action: "approval.lapsed",
      outcome: "REFUSED",
      reason: "CONFLICT",
      actor: input.actor,
      caseId: loaded.kase.id,
      subjectUserId: input.id,
      target: { type: "approval", id: approval.id },
      data: { why: "stale", snapshotHash: approval.snapshotHash },
      request: input.request,
    });
  }
  return lapsed;
}

/**
 * The sweep for employment end dates (run by the server's worker, lib/server/outbox-worker.ts):
 * each person the identity provider manages (a SCIM userName), still ACTIVE or LEAVING, whose
 * end date has passed becomes a leaver through the same path. Claimed once: the stop runs only
 * when the status read under the user's lock is not LEFT yet, so two instances never stop a
 * person twice. The actor is the console's sweep (the SCIM client that set the date is not
 * known here). Returns how many people it made leavers, and those that failed.
 */
export async function sweepEndedEmployment(
  now = new Date(),
): Promise<{ swept: number; failed: { userId: string; error: unknown }[] }> {
  const due = await db.workforceUser.findMany({
    where: {
      scimUserName: { not: null },
      status: { in: ["ACTIVE", "LEAVING"] },
      leavingOn: { lt: startOfUtcDay(now) },
    },
    select: { id: true },
    take: 500,
  });
  const sweep: ScimClient = {
    id: "00000000-0000-0000-0000-000000000000",
    name: "employment end date sweep",
    prefix: "sweep",
    actor: { type: "SYSTEM", name: "employment end date sweep" },
  };
  let swept = 0;
  const failed: { userId: string; error: unknown }[] = [];
  for (const { id } of due) {
    try {
      await writeScimUser(
        sweep,
        id,
        (current) => ({ ...storedAsInput(current), active: false }),
        undefined,
        now,
      );
      swept += 1;
    } catch (error) {
      failed.push({ userId: id, error });
    }
  }
  return { swept, failed };
}
