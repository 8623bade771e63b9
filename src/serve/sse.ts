/**
 * Server-sent events framing. Each event of a run's record goes out with its
 * line number in events.jsonl as the id, so a browser that reconnects (the
 * server restarted, the laptop slept) sends `Last-Event-ID` and gets exactly
 * the lines after it.
 */
export function sseFrame(id: number, data: string, event?: string): string {
  // A JSON line has no raw newline in it; split anyway so that any text stays one event.
  const body = data
    .split('\n')
    .map((l) => `data: ${l}`)
    .join('\n');
  return `${event ? `event: ${event}\n` : ''}id: ${id}\n${body}\n\n`;
}

/** The line to start after: the `Last-Event-ID` header (a reconnect) or `?after=` (a page that already has some). */
export function resumePoint(header: string | string[] | undefined, query: string | null): number {
  for (const raw of [Array.isArray(header) ? header[0] : header, query]) {
    if (raw && /^\d{1,9}$/.test(raw.trim())) return Number(raw.trim());
  }
  return 0;
}
