/**
 * Where a JSON pointer's value is written in JSON or YAML source text, as 1-based line and column.
 *
 * Problems are found on parsed data and named by JSON pointer; people need line:column. Locations are computed only
 * for the problems reported, possibly in specs of tens of MB, so JSON is not re-parsed into objects: a scanner walks
 * the text along the pointer and skips what is off the path. Columns count UTF-16 code units, as editors do.
 */
import type { Document, LineCounter } from 'yaml';

/** `yaml` is loaded when a YAML text is first located or parsed: importing a JSON spec does not pay its 50 ms load. */
let yamlModule: typeof import('yaml') | undefined;
function yaml(): typeof import('yaml') {
  yamlModule ??= require('yaml') as typeof import('yaml');
  return yamlModule;
}

export type SourceFormat = 'json' | 'yaml';

export interface Position {
  line: number;
  column: number;
}

export interface SourceLocation extends Position {
  /** Pointer of the value at line:column: the one asked for, or its closest existing ancestor when that is missing. */
  located: string;
  /** Whether `located` is the pointer asked for. */
  exact: boolean;
}

/** A JSON pointer (RFC 6901) from path segments, e.g. `['actions', 2, 'name']` gives `/actions/2/name`. */
export function toPointer(path: readonly (string | number)[]): string {
  return path.map((segment) => '/' + String(segment).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

/** The unescaped segments of a JSON pointer; `''` (the whole document) gives none. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`"${pointer}" is not a JSON pointer: it must be empty or start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => {
      if (/~(?![01])/.test(segment)) throw new Error(`"${pointer}" is not a JSON pointer: "~" must be followed by 0 or 1`);
      // ~1 first: "~01" is the text "~1", not "/".
      return segment.replaceAll('~1', '/').replaceAll('~0', '~');
    });
}

/** A YAML document parsed with the line counter that locations need; a caller that has one passes it to SourceLocator. */
export interface ParsedYaml {
  document: Document.Parsed;
  lineCounter: LineCounter;
}

export function parseYaml(text: string): ParsedYaml {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  // prettyErrors off: messages stay one line; positions come from the line counter.
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  return { document, lineCounter };
}

/** Line and column of the value at `pointer` in `text`. Use a SourceLocator to locate several pointers in one text. */
export function sourceLocation(text: string, format: SourceFormat, pointer: string): SourceLocation {
  return new SourceLocator(text, format).locate(pointer);
}

/**
 * Locates pointers in one text. It keeps what it learns (line starts, the members of the JSON objects and arrays it
 * walked through, the YAML document), so locating many pointers costs little more than locating one.
 */
export class SourceLocator {
  /** Offsets where lines start, found as far as the offsets asked for so far (see lineStartsTo). */
  private readonly lineStarts = [0];
  /** Where the search for more line starts goes on. */
  private linesScanned = 0;
  private readonly jsonChildren = new Map<number, JsonChildren | undefined>();
  /** Where the containers read to their end end: a scan that meets one again jumps over it. */
  private readonly jsonEnds = new Map<number, number>();

  constructor(
    readonly text: string,
    readonly format: SourceFormat,
    private yaml?: ParsedYaml,
  ) {}

  /**
   * Reads, in one pass over the text, every container that locating `pointers` goes through, so that locating each
   * of them afterwards only looks its members up. Located one by one, a message in each of 1,700 path items of a
   * 20 MB spec scans the paths object once and then each of those path items again. YAML needs nothing read ahead.
   */
  prepare(pointers: Iterable<string>): void {
    if (this.format !== 'json') return;
    const wanted: Wanted = new Map();
    for (const pointer of pointers) {
      try {
        addPath(wanted, parsePointer(pointer));
      } catch {
        // Not a pointer: locate() says so for its message.
      }
    }
    const scanner = new JsonScanner(this.text);
    scanner.skipSpace();
    this.readAlong(scanner.pos, wanted);
  }

  /** The container at `offset` and, inside it, the members `wanted` goes on through, as childrenAt reads them. */
  private readAlong(offset: number, wanted: Wanted): void {
    if (wanted.size === 0) return;
    if (this.jsonChildren.has(offset)) {
      const children = this.jsonChildren.get(offset);
      for (const [segment, deeper] of wanted) {
        const child = children instanceof Map ? children.get(segment) : children?.[arrayIndex(segment) ?? -1];
        if (child !== undefined) this.readAlong(child, deeper);
      }
      return;
    }
    const scanner = new JsonScanner(this.text, offset);
    const children = scanner.children((key, value) => {
      const deeper = wanted.get(String(key));
      if (deeper) this.readAlong(value, deeper);
      return this.jsonEnds.get(value);
    });
    this.jsonChildren.set(offset, children);
    if (scanner.complete) this.jsonEnds.set(offset, scanner.pos);
  }

  locate(pointer: string): SourceLocation {
    const path = parsePointer(pointer);
    const { offset, depth } = this.format === 'json' ? this.findJson(path) : this.findYaml(path);
    return { ...this.position(offset), located: toPointer(path.slice(0, depth)), exact: depth === path.length };
  }

  /** Line and column of a character offset in the text. */
  position(offset: number): Position {
    if (this.format === 'yaml') {
      const { line, col } = this.parsedYaml().lineCounter.linePos(offset);
      return { line, column: col };
    }
    const starts = this.lineStartsTo(offset);
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low] + 1 };
  }

  /**
   * Line starts up to the line holding `offset`, found on the way: messages mostly point into the first part of a
   * spec, and the rest of a multi-MB text need not be read for them.
   */
  private lineStartsTo(offset: number): number[] {
    const starts = this.lineStarts;
    while (this.linesScanned <= offset && this.linesScanned < this.text.length) {
      const newline = this.text.indexOf('\n', this.linesScanned);
      this.linesScanned = newline === -1 ? this.text.length : newline + 1;
      if (newline !== -1) starts.push(newline + 1);
    }
    return starts;
  }

  /** Offset of the deepest value found along `path`, and how many segments were found. */
  private findJson(path: string[]): { offset: number; depth: number } {
    const scanner = new JsonScanner(this.text);
    scanner.skipSpace();
    let offset = scanner.pos;
    for (let depth = 0; depth < path.length; depth++) {
      const children = this.childrenAt(offset, path, depth);
      const segment = path[depth];
      const child = children instanceof Map ? children.get(segment) : children?.[arrayIndex(segment) ?? -1];
      if (child === undefined) return { offset, depth };
      offset = child;
    }
    return { offset, depth: path.length };
  }

  /**
   * Members of the container at `offset`, which `path[depth]` is looked up in. The member the path goes through next
   * is read on the way rather than skipped and read again afterwards: one pass over the text for a pointer, instead
   * of one for each of its levels (two passes of a multi-MB spec for any pointer under /paths).
   */
  private childrenAt(offset: number, path: string[], depth: number): JsonChildren | undefined {
    if (!this.jsonChildren.has(offset)) this.readAlong(offset, addPath(new Map(), path, depth));
    return this.jsonChildren.get(offset);
  }

  private findYaml(path: string[]): { offset: number; depth: number } {
    const { document } = this.parsedYaml();
    const { isAlias, isMap, isNode, isScalar, isSeq } = yaml();
    let node: unknown = document.contents;
    let offset = nodeOffset(node) ?? 0;
    for (let depth = 0; depth < path.length; depth++) {
      if (isAlias(node)) node = node.resolve(document);
      const segment = path[depth];
      let child: unknown;
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
        // `key:` with nothing after it has no value node; its key is the best place to point at.
        child = pair && (isNode(pair.value) ? pair.value : pair.key);
      } else if (isSeq(node)) {
        child = node.items[arrayIndex(segment) ?? -1];
      }
      const childOffset = nodeOffset(child);
      if (childOffset === undefined) return { offset, depth };
      node = child;
      offset = childOffset;
    }
    return { offset, depth: path.length };
  }

  private parsedYaml(): ParsedYaml {
    this.yaml ??= parseYaml(this.text);
    return this.yaml;
  }
}

