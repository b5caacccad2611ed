/**
 * The adapter contract: what every department adapter — in-process or served remotely — gives the
 * hub. The hub, not the adapter, owns batching, caching, timeouts, retries and failure handling;
 * an adapter only knows how to talk to its department and map the answers to the unified shapes.
 *
 * An adapter exposes *fetchers*: batch functions over ID numbers, each one kind of upstream call.
 * Each read capability names the fetcher that serves it, so that one upstream answer (the medical
 * insurance record, say) serves several capabilities (entitlements, enrolment, designated
 * hospitals) with one call and one cache entry.
 */
import type { Dispatcher } from 'undici';

export const CONTRACT_VERSION = '1';

export interface DepartmentInfo {
  /** Stable lower-case code, e.g. `civil-affairs`. */
  code: string;
  /** Display name, e.g. 民政. */
  name: string;
}

export type Gender = 'MALE' | 'FEMALE';
export type EntitlementStatus = 'ACTIVE' | 'SUSPENDED' | 'ENDED' | 'PENDING';

export interface ResidentRecord {
  idNumber: string;
  name: string;
  gender: Gender;
  /** YYYY-MM-DD */
  birthDate: string;
  phone?: string | null;
  address?: string | null;
  community?: string | null;
  householdNo?: string | null;
  /** 成员序号 in the household register; departments keyed by household need it. */
  householdMemberNo?: string | null;
}

export interface EntitlementRecord {
  /** The department's own identifier of this entitlement (the hub derives the public id). */
  id: string;
  /** Stable code, e.g. LOW_INCOME_ALLOWANCE. */
  kind: string;
  name: string;
  status: EntitlementStatus;
  /** Yuan per month. */
  monthlyAmount?: number | null;
  startDate?: string | null;
  endDate?: string | null;
  details?: Record<string, unknown> | null;
}

export interface SocialInsuranceAccountRecord {
  personNo: string;
  status: string;
  insuranceTypes: string[];
  firstPaidOn?: string | null;
  monthsPaid: number;
}

export interface PaymentRecordRecord {
  /** YYYY-MM */
  month: string;
  insuranceType: string;
  base: number;
  personalAmount: number;
  employerAmount: number;
  paid: boolean;
}

export interface MedicalInsuranceRecord {
  scheme: string;
  status: string;
  enrolledOn?: string | null;
}

export interface HospitalRecord {
  code: string;
  name: string;
  level?: string | null;
  address?: string | null;
}

export interface DisabilityCertificateRecord {
  certificateNo: string;
  category: string;
  grade: number;
  validUntil?: string | null;
}

/** A material this department can supply or vouch for (一数一源), so the resident need not bring it. */
export interface EvidenceRecord {
  /** The catalogue's material code, e.g. DISABILITY_CERT. */
  materialCode: string;
  /** The department's reference for the document or record. */
  reference: string;
  validUntil?: string | null;
}

/** Everything a department may say about one resident; each fetcher fills the parts it serves. */
export interface DepartmentData {
  resident?: ResidentRecord;
  entitlements?: EntitlementRecord[];
  socialInsurance?: SocialInsuranceAccountRecord | null;
  paymentRecords?: PaymentRecordRecord[];
  medicalInsurance?: MedicalInsuranceRecord | null;
  designatedHospitals?: HospitalRecord[];
  disabilityCertificate?: DisabilityCertificateRecord | null;
  evidence?: EvidenceRecord[];
}

export type ReadCapability = 'residents' | 'entitlements' | 'socialInsurance' | 'paymentRecords' | 'medicalInsurance' | 'designatedHospitals' | 'disabilityCertificate' | 'evidence';
export const READ_CAPABILITIES: readonly ReadCapability[] = ['residents', 'entitlements', 'socialInsurance', 'paymentRecords', 'medicalInsurance', 'designatedHospitals', 'disabilityCertificate', 'evidence'];

/** Which DepartmentData field carries each capability's value. */
export const CAPABILITY_FIELD: Record<ReadCapability, keyof DepartmentData> = {
  residents: 'resident',
  entitlements: 'entitlements',
  socialInsurance: 'socialInsurance',
  paymentRecords: 'paymentRecords',
  medicalInsurance: 'medicalInsurance',
  designatedHospitals: 'designatedHospitals',
  disabilityCertificate: 'disabilityCertificate',
  evidence: 'evidence',
};

