import "server-only";
import { db } from "@/lib/db";

/** The staff members offered on the demo sign-in page. */
export async function findDemoStaff() {
  return db.staff.findMany({
    where: { active: true },
    select: { id: true, name: true, role: true, team: true, email: true },
    orderBy: [{ role: "asc" }, { name: "asc" }],
    take: 50,
  });
}
