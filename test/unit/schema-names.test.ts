/**
 * Front-ends are written against the names of the design sketch (docs/schema-sketch.graphql, a
 * copy of ../shared/design/schema-sketch.graphql): every type, field, argument and enum value in
 * it must exist in the schema we serve, with the same type.
 */
import { readFileSync } from 'node:fs';
import { buildASTSchema, isEnumType, isInputObjectType, isObjectType, parse, type GraphQLNamedType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildHubSchema } from '../../src/graphql/schema.js';

describe('the served schema keeps the sketch’s names', async () => {
  const sketchSdl = readFileSync(new URL('../../docs/schema-sketch.graphql', import.meta.url), 'utf8');
  const sketch = buildASTSchema(parse(sketchSdl), { assumeValidSDL: true });
  const served = await buildHubSchema();

  const named = Object.values(sketch.getTypeMap()).filter((t) => !t.name.startsWith('__') && !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(t.name));
  it.each(named.map((t) => [t.name, t] as [string, GraphQLNamedType]))('%s', (name, t) => {
    const mine = served.getType(name);
    expect(mine, `type ${name}`).toBeDefined();
    if (isEnumType(t)) {
      expect(isEnumType(mine)).toBe(true);
      const values = isEnumType(mine) ? mine.getValues().map((v) => v.name) : [];
      for (const v of t.getValues()) expect(values, `${name}.${v.name}`).toContain(v.name);
    }
    if (isObjectType(t) || isInputObjectType(t)) {
      const fields = (mine as typeof t).getFields();
      for (const f of Object.values(t.getFields())) {
        expect(fields[f.name], `${name}.${f.name}`).toBeDefined();
        expect(String(fields[f.name]!.type), `${name}.${f.name} type`).toBe(String(f.type));
        for (const a of 'args' in f ? f.args : []) {
          const arg = (fields[f.name] as typeof f).args.find((x) => x.name === a.name);
          expect(arg, `${name}.${f.name}(${a.name})`).toBeDefined();
          expect(String(arg!.type), `${name}.${f.name}(${a.name}) type`).toBe(String(a.type));
        }
      }
    }
  });
});
