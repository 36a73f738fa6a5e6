/**
 * Builders for staff, workforce users and passkeys, shared by the tests and prisma/seed.ts
 * (epic-stack's tests/db-utils.ts idea). The demo organisation is deterministic: the same
 * seed and reference date always build the same people, so the README can name them.
 */
import { randomBytes, randomInt } from "node:crypto";
import type { Prisma } from "@/generated/prisma/client";
import { AUTHENTICATOR_MODELS } from "@/lib/domain/authenticator-models";
import { addMonths } from "@/lib/domain/practice/certification";
import { debrief } from "@/lib/domain/practice/debrief";
import { BUILT_IN_SCENARIOS } from "@/lib/domain/practice/library";
import { scenarioHash } from "@/lib/domain/practice/scenario";
import { applyMove, initialState, type PracticeMove } from "@/lib/domain/practice/simulate";
import { naivePlay, perfectPlay } from "./practice-play";
import { ACTIVE_POLICY, deskRules } from "@/lib/domain/recovery-policy";
import type { StaffRole } from "@/lib/domain/roles";
import type { EmploymentStatus, RiskTier } from "@/lib/domain/workforce";
import type { Db } from "@/lib/create-db";

// ---------------------------------------------------------------------------
// A small seeded PRNG (mulberry32): demo data only, never for secrets.
// ---------------------------------------------------------------------------

export type Random = {
  next: () => number;
  int: (min: number, max: number) => number;
  pick: <T>(items: readonly T[]) => T;
  chance: (p: number) => boolean;
  bytes: (n: number) => Uint8Array<ArrayBuffer>;
  uuid: () => string;
};

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(0, 255));
  const uuid = () => {
    const b = bytes(16);
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const hex = Buffer.from(b).toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  return {
    next,
    int,
    pick: (items) => items[int(0, items.length - 1)]!,
    chance: (p) => next() < p,
    bytes,
    uuid,
  };
}

// ---------------------------------------------------------------------------
// The demo organisation.
// ---------------------------------------------------------------------------

export const DEMO_DOMAIN = "northwind.example";

/** The console's staff in the demo, as the README lists them. */
export const DEMO_STAFF: readonly { name: string; role: StaffRole; team: string | null }[] = [
  { name: "Priya Shah", role: "AGENT", team: "Service Desk North" },
  { name: "Tom Becker", role: "AGENT", team: "Service Desk North" },
  { name: "Lucia Romero", role: "AGENT", team: "Service Desk South" },
  { name: "Grace Okafor", role: "SUPERVISOR", team: "Service Desk North" },
  { name: "Daniel Kim", role: "SUPERVISOR", team: "Service Desk South" },
  { name: "Mei Lin", role: "SECURITY", team: null },
  /** Not certified yet (docs/decisions/032): he works standard cases only until he practises. */
  { name: "Noah Adams", role: "AGENT", team: "Service Desk North" },
];

/**
 * Staff who joined the demo after its people were first drawn: their ids are drawn after the
 * workforce's, so the workforce stays as it was (the README and the browser tests name people).
 */
const JOINED_LATER = new Set(["Noah Adams"]);

/** Demo staff with no practice certification. */
export const DEMO_UNCERTIFIED = new Set(["Noah Adams"]);
/** The demo staff member whose certification expires within the reminder window. */
export const DEMO_EXPIRING = "Tom Becker";

const FIRST_NAMES = [
  "Aisha",
  "Ben",
  "Carla",
  "Dmitri",
  "Elena",
  "Farid",
  "Greta",
  "Hiro",
  "Ines",
  "Jonas",
  "Keisha",
  "Liam",
  "Maya",
  "Nikhil",
  "Olga",
  "Pedro",
  "Quinn",
  "Rosa",
  "Samir",
  "Tanya",
  "Umar",
  "Vera",
  "Wei",
  "Ximena",
  "Yusuf",
  "Zoe",
  "Amara",
  "Bruno",
  "Chloe",
  "Diego",
  "Emeka",
  "Fatima",
  "Gabriel",
  "Hannah",
  "Ivan",
  "Julia",
];
const LAST_NAMES = [
  "Adeyemi",
  "Bianchi",
  "Chen",
  "Dubois",
  "Eriksen",
  "Fischer",
  "Garcia",
  "Haddad",
  "Ivanova",
  "Jensen",
  "Kowalski",
  "Larsen",
  "Moreau",
  "Nakamura",
  "Okonkwo",
  "Petrov",
  "Quispe",
  "Rossi",
  "Silva",
  "Tanaka",
  "Usman",
  "Varga",
  "Walsh",
  "Xu",
  "Yilmaz",
  "Zimmermann",
  "Abbott",
  "Brennan",
  "Castillo",
  "Delgado",
];

