import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
export { DateTimeResolver as DateTimeScalar, JSONResolver as JSONScalar } from 'graphql-scalars';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkDate(value: unknown): string {
  if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw new GraphQLError('a Date is a calendar date written YYYY-MM-DD', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return value;
}

/** A calendar date, YYYY-MM-DD, carried as a string (no time zone games). */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD.',
  // Outgoing dates were checked when they entered the hub (departments/validate.ts): shape only.
  serialize: (v) => {
    if (typeof v !== 'string' || !DATE.test(v)) throw new GraphQLError('a Date field held a value that is not YYYY-MM-DD');
    return v;
  },
  parseValue: (v) => checkDate(v),
  parseLiteral: (ast) => checkDate(ast.kind === Kind.STRING ? ast.value : undefined),
});
