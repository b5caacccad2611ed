/**
 * The remote adapter protocol, version 1 (../shared/design/ADAPTER-PROTOCOL.md): the registration
 * body, checked field by field.
 */
export const PROTOCOL_VERSION = '1';
export const PROTOCOL_CAPABILITIES = ['residents', 'entitlements', 'evidence', 'cases', 'changes'] as const;
export type ProtocolCapability = (typeof PROTOCOL_CAPABILITIES)[number];
export const BATCHED: readonly ProtocolCapability[] = ['residents', 'entitlements', 'evidence'];

export interface Registration {
  department: { code: string; name: string };
  baseUrl: string;
  contractVersion: string;
  capabilities: ProtocolCapability[];
  batchLimits: Partial<Record<ProtocolCapability, number>>;
  cacheTtlSeconds: Partial<Record<ProtocolCapability, number>>;
  serviceItems: string[];
}

export class ProtocolError extends Error {
  constructor(readonly status: number, readonly code: 'INVALID_ARGUMENT' | 'UNAUTHENTICATED' | 'PERMISSION_DENIED' | 'NOT_FOUND' | 'UNAVAILABLE' | 'INTERNAL', message: string) {
    super(message);
  }
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Parses a registration body; throws ProtocolError 422 naming the first field that is wrong. */
export function parseRegistration(body: unknown, allowInsecureHttp: boolean): Registration {
  const bad = (field: string, why: string) => new ProtocolError(422, 'INVALID_ARGUMENT', `${field}: ${why}`);
  if (!isObj(body)) throw bad('(body)', 'must be a JSON object');
  const d = body.department;
  if (!isObj(d) || typeof d.code !== 'string' || !/^[a-z][a-z0-9-]{1,39}$/.test(d.code)) throw bad('department.code', 'lower-case letters, digits and -, 2 to 40 characters');
  if (typeof d.name !== 'string' || !d.name.trim() || d.name.length > 100) throw bad('department.name', 'required, at most 100 characters');
  if (body.contractVersion !== PROTOCOL_VERSION) throw bad('contractVersion', `unsupported; this hub speaks "${PROTOCOL_VERSION}"`);
  let url: URL;
  try {
    url = new URL(String(body.baseUrl));
  } catch {
    throw bad('baseUrl', 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowInsecureHttp)) throw bad('baseUrl', 'must be https (http only where REMOTE_ADAPTERS_ALLOW_HTTP is set)');
  if (url.username || url.password || url.search || url.hash) throw bad('baseUrl', 'must not carry credentials, a query or a fragment');
  const caps = body.capabilities;
  if (!Array.isArray(caps) || caps.length === 0) throw bad('capabilities', 'a non-empty list');
  for (const c of caps) if (!(PROTOCOL_CAPABILITIES as readonly unknown[]).includes(c)) throw bad('capabilities', `unknown capability "${String(c)}"; known: ${PROTOCOL_CAPABILITIES.join(', ')}`);
  const numbers = (field: 'batchLimits' | 'cacheTtlSeconds', min: number, max: number) => {
    const v = body[field] ?? {};
    if (!isObj(v)) throw bad(field, 'must be an object');
    for (const [k, n] of Object.entries(v)) {
      if (!caps.includes(k)) throw bad(`${field}.${k}`, 'names a capability not registered');
      if (!Number.isInteger(n) || (n as number) < min || (n as number) > max) throw bad(`${field}.${k}`, `an integer from ${min} to ${max}`);
    }
    return v as Partial<Record<ProtocolCapability, number>>;
  };
  const items = body.serviceItems ?? [];
  if (!Array.isArray(items) || items.some((i) => typeof i !== 'string')) throw bad('serviceItems', 'a list of service-item codes');
  return {
    department: { code: d.code, name: d.name.trim() },
    baseUrl: url.toString().replace(/\/$/, ''),
    contractVersion: PROTOCOL_VERSION,
    capabilities: [...new Set(caps as ProtocolCapability[])],
    batchLimits: numbers('batchLimits', 1, 500),
    cacheTtlSeconds: numbers('cacheTtlSeconds', 0, 86_400),
    serviceItems: items as string[],
  };
}
