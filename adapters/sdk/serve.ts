/**
 * Serves any adapter over the remote adapter protocol (version 1), registers it with a hub, keeps
 * it alive with heartbeats and deregisters it on close. Every call from the hub must carry a hub
 * token that verifies against the hub's JWKS (issuer, audience, and the department as subject).
 *
 *   const served = await serveAdapter(adapter, { hubUrl, credential, port: 7301 });
 *   …
 *   await served.close();
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { CONTRACT_VERSION, type Adapter, type CallContext, type ReadCapability } from '../contract.js';
import { DependencyUnavailableError } from '../errors.js';
import { fromHeaderValue } from '../correlation.js';

export interface ServeOptions {
  /** The hub's base URL, e.g. https://hub.example.gov.cn */
  hubUrl: string;
  /** The department credential an administrator issued (`npm run credentials -- issue <dept>`). */
  credential: string;
  port?: number;
  host?: string;
  /** The URL the hub reaches this adapter at (default http://host:port). */
  publicUrl?: string;
  /** Longest a department call may take, ms. */
  callTimeoutMs?: number;
  /** Don't register (serve only): for tests of the protocol itself. */
  register?: boolean;
  /**
   * Resident lookups for departments keyed by something else than the ID number (health needs the
   * household): the department wires its own access to the population registry here.
   */
  residents?: CallContext['residents'];
}

export interface ServedAdapter {
  url: string;
  adapterId: string | null;
  close(): Promise<void>;
}

const BATCHED: Array<[protocol: string, capability: ReadCapability]> = [
  ['residents', 'residents'],
  ['entitlements', 'entitlements'],
  ['evidence', 'evidence'],
];

/** What this adapter offers, as the protocol's registration body. */
export function registrationOf(adapter: Adapter, baseUrl: string) {
  const offered = BATCHED.filter(([, c]) => adapter.capabilities[c]);
  const fetcherOf = (c: ReadCapability) => adapter.fetchers[adapter.capabilities[c]!]!;
  return {
    department: adapter.department,
    baseUrl,
    contractVersion: CONTRACT_VERSION,
    capabilities: [...offered.map(([p]) => p), ...(adapter.cases ? ['cases'] : []), ...(adapter.changes ? ['changes'] : [])],
    batchLimits: Object.fromEntries(offered.map(([p, c]) => [p, fetcherOf(c).batchLimit])),
    cacheTtlSeconds: Object.fromEntries(offered.map(([p, c]) => [p, fetcherOf(c).cacheTtlSeconds])),
    serviceItems: [] as string[],
  };
}

const error = (code: string, message: string) => ({ error: { code, message } });

