import { beforeAll, describe, expect, it } from "vitest";
import { DirectorySearchSchema } from "@/lib/domain/workforce";
import { seedDemo } from "@/prisma/seed";
import { db } from "@/tests/db";
import { DIRECTORY_PAGE_SIZE, findWorkforceUsers } from "./find-workforce-users";

const search = (input: Record<string, string>) =>
  findWorkforceUsers(DirectorySearchSchema.parse(input));

beforeAll(async () => {
  await seedDemo(db, { now: new Date("2026-11-22T12:00:00Z") });
});

describe("findWorkforceUsers", () => {
  it("lists everyone a page at a time, by name", async () => {
    const all = await db.workforceUser.count();
    const first = await search({});
    expect(first.total).toBe(all);
    expect(first.users).toHaveLength(DIRECTORY_PAGE_SIZE);
    expect(first.pageCount).toBe(Math.ceil(all / DIRECTORY_PAGE_SIZE));
    const names = first.users.map((u) => u.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const second = await search({ page: "2" });
    expect(second.users[0]!.name >= first.users.at(-1)!.name).toBe(true);
  });

  it("finds by part of a name, case-insensitively", async () => {
    const someone = await db.workforceUser.findFirstOrThrow({
      orderBy: { employeeId: "asc" },
      skip: 17,
    });
    const lastName = someone.name.split(" ")[1]!;
    const result = await search({ q: lastName.toLowerCase().slice(0, 4) });
    expect(result.users.map((u) => u.id)).toContain(someone.id);
    for (const user of result.users)
      expect(user.name.toLowerCase()).toContain(lastName.toLowerCase().slice(0, 4));
  });

  it("finds by employee ID exactly", async () => {
    const someone = await db.workforceUser.findFirstOrThrow({ where: { employeeId: "E10042" } });
    const result = await search({ q: "e10042" });
    expect(result.users.map((u) => u.id)).toEqual([someone.id]);
  });

  it("finds by any of a user's email addresses", async () => {
    const personal = await db.workforceEmail.findFirstOrThrow({ where: { kind: "personal" } });
    const result = await search({ q: personal.address });
    expect(result.users.map((u) => u.id)).toEqual([personal.userId]);
  });

  it("filters by tier and employment status", async () => {
    const privileged = await search({ tier: "PRIVILEGED" });
    expect(privileged.total).toBe(
      await db.workforceUser.count({ where: { riskTier: "PRIVILEGED" } }),
    );
    expect(privileged.users.every((u) => u.riskTier === "PRIVILEGED")).toBe(true);
    const left = await search({ status: "LEFT" });
    expect(left.total).toBeGreaterThan(0);
    expect(left.users.every((u) => u.status === "LEFT")).toBe(true);
  });

  it("reports no match rather than failing", async () => {
    expect(await search({ q: "Nobody Whatsoever" })).toMatchObject({
      total: 0,
      users: [],
      pageCount: 1,
    });
  });

  it("counts only active passkeys", async () => {
    const user = await db.workforceUser.findFirstOrThrow({
      where: { passkeys: { some: {} } },
      include: { passkeys: true },
    });
    await db.passkey.update({
      where: { id: user.passkeys[0]!.id },
      data: { status: "REVOKED", revokedAt: new Date(), revokedReason: "LOST" },
    });
    const [row] = (await search({ q: user.employeeId })).users;
    expect(row!.activePasskeys).toBe(user.passkeys.length - 1);
  });
});
