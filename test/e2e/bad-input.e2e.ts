/**
 * Bad input gets a clear error with a stable code, and the hub keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCharacter } from '../../src/domain/idnumber.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

describe('bad input', () => {
  let t: TestHub;
  let valid: string;
  beforeAll(async () => {
    t = await startTestHub();
    valid = t.sims.world.people[0]!.idNumber;
  });
  afterAll(() => t?.close());

  const wrongCheck = (id: string) => id.slice(0, 17) + (checkCharacter(id.slice(0, 17)) === '0' ? '1' : '0');

  it('an ID number with a wrong check character → BAD_USER_INPUT naming the problem, without echoing the number', async () => {
    const bad = wrongCheck(valid);
    const { body } = await t.gql(`query($id: ID!) { resident(idNumber: $id) { name } }`, { id: bad });
    expect(body.data.resident).toBeNull();
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problem: 'CHECK_DIGIT', argument: 'idNumber' });
    expect(body.errors[0].message).toMatch(/check character/);
    expect(JSON.stringify(body)).not.toContain(bad);
  });

  it('an impossible birth date → BAD_USER_INPUT BIRTH_DATE', async () => {
    const first17 = '11010519490230002';
    const { body } = await t.gql(`{ resident(idNumber: "${first17}${checkCharacter(first17)}") { name } }`);
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problem: 'BIRTH_DATE' });
  });

  it('residents: every invalid ID number reported at once, by index; no department called', async () => {
    t.resetCounters();
    const { body } = await t.gql(`query($ids: [ID!]!) { residents(idNumbers: $ids) { name } }`, { ids: [valid, 'abc', wrongCheck(valid)] });
    expect(body.data).toBeNull();
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].extensions.invalid.map((x: any) => [x.index, x.problem])).toEqual([[1, 'FORMAT'], [2, 'CHECK_DIGIT']]);
    expect(Object.values(t.calls()).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('more than 500 ID numbers → BAD_USER_INPUT', async () => {
    const { body } = await t.gql(`query($ids: [ID!]!) { residents(idNumbers: $ids) { name } }`, { ids: Array(501).fill(valid) });
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 500 });
    expect(body.errors[0].message).toMatch(/at most 500/);
  });

  it('an unknown department code → BAD_USER_INPUT listing the known ones', async () => {
    const { body } = await t.gql(`query($id: ID!) { resident(idNumber: $id) { name entitlements(department: "housing") { kind } } }`, { id: valid });
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toContain('civil-affairs');
  });

  it('malformed GraphQL → 400 GRAPHQL_PARSE_FAILED; unknown field → 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const parse = await t.gql(`{ resident(idNumber: "x" { name }`);
    expect(parse.status).toBe(400);
    expect(parse.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const validation = await t.gql(`{ departments { nope } }`);
    expect(validation.status).toBe(400);
    expect(validation.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('invalid variables → 400 BAD_USER_INPUT; a bad Date literal → clear message', async () => {
    const vars = await t.gql(`query($ids: [ID!]!) { residents(idNumbers: $ids) { name } }`, { ids: 'not a list of ids' as unknown as string[] });
    expect(vars.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const date = await t.gql(`query($id: ID!, $from: Date) { resident(idNumber: $id) { paymentRecords(from: $from) { month } } }`, { id: valid, from: '2026-13-01' });
    expect(date.status).toBe(400);
    expect(date.body.errors[0].message).toMatch(/YYYY-MM-DD/);
  });

  it('a body that is not JSON → 400; a huge body → 413; and the hub still answers', async () => {
    const auth = { authorization: `Bearer ${await t.token({ role: 'window_clerk', window: 'W1' })}` };
    const notJson = await fetch(t.hub.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: '{"query": ' });
    expect(notJson.status).toBe(400);
    const huge = await fetch(t.hub.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ query: `{ departments { code } }`, pad: 'x'.repeat(1_100_000) }) });
    expect(huge.status).toBe(413);
    const ok = await t.gql(`{ departments { code } }`);
    expect(ok.body.data.departments).toHaveLength(6);
  });

  it('in-process: the same errors through executeOperation', async () => {
    const res = await t.hub.apollo.executeOperation({ query: `query($id: ID!) { resident(idNumber: $id) { name } }`, variables: { id: '123' } }, { contextValue: t.hub.context({ subject: 'clerk-01', role: 'window_clerk', window: 'W1', station: null, department: null, resident: null }, { 'x-purpose': 'test' }) });
    expect(res.body.kind === 'single' && res.body.singleResult.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