type Department = { name: string; titles: readonly string[]; tier: (r: Random) => RiskTier };
const DEPARTMENTS: readonly Department[] = [
  {
    name: "Finance",
    titles: ["Accountant", "Payments Approver", "Financial Analyst", "Treasury Manager"],
    tier: (r) => (r.chance(0.45) ? "HIGH_RISK" : "STANDARD"),
  },
  {
    name: "IT Operations",
    titles: ["Systems Administrator", "Identity Engineer", "Network Engineer", "Service Owner"],
    tier: (r) => (r.chance(0.6) ? "PRIVILEGED" : "STANDARD"),
  },
  {
    name: "Engineering",
    titles: ["Software Engineer", "Engineering Manager", "QA Engineer", "Data Engineer"],
    tier: (r) => (r.chance(0.2) ? "CONTRACTOR" : "STANDARD"),
  },
  {
    name: "Sales",
    titles: ["Account Executive", "Sales Manager", "Solutions Consultant"],
    tier: () => "STANDARD",
  },
  {
    name: "Marketing",
    titles: ["Content Lead", "Campaign Manager", "Designer"],
    tier: (r) => (r.chance(0.25) ? "CONTRACTOR" : "STANDARD"),
  },
  {
    name: "People",
    titles: ["HR Partner", "Recruiter", "Payroll Specialist"],
    tier: () => "STANDARD",
  },
  {
    name: "Legal",
    titles: ["Counsel", "Paralegal", "Compliance Officer"],
    tier: (r) => (r.chance(0.3) ? "HIGH_RISK" : "STANDARD"),
  },
  {
    name: "Customer Support",
    titles: ["Support Specialist", "Team Lead", "Escalations Engineer"],
    tier: (r) => (r.chance(0.6) ? "FRONTLINE" : "STANDARD"),
  },
  {
    name: "Warehouse",
    titles: ["Picker", "Shift Lead", "Forklift Operator", "Dispatch Clerk"],
    tier: (r) => (r.chance(0.85) ? "FRONTLINE" : "CONTRACTOR"),
  },
];

export type Organisation = {
  staff: Prisma.StaffCreateManyInput[];
  users: Prisma.WorkforceUserCreateManyInput[];
  emails: Prisma.WorkforceEmailCreateManyInput[];
  passkeys: Prisma.PasskeyCreateManyInput[];
  /** Recent changes to a few people's phone, manager or email of record (fraud signals, decision 031). */
  recordChanges?: Prisma.WorkforceRecordChangeCreateManyInput[];
  /** The demo's agents' and supervisors' certifications (basis "demo"). */
  certifications: Prisma.StaffCertificationCreateManyInput[];
  /** Practice calls the demo's desk played before it was certified, so readiness and reports show some. */
  practiceRuns?: Prisma.PracticeRunCreateManyInput[];
  practiceMoves?: Prisma.PracticeMoveCreateManyInput[];
  /** Security keys and break-glass accounts (issue 15, part D; docs/decisions/039). */
  securityKeys?: Prisma.SecurityKeyCreateManyInput[];
  breakGlass?: Prisma.BreakGlassAccountCreateManyInput[];
};

const DAY = 24 * 60 * 60 * 1000;

function email(name: string, suffix = ""): string {
  const local = name
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .toLowerCase()
    .trim()
    .replace(/\s+/g, ".");
  return `${local}${suffix}@${DEMO_DOMAIN}`;
}

