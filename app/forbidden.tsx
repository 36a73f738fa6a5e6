import { NotAllowedMessage } from "@/components/fallback-pages";
import { MAIN_ID } from "@/components/skip-link";

/** A refusal outside any layout with a main landmark. */
export default function Forbidden() {
  return (
    <main id={MAIN_ID} tabIndex={-1} className="mx-auto max-w-xl p-10">
      <NotAllowedMessage />
    </main>
  );
}
