import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { DirectorySearchSchema } from "@/lib/domain/workforce";
import { seedDemo } from "@/prisma/seed";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import {
  DIRECTORY_COUNT_CAP,
  DIRECTORY_PAGE_SIZE,
  findWorkforceUsers,
} from "./find-workforce-users";

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
    expect(first.capped).toBe(false);
    expect(first.users).toHaveLength(DIRECTORY_PAGE_SIZE);
    expect(first.pageCount).toBe(Math.ceil(all / DIRECTORY_PAGE_SIZE));
    expect(first.hasNext).toBe(true);
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
      capped: false,
      users: [],
      pageCount: 1,
      hasNext: false,
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

  it("counts active passkeys for each user on the page, across a page boundary", async () => {
    // 26 users who sort together: 25 on page 1, the 26th on page 2.
    const made = [];
    for (let i = 0; i < DIRECTORY_PAGE_SIZE + 1; i++)
      made.push(
        await createWorkforceUser(db, {
          name: `Keycount Person ${String(i).padStart(2, "0")}`,
          passkeys: i % 4,
        }),
      );
    // Revoke one of the 3 passkeys of users 3, 7, … and every passkey of user 2; the 26th (index
    // 25) has 1 passkey, and keeps it.
    for (const user of made.filter((_, i) => i % 4 === 3))
      await db.passkey.update({
        where: { id: user.passkeys[0]!.id },
        data: { status: "REVOKED", revokedAt: new Date(), revokedReason: "LOST" },
      });
    await db.passkey.updateMany({
      where: { userId: made[2]!.id },
      data: { status: "REVOKED", revokedAt: new Date(), revokedReason: "STOLEN" },
    });
    const expected = async (userId: string) =>
      db.passkey.count({ where: { userId, status: "ACTIVE" } });

    const first = await search({ q: "keycount person" });
    expect(first).toMatchObject({ total: 26, capped: false, pageCount: 2, hasNext: true });
    expect(first.users.map((u) => u.id)).toEqual(made.slice(0, 25).map((u) => u.id));
    for (const row of first.users) expect(row.activePasskeys).toBe(await expected(row.id));
    expect(first.users.map((u) => u.activePasskeys).slice(0, 8)).toEqual([0, 1, 0, 2, 0, 1, 2, 2]);

    const second = await search({ q: "keycount person", page: "2" });
    expect(second).toMatchObject({ total: 26, pageCount: 2, hasNext: false });
    expect(second.users).toEqual([
      expect.objectContaining({ id: made[25]!.id, activePasskeys: 1 }),
    ]);
  });

  it("counts matches up to the cap, then says so and still pages to the end", async () => {
    // CAP + 1 people named "Capfoo …": CAP of them "Capfoo Person …", one "Capfoo Extra".
    const rows = Array.from({ length: DIRECTORY_COUNT_CAP + 1 }, (_, i) => ({
      employeeId: `X${900000 + i}`,
      name:
        i === DIRECTORY_COUNT_CAP ? "Capfoo Extra" : `Capfoo Person ${String(i).padStart(4, "0")}`,
      department: "Warehouse",
      title: "Picker",
      phoneOfRecord: "+44 20 7946 0000",
      riskTier: "FRONTLINE" as const,
      webauthnUserId: randomBytes(32),
    }));
    await db.workforceUser.createMany({ data: rows });

    const exact = await search({ q: "capfoo person" });
    expect(exact).toMatchObject({
      total: DIRECTORY_COUNT_CAP,
      capped: false,
      pageCount: Math.ceil(DIRECTORY_COUNT_CAP / DIRECTORY_PAGE_SIZE),
      hasNext: true,
    });

    const capped = await search({ q: "capfoo" });
    expect(capped).toMatchObject({ total: DIRECTORY_COUNT_CAP, capped: true, pageCount: null });
    expect(capped.hasNext).toBe(true);
    expect(capped.users[0]!.name).toBe("Capfoo Extra");
    expect(capped.users.every((u) => u.activePasskeys === 0 && u.email === null)).toBe(true);

    // Past the cap the pages go on: the last one holds what is left, and says there is no next.
    const lastPage = Math.ceil((DIRECTORY_COUNT_CAP + 1) / DIRECTORY_PAGE_SIZE);
    const last = await search({ q: "capfoo", page: String(lastPage) });
    expect(last).toMatchObject({ capped: true, pageCount: null, hasNext: false });
    expect(last.users).toHaveLength((DIRECTORY_COUNT_CAP + 1) % DIRECTORY_PAGE_SIZE);
    expect(last.users.at(-1)!.name).toBe(
      `Capfoo Person ${String(DIRECTORY_COUNT_CAP - 1).padStart(4, "0")}`,
    );
    const beyond = await search({ q: "capfoo", page: String(lastPage + 1) });
    expect(beyond).toMatchObject({ users: [], hasNext: false, capped: true });

    // The same people by a part of their addresses: past the cap, the first page in name order.
    const made = await db.workforceUser.findMany({
      where: { employeeId: { startsWith: "X9" } },
      select: { id: true, name: true },
    });
    await db.workforceEmail.createMany({
      data: made.map((user, i) => ({
        userId: user.id,
        address: `capfoo.${i}@bulk.example`,
        kind: "work",
        isPrimary: true,
      })),
    });
    const byAddress = await search({ q: "@bulk.example" });
    expect(byAddress).toMatchObject({ capped: true, hasNext: true });
    expect(byAddress.users.map((u) => u.name)).toEqual(capped.users.map((u) => u.name));
    expect(byAddress.users.every((u) => u.email?.endsWith("@bulk.example"))).toBe(true);

    // A filter narrows under the cap again: exact counts come back.
    expect(await search({ q: "capfoo", tier: "STANDARD" })).toMatchObject({
      total: 0,
      capped: false,
    });
  });

  it("finds a page of many matches that all sort after thousands of other names", async () => {
    // 6,000 names before any match in (name, id) order, then 1,100 matches together: the page
    // is not in the first names read, so the matches are sorted instead (workforce-directory.ts).
    const user = (employeeId: string, name: string) => ({
      employeeId,
      name,
      department: "Warehouse",
      title: "Picker",
      phoneOfRecord: "+44 20 7946 0000",
      riskTier: "FRONTLINE" as const,
      webauthnUserId: randomBytes(32),
    });
    await db.workforceUser.createMany({
      data: Array.from({ length: 6000 }, (_, i) => user(`Y${800000 + i}`, `Aaron Filler ${i}`)),
    });
    await db.workforceUser.createMany({
      data: Array.from({ length: 1100 }, (_, i) =>
        user(`Y${700000 + i}`, `Zyxa Person ${String(1099 - i).padStart(4, "0")}`),
      ),
    });
    const first = await search({ q: "zyxa" });
    expect(first).toMatchObject({ capped: true, hasNext: true });
    expect(first.users.map((u) => u.name)).toEqual(
      Array.from(
        { length: DIRECTORY_PAGE_SIZE },
        (_, i) => `Zyxa Person ${String(i).padStart(4, "0")}`,
      ),
    );
    const third = await search({ q: "zyxa", page: "3" });
    expect(third.users[0]!.name).toBe("Zyxa Person 0050");
    // And a match spread among the fillers is found by reading the name order.
    const spread = await search({ q: "filler 1" });
    expect(spread.capped).toBe(true);
    expect(spread.users.map((u) => u.name)).toEqual(
      [...Array.from({ length: 6000 }, (_, i) => `Aaron Filler ${i}`)]
        .filter((name) => name.includes("Filler 1"))
        .sort()
        .slice(0, DIRECTORY_PAGE_SIZE),
    );
  });
});
