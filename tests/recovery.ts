/**
 * Helpers for recovery tests: staff as actors, and cases walked through the real use cases.
 */
import type { StaffRole } from "@/lib/domain/roles";
import { answerManagerConfirmation } from "@/lib/server/answer-manager-confirmation";
import { openCase } from "@/lib/server/open-case";
import { recordStep } from "@/lib/server/record-step";
import type { CurrentStaff } from "@/lib/server/resume-staff-session";
import { unseal } from "@/lib/server/sealed";
import { sendStepLink } from "@/lib/server/send-step-link";
import { db } from "./db";
import { createStaff, createWorkforceUser } from "./factories";

export async function actor(role: StaffRole = "AGENT"): Promise<CurrentStaff> {
  const staff = await createStaff(db, { role });
  return { id: staff.id, name: staff.name, email: staff.email, role, team: staff.team, sessionExpires: new Date(Date.now() + 60_000) };
}

/** A user with a manager of record (both with verified addresses), optionally a personal address. */
export async function userWithManager(overrides: Parameters<typeof createWorkforceUser>[1] = {}) {
  const manager = await createWorkforceUser(db, { name: `Manager ${Math.random().toString(36).slice(2, 7)}`, passkeys: 0 });
  const user = await createWorkforceUser(db, { managerId: manager.id, ...overrides });
  return { user, manager };
}

/** The last queued message to an address, opened (tests only: the app never reads bodies back). */
export async function lastMessageTo(address: string) {
  const message = await db.outboxMessage.findFirstOrThrow({ where: { toAddress: address }, orderBy: { createdAt: "desc" } });
  return { ...message, text: unseal(message.body) };
}

export async function confirmAsManager(caseId: string, agent: CurrentStaff, managerAddress: string) {
  await sendStepLink({ actor: agent, caseId, kind: "MANAGER_CONFIRMATION" });
  const { text } = await lastMessageTo(managerAddress);
  const token = text.match(/\/confirm\/([A-Za-z0-9_-]{43})/)![1]!;
  return answerManagerConfirmation({ token, answer: "confirm" });
}

/** A standard-tier case verified by callback, employee record and the manager's confirmation. */
export async function verifiedStandardCase(options: { personalEmail?: boolean } = {}) {
  const agent = await actor("AGENT");
  const { user, manager } = await userWithManager();
  if (options.personalEmail) {
    await db.workforceEmail.create({ data: { userId: user.id, address: `personal-${user.id.slice(0, 8)}@personal.example`, kind: "personal", verified: true } });
  }
  const { caseId } = await openCase({ actor: agent, userId: user.id, reason: "LOST_DEVICE", channel: "PHONE", callerClaim: "Lost my phone on the train" });
  await recordStep({ actor: agent, caseId, kind: "CALLBACK", outcome: "PASSED", note: "Answered on the number of record" });
  await recordStep({ actor: agent, caseId, kind: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" });
  await confirmAsManager(caseId, agent, manager.emails[0]!.address);
  return { agent, user, manager, caseId };
}
