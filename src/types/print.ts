/**
 * Writing the type tree as TypeScript source: object types one property a line, so generated files read like
 * hand-written ones and diffs between two generations stay small.
 */
import { propertyKey } from './names';
import type { Doc, TsType } from './ts-type';

export const INDENT = '  ';

/**
 * `refPrefix` qualifies named types: inside their namespace they are written bare, elsewhere as `Namespace.Name`.
 * `indent` is that of the line the type starts on; object types close at it.
 */
export function printType(type: TsType, refPrefix = '', indent = ''): string {
  const print = (t: TsType) => printType(t, refPrefix, indent);
  switch (type.kind) {
    case 'keyword':
      return type.name;
    case 'literal':
      return typeof type.value === 'string' ? JSON.stringify(type.value) : String(type.value);
    case 'ref':
      return refPrefix + type.name;
    case 'array':
      return `${grouped(type.element, print)}[]`;
    case 'tuple': {
      const elements = type.elements.map((e) => (e.optional ? `${grouped(e.type, print)}?` : print(e.type)));
      if (type.rest) elements.push(`...${grouped(type.rest, print)}[]`);
      return `[${elements.join(', ')}]`;
    }
    case 'union':
      return type.members.map(print).join(' | ');
    case 'intersection':
      return type.members.map((m) => (m.kind === 'union' ? `(${print(m)})` : print(m))).join(' & ');
    case 'object': {
      const index = type.index && `[key: string]: ${printType(type.index, refPrefix, indent + INDENT)}`;
      if (type.properties.length === 0) return index ? `{ ${index} }` : '{}';
      const inner = indent + INDENT;
      const lines = type.properties.map(
        (p) => `${jsdoc(p.doc, inner)}${inner}${propertyKey(p.name)}${p.optional ? '?' : ''}: ${printType(p.type, refPrefix, inner)};`,
      );
      if (index) lines.push(`${inner}${index};`);
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
  }
}

/** Parenthesized where a suffix (`[]`, `?`) would otherwise bind to its last member or to a minus sign. */
function grouped(type: TsType, print: (t: TsType) => string): string {
  const needs = type.kind === 'union' || type.kind === 'intersection' || (type.kind === 'literal' && typeof type.value === 'number' && type.value < 0);
  return needs ? `(${print(type)})` : print(type);
}

/** A JSDoc comment ending in a newline, or '' when there is nothing to say. */
export function jsdoc(doc: Doc | undefined, indent: string): string {
  const text = doc?.description?.trim() ?? '';
  // "*/" would end the comment early and turn the rest of the description into code.
  const lines = [...(text === '' ? [] : text.split(/\r\n|\r|\n/)), ...(doc?.deprecated ? ['@deprecated'] : [])].map((line) =>
    line.replace(/\*\//g, '*\\/').trimEnd(),
  );
  if (lines.length === 0) return '';
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((line) => `${indent} *${line ? ` ${line}` : ''}`).join('\n')}\n${indent} */\n`;
}
