/**
 * One audit record per access to personal data, hash-chained; the verifier names the first
 * edited, deleted or reordered record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, verifyAuditLog } from '../../src/audit/log.js';
import { PostgresDb } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrations.js';
import { createLogger } from '../../src/log.js';
import { DBS, freshDb, startTestHub, type TestHub } from '../helpers/hub.js';

describe.each(DBS)('audit log (%s)', (dbKind) => {
  let t: TestHub;
  beforeAll(async () => (t = await startTestHub({ db: dbKind })));
  afterAll(() => t?.close());
  const rows = async () => (await t.db.query<Record<string, any>>('select * from audit_log order by seq')).rows;

  it('writes one record per resident read, with who, role, fields, purpose and outcome — never the ID number', async () => {
    const [a, b] = t.sims.world.people;
    const before = (await rows()).length;
    const clerk = { authorization: `Bearer ${await t.token({ role: 'window_clerk', sub: 'clerk-07', window: 'W3' })}`, 'x-purpose': 'case-intake' };
    await t.gql(`query($ids: [ID!]!) { residents(idNumbers: $ids) { name phone entitlements { kind } } }`, { ids: [a!.idNumber, b!.idNumber] }, clerk);
    const added = (await rows()).slice(before);
    expect(added).toHaveLength(2);
    for (const r of added) {
      expect(r).toMatchObject({ actor: 'clerk-07', role: 'window_clerk', purpose: 'case-intake', outcome: 'OK', operation: 'query:residents' });
      expect([...r.fields].sort()).toEqual(['entitlements', 'name', 'phone']);
      expect(JSON.stringify(r)).not.toContain(a!.idNumber);
      expect(JSON.stringify(r)).not.toContain(b!.idNumber);
    }
    expect(new Set(added.map((r) => r.subject_hash)).size).toBe(2);
    // a refused attempt is audited too
    const kiosk = { authorization: `Bearer ${await t.token({ role: 'self_service', resident: a!.idNumber })}` };
    await t.gql(`query($id: ID!) { resident(idNumber: $id) { name } }`, { id: b!.idNumber }, kiosk);
    const denied = (await rows()).at(-1)!;
    expect(denied).toMatchObject({ role: 'self_service', outcome: 'DENIED' });
    // the same resident hashes the same way, another one differently
    const one = `query($id: ID!) { resident(idNumber: $id) { name } }`;
    await t.gql(one, { id: a!.idNumber }, clerk);
    const first = (await rows()).at(-1)!.subject_hash;
    await t.gql(one, { id: a!.idNumber }, clerk);
    expect((await rows()).at(-1)!.subject_hash).toBe(first);
    expect(added.map((r) => r.subject_hash)).toContain(first);
    await t.gql(one, { id: b!.idNumber }, clerk);
    expect((await rows()).at(-1)!.subject_hash).not.toBe(first);
    expect((await verifyAuditLog(t.db)).firstBad).toBeNull();
  });

  it('a purpose in Chinese travels percent-encoded and is recorded as written; the departments get it percent-encoded too', async () => {
    const p = t.sims.world.people[7]!;
    const purpose = '低保复核（入户调查）';
    const clerk = { authorization: `Bearer ${await t.token({ role: 'window_clerk', sub: '窗口-07', window: 'W3' })}`, 'x-purpose': encodeURIComponent(purpose) };
    t.resetCounters();
    const { body } = await t.gql(`query($id: ID!) { resident(idNumber: $id) { name entitlements { kind } } }`, { id: p.idNumber }, clerk);
    expect(body.errors).toBeUndefined(); // a non-ASCII operator id did not break the department calls either
    expect((await rows()).at(-1)).toMatchObject({ actor: '窗口-07', purpose, outcome: 'OK' });
    const callers = Object.keys(t.sims.sims.population.snapshot().callers);
    expect(callers).toContain(`persons.batch:${encodeURIComponent('窗口-07')}|${encodeURIComponent(purpose)}`);
    // plain ASCII with a stray % is kept as it is
    await t.gql(`query($id: ID!) { resident(idNumber: $id) { name } }`, { id: p.idNumber }, { ...clerk, 'x-purpose': 'review 100%' });
    expect((await rows()).at(-1)!.purpose).toBe('review 100%');
  });

  it('cases are personal data too: each case shown, and each evidence lookup at intake, is audited under its applicant', async () => {
    const [a, b] = t.sims.world.people.filter((p) => p.age >= 18).slice(20, 22);
    const subject = async (idNumber: string) => {
      await t.gql(`query($id: ID!) { resident(idNumber: $id) { name } }`, { id: idNumber });
      return (await rows()).at(-1)!.subject_hash as string;
    };
    const [ha, hb] = [await subject(a!.idNumber), await subject(b!.idNumber)];
    const clerk = { authorization: `Bearer ${await t.token({ role: 'window_clerk', sub: 'clerk-11', window: 'W1' })}`, 'x-purpose': 'intake' };
    const before = (await rows()).length;
    const submit = async (idNumber: string) =>
      (await t.gql(`mutation($i: SubmitCaseInput!) { submitCase(input: $i) { case { caseNo status } } }`, {
        i: { idempotencyKey: `audit-${idNumber.slice(-6)}-${Date.now()}`, serviceItemCode: 'CA-0004', applicantIdNumber: idNumber, channel: 'WINDOW', materials: [{ code: 'INCOME_PROOF', reference: 'r', form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: 'f', form: 'ORIGINAL' }] },
      }, clerk)).body.data.submitCase.case.caseNo as string;
    const [ca, cb] = [await submit(a!.idNumber), await submit(b!.idNumber)];
    const intake = (await rows()).slice(before);
    expect(intake.map((r) => [r.subject_hash, [...r.fields].sort(), r.operation])).toEqual([
      [ha, ['case', 'evidence'], 'mutation:submitCase'],
      [hb, ['case', 'evidence'], 'mutation:submitCase'],
    ]);
    // a list of cases, without any resident field selected: one record per applicant shown
    const result = { authorization: `Bearer ${await t.token({ role: 'result_clerk', sub: 'result-02', window: 'R1' })}`, 'x-purpose': 'pickup' };
    const listed = await t.gql(`{ cases(first: 200) { edges { node { caseNo status } } } }`, undefined, result);
    const shown = (listed.body.data.cases.edges as { node: { caseNo: string } }[]).map((e) => e.node.caseNo);
    expect(shown).toEqual(expect.arrayContaining([ca, cb]));
    const records = (await rows()).filter((r) => r.actor === 'result-02');
    const applicants = (await t.db.query<{ n: number }>('select count(distinct applicant_id_number)::int as n from cases where case_no = any($1)', [shown])).rows[0]!.n;
    expect(records).toHaveLength(applicants);
    expect(records.map((r) => r.subject_hash)).toEqual(expect.arrayContaining([ha, hb]));
    expect(records.every((r) => r.fields.join() === 'case' && r.purpose === 'pickup' && r.operation === 'query:cases')).toBe(true);
    // one case asked for without a stated purpose: the case is the purpose
    await t.gql(`query($n: ID!) { case(caseNo: $n) { status applicant { name } } }`, { n: ca }, { ...result, 'x-purpose': '' });
    expect((await rows()).at(-1)).toMatchObject({ actor: 'result-02', subject_hash: ha, purpose: `case:${ca}` });
    expect((await verifyAuditLog(t.db)).firstBad).toBeNull();
  });

  it('withholds the answer when its audit record cannot be written', async () => {
    const p = t.sims.world.people[30]!;
    await t.db.query('alter table audit_log rename to audit_log_away');
    try {
      const { status, body } = await t.gql(`query($id: ID!) { resident(idNumber: $id) { name } }`, { id: p.idNumber });
      expect(status).toBe(503);
      expect(body.errors[0].extensions.code).toBe('AUDIT_UNAVAILABLE');
      expect(JSON.stringify(body)).not.toContain(p.name);
    } finally {
      await t.db.query('alter table audit_log_away rename to audit_log');
    }
    const again = await t.gql(`query($id: ID!) { resident(idNumber: $id) { name } }`, { id: p.idNumber });
    expect(again.body.data.resident.name).toBe(p.name);
  });

  it('the verifier finds an edited, a deleted and a reordered record, and names the first bad one', async () => {
    for (let i = 0; i < 4; i++) await t.gql(`query($id: ID!) { resident(idNumber: $id) { name } }`, { id: t.sims.world.people[10 + i]!.idNumber });
    const all = await rows();
    expect(all.length).toBeGreaterThanOrEqual(6);
    expect((await verifyAuditLog(t.db)).firstBad).toBeNull();
    const [x, y, z] = all.slice(-3).map((r) => Number(r.seq));

    // edited
    await t.db.query(`update audit_log set purpose = 'something else' where seq = $1`, [x]);
    expect((await verifyAuditLog(t.db)).firstBad).toMatchObject({ seq: x, problem: expect.stringMatching(/edited/) });
    await t.db.query(`update audit_log set purpose = 'test' where seq = $1`, [x]);
    expect((await verifyAuditLog(t.db)).firstBad).toBeNull();

    // reordered: swap two records' contents (each row still hashes right, the chain does not)
    const [rx, ry] = [all.find((r) => Number(r.seq) === x)!, all.find((r) => Number(r.seq) === y)!];
    const cols = ['at', 'request_id', 'actor', 'role', 'operation', 'subject_hash', 'fields', 'purpose', 'outcome', 'prev_hash', 'hash'];
    const set = (seq: number, r: Record<string, unknown>) => t.db.query(`update audit_log set ${cols.map((c, i) => `${c} = $${i + 2}`).join(', ')} where seq = $1`, [seq, ...cols.map((c) => r[c])]);
    await set(x!, ry);
    await set(y!, rx);
    expect((await verifyAuditLog(t.db)).firstBad?.seq).toBe(x);
    await set(x!, rx);
    await set(y!, ry);

    // deleted
    await t.db.query('delete from audit_log where seq = $1', [y]);
    expect((await verifyAuditLog(t.db)).firstBad).toMatchObject({ seq: z, problem: expect.stringMatching(/deleted/) });
  });
});

describe.runIf(process.env.DATABASE_URL)('audit chain shared by replicas (postgres)', () => {
  it('two writers on one database append concurrently and the chain stays one unbroken line', async () => {
    const ledger = await freshDb('postgres');
    const other = PostgresDb.connect(ledger.url!, 5);
    try {
      await migrate(ledger.db);
      const quiet = createLogger('error', () => undefined);
      const replicas = [new AuditLog(ledger.db, 'k'.repeat(32), quiet), new AuditLog(other, 'k'.repeat(32), quiet)];
      const record = (i: number, who: string) => ({ at: new Date(), requestId: `r-${who}-${i}`, actor: who, role: 'window_clerk', operation: 'query:resident', subjectHash: `s${i % 7}`, fields: ['name', 'entitlements'], purpose: i % 3 ? 'intake' : '低保复核', outcome: 'OK' as const });
      // 2 replicas × 40 requests, a few records each, all at once: batches interleave under the advisory lock
      await Promise.all(replicas.flatMap((audit, r) => Array.from({ length: 40 }, (_, i) => audit.append(Array.from({ length: 1 + (i % 3) }, (_, j) => record(i * 10 + j, `replica-${r}`))))));
      const expected = 2 * Array.from({ length: 40 }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b, 0);
      const result = await verifyAuditLog(ledger.db);
      expect(result).toMatchObject({ records: expected, firstBad: null });
      const heads = (await ledger.db.query<{ n: number }>('select count(distinct prev_hash)::int as n from audit_log')).rows[0]!.n;
      expect(heads).toBe(expected); // no two records chained to the same predecessor
      await Promise.all(replicas.map((a) => a.close()));
    } finally {
      await other.close();
      await ledger.drop();
    }
  });
});
