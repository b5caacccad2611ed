/**
 * One-window intake end to end, over real HTTP, on PGlite and (with DATABASE_URL) PostgreSQL:
 * checklist, submission, the state machine, forwarding through the outbox to the simulated
 * departments, status coming back, pickup, evaluation, queries and statistics.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../src/cases/calendar.js';
import { DEFAULT_APPEAL_NOTICE } from '../../src/config.js';
import { DBS, startTestHub, until, type TestHub } from '../helpers/hub.js';

const CASE_FIELDS = `caseNo status outcome channel receivedAt acceptedAt promisedBy completedAt deliveredAt window station departmentRef rating
  serviceItem { code handlingMode } applicant { idNumber name }
  materials { code reference form provenance } missingMaterials { code }
  forwarding { state attempts lastError } events { type fromStatus toStatus actor place note }`;
const SUBMIT = `mutation($input: SubmitCaseInput!) { submitCase(input: $input) { case { ${CASE_FIELDS} } problems { code message materialCode } notices } }`;

describe.each(DBS)('one-window intake (%s)', (dbKind) => {
  let t: TestHub;
  const item = (name: string) => t.hub.cases.catalogue.list({ search: name }).find((i) => i.name === name)!;
  const person = (f: (p: TestHub['sims']['world']['people'][number]) => boolean, skip = 0) => t.sims.world.people.filter(f)[skip]!;
  const deptCases = async (code: string) => ((await (await fetch(`${t.sims.urls[code as 'health']}/_sim/cases`, { method: 'POST' })).json()) as any).cases as Record<string, { departmentRef: string; creations: number; submissions: number }>;
  const count = async (table: string) => (await t.db.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;

  beforeAll(async () => {
    t = await startTestHub({ db: dbKind, env: { INSTANT_BUDGET_MS: '1000', OUTBOX_BASE_BACKOFF_MS: '1', OUTBOX_MAX_BACKOFF_MS: '20', OUTBOX_MAX_ATTEMPTS: '6' } });
    for (const s of Object.values(t.sims.sims)) s.configure({}, { caseReviewAfterMs: 0, caseDecideAfterMs: 0 });
    t.sims.sims['civil-affairs'].configure({}, { caseReviewAfterMs: 0, caseDecideAfterMs: 3_600_000 }); // decided when a test says so
  });
  afterAll(() => t?.close());

  it('serves the sample catalogue: 153 items, 95 instant, 27 open to stations, counted per department', async () => {
    const { body } = await t.gql(`{ all: serviceItems { code } instant: serviceItems(handlingMode: IMMEDIATE) { code } station: serviceItems(channel: STATION) { code }
      search: serviceItems(search: "定点医疗机构") { name department { code } } departments { code serviceItemCount } }`);
    expect(body.data.all).toHaveLength(153);
    expect(body.data.instant).toHaveLength(95);
    expect(body.data.station).toHaveLength(27);
    expect(body.data.search.map((i: any) => i.name)).toContain('变更定点医疗机构');
    const counts = Object.fromEntries(body.data.departments.map((d: any) => [d.code, d.serviceItemCount]));
    expect(Object.values(counts).reduce((a: any, b: any) => a + b, 0)).toBe(153);
  });

  it('the checklist lists only what no department can vouch for', async () => {
    const p = person((x) => !!x.disability && x.civil.benefits.some((b) => b.kind === 'LOW_INCOME_ALLOWANCE' && b.status === 'ACTIVE')) ?? person((x) => !!x.disability);
    const it_ = item('困难残疾人生活补贴申请');
    const { body } = await t.gql(`query($c: ID!, $id: ID!) { materialChecklist(serviceItemCode: $c, idNumber: $id) {
      resident { name } toBring { code } obtainedBySharing { material { code } department { code } reference validUntil } unavailableDepartments } }`, { c: it_.code, id: p.idNumber });
    const list = body.data.materialChecklist;
    expect(list.resident.name).toBe(p.name);
    const shared = Object.fromEntries(list.obtainedBySharing.map((s: any) => [s.material.code, s]));
    expect(shared.ID_CARD.department.code).toBe('population');
    expect(shared.DISABILITY_CERT).toMatchObject({ department: { code: 'disabled-persons' }, reference: p.disability!.certificateNo, validUntil: p.disability!.validUntil });
    expect(list.toBring.map((m: any) => m.code)).toContain('BANK_ACCOUNT');
    expect(list.toBring.map((m: any) => m.code)).not.toContain('DISABILITY_CERT');
    const hasLowIncome = p.civil.benefits.some((b) => b.kind === 'LOW_INCOME_ALLOWANCE' && b.status === 'ACTIVE');
    expect(!!shared.LOW_INCOME_CERT).toBe(hasLowIncome);
  });

  it('a department that cannot be asked: its material goes back on the list, and says why', async () => {
    const p = person((x) => !!x.disability, 1);
    t.sims.sims['disabled-persons'].configure({ down: true });
    try {
      const { body } = await t.gql(`query($c: ID!, $id: ID!) { materialChecklist(serviceItemCode: $c, idNumber: $id) { toBring { code } unavailableDepartments } }`, { c: item('重度残疾人护理补贴申请').code, id: p.idNumber });
      expect(body.data.materialChecklist.toBring.map((m: any) => m.code)).toContain('DISABILITY_CERT');
      expect(body.data.materialChecklist.unavailableDepartments).toEqual(['disabled-persons']);
    } finally {
      t.sims.sims['disabled-persons'].configure({ down: false });
    }
  });

  it('reports every problem at once and stores nothing', async () => {
    const before = await count('cases');
    const p = t.sims.world.people[5]!;
    const { body } = await t.gql(SUBMIT, {
      input: {
        idempotencyKey: randomUUID(),
        serviceItemCode: item('最低生活保障申请').code,
        applicantIdNumber: p.idNumber,
        channel: 'SELF_SERVICE',
        materials: [{ code: 'NOT_A_MATERIAL', reference: 'x', form: 'COPY' }],
        deferredMaterialCodes: ['APPLICATION_FORM', 'HOUSEHOLD_REGISTER'],
      },
    });
    const codes = body.data.submitCase.problems.map((x: any) => `${x.code}:${x.materialCode ?? ''}`).sort();
    expect(codes).toEqual(['CHANNEL_NOT_ALLOWED:', 'DEFERRAL_NOT_ALLOWED:APPLICATION_FORM', 'MATERIAL_MISSING:INCOME_PROOF', 'UNKNOWN_MATERIAL:NOT_A_MATERIAL'].sort());
    expect(body.data.submitCase.case).toBeNull();
    expect(await count('cases')).toBe(before);
    const bad = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: 'NOPE', applicantIdNumber: '123', channel: 'WINDOW', materials: [] } });
    expect(bad.body.data.submitCase.problems.map((x: any) => x.code).sort()).toEqual(['INVALID_ID_NUMBER', 'UNKNOWN_SERVICE_ITEM']);
    // sizes: a reference is at most 1000 characters, a submission at most 100 materials
    const long = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('临时救助申请').code, applicantIdNumber: p.idNumber, channel: 'WINDOW', materials: [{ code: 'INCOME_PROOF', reference: 'x'.repeat(1001), form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: 'f', form: 'ORIGINAL' }] } });
    expect(long.body.data.submitCase.problems.map((x: any) => `${x.code}:${x.materialCode}`)).toEqual(['MATERIAL_REFERENCE_TOO_LONG:INCOME_PROOF']);
    const many = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('临时救助申请').code, applicantIdNumber: p.idNumber, channel: 'WINDOW', materials: Array.from({ length: 101 }, (_, i) => ({ code: 'INCOME_PROOF', reference: `page-${i}`, form: 'ORIGINAL' })) } });
    expect(many.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'materials' });
    const form = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('临时救助申请').code, applicantIdNumber: p.idNumber, channel: 'WINDOW', materials: [{ code: 'INCOME_PROOF', reference: 'r', form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: 'f', form: 'ORIGINAL' }], formData: { note: 'x'.repeat(70_000) } } });
    expect(form.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'formData' });
    expect(await count('cases')).toBe(before);
  });

  it('a promised item: accepted with its promised date, forwarded once, reviewed, completed, picked up, evaluated', async () => {
    const p = person((x) => x.age >= 18 && x.age < 60, 3);
    const it_ = item('最低生活保障申请');
    const input = {
      idempotencyKey: randomUUID(),
      serviceItemCode: it_.code,
      applicantIdNumber: p.idNumber,
      channel: 'WINDOW',
      materials: [
        { code: 'INCOME_PROOF', reference: 'scan://income/1', form: 'ORIGINAL' },
        { code: 'APPLICATION_FORM', reference: 'scan://form/1', form: 'ORIGINAL' },
      ],
    };
    const clerk = { authorization: `Bearer ${await t.token({ role: 'window_clerk', sub: 'clerk-02', window: 'W2' })}` };
    const { body } = await t.gql(SUBMIT, { input }, clerk);
    expect(body.errors).toBeUndefined();
    const c = body.data.submitCase.case;
    expect(c.status).toBe('ACCEPTED');
    expect(c.caseNo).toMatch(/^OW\d{8}\d{6}$/);
    expect(c.window).toBe('W2');
    expect(new Date(c.promisedBy).getTime()).toBe(new WorkingCalendar().promisedBy(new Date(c.acceptedAt), it_.promisedWorkingDays).getTime());
    expect(c.events.map((e: any) => [e.type, e.fromStatus, e.toStatus, e.place, e.actor])).toEqual([['RECEIVED', null, 'RECEIVED', 'window:W2', 'clerk-02'], ['ACCEPTED', 'RECEIVED', 'ACCEPTED', 'window:W2', 'clerk-02']]);
    expect(c.materials.find((m: any) => m.code === 'ID_CARD')).toMatchObject({ provenance: 'SHARED_DATA', form: 'ELECTRONIC' });
    expect(c.forwarding).toMatchObject({ state: 'PENDING', attempts: 0 });

    // the same submission again: the same case, nothing new
    const again = await t.gql(SUBMIT, { input }, clerk);
    expect(again.body.data.submitCase.case.caseNo).toBe(c.caseNo);
    // the same key for something else: a conflict, nothing changed
    const conflict = await t.gql(SUBMIT, { input: { ...input, materials: input.materials.slice(0, 1) } });
    expect(conflict.body.errors[0].extensions).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });

    expect(await t.hub.outbox.forwardDue()).toBeGreaterThanOrEqual(1);
    expect((await deptCases('civil-affairs'))[c.caseNo]).toMatchObject({ creations: 1, submissions: 1 });
    const forwarded = (await t.gql(`query($n: ID!) { case(caseNo: $n) { status departmentRef forwarding { state attempts } } }`, { n: c.caseNo })).body.data.case;
    expect(forwarded).toMatchObject({ status: 'IN_REVIEW', forwarding: { state: 'ACKNOWLEDGED', attempts: 1 } });
    expect(forwarded.departmentRef).toMatch(/^MZ/);

    t.sims.sims['civil-affairs'].configure({}, { caseDecideAfterMs: 0 });
    await t.hub.outbox.syncStatuses();
    t.sims.sims['civil-affairs'].configure({}, { caseDecideAfterMs: 3_600_000 });
    const done = (await t.gql(`query($n: ID!) { case(caseNo: $n) { status outcome completedAt events { type toStatus actor } } }`, { n: c.caseNo })).body.data.case;
    expect(done.status).toBe('RESULT_READY');
    expect(['APPROVED', 'REJECTED']).toContain(done.outcome);
    expect(done.events.map((e: any) => e.toStatus)).toEqual(['RECEIVED', 'ACCEPTED', 'FORWARDED', 'IN_REVIEW', 'COMPLETED', 'RESULT_READY']);
    expect(done.events.at(-1).actor).toBe('hub:outbox');

    const delivered = await t.gql(`mutation($n: ID!) { deliverCase(caseNo: $n) { status deliveredAt } }`, { n: c.caseNo }, { authorization: `Bearer ${await t.token({ role: 'result_clerk', sub: 'clerk-05', window: 'R1' })}` });
    expect(delivered.body.data.deliverCase.status).toBe('DELIVERED');
    const rated = await t.gql(`mutation($n: ID!) { evaluateCase(caseNo: $n, rating: SATISFIED, comment: "快") { rating } }`, { n: c.caseNo });
    expect(rated.body.data.evaluateCase.rating).toBe('SATISFIED');
    const twice = await t.gql(`mutation($n: ID!) { evaluateCase(caseNo: $n, rating: DISSATISFIED) { rating } }`, { n: c.caseNo });
    expect(twice.body.errors[0].extensions.code).toBe('ALREADY_EVALUATED');
    expect((await deptCases('civil-affairs'))[c.caseNo]!.creations).toBe(1);
  });

  it('an instant item is finished on the spot when its department answers in time', async () => {
    const p = person((x) => x.age >= 18, 7);
    const { body } = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('变更定点医疗机构').code, applicantIdNumber: p.idNumber, channel: 'WINDOW', materials: [] } });
    const c = body.data.submitCase.case;
    if (p.medical?.status !== '正常参保') return; // the checklist would ask for the certificate; covered elsewhere
    expect(c.status).toBe('COMPLETED');
    expect(c.outcome).toBe('APPROVED');
    expect(c.forwarding.state).toBe('ACKNOWLEDGED');
    expect(c.events.map((e: any) => e.toStatus)).toEqual(['RECEIVED', 'ACCEPTED', 'COMPLETED']);
    expect(body.data.submitCase.notices).toEqual([]);
  });

  it('an instant item whose department is down falls back to the outbox, and the clerk is told', async () => {
    const p = person((x) => x.age >= 18, 9);
    const sim = t.sims.sims['social-insurance'];
    sim.configure({ down: true });
    let caseNo: string;
    try {
      const { body } = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('失业登记').code, applicantIdNumber: p.idNumber, channel: 'WINDOW', materials: [] } });
      const c = body.data.submitCase.case;
      caseNo = c.caseNo;
      expect(c.status).toBe('ACCEPTED');
      expect(c.forwarding.state).toBe('PENDING');
      expect(c.forwarding.lastError).toMatch(/503|unavailable|answer/i);
      expect(body.data.submitCase.notices[0]).toMatch(/forwarded automatically/);
      expect(await t.hub.outbox.forwardDue()).toBe(0);
    } finally {
      sim.configure({ down: false });
    }
    await new Promise((r) => setTimeout(r, 20)); // the backoff (OUTBOX_BASE_BACKOFF_MS=1)
    expect(await t.hub.outbox.forwardDue()).toBe(1);
    const after = (await t.gql(`query($n: ID!) { case(caseNo: $n) { status forwarding { state attempts } } }`, { n: caseNo! })).body.data.case;
    expect(after).toMatchObject({ status: 'COMPLETED', forwarding: { state: 'ACKNOWLEDGED', attempts: 3 } });
    expect((await deptCases('social-insurance'))[caseNo!]!.creations).toBe(1);
  });

  it('a station case waits for the centre, which accepts it once', async () => {
    const p = person((x) => x.age >= 18, 11);
    const { body } = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('城乡居民基本医疗保险参保登记').code, applicantIdNumber: p.idNumber, channel: 'STATION', materials: [] } }, { authorization: `Bearer ${await t.token({ role: 'station_staff', sub: 'station-03', station: 'JW-03' })}` });
    const c = body.data.submitCase.case;
    expect(c).toMatchObject({ status: 'RECEIVED', station: 'JW-03', forwarding: { state: 'NOT_NEEDED' } });
    const accepted = await t.gql(`mutation($n: ID!) { acceptStationCase(caseNo: $n) { status acceptedAt forwarding { state } } }`, { n: c.caseNo });
    expect(accepted.body.data.acceptStationCase).toMatchObject({ status: 'ACCEPTED', forwarding: { state: 'PENDING' } });
    const twice = await t.gql(`mutation($n: ID!) { acceptStationCase(caseNo: $n) { status } }`, { n: c.caseNo });
    expect(twice.body.errors[0].extensions).toMatchObject({ code: 'ILLEGAL_TRANSITION', from: 'ACCEPTED' });
    const notStation = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('养老保险关系转移接续').code, applicantIdNumber: p.idNumber, channel: 'STATION', materials: [] } });
    expect(notStation.body.data.submitCase.problems.map((x: any) => x.code)).toContain('CHANNEL_NOT_ALLOWED');
  });

  it('容缺: accepted with a deferrable material missing, then supplemented', async () => {
    const p = person((x) => x.age >= 18, 13);
    const it_ = item('城乡居民养老保险待遇申领');
    const { body } = await t.gql(SUBMIT, {
      input: { idempotencyKey: randomUUID(), serviceItemCode: it_.code, applicantIdNumber: p.idNumber, channel: 'WINDOW', materials: [{ code: 'APPLICATION_FORM', reference: 'scan://f', form: 'ORIGINAL' }], deferredMaterialCodes: ['BANK_ACCOUNT'] },
    });
    const c = body.data.submitCase.case;
    expect(c.status).toBe('ACCEPTED_WITH_DEFICIENCY');
    expect(c.missingMaterials.map((m: any) => m.code)).toEqual(['BANK_ACCOUNT']);
    const sup = await t.gql(`mutation($n: ID!) { supplementMaterials(caseNo: $n, materials: [{ code: "BANK_ACCOUNT", reference: "scan://bank", form: COPY }]) { status missingMaterials { code } events { type } } }`, { n: c.caseNo });
    expect(sup.body.data.supplementMaterials).toMatchObject({ status: 'ACCEPTED', missingMaterials: [] });
    expect(sup.body.data.supplementMaterials.events.at(-1).type).toBe('MATERIALS_SUPPLEMENTED');
  });

  it('容缺 not kept: the case is returned when the supplement deadline passes', async () => {
    const p = person((x) => x.age >= 18, 21);
    const { body } = await t.gql(SUBMIT, {
      input: { idempotencyKey: randomUUID(), serviceItemCode: item('城乡居民养老保险待遇申领').code, applicantIdNumber: p.idNumber, channel: 'WINDOW', materials: [{ code: 'APPLICATION_FORM', reference: 'scan://f', form: 'ORIGINAL' }], deferredMaterialCodes: ['BANK_ACCOUNT'] },
    });
    const caseNo = body.data.submitCase.case.caseNo;
    expect(await t.hub.cases.returnOverdue({ operator: 'hub:outbox' })).toBe(0); // not due yet
    await t.db.query(`update cases set supplement_deadline = now() - interval '1 minute' where case_no = $1`, [caseNo]);
    expect(await t.hub.cases.returnOverdue({ operator: 'hub:outbox' })).toBe(1);
    const c = (await t.gql(`query($n: ID!) { case(caseNo: $n) { status events { type note } } }`, { n: caseNo })).body.data.case;
    expect(c.status).toBe('RETURNED');
    expect(c.events.at(-1)).toMatchObject({ type: 'RETURNED', note: expect.stringContaining('BANK_ACCOUNT') });
  });

  it('a case returned or withdrawn while its department was away is never forwarded after', async () => {
    const social = t.sims.sims['social-insurance'];
    const civil = t.sims.sims['civil-affairs'];
    // 容缺 deadline passed while social insurance was down
    const p = person((x) => x.age >= 18, 35);
    social.configure({ down: true });
    let returned: string;
    try {
      const { body } = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('城乡居民养老保险待遇申领').code, applicantIdNumber: p.idNumber, channel: 'WINDOW', materials: [{ code: 'APPLICATION_FORM', reference: 'scan://f', form: 'ORIGINAL' }], deferredMaterialCodes: ['BANK_ACCOUNT'] } });
      returned = body.data.submitCase.case.caseNo;
      await t.hub.outbox.forwardDue();
      await t.db.query(`update cases set supplement_deadline = now() - interval '1 minute' where case_no = $1`, [returned]);
      expect(await t.hub.cases.returnOverdue({ operator: 'hub:outbox' })).toBeGreaterThanOrEqual(1);
    } finally {
      social.configure({ down: false });
    }
    // withdrawn while a send was under way and failing (the row was SENT, so the withdrawal did not close it)
    const q = person((x) => x.age >= 18, 37);
    const { body } = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('临时救助申请').code, applicantIdNumber: q.idNumber, channel: 'WINDOW', materials: [{ code: 'INCOME_PROOF', reference: 'x', form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: 'y', form: 'ORIGINAL' }] } });
    const withdrawn = body.data.submitCase.case.caseNo;
    civil.configure({ down: true, latencyMs: 400 });
    try {
      const sending = t.hub.outbox.forwardDue();
      await until('the send under way', async () => civil.inFlightNow('cases.submit') > 0);
      await t.gql(`mutation($n: ID!) { withdrawCase(caseNo: $n, reason: "申请人撤回") { status } }`, { n: withdrawn });
      await sending;
    } finally {
      civil.configure({ down: false, latencyMs: 0 });
    }
    await new Promise((r) => setTimeout(r, 25)); // the backoff
    await t.hub.outbox.forwardDue();
    for (const [no, status, dept] of [[returned!, 'RETURNED', 'social-insurance'], [withdrawn, 'WITHDRAWN', 'civil-affairs']] as const) {
      const c = (await t.gql(`query($n: ID!) { case(caseNo: $n) { status forwarding { state lastError } } }`, { n: no })).body.data.case;
      expect(c).toMatchObject({ status, forwarding: { state: 'FAILED', lastError: `not forwarded: the case is ${status}` } });
      expect((await deptCases(dept))[no]).toBeUndefined();
    }
  });

  it('refuses an illegal transition and changes nothing', async () => {
    const p = person((x) => x.age >= 18, 15);
    const { body } = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('养老保险关系转移接续').code, applicantIdNumber: p.idNumber, channel: 'WINDOW', materials: [{ code: 'APPLICATION_FORM', reference: 'scan://a', form: 'ORIGINAL' }] } });
    const caseNo = body.data.submitCase.case.caseNo;
    const events = (await t.db.query<{ n: number }>('select count(*)::int as n from case_events where case_no = $1', [caseNo])).rows[0]!.n;
    const res = await t.gql(`mutation($n: ID!) { deliverCase(caseNo: $n) { status } }`, { n: caseNo });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'ILLEGAL_TRANSITION', from: 'ACCEPTED', to: 'DELIVERED' });
    expect(res.body.errors[0].message).toMatch(/cannot become DELIVERED/);
    const row = (await t.db.query<{ status: string; delivered_at: Date | null }>('select status, delivered_at from cases where case_no = $1', [caseNo])).rows[0]!;
    expect(row).toEqual({ status: 'ACCEPTED', delivered_at: null });
    expect((await t.db.query<{ n: number }>('select count(*)::int as n from case_events where case_no = $1', [caseNo])).rows[0]!.n).toBe(events);
    const unknown = await t.gql(`mutation { withdrawCase(caseNo: "OW0", reason: "x") { status } }`);
    expect(unknown.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('a case withdrawn before forwarding never reaches its department', async () => {
    const p = person((x) => x.age >= 18, 17);
    const { body } = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('临时救助申请').code, applicantIdNumber: p.idNumber, channel: 'WINDOW', materials: [{ code: 'INCOME_PROOF', reference: 'x', form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: 'y', form: 'ORIGINAL' }] } });
    const caseNo = body.data.submitCase.case.caseNo;
    const w = await t.gql(`mutation($n: ID!) { withdrawCase(caseNo: $n, reason: "申请人撤回") { status forwarding { state } events { type note } } }`, { n: caseNo });
    expect(w.body.data.withdrawCase).toMatchObject({ status: 'WITHDRAWN', forwarding: { state: 'FAILED' } });
    await t.hub.outbox.forwardDue();
    expect((await deptCases('civil-affairs'))[caseNo]).toBeUndefined();
  });

  it('a case supplemented or withdrawn after forwarding says which department must be told (the interface has neither call)', async () => {
    const p = person((x) => x.age >= 18, 33);
    const { body } = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('临时救助申请').code, applicantIdNumber: p.idNumber, channel: 'WINDOW', materials: [{ code: 'INCOME_PROOF', reference: 'x', form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: 'y', form: 'ORIGINAL' }] } });
    const caseNo = body.data.submitCase.case.caseNo;
    await t.hub.outbox.forwardDue();
    const ref = (await deptCases('civil-affairs'))[caseNo]!.departmentRef;
    const s = (await t.gql(`mutation($n: ID!) { supplementMaterials(caseNo: $n, materials: [{ code: "INCOME_PROOF", reference: "scan://income-2", form: ORIGINAL }]) { events { type note } } }`, { n: caseNo })).body.data.supplementMaterials;
    expect(s.events.at(-1)).toEqual({ type: 'MATERIALS_SUPPLEMENTED', note: `supplemented INCOME_PROOF — the case is already at civil-affairs (ref ${ref}): send the material there by its own channel, the forwarding interface has no supplement call` });
    const w = (await t.gql(`mutation($n: ID!) { withdrawCase(caseNo: $n, reason: "申请人撤回") { status forwarding { state } events { type toStatus note } } }`, { n: caseNo })).body.data.withdrawCase;
    expect(w).toMatchObject({ status: 'WITHDRAWN', forwarding: { state: 'ACKNOWLEDGED' } });
    expect(w.events.at(-1)).toMatchObject({ toStatus: 'WITHDRAWN', note: `申请人撤回 — already at civil-affairs (ref ${ref}): tell the department by its own channel, the forwarding interface has no withdrawal` });
  });

  it('lists cases with filters, cursor pages and totals; Resident.cases', async () => {
    const p = person((x) => x.age >= 18, 19);
    for (let i = 0; i < 3; i++) {
      await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('就业登记').code, applicantIdNumber: p.idNumber, channel: 'WINDOW', materials: [{ code: 'EMPLOYMENT_PROOF', reference: `e${i}`, form: 'COPY' }] } });
    }
    const q = `query($f: CaseFilter, $after: String) { cases(filter: $f, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { caseNo applicant { idNumber } } } } }`;
    const page1 = (await t.gql(q, { f: { applicantIdNumber: p.idNumber } })).body.data.cases;
    expect(page1.totalCount).toBe(3);
    expect(page1.edges).toHaveLength(2);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await t.gql(q, { f: { applicantIdNumber: p.idNumber }, after: page1.pageInfo.endCursor })).body.data.cases;
    expect(page2.edges).toHaveLength(1);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    const all = [...page1.edges, ...page2.edges].map((e: any) => e.node.caseNo);
    expect(new Set(all).size).toBe(3);
    const mine = (await t.gql(`query($id: ID!) { resident(idNumber: $id) { cases { caseNo } } }`, { id: p.idNumber })).body.data.resident.cases.map((c: any) => c.caseNo);
    expect(mine).toEqual(all);
    const badCursor = await t.gql(q, { after: 'garbage' });
    expect(badCursor.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('caseStats matches a hand-computed fixture (working days on the holiday calendar)', async () => {
    const code = item('户籍证明开具').code; // a population item nobody else uses in this suite
    const insert = async (no: string, accepted: string, completed: string | null, promised: string, visits: number) => {
      await t.db.query(
        `insert into cases (case_no, idempotency_key, request_hash, service_item_code, department, applicant_id_number, channel, handling_mode, status, received_at, accepted_at, completed_at, promised_by, visits)
         values ($1, $1, 'h', $2, 'population', '11010519491231002X', 'WINDOW', 'PROMISED', $3, $4, $4, $5, $6, $7)`,
        [no, code, completed ? 'RESULT_READY' : 'IN_REVIEW', accepted, completed, promised, visits],
      );
    };
    // A: accepted Mon 2 Mar 2026 10:00 (China), completed Thu 5 Mar, promised Fri 6 Mar: on time, 1 visit, 3 working days.
    await insert('FX-A', '2026-03-02T02:00:00Z', '2026-03-05T06:00:00Z', '2026-03-06T15:59:59Z', 1);
    // B: accepted Fri 3 Apr 2026, completed Wed 8 Apr (清明 4–6 Apr off), promised Tue 7 Apr: late, 2 visits, 2 working days.
    await insert('FX-B', '2026-04-03T02:00:00Z', '2026-04-08T06:00:00Z', '2026-04-07T15:59:59Z', 2);
    // C: still in review.
    await insert('FX-C', '2026-04-03T03:00:00Z', null, '2026-04-07T15:59:59Z', 1);
    const { body } = await t.gql(`query($f: CaseFilter) { caseStats(filter: $f, groupBy: [SERVICE_ITEM, MONTH]) { key count completedCount oneVisitRate onTimeRate averageWorkingDays } }`, { f: { serviceItemCode: code } });
    expect(body.data.caseStats).toEqual([
      { key: { SERVICE_ITEM: code, MONTH: '2026-03' }, count: 1, completedCount: 1, oneVisitRate: 1, onTimeRate: 1, averageWorkingDays: 3 },
      { key: { SERVICE_ITEM: code, MONTH: '2026-04' }, count: 2, completedCount: 1, oneVisitRate: 0, onTimeRate: 0, averageWorkingDays: 2 },
    ]);
    const all = await t.gql(`query($f: CaseFilter) { caseStats(filter: $f, groupBy: []) { count completedCount oneVisitRate onTimeRate averageWorkingDays } }`, { f: { serviceItemCode: code } });
    expect(all.body.data.caseStats).toEqual([{ count: 3, completedCount: 2, oneVisitRate: 0.5, onTimeRate: 0.5, averageWorkingDays: 2.5 }]);
  });

  // A case received at a community station, as the centre finds it (临时救助申请: civil affairs).
  const stationCase = async (skip: number, materials = [{ code: 'INCOME_PROOF', reference: 'scan://income', form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: 'scan://form', form: 'ORIGINAL' }]) => {
    const p = person((x) => x.age >= 18, skip);
    const { body } = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('临时救助申请').code, applicantIdNumber: p.idNumber, channel: 'STATION', materials } }, { authorization: `Bearer ${await t.token({ role: 'station_staff', sub: 'station-03', station: 'JW-03' })}` });
    expect(body.data.submitCase.case.status).toBe('RECEIVED');
    return body.data.submitCase.case.caseNo as string;
  };
  const CORRECTION = `correction { deadline gaps { material { code name } reason } }`;
  const eventsOf = async (caseNo: string) => (await t.db.query<{ n: number }>('select count(*)::int as n from case_events where case_no = $1', [caseNo])).rows[0]!.n;

  it('补齐补正: every gap told at once with a deadline, the clock stopped; supplemented gap by gap, the case comes back and is accepted', async () => {
    const caseNo = await stationCase(23);
    const clerk = { authorization: `Bearer ${await t.token({ role: 'window_clerk', sub: 'clerk-07', window: 'W7' })}` };
    const ask = `mutation($n: ID!, $g: [CorrectionGapInput!]!, $d: Int) { requestCorrection(caseNo: $n, gaps: $g, withinWorkingDays: $d) { status promisedBy ${CORRECTION} events { type fromStatus toStatus actor note } } }`;

    // bad requests change nothing, and say what is wrong
    const before = await eventsOf(caseNo);
    for (const [gaps, days, problem] of [
      [[], 5, /at least one gap/],
      [[{ materialCode: 'PASSPORT', reason: '无' }], 5, /not materials of this item: PASSPORT/],
      [[{ materialCode: 'INCOME_PROOF', reason: '缺盖章' }, { materialCode: 'INCOME_PROOF', reason: '过期' }], 5, /INCOME_PROOF named twice/],
      [[{ materialCode: 'INCOME_PROOF', reason: '  ' }], 5, /needs a reason/],
      [[{ materialCode: 'INCOME_PROOF', reason: '缺盖章' }], 0, /withinWorkingDays/],
    ] as const) {
      const bad = await t.gql(ask, { n: caseNo, g: gaps, d: days }, clerk);
      expect([bad.body.errors?.[0]?.extensions?.code, bad.body.errors?.[0]?.message]).toEqual(['BAD_USER_INPUT', expect.stringMatching(problem)]);
    }
    expect(await eventsOf(caseNo)).toBe(before);
    expect((await t.db.query<{ status: string }>('select status from cases where case_no = $1', [caseNo])).rows[0]!.status).toBe('RECEIVED');

    const gaps = [{ materialCode: 'INCOME_PROOF', reason: '收入证明缺少单位公章' }, { materialCode: 'APPLICATION_FORM', reason: '申请表第三栏未签名' }];
    const asked = (await t.gql(ask, { n: caseNo, g: gaps, d: 3 }, clerk)).body.data.requestCorrection;
    expect(asked.status).toBe('CORRECTION_REQUESTED');
    expect(asked.promisedBy).toBeNull(); // not accepted: no promised date yet
    expect(asked.correction.gaps).toEqual([
      { material: { code: 'INCOME_PROOF', name: item('临时救助申请').materials.find((m) => m.code === 'INCOME_PROOF')!.name }, reason: '收入证明缺少单位公章' },
      { material: { code: 'APPLICATION_FORM', name: item('临时救助申请').materials.find((m) => m.code === 'APPLICATION_FORM')!.name }, reason: '申请表第三栏未签名' },
    ]);
    expect(new Date(asked.correction.deadline).getTime()).toBe(new WorkingCalendar().promisedBy(new Date(), 3).getTime());
    expect(asked.events.at(-1)).toMatchObject({ type: 'CORRECTION_REQUESTED', fromStatus: 'RECEIVED', toStatus: 'CORRECTION_REQUESTED', actor: 'clerk-07', note: expect.stringMatching(/INCOME_PROOF \(收入证明缺少单位公章\); APPLICATION_FORM/) });
    const again = await t.gql(ask, { n: caseNo, g: gaps, d: 3 }, clerk);
    expect(again.body.errors[0].extensions).toMatchObject({ code: 'ILLEGAL_TRANSITION', from: 'CORRECTION_REQUESTED' });
    const paused = (await t.db.query<{ paused_at: Date | null }>('select paused_at from cases where case_no = $1', [caseNo])).rows[0]!;
    expect(paused.paused_at).not.toBeNull();

    // the station brings the first; one gap stays open
    const station = { authorization: `Bearer ${await t.token({ role: 'station_staff', sub: 'station-03', station: 'JW-03' })}` };
    const supplement = (code: string) => t.gql(`mutation($n: ID!, $m: [MaterialInput!]!) { supplementMaterials(caseNo: $n, materials: $m) { status ${CORRECTION} events { type note } } }`, { n: caseNo, m: [{ code, reference: `scan://${code}-2`, form: 'ORIGINAL' }] }, station);
    const first = (await supplement('INCOME_PROOF')).body.data.supplementMaterials;
    expect(first.status).toBe('CORRECTION_REQUESTED');
    expect(first.correction.gaps.map((g: any) => g.material.code)).toEqual(['APPLICATION_FORM']);
    expect(first.events.at(-1).note).toMatch(/still to correct: APPLICATION_FORM/);
    const second = (await supplement('APPLICATION_FORM')).body.data.supplementMaterials;
    expect(second).toMatchObject({ status: 'RECEIVED', correction: null });
    const row = (await t.db.query<{ correction_gaps: unknown; correction_deadline: Date | null; paused_at: Date | null; visits: number }>('select correction_gaps, correction_deadline, paused_at, visits from cases where case_no = $1', [caseNo])).rows[0]!;
    expect(row).toEqual({ correction_gaps: null, correction_deadline: null, paused_at: null, visits: 3 });

    const accepted = (await t.gql(`mutation($n: ID!) { acceptStationCase(caseNo: $n) { status promisedBy forwarding { state } } }`, { n: caseNo }, clerk)).body.data.acceptStationCase;
    expect(accepted).toMatchObject({ status: 'ACCEPTED', forwarding: { state: 'PENDING' } });
    expect(accepted.promisedBy).not.toBeNull();
  });

  it('补齐补正 not made by the deadline: the case is returned (退件) by the sweep, saying which gaps stayed open', async () => {
    const caseNo = await stationCase(25);
    await t.gql(`mutation($n: ID!) { requestCorrection(caseNo: $n, gaps: [{ materialCode: "INCOME_PROOF", reason: "收入证明已过期" }]) { status } }`, { n: caseNo });
    expect(await t.hub.cases.returnOverdue({ operator: 'hub:outbox' })).toBe(0); // five working days to go
    await t.db.query(`update cases set correction_deadline = now() - interval '1 minute' where case_no = $1`, [caseNo]);
    // brought too late (before the sweep came by): refused, the case stays as it is for the sweep
    const late = await t.gql(`mutation($n: ID!) { supplementMaterials(caseNo: $n, materials: [{ code: "INCOME_PROOF", reference: "scan://late", form: ORIGINAL }]) { status } }`, { n: caseNo });
    expect(late.body.errors[0].extensions).toMatchObject({ code: 'CORRECTION_OVERDUE', caseNo });
    expect(await t.hub.cases.returnOverdue({ operator: 'hub:outbox' })).toBe(1);
    const c = (await t.gql(`query($n: ID!) { case(caseNo: $n) { status correction { deadline } forwarding { state } events { type toStatus note } } }`, { n: caseNo })).body.data.case;
    expect(c).toMatchObject({ status: 'RETURNED', correction: null, forwarding: { state: 'NOT_NEEDED' } });
    expect(c.events.at(-1)).toMatchObject({ type: 'RETURNED', toStatus: 'RETURNED', note: expect.stringContaining('INCOME_PROOF still open') });
    expect(await t.hub.cases.returnOverdue({ operator: 'hub:outbox' })).toBe(0); // once
  });

  it('不予受理: declined with a reason and the appeal notice; final, and never forwarded', async () => {
    const caseNo = await stationCase(27);
    const decline = (n: string, reason: string) => t.gql(`mutation($n: ID!, $r: String!) { declineCase(caseNo: $n, reason: $r) { status notAcceptedReason appealNotice forwarding { state } events { type toStatus note } } }`, { n, r: reason });
    const empty = await decline(caseNo, '   ');
    expect(empty.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'reason' });
    const long = await decline(caseNo, '理'.repeat(501)); // refused whole, not cut: a decision's reason is not shortened behind the clerk's back
    expect([long.body.errors[0].extensions.code, long.body.errors[0].message]).toEqual(['BAD_USER_INPUT', 'reason is 501 characters; at most 500']);
    const declined = (await decline(caseNo, '申请事项不属于本中心受理范围，请向户籍所在地街道申请')).body.data.declineCase;
    expect(declined).toMatchObject({ status: 'NOT_ACCEPTED', notAcceptedReason: '申请事项不属于本中心受理范围，请向户籍所在地街道申请', appealNotice: DEFAULT_APPEAL_NOTICE, forwarding: { state: 'NOT_NEEDED' } });
    expect(declined.events.at(-1)).toMatchObject({ type: 'NOT_ACCEPTED', toStatus: 'NOT_ACCEPTED' });
    const accept = await t.gql(`mutation($n: ID!) { acceptStationCase(caseNo: $n) { status } }`, { n: caseNo });
    expect(accept.body.errors[0].extensions).toMatchObject({ code: 'ILLEGAL_TRANSITION', from: 'NOT_ACCEPTED' });
    await t.hub.outbox.forwardDue();
    expect((await deptCases('civil-affairs'))[caseNo]).toBeUndefined();
    // an accepted case is past 不予受理: it can be withdrawn or decided, not declined
    const p = person((x) => x.age >= 18, 29);
    const { body } = await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('养老保险关系转移接续').code, applicantIdNumber: p.idNumber, channel: 'WINDOW', materials: [{ code: 'APPLICATION_FORM', reference: 'scan://a', form: 'ORIGINAL' }] } });
    const late = await decline(body.data.submitCase.case.caseNo, '材料不全');
    expect(late.body.errors[0].extensions).toMatchObject({ code: 'ILLEGAL_TRANSITION', from: 'ACCEPTED', to: 'NOT_ACCEPTED' });
  });

  it('a forwarding FAILED after every attempt is listed, and an administrator sends it again: it arrives once', async () => {
    const civil = t.sims.sims['civil-affairs'];
    const p = person((x) => x.age >= 18, 31);
    const submit = async () => (await t.gql(SUBMIT, { input: { idempotencyKey: randomUUID(), serviceItemCode: item('临时救助申请').code, applicantIdNumber: p.idNumber, channel: 'WINDOW', materials: [{ code: 'INCOME_PROOF', reference: 'x', form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: 'y', form: 'ORIGINAL' }] } })).body.data.submitCase.case.caseNo as string;
    const caseNo = await submit();
    const forwarding = async (n = caseNo) => (await t.gql(`query($n: ID!) { case(caseNo: $n) { status forwarding { state attempts lastError } events { type note actor } } }`, { n })).body.data.case;
    civil.configure({ down: true });
    try {
      for (let i = 0; i < 40 && (await forwarding()).forwarding.state !== 'FAILED'; i++) {
        await t.hub.outbox.forwardDue();
        await new Promise((r) => setTimeout(r, 25)); // the backoff (at most OUTBOX_MAX_BACKOFF_MS=20)
      }
      const failed = await forwarding();
      expect(failed.forwarding).toMatchObject({ state: 'FAILED', attempts: 6, lastError: expect.stringMatching(/503|unavailable/i) });
      const listed = (await t.gql(`{ cases(filter: { forwardingState: FAILED }, first: 200) { edges { node { caseNo } } } }`)).body.data.cases.edges.map((e: any) => e.node.caseNo);
      expect(listed).toContain(caseNo);
      const pendingOnes = (await t.gql(`{ cases(filter: { forwardingState: PENDING }, first: 200) { edges { node { caseNo } } } }`)).body.data.cases.edges.map((e: any) => e.node.caseNo);
      expect(pendingOnes).not.toContain(caseNo);

      const retry = (n: string, auth?: string) => t.gql(`mutation($n: ID!) { retryForwarding(caseNo: $n) { status forwarding { state attempts } events { type note actor } } }`, { n }, auth ? { authorization: auth } : {});
      const clerk = await retry(caseNo, `Bearer ${await t.token({ role: 'window_clerk', window: 'W1' })}`);
      expect(clerk.body.errors[0].extensions.code).toBe('FORBIDDEN');
      const retried = (await retry(caseNo)).body.data.retryForwarding;
      expect(retried).toMatchObject({ status: 'ACCEPTED', forwarding: { state: 'PENDING', attempts: 0 } });
      expect(retried.events.at(-1)).toMatchObject({ type: 'FORWARDING_RETRIED', note: 'failed after 6 attempts; sent again' });
      const twice = await retry(caseNo);
      expect(twice.body.errors[0].extensions).toMatchObject({ code: 'FORWARDING_NOT_FAILED', state: 'PENDING' });

      // a case withdrawn before forwarding is FAILED on purpose: not sent again
      const withdrawn = await submit();
      await t.gql(`mutation($n: ID!) { withdrawCase(caseNo: $n, reason: "申请人撤回") { status } }`, { n: withdrawn });
      const refused = await retry(withdrawn);
      expect(refused.body.errors[0].extensions).toMatchObject({ code: 'ILLEGAL_TRANSITION', from: 'WITHDRAWN' });
    } finally {
      civil.configure({ down: false });
    }
    await t.hub.outbox.forwardDue();
    expect(await forwarding()).toMatchObject({ status: 'IN_REVIEW', forwarding: { state: 'ACKNOWLEDGED', attempts: 1 } }); // civil affairs reviews at once in this suite
    expect((await deptCases('civil-affairs'))[caseNo]).toMatchObject({ creations: 1, submissions: 1 });
  });
});
