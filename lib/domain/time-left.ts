/**
 * Durations for a glance ("12 min left"). No dependencies, so the ticking clocks in the browser
 * (components/time-left.tsx) use the same words as the server.
 */
/** "45 s", "12 min", "1 h 5 min", "2 d 3 h": how long until (or since) a moment, for a glance. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** "12 min left"; under five minutes is urgent. */
export function timeLeft(at: Date, now: Date): { text: string; urgent: boolean } {
  const ms = at.getTime() - now.getTime();
  return { text: `${formatDuration(ms)} left`, urgent: ms < 5 * 60 * 1000 };
}
