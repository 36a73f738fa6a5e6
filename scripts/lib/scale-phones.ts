/**
 * The phones of record of the scale data (scripts/seed-scale.ts), as SQL over the user's number
 * (the digits of the employee ID "S200240"), written as HR gives them, internationally:
 * - a tenth share one switchboard number, "+44 20 7946 0000" (a phone search that matches
 *   thousands, like a shared desk phone);
 * - a tenth are American, "+1 212 555 0024";
 * - the rest have a London number of their own, "+44 20 3020 0240".
 * Each number but the switchboard's belongs to one user, so a phone search finds one person.
 */
export const SCALE_SWITCHBOARD = "+44 20 7946 0000";

export function scalePhoneSql(number: string): string {
  return `CASE (${number}) % 10
    WHEN 0 THEN '${SCALE_SWITCHBOARD}'
    WHEN 1 THEN '+1 212 555 ' || lpad(((${number}) / 10 % 10000)::text, 4, '0')
    ELSE '+44 20 3' || substr(lpad((${number})::text, 7, '0'), 1, 3) || ' '
      || substr(lpad((${number})::text, 7, '0'), 4, 4) END`;
}
