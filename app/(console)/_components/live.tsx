"use client";

/**
 * Live pages (docs/decisions/023). The console's layout holds one EventSource per tab (browsers
 * allow six connections per origin over HTTP/1.1); each page names what it shows with
 * <LiveTopics>. When the stream says a topic changed, the page re-renders on the server
 * (router.refresh), which keeps client state: what an agent is typing into a form stays.
 */
import { useRouter } from "next/navigation";
import { createContext, useContext, useEffect, useId, useMemo, useRef, useState } from "react";

type Registration = { topics: string[]; stamp: string };
type Register = (id: string, registration: Registration | null) => void;

const LiveContext = createContext<Register | null>(null);

/** A burst of changes refreshes the page once, at most this often. */
const REFRESH_EVERY_MS = 1000;

export function LiveProvider({ children }: { children: React.ReactNode }) {
  const router = useRouter();
  const [registrations, setRegistrations] = useState<Record<string, Registration>>({});
  const [state, setState] = useState<"off" | "live" | "reconnecting">("off");
  const latest = useRef(registrations);
  // Declared before the stream's effect, so a new stream reads the newest stamps.
  useEffect(() => {
    latest.current = registrations;
  }, [registrations]);

  const register = useMemo<Register>(
    () => (id, registration) =>
      setRegistrations((current) => {
        if (!registration) {
          if (!(id in current)) return current;
          const next = { ...current };
          delete next[id];
          return next;
        }
        const previous = current[id];
        if (
          previous &&
          previous.stamp === registration.stamp &&
          previous.topics.join() === registration.topics.join()
        )
          return current;
        return { ...current, [id]: registration };
      }),
    [],
  );

  const topicKey = [...new Set(Object.values(registrations).flatMap((r) => r.topics))]
    .sort()
    .join(",");

  useEffect(() => {
    if (!topicKey) return;
    const stamps = Object.values(latest.current).map((r) => BigInt(r.stamp));
    const since = stamps.reduce((min, s) => (s < min ? s : min), stamps[0] ?? 0n);
    const source = new EventSource(
      `/live?topics=${encodeURIComponent(topicKey)}&since=${since.toString()}`,
    );
    let lastRefresh = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refresh = () => {
      timer = null;
      lastRefresh = Date.now();
      router.refresh();
    };
    source.addEventListener("change", () => {
      if (timer) return;
      const wait = Math.max(0, lastRefresh + REFRESH_EVERY_MS - Date.now());
      timer = setTimeout(refresh, wait);
    });
    source.addEventListener("ready", () => setState("live"));
    source.addEventListener("error", () =>
      setState(source.readyState === EventSource.CLOSED ? "off" : "reconnecting"),
    );
    return () => {
      if (timer) clearTimeout(timer);
      source.close();
    };
  }, [topicKey, router]);

  return (
    <LiveContext.Provider value={register}>
      {children}
      {topicKey && state === "reconnecting" ? (
        <p
          role="status"
          className="fixed right-4 bottom-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 shadow"
        >
          Live updates paused: reconnecting…
        </p>
      ) : null}
      <span hidden data-live-state={topicKey ? state : "off"} />
    </LiveContext.Provider>
  );
}

/**
 * Names what the page shows (`case:<id>`, `user:<id>`, `queue`, `approvals`) and the audit
 * stamp it rendered with (lib/server/live-stream.ts liveStamp), so a change committed between
 * the render and the stream's start is not missed.
 */
export function LiveTopics({ topics, stamp }: { topics: string[]; stamp: string }) {
  const register = useContext(LiveContext);
  const id = useId();
  const key = topics.join(",");
  useEffect(() => {
    if (!register) return;
    register(id, { topics: key.split(","), stamp });
    return () => register(id, null);
  }, [register, id, key, stamp]);
  return null;
}