/** Builds (without writing) a believable organisation of `size` workforce users. */
export function buildOrganisation(options: {
  now: Date;
  size?: number;
  seed?: number;
}): Organisation {
  const r = seededRandom(options.seed ?? 20261122);
  const size = options.size ?? 240;
  const now = options.now.getTime();
  const org: Organisation = { staff: [], users: [], emails: [], passkeys: [], certifications: [] };
  const addStaff = (member: (typeof DEMO_STAFF)[number]) =>
    org.staff.push({
      id: r.uuid(),
      name: member.name,
      email: email(member.name),
      role: member.role,
      team: member.team,
    });

  for (const member of DEMO_STAFF) if (!JOINED_LATER.has(member.name)) addStaff(member);

  const usedNames = new Set<string>();
  const uniqueName = () => {
    for (;;) {
      const name = `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`;
      if (!usedNames.has(name)) return (usedNames.add(name), name);
    }
  };
  let employeeNumber = 10001;
  const addUser = (fields: {
    name: string;
    department: string;
    title: string;
    managerId: string | null;
    riskTier: RiskTier;
    status?: EmploymentStatus;
    leavingOn?: Date | null;
  }) => {
    const id = r.uuid();
    org.users.push({
      id,
      employeeId: `E${employeeNumber++}`,
      name: fields.name,
      department: fields.department,
      title: fields.title,
      managerId: fields.managerId,
      phoneOfRecord: `+44 20 7946 0${String(r.int(0, 999)).padStart(3, "0")}`,
      riskTier: fields.riskTier,
      status: fields.status ?? "ACTIVE",
      leavingOn: fields.leavingOn ?? null,
      webauthnUserId: r.bytes(32),
    });
    org.emails.push({
      id: r.uuid(),
      userId: id,
      address: email(fields.name),
      kind: "work",
      verified: true,
      isPrimary: true,
    });
    if (r.chance(0.35)) {
      const local = fields.name.toLowerCase().replace(/[^a-z]+/g, "");
      org.emails.push({
        id: r.uuid(),
        userId: id,
        address: `${local}${r.int(1, 99)}@personal.example`,
        kind: "personal",
        verified: true,
        isPrimary: false,
      });
    }
    const passkeyCount = r.pick([0, 1, 1, 1, 2, 2, 3]);
    for (let i = 0; i < passkeyCount; i++) {
      const model = r.pick(AUTHENTICATOR_MODELS);
      const createdAt = new Date(now - r.int(20, 700) * DAY);
      const lastUsedAt = r.chance(0.9)
        ? new Date(Math.max(createdAt.getTime(), now - r.int(0, 30) * DAY - r.int(0, 86_000_000)))
        : null;
      org.passkeys.push({
        id: r.uuid(),
        userId: id,
        credentialId: Buffer.from(r.bytes(32)).toString("base64url"),
        publicKey: r.bytes(77),
        counter: model.synced ? 0 : r.int(1, 900),
        transports: model.synced
          ? ["internal", "hybrid"]
          : model.name.startsWith("YubiKey")
            ? ["usb", "nfc"]
            : ["internal"],
        aaguid: model.aaguid,
        modelName: model.name,
        backedUp: model.synced,
        createdAt,
        lastUsedAt,
      });
    }
    return id;
  };

  const ceo = addUser({
    name: uniqueName(),
    department: "Executive Office",
    title: "Chief Executive Officer",
    managerId: null,
    riskTier: "HIGH_RISK",
  });
  addUser({
    name: uniqueName(),
    department: "Executive Office",
    title: "Chief Financial Officer",
    managerId: ceo,
    riskTier: "HIGH_RISK",
  });
  addUser({
    name: uniqueName(),
    department: "Executive Office",
    title: "Chief Information Officer",
    managerId: ceo,
    riskTier: "PRIVILEGED",
  });
  const heads = DEPARTMENTS.map((dept) => ({
    dept,
    id: addUser({
      name: uniqueName(),
      department: dept.name,
      title: `Head of ${dept.name}`,
      managerId: ceo,
      riskTier: dept.name === "Finance" ? "HIGH_RISK" : "STANDARD",
    }),
  }));
  while (org.users.length < size) {
    const { dept, id: headId } = r.pick(heads);
    const roll = r.next();
    const leaver =
      roll < 0.03
        ? { status: "LEFT" as const, leavingOn: new Date(now - r.int(3, 120) * DAY) }
        : roll < 0.05
          ? { status: "LEAVING" as const, leavingOn: new Date(now + r.int(2, 30) * DAY) }
          : {};
    addUser({
      name: uniqueName(),
      department: dept.name,
      title: r.pick(dept.titles),
      managerId: headId,
      riskTier: dept.tier(r),
      ...leaver,
    });
  }
  org.recordChanges = recentRecordChanges(org, now);
  demoSecurityKeys(org, now);
  for (const member of DEMO_STAFF) if (JOINED_LATER.has(member.name)) addStaff(member);
  // Certified by the demo (no practice runs): agents and supervisors, but for the one who has not
  // practised yet; one of them within the reminder window, so the console's reminder shows.
  const rules = deskRules().certification;
  for (const member of org.staff) {
    if (member.role === "SECURITY" || DEMO_UNCERTIFIED.has(member.name)) continue;
    const certifiedAt =
      member.name === DEMO_EXPIRING
        ? new Date(addMonths(new Date(now), -rules.validMonths).getTime() + 12 * DAY)
        : new Date(now - 40 * DAY);
    org.certifications.push({
      staffId: member.id!,
      certifiedAt,
      expiresAt: addMonths(certifiedAt, rules.validMonths),
      policyVersion: ACTIVE_POLICY.version,
      runIds: [],
      basis: "demo",
    });
  }
  demoPracticeRuns(org, now, r);
  return org;
}

