/** The hub as its own process (`node dist/src/main.js`), for the tests about signals and crashes. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface HubProcess {
  child: ChildProcess;
  url: string;
  /** Its stderr (JSON log lines), the last 20,000 characters. */
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

export function spawnHub(env: Record<string, string>): Promise<HubProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/src/main.js'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const timer = setTimeout(() => reject(new Error(`hub did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /One-Window Hub is up: (\S+)/.exec(out);
      if (m) (clearTimeout(timer), resolve({ child, url: m[1]!, stderr: () => err, exited }));
    });
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`hub exited ${code}: ${err}`))));
  });
}

/** Sends `signal` and waits for the process to end. */
export async function kill(h: HubProcess, signal: NodeJS.Signals): Promise<number | null> {
  h.child.kill(signal);
  return h.exited;
}
