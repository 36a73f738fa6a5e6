"use client";

import { useEffect, useState } from "react";
import { timeLeft } from "@/lib/domain/time-left";

/**
 * "12 min left", counting down in the browser between the page's refreshes. The server renders
 * the same words from its own clock, so the first paint needs no script.
 */
export function TimeLeft({ at, serverNow }: { at: string; serverNow: string }) {
  const [now, setNow] = useState(() => new Date(serverNow));
  useEffect(() => {
    // The browser's clock may be off: count the time passed since the server's "now".
    const skew = Date.now() - new Date(serverNow).getTime();
    const tick = () => setNow(new Date(Date.now() - skew));
    const timer = setInterval(tick, 15_000);
    return () => clearInterval(timer);
  }, [serverNow]);
  const left = timeLeft(new Date(at), now);
  const past = new Date(at).getTime() <= now.getTime();
  return (
    <span className={past || left.urgent ? "font-medium text-rose-700" : undefined}>
      {past ? "lapsed" : left.text}
    </span>
  );
}
