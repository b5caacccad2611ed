/** The bench's child processes: started, waited for, stopped, measured. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The project root (bench/ is compiled to dist/bench/). */
export const root = fileURLToPath(new URL('../..', import.meta.url));

/** A child process started and seen ready. */
export interface Proc {
  child: ChildProcess;
  /** The stdout line that said it was ready, and the ready pattern's match on it. */
  line: string;
  match: RegExpExecArray;
  /** Its stderr, the last 2,000,000 characters (the tests scan it for personal data). */
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/**
 * Starts `node <args>` and resolves once a whole line of its stdout matches `ready`; rejects if it
 * exits first or takes 30 s. Shared by the bench and the tests that run the hub as a process.
 */
export function spawnReady(args: string[], env: Record<string, string | undefined>, ready: RegExp, options: { cwd?: string; what?: string } = {}): Promise<Proc> {
  const what = options.what ?? args.join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${err.slice(-3000)}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n').slice(0, -1)) {
        // whole lines only (a long one comes in pieces)
        const match = ready.exec(line);
        if (match) return void (clearTimeout(timer), resolve({ child, line, match, stderr: () => err, exited }));
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2_000_000)));
    // after the start a rejection is a no-op: the promise is settled
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`${what} exited ${code}: ${err.slice(-3000)}`))));
  });
}

/** A process measured by the bench: compiled, from the project root, NODE_ENV=production as deployed (graphql-js skips its dev checks). */
export const start = (args: string[], env: Record<string, string>, ready: RegExp): Promise<Proc> => spawnReady(args, { NODE_ENV: 'production', ...env }, ready, { cwd: root });

export async function stop(p: Proc): Promise<void> {
  p.child.kill('SIGTERM');
  await p.exited;
}

export const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

