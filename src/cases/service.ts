/**
 * The case ledger: intake with the one-time checklist, the state machine, the promised-date clock,
 * and the queries over cases. Every change is one transaction that writes the case, its event and
 * (on acceptance) its outbox row together, so a case is never half-written and never lost.
 */
import { createHash } from 'node:crypto';
import type { CaseAnswer } from '../../adapters/contract.js';
import type { Db, Queryable } from '../db/db.js';
import { checkIdNumber } from '../domain/idnumber.js';
import type { Logger } from '../log.js';
import { chinaDate, endOfChinaDay, type WorkingCalendar } from './calendar.js';
import type { Channel, MaterialForm, MaterialSpec, ServiceItemSpec } from './catalogue.js';
import type { Catalogue } from './catalogue-store.js';
import { assertTransition, CaseError, PAUSED, TO_FORWARD, type CaseStatus } from './state.js';

export interface Actor {
  operator: string;
  window?: string | null;
  station?: string | null;
}

export interface MaterialInput {
  code: string;
  reference: string;
  form: MaterialForm;
  sha256?: string | null;
}

export interface SubmitInput {
  idempotencyKey: string;
  serviceItemCode: string;
  applicantIdNumber: string;
  channel: Channel;
  materials: MaterialInput[];
  deferredMaterialCodes?: string[] | null;
  formData?: Record<string, unknown> | null;
}

export interface CaseProblem {
  code: string;
  message: string;
  materialCode?: string | null;
}

/** What a department vouches for, by material code; `failed` lists departments that could not be asked. */
export interface EvidenceResult {
  found: Map<string, { department: string; reference: string; validUntil: string | null }>;
  failed: Set<string>;
}
export type EvidenceLookup = (idNumber: string, materials: readonly MaterialSpec[]) => Promise<EvidenceResult>;

export interface CaseRow {
  caseNo: string;
  serviceItemCode: string;
  department: string;
  applicantIdNumber: string;
  channel: Channel;
  handlingMode: 'IMMEDIATE' | 'PROMISED';
  status: CaseStatus;
  outcome: 'APPROVED' | 'REJECTED' | null;
  receivedAt: Date;
  acceptedAt: Date | null;
  promisedBy: Date | null;
  pausedAt: Date | null;
  completedAt: Date | null;
  deliveredAt: Date | null;
  window: string | null;
  station: string | null;
  deferredMaterialCodes: string[];
  supplementDeadline: Date | null;
  formData: Record<string, unknown> | null;
  departmentRef: string | null;
  visits: number;
  rating: string | null;
  /** 补齐补正: what the applicant was told to bring or correct, while the case waits for it. */
  correctionGaps: CorrectionGap[] | null;
  correctionDeadline: Date | null;
  /** 不予受理: why, and the appeal notice given with the decision. */
  notAcceptedReason: string | null;
  appealNotice: string | null;
}

export interface CorrectionGap {
  materialCode: string;
  reason: string;
}

export interface CaseFilter {
  status?: CaseStatus[] | null;
  serviceItemCode?: string | null;
  department?: string | null;
  channel?: Channel | null;
  window?: string | null;
  station?: string | null;
  applicantIdNumber?: string | null;
  receivedFrom?: Date | null;
  receivedTo?: Date | null;
  overdue?: boolean | null;
  forwardingState?: 'NOT_NEEDED' | 'PENDING' | 'SENT' | 'ACKNOWLEDGED' | 'FAILED' | null;
}

export const CASE_COLUMNS = `case_no, service_item_code, department, applicant_id_number, channel, handling_mode, status, outcome, received_at, accepted_at,
  promised_by, paused_at, completed_at, delivered_at, window_code, station_code, deferred_material_codes, supplement_deadline, form_data, department_ref, visits, rating,
  correction_gaps, correction_deadline, not_accepted_reason, appeal_notice`;

export function toCaseRow(r: Record<string, any>): CaseRow {
  return {
    caseNo: r.case_no,
    serviceItemCode: r.service_item_code,
    department: r.department,
    applicantIdNumber: r.applicant_id_number,
    channel: r.channel,
    handlingMode: r.handling_mode,
    status: r.status,
    outcome: r.outcome,
    receivedAt: r.received_at,
    acceptedAt: r.accepted_at,
    promisedBy: r.promised_by,
    pausedAt: r.paused_at,
    completedAt: r.completed_at,
    deliveredAt: r.delivered_at,
    window: r.window_code,
    station: r.station_code,
    deferredMaterialCodes: r.deferred_material_codes ?? [],
    supplementDeadline: r.supplement_deadline,
    formData: typeof r.form_data === 'string' ? JSON.parse(r.form_data) : r.form_data,
    departmentRef: r.department_ref,
    visits: r.visits,
    rating: r.rating,
    correctionGaps: typeof r.correction_gaps === 'string' ? JSON.parse(r.correction_gaps) : (r.correction_gaps ?? null),
    correctionDeadline: r.correction_deadline ?? null,
    notAcceptedReason: r.not_accepted_reason ?? null,
    appealNotice: r.appeal_notice ?? null,
  };
}

const FINISHED: readonly CaseStatus[] = ['COMPLETED', 'RESULT_READY', 'DELIVERED', 'NOT_ACCEPTED', 'RETURNED', 'WITHDRAWN'];

