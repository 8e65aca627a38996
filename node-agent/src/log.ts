import pino from "pino";

/** Structured JSON logs (pino), one line per event, secrets never included. */
export type Log = pino.Logger;

export function createLog(options: { level?: string; name?: string; destination?: string } = {}): Log {
  const dest = options.destination
    ? pino.destination({ dest: options.destination, mkdir: true, sync: true })
    : pino.destination({ fd: 2, sync: true });
  return pino({ level: options.level ?? "info", name: options.name ?? "artha-node" }, dest);
}

/** A logger that drops everything (tests and library callers that pass none). */
export const silentLog: Log = pino({ level: "silent" });
