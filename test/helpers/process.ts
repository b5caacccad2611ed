/** The hub and the example remote adapter as processes of their own, for the tests about signals, crashes and the remote protocol. */
import { spawn, type ChildProcess } from 'node:child_process';

interface Spawned {
  child: ChildProcess;
  /** The ready line's match. */
  ready: RegExpExecArray;
  /** Its stderr, the last 2,000,000 characters. */
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Starts `node <script>` and resolves once its stdout has printed `ready`; rejects if it exits first or takes 30 s. */
function spawnReady(script: string, env: Record<string, string>, ready: RegExp, what: string): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${err.slice(-3000)}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) (clearTimeout(timer), resolve({ child, ready: m, stderr: () => err, exited }));
    });
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2_000_000)));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`${what} exited ${code}: ${err.slice(-3000)}`))));
  });
}

export interface HubProcess {
  child: ChildProcess;
  url: string;
  /** Its stderr (JSON log lines), the last 2,000,000 characters. */
  stderr(): string;
  exited: Promise<number | null>;
}

export async function spawnHub(env: Record<string, string>): Promise<HubProcess> {
  // Not vitest's NODE_ENV=test: libraries behave differently under it (Apollo, for one, leaves
  // signals alone only in tests), and the hub must be tested as it runs.
  const p = await spawnReady('dist/src/main.js', { NODE_ENV: 'development', ...env }, /One-Window Hub is up: (\S+)/, 'hub');
  return { child: p.child, url: p.ready[1]!, stderr: p.stderr, exited: p.exited };
}

/** Sends `signal` and waits for the process to end. */
export async function kill(h: { child: ChildProcess; exited: Promise<number | null> }, signal: NodeJS.Signals): Promise<number | null> {
  h.child.kill(signal);
  return h.exited;
}

/** The example remote adapter (housing) as its own process, registered with the hub. */
export async function spawnAdapter(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; adapterId: string; exited: Promise<number | null> }> {
  const p = await spawnReady('dist/adapters/housing/serve.js', env, /on (\S+), registered as (\S+)/, 'adapter');
  return { child: p.child, url: p.ready[1]!, adapterId: p.ready[2]!, exited: p.exited };
}

/** Stops the adapter with `signal` and waits for it to end. */
export const stopAdapter = async (c: ChildProcess, signal: NodeJS.Signals): Promise<void> => {
  if (c.exitCode !== null || c.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    c.once('exit', () => resolve());
    c.kill(signal);
  });
};