/** The form a material must be presented in accepts these forms. */
const ACCEPTED_FORMS: Record<MaterialForm, readonly MaterialForm[]> = {
  ORIGINAL: ['ORIGINAL', 'ELECTRONIC'],
  COPY: ['COPY', 'ORIGINAL', 'ELECTRONIC'],
  ELECTRONIC: ['ELECTRONIC', 'ORIGINAL'],
};

const provenanceOf = (form: MaterialForm): string => (form === 'ELECTRONIC' ? 'APPLICANT_UPLOADED' : 'WINDOW_VERIFIED');

export class CaseService {
  constructor(
    readonly db: Db,
    readonly catalogue: Catalogue,
    readonly calendar: WorkingCalendar,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** 一次性告知: the item's materials minus what the departments vouch for. */
  async checklist(item: ServiceItemSpec, idNumber: string, evidence: EvidenceLookup) {
    const result = await evidence(idNumber, item.materials);
    const obtained = item.materials.flatMap((m) => {
      const e = result.found.get(m.code);
      return e ? [{ material: m, ...e }] : [];
    });
    const toBring = item.materials.filter((m) => !result.found.has(m.code));
    return { toBring, obtained, failedDepartments: [...result.failed] };
  }

  /**
   * Receives (and, at a window, accepts) a case. Everything wrong is reported at once in
   * `problems` and nothing is stored; the same idempotency key with the same content returns the
   * same case; with different content it is a conflict.
   */
  async submit(input: SubmitInput, actor: Actor, evidence: EvidenceLookup): Promise<{ caseNo: string | null; problems: CaseProblem[] }> {
    const key = input.idempotencyKey.trim();
    if (key.length < 8 || key.length > 128) throw new CaseError('BAD_USER_INPUT', 'idempotencyKey must be 8 to 128 characters (a UUID is a good choice)', { argument: 'idempotencyKey' });
    assertMaterialCount(input.materials);
    if (input.formData && JSON.stringify(input.formData).length > MAX_FORM_DATA) throw new CaseError('BAD_USER_INPUT', `formData is at most ${MAX_FORM_DATA / 1024} KB of JSON (scans go in materials, by reference)`, { argument: 'formData' });
    const hash = requestHash(input);
    const existing = await this.db.query<{ case_no: string; request_hash: string }>('select case_no, request_hash from cases where idempotency_key = $1', [key]);
    if (existing.rows[0]) return this.replay(existing.rows[0], hash);

    const problems: CaseProblem[] = [];
    const item = this.catalogue.get(input.serviceItemCode);
    if (!item) problems.push({ code: 'UNKNOWN_SERVICE_ITEM', message: 'there is no service item with this code' });
    const id = checkIdNumber(input.applicantIdNumber, this.now());
    if (!id.ok) problems.push({ code: 'INVALID_ID_NUMBER', message: `applicantIdNumber: ${id.message}` });
    if (!item || !id.ok) return { caseNo: null, problems };

    if (!item.channels.includes(input.channel)) {
      problems.push({ code: 'CHANNEL_NOT_ALLOWED', message: `this item is not accepted through ${input.channel}; it is accepted through ${item.channels.join(', ')}` });
    }
    const byCode = new Map(item.materials.map((m) => [m.code, m]));
    for (const m of input.materials) {
      const spec = byCode.get(m.code);
      if (!spec) problems.push({ code: 'UNKNOWN_MATERIAL', message: 'this item does not ask for this material', materialCode: m.code });
      else if (!ACCEPTED_FORMS[spec.form].includes(m.form)) problems.push({ code: 'MATERIAL_FORM_NOT_ACCEPTED', message: `must be presented as ${spec.form}, got ${m.form}`, materialCode: m.code });
      if (!m.reference?.trim()) problems.push({ code: 'MATERIAL_REFERENCE_MISSING', message: 'every material needs a reference (scan, file or register number)', materialCode: m.code });
      else if (m.reference.length > MAX_REFERENCE) problems.push({ code: 'MATERIAL_REFERENCE_TOO_LONG', message: `a reference is at most ${MAX_REFERENCE} characters (this one has ${m.reference.length})`, materialCode: m.code });
    }
    const deferred = [...new Set(input.deferredMaterialCodes ?? [])];
    for (const code of deferred) {
      const spec = byCode.get(code);
      if (!spec) problems.push({ code: 'UNKNOWN_MATERIAL', message: 'cannot defer a material this item does not ask for', materialCode: code });
      else if (!spec.deferrable) problems.push({ code: 'DEFERRAL_NOT_ALLOWED', message: `${spec.name} cannot be deferred (容缺): it is needed to accept the case`, materialCode: code });
    }
    const { found: shared, failed } = await evidence(id.idNumber, item.materials);
    const given = new Set(input.materials.map((m) => m.code));
    for (const m of item.materials) {
      if (!m.required || given.has(m.code) || shared.has(m.code) || deferred.includes(m.code)) continue;
      const why = m.sharedBy && failed.has(m.sharedBy) ? ` (${m.sharedBy} could not be asked just now, so the resident has to bring it)` : '';
      problems.push({ code: 'MATERIAL_MISSING', message: `${m.name} (${m.form}) is required${why}`, materialCode: m.code });
    }
    if (problems.length) return { caseNo: null, problems };

    const now = this.now();
    try {
      const caseNo = await this.db.transaction(async (tx) => {
        const seq = (await tx.query<{ n: number }>(`select nextval('case_no_seq')::int as n`)).rows[0]!.n;
        const caseNo = `OW${chinaDate(now).replaceAll('-', '')}${String(seq).padStart(6, '0')}`;
        await tx.query(
          `insert into cases (case_no, idempotency_key, request_hash, service_item_code, department, applicant_id_number, channel, handling_mode, status, received_at,
             window_code, station_code, deferred_material_codes, form_data)
           values ($1, $2, $3, $4, $5, $6, $7, $8, 'RECEIVED', $9, $10, $11, $12, $13::jsonb)`,
          [caseNo, key, hash, item.code, item.department, id.idNumber, input.channel, item.handlingMode, now, actor.window ?? null, actor.station ?? null, deferred, input.formData ? JSON.stringify(input.formData) : null],
        );
        await event(tx, caseNo, 'RECEIVED', null, 'RECEIVED', actor, input.channel === 'STATION' ? 'received at the community station' : null, now);
        for (const m of input.materials) {
          await tx.query('insert into case_materials (case_no, code, reference, form, provenance, sha256) values ($1, $2, $3, $4, $5, $6) on conflict do nothing', [caseNo, m.code, m.reference, m.form, provenanceOf(m.form), m.sha256 ?? null]);
        }
        for (const m of item.materials) {
          const e = shared.get(m.code);
          if (e && !given.has(m.code)) await tx.query(`insert into case_materials (case_no, code, reference, form, provenance) values ($1, $2, $3, 'ELECTRONIC', 'SHARED_DATA') on conflict do nothing`, [caseNo, m.code, `${e.department}:${e.reference}`]);
        }
        // A window accepts on the spot; a station's case waits for the centre (acceptStationCase).
        if (input.channel !== 'STATION') await this.accept(tx, caseNo, item, deferred, actor, now);
        return caseNo;
      });
      return { caseNo, problems: [] };
    } catch (err) {
      // Two submissions with one key at once: the loser finds the winner's case.
      if ((err as { code?: string }).code === '23505') {
        const again = await this.db.query<{ case_no: string; request_hash: string }>('select case_no, request_hash from cases where idempotency_key = $1', [key]);
        if (again.rows[0]) return this.replay(again.rows[0], hash);
      }
      throw err;
    }
  }

  private replay(row: { case_no: string; request_hash: string }, hash: string): { caseNo: string; problems: CaseProblem[] } {
    if (row.request_hash !== hash) {
      throw new CaseError('IDEMPOTENCY_CONFLICT', 'this idempotencyKey was already used for a different submission; nothing was changed', { caseNo: row.case_no });
    }
    return { caseNo: row.case_no, problems: [] };
  }

  /** Acceptance: starts the promised-date clock and queues the case for its department, in the caller's transaction. */
  private async accept(tx: Queryable, caseNo: string, item: ServiceItemSpec, deferred: string[], actor: Actor, now: Date): Promise<void> {
    const to: CaseStatus = deferred.length ? 'ACCEPTED_WITH_DEFICIENCY' : 'ACCEPTED';
    assertTransition(caseNo, 'RECEIVED', to);
    const promisedBy = this.calendar.promisedBy(now, item.promisedWorkingDays);
    // 容缺: the supplement deadline is within the promised limit (and at least the end of today).
    const supplementDeadline = deferred.length ? this.calendar.promisedBy(now, Math.min(5, item.promisedWorkingDays)) : null;
    await tx.query(`update cases set status = $2, accepted_at = $3, promised_by = $4, supplement_deadline = $5, updated_at = now() where case_no = $1 and status = 'RECEIVED'`, [caseNo, to, now, promisedBy, supplementDeadline]);
    await event(tx, caseNo, 'ACCEPTED', 'RECEIVED', to, actor, deferred.length ? `容缺受理: ${deferred.join(', ')} to be supplemented` : null, now);
    await tx.query(`insert into outbox (case_no, department, state) values ($1, $2, 'PENDING') on conflict (case_no) do nothing`, [caseNo, item.department]);
  }

  async get(caseNo: string): Promise<CaseRow | null> {
    const { rows } = await this.db.query(`select ${CASE_COLUMNS} from cases where case_no = $1`, [caseNo]);
    return rows[0] ? toCaseRow(rows[0]) : null;
  }

  /** Loads a case for change inside a transaction, locked; NOT_FOUND when there is none. */
  private async lock(tx: Queryable, caseNo: string): Promise<CaseRow> {
    const { rows } = await tx.query(`select ${CASE_COLUMNS} from cases where case_no = $1 for update`, [caseNo]);
    if (!rows[0]) throw new CaseError('NOT_FOUND', 'there is no case with this number', { caseNo });
    return toCaseRow(rows[0]);
  }

  /**
   * Moves a locked case to `to` with an event; keeps the promised-date clock: it stops when the
   * case enters a paused status and resumes, extended by the working days it stood, when it leaves.
   */
  private async move(tx: Queryable, c: CaseRow, to: CaseStatus, actor: Actor, note: string | null, set: Record<string, unknown> = {}, type = 'STATUS_CHANGED'): Promise<void> {
    assertTransition(c.caseNo, c.status, to);
    const now = this.now();
    const updates: Record<string, unknown> = { ...set };
    if (PAUSED.has(to) && !PAUSED.has(c.status)) updates.paused_at = now;
    if (PAUSED.has(c.status) && !PAUSED.has(to)) {
      updates.paused_at = null;
      if (c.promisedBy && c.pausedAt) {
        const stood = this.calendar.workingDaysBetween(chinaDate(c.pausedAt), chinaDate(now));
        updates.promised_by = endOfChinaDay(this.calendar.addWorkingDays(chinaDate(c.promisedBy), stood));
      }
    }
    const cols = Object.keys(updates);
    const r = await tx.query(
      `update cases set status = $2, updated_at = now()${cols.map((k, i) => `, ${k} = $${i + 3}`).join('')} where case_no = $1`,
      [c.caseNo, to, ...cols.map((k) => updates[k])],
    );
    if (r.rowCount !== 1) throw new CaseError('CONFLICT', 'the case changed meanwhile; try again', { caseNo: c.caseNo });
    await event(tx, c.caseNo, type, c.status, to, actor, note, now);
    c.status = to;
  }

  async supplement(caseNo: string, materials: MaterialInput[], actor: Actor): Promise<void> {
    if (materials.length === 0) throw new CaseError('BAD_USER_INPUT', 'no materials given', { argument: 'materials' });
    assertMaterialCount(materials);
    await this.db.transaction(async (tx) => {
      const c = await this.lock(tx, caseNo);
      const item = this.catalogue.get(c.serviceItemCode);
      const specs = new Map((item?.materials ?? []).map((m) => [m.code, m]));
      const bad = materials.filter((m) => !specs.has(m.code) || !m.reference?.trim() || m.reference.length > MAX_REFERENCE || !ACCEPTED_FORMS[specs.get(m.code)!.form].includes(m.form));
      if (bad.length) throw new CaseError('BAD_USER_INPUT', `not materials of this item, without a reference, or in a form it does not accept: ${bad.map((m) => m.code).join(', ')}`, { materialCodes: bad.map((m) => m.code) });
      if (!['ACCEPTED_WITH_DEFICIENCY', 'CORRECTION_REQUESTED', 'RECEIVED', 'FORWARDED', 'IN_REVIEW', 'SUSPENDED'].includes(c.status)) {
        throw new CaseError('ILLEGAL_TRANSITION', `case ${caseNo} is ${c.status}; materials can no longer be supplemented`, { caseNo, from: c.status });
      }
      if (c.status === 'CORRECTION_REQUESTED' && c.correctionDeadline && c.correctionDeadline < this.now()) {
        throw new CaseError('CORRECTION_OVERDUE', `the correction deadline of case ${caseNo} passed on ${chinaDate(c.correctionDeadline)}: the case is returned (退件); a new application is needed`, { caseNo });
      }
      for (const m of materials) {
        await tx.query('insert into case_materials (case_no, code, reference, form, provenance, sha256) values ($1, $2, $3, $4, $5, $6) on conflict do nothing', [caseNo, m.code, m.reference, m.form, provenanceOf(m.form), m.sha256 ?? null]);
      }
      const supplied = (code: string) => materials.some((m) => m.code === code);
      const remaining = c.deferredMaterialCodes.filter((code) => !supplied(code));
      const gapsLeft = (c.correctionGaps ?? []).filter((g) => !supplied(g.materialCode));
      // Already at the department: the forwarding interface has no call for more materials, so the
      // event says where they must go (by the department's own channel).
      const atDepartment = c.departmentRef ? ` — the case is already at ${c.department} (ref ${c.departmentRef}): send the material there by its own channel, the forwarding interface has no supplement call` : '';
      const note = `supplemented ${materials.map((m) => m.code).join(', ')}${atDepartment}`;
      await tx.query('update cases set deferred_material_codes = $2, visits = visits + 1 where case_no = $1', [caseNo, remaining]);
      if (c.status === 'ACCEPTED_WITH_DEFICIENCY' && remaining.length === 0) await this.move(tx, c, 'ACCEPTED', actor, note, { supplement_deadline: null }, 'MATERIALS_SUPPLEMENTED');
      // 补齐补正: back to RECEIVED (the centre looks at it again) once every gap told is filled.
      else if (c.status === 'CORRECTION_REQUESTED' && gapsLeft.length === 0) await this.move(tx, c, 'RECEIVED', actor, note, { correction_gaps: null, correction_deadline: null }, 'MATERIALS_SUPPLEMENTED');
      else {
        if (c.status === 'CORRECTION_REQUESTED') await tx.query('update cases set correction_gaps = $2::jsonb where case_no = $1', [caseNo, JSON.stringify(gapsLeft)]);
        await event(tx, caseNo, 'MATERIALS_SUPPLEMENTED', c.status, c.status, actor, c.status === 'CORRECTION_REQUESTED' ? `${note}; still to correct: ${gapsLeft.map((g) => g.materialCode).join(', ')}` : note, this.now());
      }
    });
  }

  async withdraw(caseNo: string, reason: string, actor: Actor): Promise<void> {
    if (!reason.trim()) throw new CaseError('BAD_USER_INPUT', 'a reason is required to withdraw a case', { argument: 'reason' });
    assertTextLength('reason', reason);
    await this.db.transaction(async (tx) => {
      const c = await this.lock(tx, caseNo);
      // Already at the department: the forwarding interface (ADAPTER-PROTOCOL.md) has no withdrawal,
      // so the event says who must be told, for the clerk to do it by the department's own channel.
      const atDepartment = c.departmentRef ? ` — already at ${c.department} (ref ${c.departmentRef}): tell the department by its own channel, the forwarding interface has no withdrawal` : '';
      await this.move(tx, c, 'WITHDRAWN', actor, `${reason.trim()}${atDepartment}`);
      // Not yet at the department: it never will be.
      await closeForwarding(tx, caseNo, 'PENDING', 'withdrawn before forwarding');
    });
  }

  async deliver(caseNo: string, actor: Actor): Promise<void> {
    await this.db.transaction(async (tx) => {
      const c = await this.lock(tx, caseNo);
      await this.move(tx, c, 'DELIVERED', actor, null, { delivered_at: this.now() }, 'DELIVERED');
    });
  }

  async acceptStationCase(caseNo: string, actor: Actor): Promise<void> {
    await this.db.transaction(async (tx) => {
      const c = await this.lock(tx, caseNo);
      if (c.channel !== 'STATION') throw new CaseError('ILLEGAL_TRANSITION', `case ${caseNo} was not received at a community station`, { caseNo, from: c.status });
      if (c.status !== 'RECEIVED') assertTransition(caseNo, c.status, 'ACCEPTED');
      const item = this.catalogue.get(c.serviceItemCode);
      if (!item) throw new CaseError('NOT_FOUND', 'the case’s service item is no longer in the catalogue', { caseNo });
      await this.accept(tx, caseNo, item, c.deferredMaterialCodes, actor, this.now());
    });
  }

  /**
   * 补齐补正: the centre tells the applicant everything to bring or correct, at once, with a
   * deadline (end of the nth working day). The clock is paused; supplementing every gap brings the
   * case back to RECEIVED; the deadline passing returns it (退件, swept with the status sync).
   */
  async requestCorrection(caseNo: string, gaps: CorrectionGap[], withinWorkingDays: number, actor: Actor): Promise<void> {
    if (gaps.length === 0) throw new CaseError('BAD_USER_INPUT', 'name at least one gap: all of them are told at once (一次性告知)', { argument: 'gaps' });
    if (!Number.isInteger(withinWorkingDays) || withinWorkingDays < 1 || withinWorkingDays > 30) throw new CaseError('BAD_USER_INPUT', 'withinWorkingDays must be a whole number from 1 to 30', { argument: 'withinWorkingDays' });
    const codes = gaps.map((g) => g.materialCode);
    const twice = codes.filter((code, i) => codes.indexOf(code) !== i);
    if (twice.length) throw new CaseError('BAD_USER_INPUT', `each material once, with everything wrong with it in its reason: ${[...new Set(twice)].join(', ')} named twice`, { argument: 'gaps', materialCodes: [...new Set(twice)] });
    const noReason = gaps.filter((g) => !g.reason.trim()).map((g) => g.materialCode);
    if (noReason.length) throw new CaseError('BAD_USER_INPUT', `every gap needs a reason the applicant can act on: ${noReason.join(', ')} has none`, { argument: 'gaps', materialCodes: noReason });
    for (const g of gaps) assertTextLength(`the reason for ${g.materialCode}`, g.reason, 'gaps');
    await this.db.transaction(async (tx) => {
      const c = await this.lock(tx, caseNo);
      const item = this.catalogue.get(c.serviceItemCode);
      const known = new Set((item?.materials ?? []).map((m) => m.code));
      const unknown = codes.filter((code) => !known.has(code));
      if (unknown.length) throw new CaseError('BAD_USER_INPUT', `not materials of this item: ${unknown.join(', ')}`, { argument: 'gaps', materialCodes: unknown });
      const deadline = this.calendar.promisedBy(this.now(), withinWorkingDays);
      const told = gaps.map((g) => ({ materialCode: g.materialCode, reason: g.reason.trim() }));
      await this.move(tx, c, 'CORRECTION_REQUESTED', actor, `补齐补正 by ${chinaDate(deadline)}: ${told.map((g) => `${g.materialCode} (${g.reason})`).join('; ')}`, { correction_gaps: JSON.stringify(told), correction_deadline: deadline }, 'CORRECTION_REQUESTED');
    });
  }

  /** 不予受理: a reasoned refusal with the appeal notice of the day; final. */
  async decline(caseNo: string, reason: string, appealNotice: string, actor: Actor): Promise<void> {
    if (!reason.trim()) throw new CaseError('BAD_USER_INPUT', 'a reason is required to decline a case (不予受理 must say why)', { argument: 'reason' });
    assertTextLength('reason', reason);
    await this.db.transaction(async (tx) => {
      const c = await this.lock(tx, caseNo);
      await this.move(tx, c, 'NOT_ACCEPTED', actor, reason.trim(), { not_accepted_reason: reason.trim(), appeal_notice: appealNotice, correction_gaps: null, correction_deadline: null }, 'NOT_ACCEPTED');
    });
  }

  /**
   * An administrator sends a FAILED forwarding again (the department was away longer than the
   * outbox's attempts): due now, attempts counted from zero, the retry recorded as an event.
   */
  async retryForwarding(caseNo: string, actor: Actor): Promise<void> {
    await this.db.transaction(async (tx) => {
      const c = await this.lock(tx, caseNo);
      const { rows } = await tx.query<{ state: string; attempts: number }>('select state, attempts from outbox where case_no = $1 for update', [caseNo]);
      const row = rows[0];
      if (!row || row.state !== 'FAILED') throw new CaseError('FORWARDING_NOT_FAILED', `the forwarding of case ${caseNo} is ${row?.state ?? 'NOT_NEEDED'}; only a FAILED forwarding can be retried`, { caseNo, state: row?.state ?? 'NOT_NEEDED' });
      if (!TO_FORWARD.has(c.status)) throw new CaseError('ILLEGAL_TRANSITION', `case ${caseNo} is ${c.status}: it is not to be forwarded`, { caseNo, from: c.status });
      await tx.query(`update outbox set state = 'PENDING', attempts = 0, next_attempt_at = now(), locked_until = null, updated_at = now() where case_no = $1`, [caseNo]);
      await event(tx, caseNo, 'FORWARDING_RETRIED', c.status, c.status, actor, `failed after ${row.attempts} attempts; sent again`, this.now());
    });
  }

  async evaluate(caseNo: string, rating: string, comment: string | null, actor: Actor): Promise<void> {
    if (comment) assertTextLength('comment', comment);
    await this.db.transaction(async (tx) => {
      const c = await this.lock(tx, caseNo);
      if (c.rating) throw new CaseError('ALREADY_EVALUATED', 'this case has already been evaluated (好差评 is once per case)', { caseNo });
      if (c.status === 'RECEIVED' || c.status === 'CORRECTION_REQUESTED') throw new CaseError('ILLEGAL_TRANSITION', `case ${caseNo} is ${c.status}: it can be evaluated once it is accepted or closed`, { caseNo, from: c.status });
      await tx.query('update cases set rating = $2, rating_comment = $3 where case_no = $1', [caseNo, rating, comment?.trim() || null]);
      await event(tx, caseNo, 'EVALUATED', c.status, c.status, actor, rating, this.now());
    });
  }

  /**
   * What the department said about a forwarded case (on submission, or from a status sync),
   * turned into the hub's transitions. A withdrawn or closed case records the answer, nothing more.
   */
  async applyDepartmentAnswer(tx: Queryable, caseNo: string, answer: CaseAnswer, actor: Actor): Promise<void> {
    const c = await this.lock(tx, caseNo);
    if (!c.departmentRef) await tx.query('update cases set department_ref = $2 where case_no = $1', [caseNo, answer.departmentRef]);
    const note = answer.note ?? null;
    if (c.status === 'ACCEPTED' || c.status === 'ACCEPTED_WITH_DEFICIENCY') {
      if (answer.status === 'COMPLETED' && c.handlingMode === 'IMMEDIATE' && c.status === 'ACCEPTED') {
        await this.move(tx, c, 'COMPLETED', actor, note, { outcome: answer.outcome ?? 'APPROVED', completed_at: this.now(), department_ref: answer.departmentRef }, 'COMPLETED');
        return;
      }
      await this.move(tx, c, 'FORWARDED', actor, `department reference ${answer.departmentRef}`, { department_ref: answer.departmentRef }, 'FORWARDED');
    }
    if (FINISHED.includes(c.status)) return;
    if (answer.status === 'IN_REVIEW' && c.status === 'FORWARDED') await this.move(tx, c, 'IN_REVIEW', actor, note);
    else if (answer.status === 'SUSPENDED' && c.status === 'IN_REVIEW') await this.move(tx, c, 'SUSPENDED', actor, note);
    else if (answer.status === 'IN_REVIEW' && c.status === 'SUSPENDED') await this.move(tx, c, 'IN_REVIEW', actor, note);
    else if (answer.status === 'COMPLETED') {
      if (c.status === 'SUSPENDED') await this.move(tx, c, 'IN_REVIEW', actor, null);
      await this.move(tx, c, 'COMPLETED', actor, note, { outcome: answer.outcome ?? 'APPROVED', completed_at: this.now() }, 'COMPLETED');
      // The result travels to the comprehensive result window (综合出件窗口).
      await this.move(tx, c, 'RESULT_READY', actor, 'the result is at the result window', {}, 'RESULT_READY');
    }
  }

  /**
   * 退件: 容缺 cases whose supplement deadline passed with materials still missing, and cases whose
   * correction (补齐补正) deadline passed with gaps still open, are returned. Returns how many were.
   */
  async returnOverdue(actor: Actor): Promise<number> {
    const { rows } = await this.db.query<{ case_no: string }>(
      `select case_no from cases where (cardinality(deferred_material_codes) > 0 and supplement_deadline < $1
           and status in ('ACCEPTED_WITH_DEFICIENCY', 'FORWARDED', 'IN_REVIEW', 'SUSPENDED'))
         or (status = 'CORRECTION_REQUESTED' and correction_deadline < $1)
       order by case_no limit 200`,
      [this.now()],
    );
    let returned = 0;
    for (const { case_no } of rows) {
      await this.db.transaction(async (tx) => {
        const c = await this.lock(tx, case_no);
        const now = this.now();
        if (c.status === 'CORRECTION_REQUESTED') {
          if (!c.correctionDeadline || c.correctionDeadline >= now) return; // corrected meanwhile
          await this.move(tx, c, 'RETURNED', actor, `补齐补正 not made by the deadline: ${(c.correctionGaps ?? []).map((g) => g.materialCode).join(', ')} still open`, {}, 'RETURNED');
        } else {
          if (c.deferredMaterialCodes.length === 0 || !c.supplementDeadline || c.supplementDeadline >= now || FINISHED.includes(c.status)) return; // supplemented meanwhile
          await this.move(tx, c, 'RETURNED', actor, `容缺 commitment not kept: ${c.deferredMaterialCodes.join(', ')} not supplied by the deadline`, {}, 'RETURNED');
          // not yet at its department (it was away): it never will be
          await closeForwarding(tx, case_no, 'PENDING', 'not forwarded: the case is RETURNED');
        }
        returned++;
      });
    }
    return returned;
  }

  async events(caseNos: readonly string[]) {
    const { rows } = await this.db.query<{ case_no: string; at: Date; type: string; from_status: string | null; to_status: string | null; actor: string; place: string | null; note: string | null }>('select case_no, at, type, from_status, to_status, actor, place, note from case_events where case_no = any($1) order by id', [caseNos]);
    return group(caseNos, rows);
  }

  async materials(caseNos: readonly string[]) {
    const { rows } = await this.db.query<{ case_no: string; code: string; reference: string; form: string; provenance: string }>('select case_no, code, reference, form, provenance from case_materials where case_no = any($1) order by added_at, code', [caseNos]);
    return group(caseNos, rows);
  }

  async forwarding(caseNos: readonly string[]) {
    const { rows } = await this.db.query<{ case_no: string; state: string; attempts: number; last_error: string | null; next_attempt_at: Date }>('select case_no, state, attempts, last_error, next_attempt_at from outbox where case_no = any($1)', [caseNos]);
    return group(caseNos, rows).map((r) => r[0] ?? null);
  }

  /** Every case of each applicant, newest first. */
  async byApplicant(idNumbers: readonly string[]): Promise<CaseRow[][]> {
    const { rows } = await this.db.query<Record<string, any>>(`select ${CASE_COLUMNS} from cases where applicant_id_number = any($1) order by received_at desc, case_no desc`, [idNumbers]);
    const all = rows.map(toCaseRow);
    return idNumbers.map((id) => all.filter((c) => c.applicantIdNumber === id));
  }

  /** Cases, newest first, with cursor pagination. */
  async list(filter: CaseFilter, first: number, after: string | null): Promise<{ rows: CaseRow[]; totalCount: number; hasNextPage: boolean }> {
    if (!Number.isInteger(first) || first < 1 || first > 200) throw new CaseError('BAD_USER_INPUT', 'first must be between 1 and 200', { argument: 'first' });
    const { where, params } = filterSql(filter, this.now());
    const total = await this.db.query<{ n: number }>(`select count(*)::int as n from cases c where ${where}`, params);
    let pageWhere = where;
    const pageParams = [...params];
    if (after) {
      const cursor = decodeCursor(after);
      pageParams.push(cursor.receivedAt, cursor.caseNo);
      pageWhere += ` and (c.received_at, c.case_no) < ($${pageParams.length - 1}::timestamptz, $${pageParams.length})`;
    }
    pageParams.push(first + 1);
    const { rows } = await this.db.query(`select ${CASE_COLUMNS} from cases c where ${pageWhere} order by c.received_at desc, c.case_no desc limit $${pageParams.length}`, pageParams);
    return { rows: rows.slice(0, first).map(toCaseRow), totalCount: total.rows[0]!.n, hasNextPage: rows.length > first };
  }

  /** Counts and rates per group, computed in SQL (working days from the calendar table). */
  async stats(filter: CaseFilter, groupBy: readonly string[]) {
    const dims: Record<string, string> = {
      SERVICE_ITEM: 'c.service_item_code',
      DEPARTMENT: 'c.department',
      CHANNEL: 'c.channel',
      WINDOW: 'c.window_code',
      STATION: 'c.station_code',
      STATUS: 'c.status',
      DAY: `to_char(c.received_at at time zone 'UTC' + interval '8 hours', 'YYYY-MM-DD')`,
      MONTH: `to_char(c.received_at at time zone 'UTC' + interval '8 hours', 'YYYY-MM')`,
    };
    const unknown = groupBy.filter((g) => !dims[g]);
    if (unknown.length) throw new CaseError('BAD_USER_INPUT', `unknown dimension(s): ${unknown.join(', ')}`, { argument: 'groupBy' });
    const { where, params } = filterSql(filter, this.now());
    const keys = groupBy.map((g, i) => `${dims[g]} as k${i}`);
    const local = (col: string) => `(${col} at time zone 'UTC' + interval '8 hours')::date`;
    const sql = `
      select ${[...keys, 'count(*)::int as n'].join(', ')},
        count(*) filter (where c.completed_at is not null)::int as completed,
        count(*) filter (where c.completed_at is not null and c.visits <= 1)::int as one_visit,
        count(*) filter (where c.completed_at is not null and c.promised_by is not null and c.completed_at <= c.promised_by)::int as on_time,
        avg((select count(*) from generate_series(${local('c.accepted_at')} + 1, ${local('c.completed_at')}, interval '1 day') d where is_working_day(d::date)))
          filter (where c.completed_at is not null and c.accepted_at is not null)::float8 as avg_days
      from cases c where ${where}
      ${groupBy.length ? `group by ${groupBy.map((_, i) => `k${i}`).join(', ')} order by ${groupBy.map((_, i) => `k${i}`).join(', ')}` : ''}`;
    const { rows } = await this.db.query<Record<string, any>>(sql, params);
    return rows.map((r) => ({
      key: Object.fromEntries(groupBy.map((g, i) => [g, r[`k${i}`] ?? null])),
      count: r.n,
      completedCount: r.completed,
      oneVisitRate: r.completed ? r.one_visit / r.completed : null,
      onTimeRate: r.completed ? r.on_time / r.completed : null,
      averageWorkingDays: r.avg_days === null || r.avg_days === undefined ? null : Number(r.avg_days),
    }));
  }
}

async function event(tx: Queryable, caseNo: string, type: string, from: CaseStatus | null, to: CaseStatus | null, actor: Actor, note: string | null, at: Date): Promise<void> {
  const place = actor.station ? `station:${actor.station}` : actor.window ? `window:${actor.window}` : null;
  await tx.query('insert into case_events (case_no, at, type, from_status, to_status, actor, place, note) values ($1, $2, $3, $4, $5, $6, $7, $8)', [caseNo, at, type, from, to, actor.operator, place, note]);
}

function group<T extends { case_no: string }>(keys: readonly string[], rows: T[]): T[][] {
  const by = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const r of rows) by.get(r.case_no)?.push(r);
  return keys.map((k) => by.get(k)!);
}

