/**
 * JSON-lines logging to stderr. Callers log codes, departments, counts and error messages of our
 * own typed errors — never ID numbers, names, phone numbers or request bodies.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const min = ORDER[(level as Level) in ORDER ? (level as Level) : 'info'];
  const log = (lvl: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    write(JSON.stringify({ t: new Date().toISOString(), level: lvl, msg, ...fields }));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** An error reduced to what may be logged: name, code, message and the cause's message. */
export function describeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { error: String(err) };
  const e = err as Error & { code?: unknown };
  const cause = e.cause instanceof Error ? `${e.cause.name}: ${e.cause.message}` : undefined;
  return { error: e.name, code: e.code, message: e.message, ...(cause ? { cause } : {}) };
}