/** A case the hub forwards to the department that decides it. */
export interface ForwardedCase {
  caseNo: string;
  serviceItemCode: string;
  applicantIdNumber: string;
  handlingMode: 'IMMEDIATE' | 'PROMISED';
  materials: { code: string; reference: string; form: string; provenance: string }[];
  formData: Record<string, unknown> | null;
}

export type DepartmentCaseStatus = 'RECEIVED' | 'IN_REVIEW' | 'SUSPENDED' | 'COMPLETED';

export interface CaseAnswer {
  departmentRef: string;
  status: DepartmentCaseStatus;
  outcome?: 'APPROVED' | 'REJECTED' | null;
  note?: string | null;
}

/**
 * The `cases` capability: forwarding is a write, so the hub never repeats it blindly — only
 * through its outbox, with the case number as the idempotency key the department must honour.
 */
export interface CaseDesk {
  submit(c: ForwardedCase, ctx: CallContext): Promise<CaseAnswer>;
  /** Same length and order as `departmentRefs`; an Error in the slot of a ref that failed. */
  batchStatus(departmentRefs: readonly string[], ctx: CallContext): Promise<Array<CaseAnswer | Error>>;
  statusBatchLimit: number;
}

/** What the hub hands every call: cancellation, correlation, and the hub's own lookups. */
export interface CallContext {
  /** Aborted when the hub's timeout for this call expires; pass it to every request. */
  signal: AbortSignal;
  requestId: string;
  /** The clerk or service acting (for the department's own audit). */
  operator: string;
  purpose: string;
  /**
   * Core resident records through the hub's loaders and cache, for departments keyed by something
   * other than the ID number (health: household + member). null = unknown to the registry.
   */
  residents(idNumbers: readonly string[]): Promise<Array<ResidentRecord | null | Error>>;
}

/**
 * One kind of upstream call over ID numbers. Keeps DataLoader's contract: the result has the same
 * length and order as `idNumbers`; `null` in a slot = the department does not know this person;
 * an Error in a slot = that key failed. Throw only when the whole call failed.
 */
export type BatchFn = (idNumbers: readonly string[], ctx: CallContext) => Promise<Array<DepartmentData | null | Error>>;

export interface Fetcher {
  batch: BatchFn;
  /** Most ID numbers the department accepts in one call (1 = no batch endpoint). */
  batchLimit: number;
  /** How long an answer may be served from the hub's cache. */
  cacheTtlSeconds: number;
}

export interface ChangeBatch {
  /** ID numbers whose data at this department changed. */
  idNumbers: string[];
  nextCursor: string;
}

export interface Adapter {
  department: DepartmentInfo;
  contractVersion: typeof CONTRACT_VERSION;
  fetchers: Record<string, Fetcher>;
  /** Which fetcher serves each read capability. */
  capabilities: Partial<Record<ReadCapability, string>>;
  /** Most upstream calls in flight at once (the department's own limits decide). */
  maxConcurrency: number;
  /** Receives forwarded cases and reports their status. */
  cases?: CaseDesk;
  /** The department's change feed; `cursor` null = from the start. */
  changes?(cursor: string | null, ctx: CallContext): Promise<ChangeBatch>;
  /** Readiness without calling the department system. */
  health(): { status: 'UP' | 'DOWN' };
  close?(): Promise<void>;
}

export interface AdapterDeps {
  /** The HTTP client; adapters never build their own. */
  dispatcher: Dispatcher;
}

/**
 * An adapter module: configuration is parsed once at start (a bad configuration stops the start),
 * `create` builds the adapter with its clients.
 */
export interface AdapterDefinition<Config> {
  department: DepartmentInfo;
  parseConfig(raw: Record<string, string | undefined>): Config;
  create(config: Config, deps: AdapterDeps): Adapter;
}

export function defineAdapter<Config>(definition: AdapterDefinition<Config>): AdapterDefinition<Config> {
  return definition;
}

/** Reads a required URL setting, naming the setting when it is missing or not a URL. */
export function requireUrl(raw: Record<string, string | undefined>, name: string): URL {
  const value = raw[name];
  if (!value) throw new ConfigError(`${name} is required`);
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    return url;
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL`);
  }
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  override name = 'ConfigError';
}