function nodeOffset(node: unknown): number | undefined {
  return yaml().isNode(node) ? node.range?.[0] : undefined;
}

function arrayIndex(segment: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : undefined;
}

/** Where a JSON text stops being JSON, with a message for people; undefined when JSON.parse would accept it (after a BOM). */
export function findJsonSyntaxError(text: string): { offset: number; message: string } | undefined {
  const scanner = new JsonScanner(text);
  try {
    scanner.skipSpace();
    scanner.skipValue();
    scanner.skipSpace();
    if (scanner.pos < text.length) scanner.fail('unexpected text after the end of the JSON value');
    return undefined;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { offset: error.offset, message: error.message };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// JSON scanner

/** Members of an object (key to value offset; a repeated key keeps its last value, as JSON.parse does) or of an array. */
type JsonChildren = Map<string, number> | number[];

/** The segments of the pointers to locate, as a tree: what to read inside each container on the way. */
type Wanted = Map<string, Wanted>;

/** Adds the segments of `path` from `depth` on to the tree `wanted`, and returns it. */
function addPath(wanted: Wanted, path: readonly string[], depth = 0): Wanted {
  let node = wanted;
  for (let i = depth; i < path.length; i++) {
    const segment = path[i] as string;
    let next = node.get(segment);
    if (!next) node.set(segment, (next = new Map()));
    node = next;
  }
  return wanted;
}

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const SIMPLE_ESCAPES = new Set([...'"\\/bfnrt'].map((c) => c.charCodeAt(0)));
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
const WORD = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const SPACE = /[ \t\n\r]*/y;
const STRING_RUN = /[^"\\\u0000-\u001f]*/y;

/** Offset after the closing quote of the string starting at `start` (the text is not checked). */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; ; ) {
    const quote = text.indexOf('"', i);
    if (quote === -1) return text.length;
    let backslash = quote - 1;
    while (text.charCodeAt(backslash) === BACKSLASH) backslash--;
    // An even run of backslashes escapes itself, not the quote.
    if ((quote - 1 - backslash) % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** Reads JSON from `pos`, checking syntax as strictly as JSON.parse so that it can also say where a text goes wrong. */
class JsonScanner {
  pos: number;
  /** Whether the last children() read its container to the end, leaving `pos` after it. */
  complete = false;

  constructor(
    private readonly text: string,
    start = 0,
  ) {
    // A byte order mark is not JSON, but files carry it; skipping it keeps offsets those of the text given.
    this.pos = start === 0 && text.charCodeAt(0) === 0xfeff ? 1 : start;
  }

  fail(message: string, offset = this.pos): never {
    throw new JsonSyntaxError(message, offset);
  }

  skipSpace(): void {
    SPACE.lastIndex = this.pos;
    if (SPACE.test(this.text)) this.pos = SPACE.lastIndex;
  }

  /**
   * Members of the object or array at `pos`, as far as the text is valid; undefined for other values. `read` may
   * read a member's value itself and return where it ends, or return undefined to have it skipped.
   */
  children(read?: (key: string | number, offset: number) => number | undefined): JsonChildren | undefined {
    this.complete = false;
    this.skipSpace();
    const open = this.text.charCodeAt(this.pos);
    if (open !== OPEN_BRACE && open !== OPEN_BRACKET) return undefined;
    const children: JsonChildren = open === OPEN_BRACE ? new Map() : [];
    try {
      this.pos++;
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) === (open === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)) {
        this.pos++;
        this.complete = true;
        return children;
      }
      for (;;) {
        let key: string | number;
        if (children instanceof Map) {
          key = this.memberKey();
          this.skipSpace();
          children.set(key, this.pos);
        } else {
          key = children.length;
          children.push(this.pos);
        }
        const end = read?.(key, this.pos);
        if (end === undefined) this.skipValueUnchecked();
        else this.pos = end;
        if (this.afterMember(open)) {
          this.complete = true;
          return children;
        }
        this.skipSpace();
      }
    } catch (error) {
      if (error instanceof JsonSyntaxError) return children;
      throw error;
    }
  }

  /** Skips one value. Iterative rather than recursive, so that no nesting depth can overflow the stack. */
  skipValue(): void {
    const open: number[] = [];
    for (;;) {
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos);
      let closed = true;
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.pos++;
        this.skipSpace();
        if (this.text.charCodeAt(this.pos) === (c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)) {
          this.pos++;
        } else {
          if (c === OPEN_BRACE) this.memberKey();
          open.push(c);
          closed = false;
        }
      } else {
        this.skipScalar();
      }
      if (!closed) continue;
      // A value ended: close the containers it ends, until one has a next member.
      for (;;) {
        const container = open[open.length - 1];
        if (container === undefined) return;
        if (!this.afterMember(container)) {
          this.skipSpace();
          if (container === OPEN_BRACE) this.memberKey();
          break;
        }
        open.pop();
      }
    }
  }

  /**
   * Skips one value without checking its syntax, finding only where strings and containers end: several times
   * faster than skipValue on multi-MB texts, which the locator skips through on every level of a pointer. A syntax
   * error inside the value goes unnoticed (the members around it are still checked); skipValue finds it.
   */
  skipValueUnchecked(): void {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    if (c === QUOTE) {
      this.pos = stringEnd(text, this.pos);
      return;
    }
    if (c !== OPEN_BRACE && c !== OPEN_BRACKET) return this.skipScalar();
    let depth = 0;
    // A plain loop: the text between strings is mostly indentation, and strings are jumped over with indexOf.
    for (let pos = this.pos; pos < text.length; pos++) {
      const d = text.charCodeAt(pos);
      if (d === QUOTE) pos = stringEnd(text, pos) - 1;
      else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if ((d === CLOSE_BRACE || d === CLOSE_BRACKET) && --depth === 0) {
        this.pos = pos + 1;
        return;
      }
    }
    this.pos = text.length;
  }

  /** After a member of an open container: true when the container closes, false after the comma before a next member. */
  private afterMember(container: number): boolean {
    this.skipSpace();
    const close = container === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
    const c = this.text.charCodeAt(this.pos);
    if (c === close) {
      this.pos++;
      return true;
    }
    if (c === COMMA) {
      const comma = this.pos++;
      this.skipSpace();
      const next = this.text.charCodeAt(this.pos);
      if (next === CLOSE_BRACE || next === CLOSE_BRACKET) {
        this.fail(`trailing comma: JSON allows no comma before ${String.fromCharCode(next)}`, comma);
      }
      return false;
    }
    const closer = String.fromCharCode(close);
    if (Number.isNaN(c)) this.fail(`unexpected end of the text: "${closer}" is missing`);
    if (container === OPEN_BRACE && c === QUOTE) this.fail('a comma is missing before this property');
    if (c === 0x2f) this.fail('comments are not allowed in JSON');
    this.fail(`expected "," or "${closer}", found ${this.found()}`);
  }

  /** Reads a property name and its colon, leaving `pos` before the value; returns the name. */
  private memberKey(): string {
    const c = this.text.charCodeAt(this.pos);
    if (c !== QUOTE) {
      if (c === 0x27) this.fail('property names must be in double quotes, not single quotes');
      if (c === 0x2f) this.fail('comments are not allowed in JSON');
      if (this.sticky(WORD)) this.fail('property names must be in double quotes');
      this.fail(`expected a property name in double quotes, found ${this.found()}`);
    }
    const start = this.pos;
    this.skipString();
    const raw = this.text.slice(start, this.pos);
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== COLON) this.fail(`expected ":" after the property name ${raw}`);
    this.pos++;
    return raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  private skipScalar(): void {
    const c = this.text.charCodeAt(this.pos);
    if (c === QUOTE) return this.skipString();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.skipNumber();
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.pos)) {
        this.pos += literal.length;
        return;
      }
    }
    if (Number.isNaN(c)) this.fail('unexpected end of the text: a value is missing');
    if (c === 0x27) this.fail('strings must be in double quotes, not single quotes');
    if (c === 0x2f) this.fail('comments are not allowed in JSON');
    this.fail(`expected a value (a string, number, object, array, true, false or null), found ${this.found()}`);
  }

  private skipString(): void {
    const text = this.text;
    const start = this.pos;
    let pos = start + 1;
    for (;;) {
      // Runs of plain characters in one regex step: faster than a loop in multi-MB texts.
      STRING_RUN.lastIndex = pos;
      if (STRING_RUN.test(text)) pos = STRING_RUN.lastIndex;
      const c = text.charCodeAt(pos);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        const escaped = text.charCodeAt(pos + 1);
        if (SIMPLE_ESCAPES.has(escaped)) pos += 2;
        else if (escaped === 0x75 && this.sticky(HEX4, pos + 2)) pos += 6;
        else this.fail(`invalid escape "${text.slice(pos, pos + 2)}" in a string`, pos);
      } else if (c < 0x20) {
        this.fail(
          c === 0x0a || c === 0x0d
            ? 'line break inside a string: is the closing quote missing? (write \\n for a line break in the text)'
            : 'control character inside a string: escape it (e.g. \\t or \\u0001)',
          pos,
        );
      } else if (Number.isNaN(c)) {
        this.fail('the string is not closed', start);
      } else {
        pos++;
      }
    }
    this.pos = pos + 1;
  }

  private skipNumber(): void {
    const start = this.pos;
    const number = this.sticky(NUMBER);
    const next = this.text.charCodeAt(start + number.length);
    // What follows a number must end it: "01", "1.", "1e" and "-" are not numbers.
    if (number === '' || (next >= 0x30 && next <= 0x39) || next === 0x2e || next === 0x65 || next === 0x45) {
      const word = /[-+0-9.eE]*/y;
      word.lastIndex = start;
      this.fail(`invalid number ${word.exec(this.text)?.[0] ?? ''}`, start);
    }
    this.pos = start + number.length;
  }

  /** What the sticky pattern matches at `offset`, or ''. */
  private sticky(pattern: RegExp, offset = this.pos): string {
    pattern.lastIndex = offset;
    return pattern.exec(this.text)?.[0] ?? '';
  }

  /** The text at `pos`, quoted for a message. */
  private found(): string {
    const word = this.sticky(WORD);
    return JSON.stringify(word || this.text.charAt(this.pos));
  }
}
