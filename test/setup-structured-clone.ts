/**
 * Under Jest, structuredClone makes objects of another realm, and @scalar/openapi-parser's validate() then calls
 * valid specs invalid, with no errors. Specs are JSON data, so a JSON round-trip is the same clone without the realm.
 */
globalThis.structuredClone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