/**
 * Practice calls for the demo's agents and supervisors (not the new starter), played through the
 * real simulator and debrief before they were certified: mostly careful plays, some with the red
 * flags left unraised, and now and then an agent taken in, so the readiness page and the reports
 * have something to show.
 */
function demoPracticeRuns(org: Organisation, now: number, r: Random) {
  org.practiceRuns = [];
  org.practiceMoves = [];
  const policy = ACTIVE_POLICY;
  const passScore = deskRules(policy).certification.passScore;
  const players = org.staff.filter(
    (member) => member.role !== "SECURITY" && !DEMO_UNCERTIFIED.has(member.name),
  );
  players.forEach((player, p) => {
    const count = r.int(4, 7);
    for (let i = 0; i < count; i++) {
      const scenario = BUILT_IN_SCENARIOS[(p * 5 + i) % BUILT_IN_SCENARIOS.length]!;
      const style = r.chance(0.15) ? "naive" : r.chance(0.35) ? "no-flags" : "careful";
      const moves: PracticeMove[] =
        style === "naive"
          ? naivePlay(scenario, policy)
          : perfectPlay(scenario, policy).filter(
              (move) => style === "careful" || move.type !== "raise_flag",
            );
      const runId = r.uuid();
      const startedAt = now - (90 - p * 6 - i) * DAY;
      let state = initialState(scenario);
      moves.forEach((move, seq) => {
        const next = applyMove({ scenario, policy, state, move });
        state = next.state;
        org.practiceMoves!.push({
          runId,
          seq: seq + 1,
          move,
          result: next.result,
          at: new Date(startedAt + (seq + 1) * 40_000),
        });
      });
      const result = debrief({ scenario, policy, state, passScore });
      org.practiceRuns!.push({
        id: runId,
        staffId: player.id!,
        team: player.team,
        scenarioKey: scenario.key,
        scenarioVersion: 1,
        scenario,
        scenarioHash: scenarioHash(scenario),
        impostor: scenario.truth.caller === "impostor",
        policyVersion: policy.version,
        moveCount: moves.length,
        startedAt: new Date(startedAt),
        finishedAt: new Date(startedAt + (moves.length + 1) * 40_000),
        score: result.score,
        safe: result.safe,
        passed: result.passed,
        caughtFlags: result.caughtFlags,
        missedFlags: result.missedFlags,
        debrief: result,
      });
    }
  });
}

/**
 * A few recent changes of record, so the "call soon after a record change" signal can be tried in
 * the demo: the phone of two people changed two and five days ago, the manager of one yesterday,
 * the email of one three days ago. Its own random sequence, so the rest of the organisation is
 * the same with or without them.
 */
