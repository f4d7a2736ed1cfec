/**
 * Where a JSON pointer's value is in a YAML spec, recorded by js-yaml while it parses the spec.
 *
 * SourceLocator finds YAML locations with the `yaml` package, whose parse of the real specs takes 2-3 s for 1.5-3.5 MB
 * (Asana, Okta, Twilio): more than importing the whole spec. js-yaml parses the same files in 0.1-0.9 s and reports
 * where each node starts and ends through its parse events. Every import reports something (at least which auth it
 * picked), so the positions are recorded in the same pass as the data rather than by parsing the text twice. JSON
 * specs and offsets still go through SourceLocator.
 */
import { parsePointer, SourceLocator, type Position } from '../source-location';

/** js-yaml is loaded with the first YAML spec: importing a JSON spec does not pay its 15 ms load. */
let jsYamlModule: typeof import('js-yaml') | undefined;
export function jsYaml(): typeof import('js-yaml') {
  jsYamlModule ??= require('js-yaml') as typeof import('js-yaml');
  return jsYamlModule;
}

interface YamlNode {
  /** Where js-yaml started reading the node: before the whitespace and comments that precede it. */
  start: number;
  end: number;
  /** Set when the node is a mapping key: its text. */
  key?: string;
  kind?: 'mapping' | 'sequence';
  children?: YamlNode[];
}

export class YamlLocator {
  // Offsets to line:column do not depend on the format; SourceLocator's JSON mode does only that here.
  private readonly lines: SourceLocator;

  private constructor(
    private readonly text: string,
    private readonly root: YamlNode,
  ) {
    this.lines = new SourceLocator(text, 'json');
  }

  /** The data of a YAML text (YAML 1.2 core schema), and where each of its values is. Throws js-yaml's errors. */
  static parse(text: string, filename: string): { data: unknown; locator: YamlLocator } {
    const stack: YamlNode[] = [{ start: 0, end: text.length, children: [] }];
    const { load, CORE_SCHEMA } = jsYaml();
    const data = load(text, {
      schema: CORE_SCHEMA,
      filename,
      listener(event, state) {
        if (event === 'open') {
          stack.push({ start: state.position, end: state.position });
          return;
        }
        const node = stack.pop() as YamlNode;
        node.end = state.position;
        if (state.kind === 'mapping' || state.kind === 'sequence') node.kind = state.kind;
        else {
          // A scalar may have read itself through a child (js-yaml first tries a block mapping there): not a member.
          delete node.children;
          if (isKeyEnd(text, state.position)) node.key = String(state.result);
        }
        const parent = stack[stack.length - 1] as YamlNode;
        (parent.children ??= []).push(node);
      },
    });
    return { data, locator: new YamlLocator(text, stack[0]?.children?.[0] ?? { start: 0, end: 0 }) };
  }

  /** Position of the value at `pointer`, or of its closest existing ancestor. */
  locate(pointer: string): Position {
    let node = this.root;
    let offset = this.contentStart(node);
    for (const segment of parsePointer(pointer)) {
      const found = child(node, segment);
      if (!found) break;
      // `key:` with nothing after it: the key is the place to point at.
      const start = this.contentStart(found.value ?? found.key);
      offset = found.value && start < found.value.end ? start : found.key.start;
      if (!found.value) break;
      node = found.value;
    }
    return this.lines.position(offset);
  }

  /** Where the node's own text starts: after whitespace and comments. */
  private contentStart(node: YamlNode): number {
    const text = this.text;
    let i = node.start;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else if (c === 0x23 /* # */) {
        const eol = text.indexOf('\n', i);
        i = eol === -1 ? text.length : eol;
      } else return i;
    }
  }
}

function child(node: YamlNode, segment: string): { key: YamlNode; value: YamlNode | undefined } | undefined {
  const children = node.children ?? [];
  if (node.kind === 'sequence') {
    const item = /^(0|[1-9][0-9]*)$/.test(segment) ? children[Number(segment)] : undefined;
    return item && { key: item, value: item };
  }
  if (node.kind !== 'mapping') return undefined;
  for (let i = 0; i < children.length; i++) {
    const key = children[i] as YamlNode;
    if (key.key !== segment) continue;
    const next = children[i + 1];
    return { key, value: next && next.key === undefined ? next : undefined };
  }
  return undefined;
}

/** Whether a scalar ending at `offset` is a mapping key: a ":" follows it on the same line. */
function isKeyEnd(text: string, offset: number): boolean {
  let i = offset;
  while (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09) i++;
  return text.charCodeAt(i) === 0x3a;
}
