import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { MATCH } from "@/lib/domain/directory-query";
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

describe("findWorkforceUsers: the desk's searches (issue 12)", () => {
  const names = (result: { users: { name: string }[] }) => result.users.map((u) => u.name);
  const ids = (result: { users: { id: string }[] }) => result.users.map((u) => u.id);

  it("finds the caller by phone however the number is written, and says the phone matched", async () => {
    const london = await createWorkforceUser(db, {
      name: "Phoebe Callsworth",
      phoneOfRecord: "+44 20 3555 0101",
    });
    const sanFrancisco = await createWorkforceUser(db, {
      name: "Sam Callsworth",
      phoneOfRecord: "+1 415 555 0100",
    });
    // HR wrote this one with the trunk zero in brackets.
    const manchester = await createWorkforceUser(db, {
      name: "Manon Callsworth",
      phoneOfRecord: "+44 (0)161 496 0555",
    });
    for (const q of [
      "+44 20 3555 0101",
      "+442035550101",
      "+44 (0)20 3555 0101",
      "020 3555 0101",
      "(020) 3555-0101",
      "02035550101",
      "0044 20 3555 0101",
    ]) {
      const result = await search({ q });
      expect(ids(result), q).toEqual([london.id]);
      expect(result.users[0]!.match, q).toBe(MATCH.phone);
    }
    for (const q of ["(415) 555-0100", "415.555.0100", "415 555 0100", "+1 415 555 0100"])
      expect(ids(await search({ q })), q).toEqual([sanFrancisco.id]);
    for (const q of ["0161 496 0555", "+44 161 496 0555"])
      expect(ids(await search({ q })), q).toEqual([manchester.id]);
    // Part of a number is not a phone search; nor is a number with a digit wrong.
    expect(ids(await search({ q: "020 3555" }))).toEqual([]);
    expect(ids(await search({ q: "020 3555 0102" }))).toEqual([]);
    // A filter still narrows a phone search.
    expect(ids(await search({ q: "020 3555 0101", tier: "PRIVILEGED" }))).toEqual([]);
  });

  it("finds everyone sharing a phone of record, in name order", async () => {
    const desk = await db.workforceUser.findMany({
      where: { phoneOfRecord: { startsWith: "+44 20 7946 0" } },
      select: { phoneOfRecord: true },
    });
    // A number of the demo's that more than one person shares (a team's desk phone).
    const counts = new Map<string, number>();
    for (const { phoneOfRecord } of desk)
      counts.set(phoneOfRecord, (counts.get(phoneOfRecord) ?? 0) + 1);
    const [shared, sharing] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    expect(sharing).toBeGreaterThan(1);
    const national = `0${shared.slice(4)}`; // "+44 20 7946 0123" as "020 7946 0123"
    const result = await search({ q: national });
    // (The people of the tests above share a number too, past the cap.)
    expect(result.total).toBe(Math.min(sharing, DIRECTORY_COUNT_CAP));
    expect(result.users.every((u) => u.match === MATCH.phone)).toBe(true);
    const expected = await db.workforceUser.findMany({
      where: { phoneOfRecord: shared },
      orderBy: [{ name: "asc" }, { id: "asc" }],
      select: { id: true },
      take: DIRECTORY_PAGE_SIZE,
    });
    expect(ids(result)).toEqual(expected.map((u) => u.id));
  });

  it("finds by part of an employee ID: the ID itself first, then IDs starting with it, then containing it", async () => {
    // Named so that name order alone would put them the other way round.
    const contains = await createWorkforceUser(db, { employeeId: "XQ97531", name: "Abe Idsworth" });
    const starts = await createWorkforceUser(db, { employeeId: "Q975312", name: "Mo Idsworth" });
    const exact = await createWorkforceUser(db, { employeeId: "Q97531", name: "Zed Idsworth" });
    const result = await search({ q: "q97531" });
    expect(ids(result)).toEqual([exact.id, starts.id, contains.id]);
    expect(result.users.map((u) => u.match)).toEqual([
      MATCH.employeeId,
      MATCH.employeeIdStarts,
      MATCH.employeeIdContains,
    ]);
    // A prefix and a substring of the digits.
    expect(ids(await search({ q: "Q9753" }))).toEqual([starts.id, exact.id, contains.id]);
    expect(new Set(ids(await search({ q: "97531" })))).toEqual(
      new Set([exact.id, starts.id, contains.id]),
    );
    // The demo's IDs: a prefix finds its ten.
    const tens = await search({ q: "E1004" });
    expect(result.capped).toBe(false);
    expect(tens.users.map((u) => u.employeeId).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `E1004${i}`),
    );
  });

  it("finds first.last by the work address's local part, before people merely so named", async () => {
    const ines = await createWorkforceUser(db, {
      name: "Ines Quarshie",
      email: "ines.quarshie@northwind.example",
    });
    // Another Ines Quarshie, whose address is not first.last: found by her name, after.
    const namesake = await createWorkforceUser(db, {
      name: "Ines Quarshie",
      email: "iquarshie2@northwind.example",
    });
    // first.last as someone's personal address is not a work address: not found by it.
    const other = await createWorkforceUser(db, { name: "Otto Personal" });
    await db.workforceEmail.create({
      data: {
        userId: other.id,
        address: "ines.quarshie@personal.example",
        kind: "personal",
        verified: true,
      },
    });
    const result = await search({ q: "Ines.Quarshie" });
    expect(ids(result)).toEqual([ines.id, namesake.id]);
    expect(result.users.map((u) => u.match)).toEqual([MATCH.workAddress, MATCH.fullName]);
    // The whole address finds her exactly; the domain alone is no first.last.
    const whole = await search({ q: "ines.quarshie@northwind.example" });
    expect(ids(whole)).toEqual([ines.id]);
    expect(whole.users[0]!.match).toBe(MATCH.email);
  });

  it("finds 'Surname, First' and 'surname first', ranking names by how well they match", async () => {
    // In name order these come the other way round; the ranking puts them right.
    const anywhere = await createWorkforceUser(db, { name: "Aquarshy Lines" });
    const wordStarts = await createWorkforceUser(db, { name: "Dr Inesita Quarshyma" });
    const starts = await createWorkforceUser(db, { name: "Ines Quarshy-Bello" });
    const exact = await createWorkforceUser(db, { name: "Ines Quarshy" });
    const ranked = [exact.id, starts.id, wordStarts.id, anywhere.id];
    for (const q of ["Quarshy, Ines", "quarshy ines", "Ines Quarshy", "ines.quarshy"])
      expect(ids(await search({ q })), q).toEqual(ranked);
    expect((await search({ q: "Quarshy, Ines" })).users.map((u) => u.match)).toEqual([
      MATCH.fullName,
      MATCH.nameStarts,
      MATCH.wordsStart,
      MATCH.nameContains,
    ]);
    // Every word must be there: a surname alone with another first name is not a match.
    const mixed = await createWorkforceUser(db, { name: "Ada Quarshy" });
    expect(ids(await search({ q: "Quarshy, Ines" }))).not.toContain(mixed.id);
    expect(ids(await search({ q: "quarshy" }))).toContain(mixed.id);
  });

  it("ranks an exact address before addresses containing it", async () => {
    const containing = await createWorkforceUser(db, {
      name: "Aaa Mailrank",
      email: "bxq@mailrank.example",
    });
    const exact = await createWorkforceUser(db, {
      name: "Zzz Mailrank",
      email: "xq@mailrank.example",
    });
    const result = await search({ q: "XQ@mailrank.example" });
    expect(ids(result)).toEqual([exact.id, containing.id]);
    expect(result.users.map((u) => u.match)).toEqual([MATCH.email, MATCH.emailContains]);
    // Part of an address: everyone containing it, by name.
    expect(ids(await search({ q: "@mailrank.example" }))).toEqual([containing.id, exact.id]);
  });

  it("takes the search's underscores and apostrophes literally", async () => {
    const literal = await createWorkforceUser(db, { name: "Una O'Under_Score" });
    const wildcard = await createWorkforceUser(db, { name: "Una O'UnderXScore" });
    expect(ids(await search({ q: "under_score" }))).toEqual([literal.id]);
    // Both, by name ("X" sorts before "_").
    expect(ids(await search({ q: "o'under" }))).toEqual([wildcard.id, literal.id]);
  });

  it("says a number that is no phone number anywhere matches nobody, rather than failing", async () => {
    expect(await search({ q: "+999 1234 5678" })).toMatchObject({ total: 0, users: [] });
  });

  it("ranks past the cap too: tier by tier, each in name order, across pages", async () => {
    // "rankcap": one exact name, CAP + 1 names starting with it, one where a word starts with it,
    // one containing it. 1,004 matches, counted to the cap; in name order the last two come
    // first. (Thousands of names sort before these, from the tests above: the tiers are read
    // from their own indexes, not from the start of the name order.)
    const person = (i: number) => `Rankcap Person ${String(i).padStart(4, "0")}`;
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
      data: [
        ...Array.from({ length: DIRECTORY_COUNT_CAP + 1 }, (_, i) =>
          user(`R${600000 + i}`, person(i)),
        ),
        user("R700001", "Rankcap"),
        user("R700002", "Ann Rankcap"),
        user("R700003", "Aarankcap Zed"),
      ],
    });
    const first = await search({ q: "rankcap" });
    expect(first).toMatchObject({ capped: true, pageCount: null, hasNext: true });
    expect(names(first)).toEqual([
      "Rankcap",
      ...Array.from({ length: DIRECTORY_PAGE_SIZE - 1 }, (_, i) => person(i)),
    ]);
    expect(first.users.map((u) => u.match)).toEqual([
      MATCH.fullName,
      ...Array.from({ length: DIRECTORY_PAGE_SIZE - 1 }, () => MATCH.nameStarts),
    ]);
    // Page 2 goes on where page 1 stopped.
    expect(names(await search({ q: "rankcap", page: "2" }))[0]).toBe(person(24));
    // The last page: the end of the names starting with it, then the other two tiers.
    const last = await search({ q: "rankcap", page: "41" });
    expect(names(last)).toEqual([person(999), person(1000), "Ann Rankcap", "Aarankcap Zed"]);
    expect(last.hasNext).toBe(false);
    expect(await search({ q: "rankcap", page: "42" })).toMatchObject({ users: [], hasNext: false });
  });
});
