/**
 * The schema is an Apollo Federation 2 subgraph: a router can read its SDL and resolve Residents
 * by reference.
 */
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

  it('refuses an invalid ID number in a reference with BAD_USER_INPUT', async () => {
    const { body } = await t.gql(`{ _entities(representations: [{ __typename: "Resident", idNumber: "123" }]) { ... on Resident { name } } }`);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});