function recentRecordChanges(org: Organisation, now: number) {
  const r = seededRandom(20261125);
  const active = org.users.filter((user) => !user.status || user.status === "ACTIVE");
  const pick = () => active[r.int(10, active.length - 1)]!.id!;
  return (
    [
      ["PHONE", 2],
      ["PHONE", 5],
      ["MANAGER", 1],
      ["EMAIL", 3],
    ] as const
  ).map(([field, daysAgo]) => ({
    id: r.uuid(),
    userId: pick(),
    field,
    source: "demo",
    changedAt: new Date(now - daysAgo * DAY - r.int(1, 8) * 60 * 60 * 1000),
  }));
}

/** Writes an organisation inside the caller's transaction. */
export async function insertOrganisation(
  tx: Prisma.TransactionClient,
  org: Organisation,
): Promise<void> {
  await tx.staff.createMany({ data: org.staff });
  // Managers come before their reports in `users`, so one batch satisfies the foreign key.
  await tx.workforceUser.createMany({ data: org.users });
  await tx.workforceEmail.createMany({ data: org.emails });
  await tx.passkey.createMany({ data: org.passkeys });
  if (org.recordChanges?.length)
    await tx.workforceRecordChange.createMany({ data: org.recordChanges });
  await tx.staffCertification.createMany({ data: org.certifications });
  if (org.practiceRuns?.length) await tx.practiceRun.createMany({ data: org.practiceRuns });
  if (org.practiceMoves?.length) await tx.practiceMove.createMany({ data: org.practiceMoves });
  if (org.securityKeys?.length) await tx.securityKey.createMany({ data: org.securityKeys });
  if (org.breakGlass?.length) await tx.breakGlassAccount.createMany({ data: org.breakGlass });
}

// ---------------------------------------------------------------------------
// One-off builders for tests: unique values, sensible defaults, overrides.
// ---------------------------------------------------------------------------

const unique = () => randomBytes(4).toString("hex");
let nextEmployeeNumber = randomInt(50000, 80000);

/**
 * A staff member. Agents and supervisors are certified by default (a current certification,
 * basis "test"), so tests of the desk can work any tier; `certified: false` opts out.
 */
export async function createStaff(
  client: Db,
  options: Partial<Prisma.StaffCreateInput> & { role?: StaffRole; certified?: boolean } = {},
) {
  const { certified, ...overrides } = options;
  const tag = unique();
  const staff = await client.staff.create({
    data: {
      name: `Test Staff ${tag}`,
      email: `staff-${tag}@${DEMO_DOMAIN}`,
      role: "AGENT",
      team: "Service Desk North",
      ...overrides,
    },
  });
  if (certified ?? staff.role !== "SECURITY") await certifyStaff(client, staff.id);
  return staff;
}

/** A current certification for tests (basis "test"): granted a day ago, for the policy's months. */
export async function certifyStaff(
  client: Db,
  staffId: string,
  options: { certifiedAt?: Date; expiresAt?: Date } = {},
) {
  const certifiedAt = options.certifiedAt ?? new Date(Date.now() - DAY);
  return client.staffCertification.create({
    data: {
      staffId,
      certifiedAt,
      expiresAt: options.expiresAt ?? addMonths(certifiedAt, deskRules().certification.validMonths),
      policyVersion: ACTIVE_POLICY.version,
      runIds: [],
      basis: "test",
    },
  });
}

export async function createWorkforceUser(
  client: Db,
  overrides: Partial<Prisma.WorkforceUserUncheckedCreateInput> & {
    passkeys?: number;
    email?: string;
  } = {},
) {
  const tag = unique();
  const { passkeys = 1, email: address, ...fields } = overrides;
  return client.workforceUser.create({
    data: {
      employeeId: `E${nextEmployeeNumber++}`,
      name: `Test User ${tag}`,
      department: "Engineering",
      title: "Software Engineer",
      phoneOfRecord: "+44 20 7946 0999",
      riskTier: "STANDARD",
      webauthnUserId: randomBytes(32),
      ...fields,
      emails: {
        create: {
          address: address ?? `user-${tag}@${DEMO_DOMAIN}`,
          kind: "work",
          verified: true,
          isPrimary: true,
        },
      },
      passkeys: {
        create: Array.from({ length: passkeys }, (_, i) => ({
          credentialId: randomBytes(32).toString("base64url"),
          publicKey: randomBytes(77),
          aaguid: AUTHENTICATOR_MODELS[i % AUTHENTICATOR_MODELS.length]!.aaguid,
          modelName: AUTHENTICATOR_MODELS[i % AUTHENTICATOR_MODELS.length]!.name,
          backedUp: AUTHENTICATOR_MODELS[i % AUTHENTICATOR_MODELS.length]!.synced,
          transports: ["internal"],
        })),
      },
    },
    include: { emails: true, passkeys: true },
  });
}

