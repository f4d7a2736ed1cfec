/**
 * A small syntax tree of TypeScript types. The converter builds it rather than text so that, once every schema is
 * converted, references that make a type alias circular can be found and replaced (see cycles.ts).
 */

/** What becomes a type's or property's JSDoc. */
export interface Doc {
  readonly description?: string;
  readonly deprecated?: boolean;
}

export interface Property {
  readonly name: string;
  readonly type: TsType;
  readonly optional: boolean;
  readonly doc?: Doc;
}

export interface TupleElement {
  readonly type: TsType;
  readonly optional: boolean;
}

export type Keyword = 'unknown' | 'never' | 'string' | 'number' | 'boolean' | 'null' | 'undefined';

export type TsType =
  | { readonly kind: 'keyword'; readonly name: Keyword }
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'ref'; readonly name: string }
  | { readonly kind: 'array'; readonly element: TsType }
  | { readonly kind: 'tuple'; readonly elements: readonly TupleElement[]; readonly rest?: TsType }
  | { readonly kind: 'object'; readonly properties: readonly Property[]; readonly index?: TsType }
  | { readonly kind: 'union'; readonly members: readonly TsType[] }
  | { readonly kind: 'intersection'; readonly members: readonly TsType[] };

/** A type alias of an integration's namespace: a shared schema or the target of a ref. */
export interface NamedType {
  readonly name: string;
  readonly type: TsType;
  readonly doc: Doc;
}

export const keyword = (name: Keyword): TsType => ({ kind: 'keyword', name });
export const UNKNOWN = keyword('unknown');
export const NEVER = keyword('never');

export const isKeyword = (type: TsType, name: Keyword): boolean => type.kind === 'keyword' && type.name === name;

export function union(members: readonly TsType[]): TsType {
  const flat = distinct(members.flatMap((m) => (m.kind === 'union' ? m.members : [m]))).filter((m) => !isKeyword(m, 'never'));
  if (flat.some((m) => isKeyword(m, 'unknown'))) return UNKNOWN;
  if (flat.length === 1) return flat[0] as TsType;
  return flat.length === 0 ? NEVER : { kind: 'union', members: flat };
}

export function intersection(members: readonly TsType[]): TsType {
  const flat = distinct(members.flatMap((m) => (m.kind === 'intersection' ? m.members : [m]))).filter((m) => !isKeyword(m, 'unknown'));
  if (flat.some((m) => isKeyword(m, 'never'))) return NEVER;
  if (flat.length === 1) return flat[0] as TsType;
  return flat.length === 0 ? UNKNOWN : { kind: 'intersection', members: flat };
}

/** Structural equality is enough to drop repeats: `A | A` says nothing more than `A`. */
function distinct(types: readonly TsType[]): TsType[] {
  const seen = new Set<string>();
  return types.filter((t) => {
    const key = JSON.stringify(t);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