/** A stable hash of what was submitted, to tell a retry from a different request under one key. */
/** A material's reference (a scan's address, a register number), in characters. */
const MAX_REFERENCE = 1000;
/** The application form's fields as JSON, in characters. */
const MAX_FORM_DATA = 64 * 1024;
/** Materials in one submission or supplement: no item asks for more than a handful (several pages each at most). */
const MAX_MATERIALS = 100;
function assertMaterialCount(materials: readonly unknown[]): void {
  if (materials.length > MAX_MATERIALS) throw new CaseError('BAD_USER_INPUT', `at most ${MAX_MATERIALS} materials at once (got ${materials.length})`, { argument: 'materials' });
}

/** Free text a clerk or resident writes (reasons, comments): refused, not cut, when too long. */
const MAX_TEXT = 500;
function assertTextLength(what: string, text: string, argument = what): void {
  if (text.trim().length > MAX_TEXT) throw new CaseError('BAD_USER_INPUT', `${what} is ${text.trim().length} characters; at most ${MAX_TEXT}`, { argument });
}

/** Closes a case's outbox row unsent — FAILED, with why — if it is in `state`: the case is not to reach its department. */
export async function closeForwarding(q: Queryable, caseNo: string, state: 'PENDING' | 'SENT', reason: string): Promise<void> {
  await q.query(`update outbox set state = 'FAILED', last_error = $3, locked_until = null, updated_at = now() where case_no = $1 and state = $2`, [caseNo, state, reason]);
}

