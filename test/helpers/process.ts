/** The hub and the example remote adapter as processes of their own, for the tests about signals, crashes and the remote protocol. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface HubProcess {
  child: ChildProcess;
  url: string;
  /** Its stderr (JSON log lines), the last 2,000,000 characters. */
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

export function spawnHub(env: Record<string, string>): Promise<HubProcess> {
  return new Promise((resolve, reject) => {
    // Not vitest's NODE_ENV=test: libraries behave differently under it (Apollo, for one, leaves
    // signals alone only in tests), and the hub must be tested as it runs.
    const child = spawn(process.execPath, ['dist/src/main.js'], { env: { ...process.env, NODE_ENV: 'development', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const timer = setTimeout(() => reject(new Error(`hub did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /One-Window Hub is up: (\S+)/.exec(out);
      if (m) (clearTimeout(timer), resolve({ child, url: m[1]!, stderr: () => err, exited }));
    });
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2_000_000)));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`hub exited ${code}: ${err.slice(-3000)}`))));
  });
}

/** Sends `signal` and waits for the process to end. */
export async function kill(h: HubProcess, signal: NodeJS.Signals): Promise<number | null> {
  h.child.kill(signal);
  return h.exited;
}

/** The example remote adapter (housing) as its own process, registered with the hub. */
export function spawnAdapter(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; adapterId: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/adapters/housing/serve.js'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      const m = /on (\S+), registered as (\S+)/.exec(d.toString());
      if (m) resolve({ child, url: m[1]!, adapterId: m[2]! });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`adapter exited ${code}: ${err}`)));
  });
}

export const stopAdapter = (c: ChildProcess, signal: NodeJS.Signals) =>
  new Promise<void>((resolve) => {
    c.removeAllListeners('exit');
    c.once('exit', () => resolve());
    c.kill(signal);
  });
