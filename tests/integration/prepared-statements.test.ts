/**
 * Statements marked PREPARED_MARK (lib/pg-connect.ts: the revocation's statements, whose planning
 * cost the database more than running them): a connection prepares one once and reuses it, past
 * the point where PostgreSQL may switch to one generic plan, and each call answers exactly as the
 * statement unprepared does, with that call's values, in a session far from UTC. Unmarked
 * statements are never kept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgClient, PREPARED_MARK } from "@/lib/pg-connect";

const client = pgClient(process.env.DATABASE_URL!);
beforeAll(() => client.connect());
afterAll(() => client.end());

describe("a statement kept prepared", () => {
  it("is prepared once per connection and answers each call as the unprepared statement does", async () => {
    const body = `SELECT $1::int * 2 AS twice, ($2::timestamptz AT TIME ZONE 'UTC')::text AS utc`;
    const text = `${PREPARED_MARK} ${body}`;
    await client.query("SET TIME ZONE 'Pacific/Chatham'");
    for (let day = 1; day <= 8; day++) {
      const values = [day, new Date(Date.UTC(2026, 0, day, 12, 30)).toISOString()];
      const prepared = await client.query({ text, values });
      const unprepared = await client.query({ text: body, values });
      expect(prepared.rows).toEqual(unprepared.rows);
      expect(prepared.rows).toEqual([{ twice: day * 2, utc: `2026-01-0${day} 12:30:00` }]);
    }
    const { rows } = await client.query<{ statement: string }>(
      "SELECT statement FROM pg_prepared_statements",
    );
    expect(rows.map((row) => row.statement)).toEqual([text]);
  });
});
