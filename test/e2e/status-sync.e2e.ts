/**
 * Status comes back fairly: each round asks the departments about a bounded number of open cases,
 * those asked least recently first — so cases that stay where they are (an on-site inspection, a
 * special procedure) cannot keep the others from ever being asked. On PGlite and (with
 * DATABASE_URL) PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DBS, startTestHub, type TestHub } from '../helpers/hub.js';

describe.each(DBS)('status sync (%s)', (dbKind) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ db: dbKind, env: { STATUS_SYNC_BATCH: '4' } });
    t.sims.sims['civil-affairs'].configure({}, { caseReviewAfterMs: 0, caseDecideAfterMs: 0 });
  });
  afterAll(() => t?.close());

  const hold = (body: Record<string, unknown>) => fetch(`${t.sims.urls['civil-affairs']}/_sim/cases/hold`, { method: 'POST', body: JSON.stringify(body) });
  const statuses = async (caseNos: string[]) =>
    Object.fromEntries((await t.db.query<{ case_no: string; status: string }>('select case_no, status from cases where case_no = any($1)', [caseNos])).rows.map((r) => [r.case_no, r.status]));

  it('cases that stay where they are do not starve the others: every open case is asked within a few rounds', async () => {
    const people = t.sims.world.people.filter((p) => p.age >= 18);
    const caseNos: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { body } = await t.gql(`mutation($i: SubmitCaseInput!) { submitCase(input: $i) { case { caseNo } problems { code } } }`, {
        i: { idempotencyKey: randomUUID(), serviceItemCode: 'CA-0004', applicantIdNumber: people[i]!.idNumber, channel: 'WINDOW', materials: [{ code: 'INCOME_PROOF', reference: `r${i}`, form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: `f${i}`, form: 'ORIGINAL' }] },
      });
      caseNos.push(body.data.submitCase.case.caseNo);
    }
    // the department holds every case in review, then lets the three newest be decided
    await hold({ caseNos, status: 'IN_REVIEW' });
    await t.hub.outbox.forwardDue();
    for (let round = 0; round < 3; round++) await t.hub.outbox.syncStatuses();
    expect(Object.values(await statuses(caseNos))).toEqual(caseNos.map(() => 'IN_REVIEW'));
    await hold({ caseNos: caseNos.slice(4), release: true });

    t.resetCounters();
    const moved = [];
    for (let round = 0; round < 3; round++) moved.push(await t.hub.outbox.syncStatuses());
    const after = await statuses(caseNos);
    expect(caseNos.slice(0, 4).map((no) => after[no])).toEqual(['IN_REVIEW', 'IN_REVIEW', 'IN_REVIEW', 'IN_REVIEW']);
    expect(caseNos.slice(4).map((no) => after[no])).toEqual(['RESULT_READY', 'RESULT_READY', 'RESULT_READY']);
    expect(moved.reduce((a, b) => a + b, 0)).toBe(3);
    // never more than the round's bound in one round, and every case asked in turn
    expect(t.sims.sims['civil-affairs'].snapshot().batches['cases.status']!.every((n) => n <= 4)).toBe(true);
    const checked = (await t.db.query<{ n: number }>('select count(*)::int as n from cases where case_no = any($1) and status_checked_at is not null', [caseNos])).rows[0]!.n;
    expect(checked).toBe(7);
  });
});