export async function serveAdapter(adapter: Adapter, options: ServeOptions): Promise<ServedAdapter> {
  const hub = options.hubUrl.replace(/\/$/, '');
  const jwks = createRemoteJWKSet(new URL(`${hub}/.well-known/jwks.json`));
  const code = adapter.department.code;
  const timeoutMs = options.callTimeoutMs ?? 10_000;

  const authorize = async (req: http.IncomingMessage): Promise<boolean> => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    try {
      await jwtVerify(token, jwks, { issuer: 'one-window-hub', audience: 'owh-adapter', subject: code, algorithms: ['ES256'] });
      return true;
    } catch {
      return false;
    }
  };

  const context = (req: http.IncomingMessage): CallContext => ({
    signal: AbortSignal.timeout(timeoutMs),
    requestId: fromHeaderValue(req.headers['x-request-id']) ?? '',
    operator: fromHeaderValue(req.headers['x-operator-id']) ?? 'hub',
    purpose: fromHeaderValue(req.headers['x-purpose']) ?? '',
    // A remote adapter has no access to the hub's population loaders; departments keyed by
    // household must look the registry up themselves (see docs/ADAPTERS.md).
    residents: options.residents ?? (async (ids) => ids.map(() => new DependencyUnavailableError(code, 'resident lookups are not configured for this remote adapter'))),
  });

  /** Runs one capability's fetcher over ID numbers in its batch size; one answer per key. */
  const batch = async (capability: ReadCapability, ids: string[], ctx: CallContext) => {
    const fetcher = adapter.fetchers[adapter.capabilities[capability]!]!;
    const out: unknown[] = [];
    for (let i = 0; i < ids.length; i += fetcher.batchLimit) {
      const part = ids.slice(i, i + fetcher.batchLimit);
      try {
        out.push(...(await fetcher.batch(part, ctx)));
      } catch (err) {
        out.push(...part.map(() => err));
      }
    }
    return out;
  };

  let baseUrl = '';
  const server = http.createServer(async (req, res) => {
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    try {
      const url = new URL(req.url ?? '/', 'http://adapter');
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (url.pathname === '/v1/health') return send(200, { status: adapter.health().status });
      if (!(await authorize(req))) return send(401, error('UNAUTHENTICATED', 'a valid hub token is required'));
      if (req.method === 'GET' && url.pathname === '/v1/capabilities') return send(200, registrationOf(adapter, baseUrl));
      let body: Record<string, unknown> = {};
      if (req.method === 'POST') {
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          return send(400, error('INVALID_ARGUMENT', 'the body is not valid JSON'));
        }
      }
      const ctx = context(req);
      for (const [protocol, capability] of BATCHED) {
        if (req.method !== 'POST' || url.pathname !== `/v1/${protocol}:batchGet` || !adapter.capabilities[capability]) continue;
        if (capability === 'evidence') {
          const requests = body.requests as { idNumber: string; materialCode: string }[];
          if (!Array.isArray(requests)) return send(400, error('INVALID_ARGUMENT', 'requests must be a list'));
          const ids = [...new Set(requests.map((r) => String(r.idNumber)))];
          const answers = await batch('evidence', ids, ctx);
          const byId = new Map(ids.map((id, i) => [id, answers[i]]));
          return send(200, {
            results: requests.map((r) => {
              const a = byId.get(String(r.idNumber));
              if (a instanceof Error) return error('UNAVAILABLE', a.message);
              const e = (a as { evidence?: { materialCode: string; reference: string; validUntil?: string | null }[] } | null)?.evidence?.find((x) => x.materialCode === r.materialCode);
              return e ? { available: true, reference: e.reference, validUntil: e.validUntil ?? null } : { available: false };
            }),
          });
        }
        const ids = body.idNumbers;
        if (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string')) return send(400, error('INVALID_ARGUMENT', 'idNumbers must be a list of strings'));
        const answers = await batch(capability, ids as string[], ctx);
        return send(200, {
          results: (ids as string[]).map((idNumber, i) => {
            const a = answers[i];
            if (a instanceof Error) return { idNumber, ...error('UNAVAILABLE', a.message) };
            if (a === null || a === undefined) return { idNumber, ...error('NOT_FOUND', 'not known to this department') };
            const d = a as { resident?: unknown; entitlements?: unknown[] };
            return capability === 'residents' ? { idNumber, resident: d.resident } : { idNumber, entitlements: d.entitlements ?? [] };
          }),
        });
      }
      if (adapter.cases && req.method === 'POST' && url.pathname === '/v1/cases') {
        const answer = await adapter.cases.submit({ ...(body as object), caseNo: String(req.headers['idempotency-key'] ?? body.caseNo) } as never, ctx);
        return send(200, answer);
      }
      if (adapter.cases && req.method === 'POST' && url.pathname === '/v1/cases:batchStatus') {
        const refs = body.departmentRefs as string[];
        const answers = await adapter.cases.batchStatus(refs, ctx);
        return send(200, { results: answers.map((a, i) => (a instanceof Error ? { departmentRef: refs[i], ...error('UNAVAILABLE', a.message) } : a)) });
      }
      if (adapter.changes && req.method === 'GET' && url.pathname === '/v1/changes') {
        const batchOfChanges = await adapter.changes(url.searchParams.get('cursor'), ctx);
        return send(200, { changes: batchOfChanges.idNumbers.map((idNumber) => ({ type: 'entitlement', idNumber })), nextCursor: batchOfChanges.nextCursor });
      }
      return send(404, error('NOT_FOUND', `no ${req.method} ${url.pathname}`));
    } catch (err) {
      if (!res.headersSent) send(503, error('UNAVAILABLE', err instanceof Error ? err.message : 'the department call failed'));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = (options.publicUrl ?? `http://${options.host ?? '127.0.0.1'}:${port}`).replace(/\/$/, '');

  let adapterId: string | null = null;
  let beat: NodeJS.Timeout | null = null;
  const headers = { authorization: `Bearer ${options.credential}`, 'content-type': 'application/json' };
  if (options.register !== false) {
    const res = await fetch(`${hub}/adapters/v1/register`, { method: 'POST', headers, body: JSON.stringify(registrationOf(adapter, baseUrl)) });
    const answer = (await res.json().catch(() => ({}))) as { adapterId?: string; heartbeatIntervalSeconds?: number; error?: { code: string; message: string } };
    if (res.status !== 200 && res.status !== 201) {
      server.close();
      throw new Error(`the hub refused the registration (HTTP ${res.status} ${answer.error?.code ?? ''}: ${answer.error?.message ?? ''})`);
    }
    adapterId = answer.adapterId!;
    beat = setInterval(() => {
      void fetch(`${hub}/adapters/v1/heartbeat`, { method: 'POST', headers, body: JSON.stringify({ adapterId }) }).catch(() => undefined);
    }, (answer.heartbeatIntervalSeconds ?? 10) * 1000);
  }

  return {
    url: baseUrl,
    adapterId,
    async close() {
      if (beat) clearInterval(beat);
      if (adapterId) await fetch(`${hub}/adapters/v1/${adapterId}`, { method: 'DELETE', headers }).catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await adapter.close?.();
    },
  };
}