export function requestHash(input: SubmitInput): string {
  const canonical = {
    serviceItemCode: input.serviceItemCode,
    applicantIdNumber: input.applicantIdNumber.trim().toUpperCase(),
    channel: input.channel,
    materials: [...input.materials].map((m) => [m.code, m.reference, m.form, m.sha256 ?? null]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    deferred: [...new Set(input.deferredMaterialCodes ?? [])].sort(),
    formData: input.formData ?? null,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export function encodeCursor(c: CaseRow): string {
  return Buffer.from(JSON.stringify([c.receivedAt.toISOString(), c.caseNo])).toString('base64url');
}

function decodeCursor(s: string): { receivedAt: string; caseNo: string } {
  try {
    const [receivedAt, caseNo] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as [string, string];
    if (typeof receivedAt !== 'string' || typeof caseNo !== 'string' || Number.isNaN(Date.parse(receivedAt))) throw new Error();
    return { receivedAt, caseNo };
  } catch {
    throw new CaseError('BAD_USER_INPUT', 'after is not a cursor this API gave out', { argument: 'after' });
  }
}

function filterSql(f: CaseFilter, now: Date): { where: string; params: unknown[] } {
  const clauses: string[] = ['true'];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => (params.push(v), clauses.push(sql.replace('?', `$${params.length}`)));
  if (f.status?.length) add('c.status = any(?)', f.status);
  if (f.serviceItemCode) add('c.service_item_code = ?', f.serviceItemCode);
  if (f.department) add('c.department = ?', f.department);
  if (f.channel) add('c.channel = ?', f.channel);
  if (f.window) add('c.window_code = ?', f.window);
  if (f.station) add('c.station_code = ?', f.station);
  if (f.applicantIdNumber) add('c.applicant_id_number = ?', f.applicantIdNumber.trim().toUpperCase());
  if (f.receivedFrom) add('c.received_at >= ?', f.receivedFrom);
  if (f.receivedTo) add('c.received_at < ?', f.receivedTo);
  if (f.forwardingState === 'NOT_NEEDED') clauses.push('not exists (select 1 from outbox o where o.case_no = c.case_no)');
  else if (f.forwardingState) add('exists (select 1 from outbox o where o.case_no = c.case_no and o.state = ?)', f.forwardingState);
  if (f.overdue !== undefined && f.overdue !== null) {
    params.push(now, FINISHED);
    const overdue = `(coalesce(c.promised_by < $${params.length - 1}, false) and c.status <> all($${params.length}) and c.paused_at is null)`;
    clauses.push(f.overdue ? overdue : `not ${overdue}`);
  }
  return { where: clauses.join(' and '), params };
}
