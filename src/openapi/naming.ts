/**
 * Names: action and integration identifiers (they become Temporal activity names, so `^[A-Za-z][A-Za-z0-9_]*$`,
 * at most 64 characters), readable titles, display names. Everything here is a pure function of its input, so the
 * same spec always gives the same names.
 */

const MAX_NAME = 64;
/** Room left under MAX_NAME for a disambiguating suffix. */
const MAX_BASE = MAX_NAME - 4;

/** The words of any text: runs of ASCII letters and digits (accents are dropped, everything else separates). */
function words(text: string): string[] {
  // Decomposing only when there is something to decompose: names are called for every operation of 10k-operation specs.
  const ascii = /^[\x00-\x7f]*$/.test(text) ? text : text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  return ascii.match(/[A-Za-z0-9]+/g) ?? [];
}

function capitalize(word: string): string {
  // An all-caps word (POST, API) is an acronym or a shout: Post, Api. Mixed case (getUsers, OAuth) is kept. Words are
  // ASCII letters and digits: no lowercase letter means all caps (a test, not an uppercased copy, for every word).
  const normalized = word.length > 1 && !LOWERCASE.test(word) ? word.toLowerCase() : word;
  return normalized.charAt(0).toUpperCase() + normalized.slice(1);
}

const LOWERCASE = /[a-z]/;

/** camelCase identifier from words: "Get all device groups" -> getAllDeviceGroups, "repos/get" -> reposGet. */
export function camelIdentifier(text: string): string {
  const parts = words(text).map(capitalize);
  const first = parts[0];
  if (first === undefined) return '';
  parts[0] = first.charAt(0).toLowerCase() + first.slice(1);
  let name = parts.join('');
  // Identifiers start with a letter.
  if (!/^[A-Za-z]/.test(name)) name = `n${capitalize(name)}`;
  return shorten(parts, name);
}

/** Within MAX_BASE: the first word, which says what kind of call it is, and as many of the last words as fit. */
function shorten(parts: string[], name: string): string {
  if (name.length <= MAX_BASE) return name;
  const head = name.slice(0, Math.min((parts[0] ?? '').length, 20));
  let tail = '';
  for (let i = parts.length - 1; i > 0; i--) {
    const next = (parts[i] ?? '') + tail;
    if (head.length + next.length > MAX_BASE) break;
    tail = next;
  }
  return tail ? head + tail : name.slice(0, MAX_BASE);
}

/** The name of an operation without operationId: verb and path, e.g. GET /users/{id}/repos -> getUsersRepos... */
export function methodPathName(method: string, path: string): string {
  const segments = path.split('/').filter(Boolean);
  const last = segments[segments.length - 1];
  // Static segments say what the resource is; only a trailing parameter says which one (getUsersById).
  const statics = segments.filter((s) => !/^\{.*\}$/.test(s)).join(' ');
  const by = last && /^\{.*\}$/.test(last) ? ` by ${last.slice(1, -1)}` : '';
  return camelIdentifier(`${method.toLowerCase()} ${statics}${by}`);
}

/**
 * Unique names for all operations. `keys[i]` orders the members of a group of equal names (the first keeps the name,
 * the others get 2, 3...), so the result does not depend on the order operations are listed in the spec.
 */
export function uniqueNames(names: readonly string[], keys: readonly string[]): string[] {
  const result = [...names];
  const taken = new Set(names);
  // Groups only for the names used more than once (a handful of 10,000), taken in the order of their first use.
  const first = new Map<string, number>();
  const groups = new Map<string, number[]>();
  names.forEach((name, i) => {
    const used = first.get(name);
    if (used === undefined) {
      first.set(name, i);
      return;
    }
    const group = groups.get(name);
    if (group) group.push(i);
    else groups.set(name, [used, i]);
  });
  const ordered = [...groups].sort(([, a], [, b]) => (a[0] ?? 0) - (b[0] ?? 0));
  for (const [name, members] of ordered) {
    members.sort((a, b) => ((keys[a] ?? '') < (keys[b] ?? '') ? -1 : 1));
    let n = 2;
    for (const index of members.slice(1)) {
      while (taken.has(`${name}${n}`)) n++;
      result[index] = `${name}${n}`;
      taken.add(`${name}${n}`);
    }
  }
  return result;
}

/**
 * "getAllDeviceGroups" or "repos/get" as words for people: "Get all device groups", "Repos get". A word breaks
 * before a capital that follows a lowercase letter or digit (getAll), and before the last capital of a run followed
 * by a lowercase letter (HTTPServer); runs of capitals stay (API), other parts are lowercased. A loop over the
 * letters rather than a split with lookbehinds: it titles every operation of 10,000-operation specs.
 */
export function humanize(identifier: string): string {
  const parts: string[] = [];
  const part = (text: string) => parts.push(text.length > 1 && text === text.toUpperCase() ? text : text.toLowerCase());
  for (const word of words(identifier)) {
    let start = 0;
    for (let i = 1; i < word.length; i++) {
      // words() leaves letters and digits: what is not a capital is a lowercase letter or a digit.
      if (isUpper(word.charCodeAt(i)) && (!isUpper(word.charCodeAt(i - 1)) || isLower(word.charCodeAt(i + 1)))) {
        part(word.slice(start, i));
        start = i;
      }
    }
    part(word.slice(start));
  }
  const spaced = parts.join(' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

const isUpper = (code: number) => code >= 0x41 && code <= 0x5a;
const isLower = (code: number) => code >= 0x61 && code <= 0x7a;

/** A display name the model accepts: letters, digits, spaces and . _ - ( ), at most 100 characters. */
export function displayName(title: string): string | undefined {
  const cleaned = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9 ._\-()]+/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[^A-Za-z0-9]+/, '')
    .trim()
    .slice(0, 100)
    .trim();
  return cleaned || undefined;
}

/** The first line of a text, for titles. */
export function oneLine(text: string): string {
  const trimmed = text.trim();
  // Cut at the first line break without splitting the whole text into lines: it titles every operation.
  const newline = trimmed.indexOf('\n');
  return newline === -1 ? trimmed : trimmed.slice(0, newline).trim();
}