// ---------------------------------------------------------------------------
// Security keys and a break-glass account for the demo (issue 15, part D; docs/decisions/039).
// People are taken from the END of the directory's order (by name), away from the rows the
// browser specs pick, and with a random source of their own, so the rest of the demo is unchanged.
// ---------------------------------------------------------------------------

/** The demo's security keys are YubiKey 5 Series (lib/domain/authenticator-models.ts). */
export const DEMO_KEY_AAGUID = "cb69481e-8ff7-4039-93ec-0a2729a154a8";

function demoSecurityKeys(org: Organisation, now: number): void {
  const r = seededRandom(20261127);
  const byNameDesc = [...org.users].sort((a, b) => (a.name < b.name ? 1 : -1));
  const active = (u: Prisma.WorkforceUserCreateManyInput) => !u.status || u.status === "ACTIVE";
  const frontline = byNameDesc.filter((u) => u.riskTier === "FRONTLINE" && active(u)).slice(0, 3);
  const leaver = byNameDesc.find((u) => u.status === "LEFT");
  const privileged = byNameDesc.find((u) => u.riskTier === "PRIVILEGED" && active(u));
  const security = org.staff.find((s) => s.role === "SECURITY");
  const keys: Prisma.SecurityKeyCreateManyInput[] = [];
  const serial = (n: number) => `NW-SK-${String(n).padStart(4, "0")}`;
  for (let n = 1; n <= 5; n++)
    keys.push({
      id: r.uuid(),
      aaguid: DEMO_KEY_AAGUID,
      modelName: "YubiKey 5 Series",
      serial: serial(n),
      createdAt: new Date(now - 60 * DAY),
    });
  // Issued (two), lost (one, its passkey revoked), and one held by a leaver: due for return.
  const holders: [Prisma.WorkforceUserCreateManyInput | undefined, "ISSUED" | "LOST" | "DUE"][] = [
    [frontline[0], "ISSUED"],
    [frontline[1], "ISSUED"],
    [frontline[2], "LOST"],
    [leaver, "DUE"],
  ];
  let n = 6;
  for (const [holder, kind] of holders) {
    if (!holder?.id) continue;
    const passkeyId = r.uuid();
    const issuedAt = new Date(now - r.int(20, 50) * DAY);
    const revoked =
      kind === "LOST"
        ? {
            status: "REVOKED" as const,
            revokedAt: new Date(now - 5 * DAY),
            revokedReason: "LOST" as const,
          }
        : kind === "DUE"
          ? {
              status: "REVOKED" as const,
              revokedAt: new Date(now - 2 * DAY),
              revokedReason: "LEAVER" as const,
            }
          : {};
    org.passkeys.push({
      id: passkeyId,
      userId: holder.id,
      credentialId: Buffer.from(r.bytes(32)).toString("base64url"),
      publicKey: r.bytes(77),
      counter: r.int(1, 200),
      transports: ["usb", "nfc"],
      aaguid: DEMO_KEY_AAGUID,
      modelName: "YubiKey 5 Series",
      backedUp: false,
      createdAt: issuedAt,
      ...revoked,
    });
    keys.push({
      id: r.uuid(),
      aaguid: DEMO_KEY_AAGUID,
      modelName: "YubiKey 5 Series",
      serial: serial(n++),
      status: kind === "LOST" ? "LOST" : "ISSUED",
      userId: holder.id,
      passkeyId,
      issuedAt,
      lostAt: kind === "LOST" ? new Date(now - 5 * DAY) : null,
      createdAt: new Date(now - 60 * DAY),
    });
  }
  org.securityKeys = keys;
  org.breakGlass =
    privileged?.id && security?.id
      ? [
          {
            userId: privileged.id,
            markedById: security.id,
            reason: "Emergency administrator for the identity platform",
            lastTestAt: new Date(now - 45 * DAY),
            createdAt: new Date(now - 90 * DAY),
          },
        ]
      : [];
}
