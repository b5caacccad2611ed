import { Kind, type SelectionSetNode } from 'graphql';

/**
 * The names of the fields selected directly in these selection sets, through inline fragments and
 * fragment spreads (validation has already refused fragment cycles).
 */
export function selectedFieldNames(sets: readonly (SelectionSetNode | undefined)[], fragment: (name: string) => SelectionSetNode | undefined): Set<string> {
  const names = new Set<string>();
  const walk = (set: SelectionSetNode | undefined) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) names.add(s.name.value);
      else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet);
      else walk(fragment(s.name.value));
    }
  };
  for (const set of sets) walk(set);
  return names;
}
