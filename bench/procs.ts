/** The bench's child processes: started, waited for, stopped, measured. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The project root (bench/ is compiled to dist/bench/). */
export const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Proc {
  child: ChildProcess;
  line: string;
  /** The listener that fails the start when the process exits early. */
  onEarlyExit: (code: number | null) => void;
}

export function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<Proc> {
  return new Promise((resolve, reject) => {
    // NODE_ENV=production for every process measured, as deployed (graphql-js skips its dev checks).
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').slice(0, -1).find((l) => ready.test(l)); // whole lines only (a long one comes in pieces)
      if (line) {
        clearTimeout(timer);
        resolve({ child, line, onEarlyExit });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const onEarlyExit = (code: number | null) => (clearTimeout(timer), reject(new Error(`${args.join(' ')} exited ${code}: ${err}`)));
    child.on('exit', onEarlyExit);
  });
}

export async function stop(p: Proc): Promise<void> {
  p.child.off('exit', p.onEarlyExit);
  await new Promise<void>((resolve) => {
    p.child.once('exit', () => resolve());
    p.child.kill('SIGTERM');
  });
}

export const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

