/**
 * Names in generated code: schema and integration names may be anything ("pet-status", "200", "class"), while type
 * names must be identifiers that are unique in their namespace.
 */

/**
 * Words that cannot name a type alias or namespace in a module: reserved words, strict-mode and contextual keywords,
 * and the built-in type names. A few of them would be allowed; refusing them all costs only an underscore.
 */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'implements interface let package private protected public static yield await async as asserts abstract ' +
    'accessor declare from get global infer is keyof module namespace of out override readonly require satisfies set ' +
    'type unique any unknown never string number boolean symbol bigint object undefined intrinsic'
  ).split(' '),
);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function isIdentifier(text: string): boolean {
  return IDENTIFIER.test(text) && !RESERVED.has(text);
}

/** Deterministic: the same text always gives the same identifier. */
export function toIdentifier(text: string): string {
  const id = text.replace(/[^A-Za-z0-9_$]/g, '_');
  const started = /^[A-Za-z_$]/.test(id) ? id : `_${id}`;
  return RESERVED.has(started) ? `${started}_` : started;
}

export function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A property name as written in a type literal: quoted unless it is an identifier (reserved words are fine there). */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** Hands out distinct identifiers: the first to ask for a name gets it, later ones get `_2`, `_3`, ... */
export class NameAllocator {
  private readonly taken = new Set<string>();

  take(preferred: string): string {
    const base = toIdentifier(preferred);
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }
}
