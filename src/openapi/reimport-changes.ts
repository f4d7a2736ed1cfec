/**
 * What a re-import changes in the structure of an action, in words for the person reviewing it. A change to a shared
 * schema is a change to every action that uses it, directly or through other schemas, so it is listed on each.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Action, Definition } from '../definition/model';
import { reachedSchemas } from '../definition/schema-refs';

/** Compares actions of `current` to their match in `fresh`; the shared schemas are compared once, here. */
type Schemas = Definition['schemas'];

export function actionChanges(current: Schemas, fresh: Schemas): (before: Action, after: Action) => string[] {
  const changedSchemas = new Set(Object.keys(fresh).filter((name) => !isDeepStrictEqual(current[name], fresh[name])));
  return (before, after) => {
    const what: string[] = [];
    if (before.method !== after.method) what.push(`method ${before.method} -> ${after.method}`);
    if (before.path !== after.path) what.push(`path ${before.path} -> ${after.path}`);
    if (before.operationId !== after.operationId) what.push(`operationId ${before.operationId} -> ${after.operationId}`);
    what.push(...parameterChanges(before.parameters, after.parameters));
    what.push(...compare('request body', before.requestBody, after.requestBody, true));
    what.push(...compare('response', before.responseSchema, after.responseSchema, false));
    if (after.deprecated && !before.deprecated) what.push('deprecated in the spec');
    if (changedSchemas.size > 0) {
      const used = reachedSchemas([after.parameters, after.requestBody, after.responseSchema], fresh);
      for (const name of [...used].filter((n) => changedSchemas.has(n)).sort()) what.push(`schema ${name} changed`);
    }
    return what;
  };
}

function parameterChanges(before: Action['parameters'], after: Action['parameters']): string[] {
  const key = (p: Action['parameters'][number]) => `${p.in}:${p.name}`;
  const label = (p: Action['parameters'][number]) => `${p.in} parameter "${p.name}"`;
  const old = new Map(before.map((p) => [key(p), p]));
  const now = new Map(after.map((p) => [key(p), p]));
  return [
    ...after.flatMap((p) => compare(label(p), old.get(key(p)), p, true)),
    ...before.filter((p) => !now.has(key(p))).map((p) => `${label(p)} removed`),
  ];
}

/** `detailed` names the fields that differ: for a parameter or body, "changed: required" says more than "changed". */
function compare(label: string, before: object | undefined, after: object | undefined, detailed: boolean): string[] {
  if (before === undefined) return after === undefined ? [] : [`${label} added`];
  if (after === undefined) return [`${label} removed`];
  if (isDeepStrictEqual(before, after)) return [];
  if (!detailed) return [`${label} changed`];
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((field) => !isDeepStrictEqual(a[field], b[field]));
  return [`${label} changed: ${fields.join(', ')}`];
}
