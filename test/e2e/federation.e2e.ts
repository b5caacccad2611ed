/**
 * The schema is an Apollo Federation 2 subgraph: a router can read its SDL and resolve Residents,
 * service items and cases by reference — with the same access rules as the queries.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';

describe('Federation 2 subgraph', () => {
  let t: TestHub;
  beforeAll(async () => (t = await startTestHub()));
  afterAll(() => t?.close());

  it('serves its SDL with @link and @key', async () => {
    const { body } = await t.gql(`{ _service { sdl } }`);
    expect(body.data._service.sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.3"');
    expect(body.data._service.sdl).toMatch(/type Resident\s+@key\(fields: "idNumber"\)/);
  });

  it('resolves Resident entities by reference, batched like any other query', async () => {
    const people = t.sims.world.people.slice(500, 503);
    t.resetCounters();
    const { body } = await t.gql(`query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { idNumber name entitlements { kind } } } }`, {
      reps: people.map((p) => ({ __typename: 'Resident', idNumber: p.idNumber })),
    });
    expect(body.errors).toBeUndefined();
    expect(body.data._entities.map((r: any) => r.name)).toEqual(people.map((p) => p.name));
    expect(t.sims.sims.population.snapshot().batches['persons.batch']).toEqual([3]);
  });

  it('resolves ServiceItem entities by code', async () => {
    const { body } = await t.gql(`{ _entities(representations: [{ __typename: "ServiceItem", code: "MI-0001" }, { __typename: "ServiceItem", code: "NOPE" }]) { ... on ServiceItem { name handlingMode } } }`);
    expect(body.data._entities).toEqual([{ name: '变更定点医疗机构', handlingMode: 'IMMEDIATE' }, null]);
  });

  it('resolves Case entities by number, under the same bindings as the case query', async () => {
    const p = t.sims.world.people.filter((x) => x.age >= 18)[40]!;
    const tokenOf = async (claims: Parameters<TestHub['token']>[0]) => ({ authorization: `Bearer ${await t.token(claims)}` });
    const submitted = await t.gql(`mutation($i: SubmitCaseInput!) { submitCase(input: $i) { case { caseNo } problems { code } } }`, {
      i: { idempotencyKey: randomUUID(), serviceItemCode: 'CA-0004', applicantIdNumber: p.idNumber, channel: 'STATION', materials: [{ code: 'INCOME_PROOF', reference: 'r', form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: 'f', form: 'ORIGINAL' }] },
    }, await tokenOf({ role: 'station_staff', sub: 'staff-03', station: 'JW-03' }));
    const caseNo = submitted.body.data.submitCase.case.caseNo;
    const entity = (headers: Record<string, string>) => t.gql(`query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Case { caseNo status station applicant { name } } } }`, { reps: [{ __typename: 'Case', caseNo }] }, headers);

    const admin = await entity({});
    expect(admin.body.data._entities).toEqual([{ caseNo, status: 'RECEIVED', station: 'JW-03', applicant: { name: p.name } }]);
    expect((await entity(await tokenOf({ role: 'station_staff', sub: 'staff-03', station: 'JW-03' }))).body.data._entities[0].caseNo).toBe(caseNo);
    // another station, a department the case is not for, another resident's kiosk: refused, nothing of the case returned
    for (const claims of [{ role: 'station_staff', station: 'JW-01' }, { role: 'department', department: 'health' }, { role: 'self_service', resident: t.sims.world.people.find((x) => x.idNumber !== p.idNumber)!.idNumber }] as const) {
      const refused = await entity(await tokenOf(claims as any));
      expect([claims.role, refused.body.errors?.[0]?.extensions?.code]).toEqual([claims.role, 'FORBIDDEN']);
      expect(JSON.stringify(refused.body)).not.toContain(p.name);
    }
  });

  it('refuses an invalid ID number in a reference with BAD_USER_INPUT', async () => {
    const { body } = await t.gql(`{ _entities(representations: [{ __typename: "Resident", idNumber: "123" }]) { ... on Resident { name } } }`);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});
