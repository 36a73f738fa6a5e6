import { NotFoundMessage } from "@/components/fallback-pages";
import { MAIN_ID } from "@/components/skip-link";

/** An address nothing answers, outside any layout with a main landmark. */
export default function NotFound() {
  return (
    <main id={MAIN_ID} tabIndex={-1} className="mx-auto max-w-xl p-10">
      <NotFoundMessage />
    </main>
  );
}
