/**
 * TypeScript refuses a type alias that is itself through unions and intersections alone (`type A = A | string`,
 * "circularly references itself"); behind a property, array element or tuple element, recursion is fine. Such
 * references are found once every named type is converted, and replaced by `unknown`.
 */
import { intersection, union, UNKNOWN, type NamedType, type TsType } from './ts-type';

export function breakCycles(named: readonly NamedType[]): NamedType[] {
  const types = new Map(named.map((n) => [n.name, n.type]));
  const state = new Map<string, 'visiting' | 'done'>();
  const broken = new Map<string, Set<string>>();
  // Depth-first in declaration order; dropping every edge back into the current path leaves no cycle, deterministically.
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    for (const target of immediateRefs(types.get(name) as TsType)) {
      const seen = state.get(target);
      if (seen === 'visiting') broken.set(name, (broken.get(name) ?? new Set()).add(target));
      else if (seen === undefined && types.has(target)) visit(target);
    }
    state.set(name, 'done');
  };
  for (const { name } of named) if (!state.has(name)) visit(name);
  return named.map((n) => {
    const targets = broken.get(n.name);
    return targets ? { ...n, type: withoutRefs(n.type, targets) } : n;
  });
}

/** The named types a type is made of directly: what TypeScript must resolve to know the alias at all. */
function immediateRefs(type: TsType): string[] {
  if (type.kind === 'ref') return [type.name];
  if (type.kind === 'union' || type.kind === 'intersection') return type.members.flatMap(immediateRefs);
  return [];
}

function withoutRefs(type: TsType, names: ReadonlySet<string>): TsType {
  if (type.kind === 'ref') return names.has(type.name) ? UNKNOWN : type;
  if (type.kind === 'union') return union(type.members.map((m) => withoutRefs(m, names)));
  if (type.kind === 'intersection') return intersection(type.members.map((m) => withoutRefs(m, names)));
  return type;
}
