import { waitWords } from "@/lib/domain/rate-limits";

/** What a link page shows instead of itself when its client is over its budget. */
export function TooManyTries({ seconds }: { seconds: number }) {
  return (
    <section role="alert">
      <h1 className="text-xl font-semibold">Too many tries from here</h1>
      <p className="mt-2 text-sm text-slate-600">
        Wait {waitWords(seconds)}, then open the link again. If you did not open it this often, tell
        the service desk.
      </p>
    </section>
  );
}
