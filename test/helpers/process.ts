/** The hub and the example remote adapter as processes of their own, for the tests about signals, crashes and the remote protocol. */
import type { ChildProcess } from 'node:child_process';
import { spawnReady } from '../../bench/procs.js';

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
  const p = await spawnReady(['dist/src/main.js'], { NODE_ENV: 'development', ...env }, /One-Window Hub is up: (\S+)/, { what: 'hub' });
  return { child: p.child, url: p.match[1]!, stderr: p.stderr, exited: p.exited };
}

/** Sends `signal` and waits for the process to end. */
export async function kill(h: { child: ChildProcess; exited: Promise<number | null> }, signal: NodeJS.Signals): Promise<number | null> {
  h.child.kill(signal);
  return h.exited;
}

/** The example remote adapter (housing) as its own process, registered with the hub. */
export async function spawnAdapter(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; adapterId: string; exited: Promise<number | null> }> {
  const p = await spawnReady(['dist/adapters/housing/serve.js'], env, /on (\S+), registered as (\S+)/, { what: 'adapter' });
  return { child: p.child, url: p.match[1]!, adapterId: p.match[2]!, exited: p.exited };
}

/** Stops the adapter with `signal` and waits for it to end. */
export const stopAdapter = async (c: ChildProcess, signal: NodeJS.Signals): Promise<void> => {
  if (c.exitCode !== null || c.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    c.once('exit', () => resolve());
    c.kill(signal);
  });
};
