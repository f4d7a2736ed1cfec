/**
 * An imported definition sends requests the spec accepts: its actions are called against Prism, a mock server that
 * validates every request (parameters, body, security) against the same spec and answers 4xx for a bad one.
 * (Not --errors: that also checks Prism's own generated responses, which it gets wrong for recursive schemas.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { callAction } from '../src/actions/call';
import { StaticConfigurations } from '../src/configurations/static';
import { compileDefinitions, type CompiledIntegration } from '../src/definition/compile';
import { freePort } from '../src/devserver/free-port';
import { closeHttpAgent } from '../src/http/agent';
import { HttpStatusError } from '../src/http/errors';
import { importSpec } from '../src/openapi/import';
import type { ResolvedConfiguration } from '../src/configurations/source';
import { ROOT } from './helpers/processes';

const API_KEY = 'prism-test-key';

function spec(port: number): string {
  return `openapi: 3.0.3
info: { title: Pet Store, version: 1.0.0 }
servers: [{ url: 'http://127.0.0.1:${port}' }]
security: [{ key: [] }]
components:
  securitySchemes:
    key: { type: apiKey, in: header, name: X-API-Key }
  schemas:
    Pet:
      type: object
      required: [name, kind]
      properties:
        id: { type: integer, readOnly: true }
        name: { type: string, minLength: 1 }
        kind: { type: string, enum: [cat, dog, parrot] }
        tags: { type: array, items: { type: string } }
        parent: { $ref: '#/components/schemas/Pet' }
paths:
  /pets:
    get:
      summary: List pets
      parameters:
        - { name: limit, in: query, schema: { type: integer, minimum: 1, maximum: 50 } }
        - { name: kind, in: query, schema: { type: array, items: { type: string, enum: [cat, dog, parrot] } }, explode: true }
        - { name: X-Request-Id, in: header, required: true, schema: { type: string, format: uuid } }
      responses:
        '200':
          description: pets
          content: { application/json: { schema: { type: object, properties: { results: { type: array, items: { $ref: '#/components/schemas/Pet' } }, next: { type: string, nullable: true } } } } }
    post:
      operationId: create pet
      requestBody:
        required: true
        content: { application/json: { schema: { $ref: '#/components/schemas/Pet' } } }
      responses:
        '201': { description: created, content: { application/json: { schema: { $ref: '#/components/schemas/Pet' } } } }
  /pets/{petId}:
    get:
      operationId: getPet
      parameters: [{ name: petId, in: path, required: true, schema: { type: integer } }]
      responses:
        '200': { description: one pet, content: { application/json: { schema: { $ref: '#/components/schemas/Pet' } } } }
        '404': { description: no such pet }
  /pets/{petId}/notes/:
    post:
      operationId: addNote
      parameters: [{ name: petId, in: path, required: true, schema: { type: integer } }]
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: { type: object, required: [text], properties: { text: { type: string }, pinned: { type: boolean } } }
      responses:
        '204': { description: added }
`;
}

let prism: ChildProcess;
let dir: string;
let integration: CompiledIntegration;
let configuration: ResolvedConfiguration;
const call = (action: string, input: Record<string, unknown>) =>
  callAction(integration.actions.get(action)!, configuration, input);

beforeAll(async () => {
  const port = await freePort();
  dir = mkdtempSync(path.join(tmpdir(), 'prism-'));
  const file = path.join(dir, 'pets.yaml');
  writeFileSync(file, spec(port));
  prism = spawn(process.execPath, [path.join(ROOT, 'node_modules/@stoplight/prism-cli/dist/index.js'), 'mock', file, '-h', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Prism did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    prism.stdout?.on('data', onData);
    prism.stderr?.on('data', onData);
  });

  const { definition } = await importSpec(file);
  const integrations = compileDefinitions([definition]);
  integration = integrations.get(definition.name)!;
  configuration = await new StaticConfigurations(integrations, [{ integration: definition.name, apiKey: API_KEY }]).resolve({
    integration: definition.name,
    configuration: 'Default',
  });
}, 60_000);

afterAll(async () => {
  prism?.kill();
  await closeHttpAgent();
  rmSync(dir, { recursive: true, force: true });
});

test('the import found the actions, the API key scheme and the server', () => {
  expect([...integration.actions.keys()].sort()).toEqual(['addNote', 'createPet', 'getPet', 'getPets']);
  expect(integration.definition.auth).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
  expect(integration.definition.hostname).toBe(configuration.target.hostname);
  expect(integration.actions.get('addNote')?.action.path).toBe('/pets/{petId}/notes/');
});

test('every action gets a valid request through', async () => {
  const listed = await call('getPets', { limit: 5, kind: ['cat', 'dog'], 'X-Request-Id': '5f0c6a8e-2d3b-4f63-9d59-0f7b6f1a2c3d' });
  expect(listed.status).toBe(200);
  const created = await call('createPet', { body: { name: 'Pedro', kind: 'parrot', tags: ['green'] } });
  expect(created.status).toBe(201);
  const got = await call('getPet', { petId: 7 });
  expect(got.status).toBe(200);
  const noted = await call('addNote', { petId: 7, body: { text: 'sings at dawn', pinned: true } });
  expect(noted.status).toBe(204);
});

test('Prism does refuse bad requests, so the test above can fail', async () => {
  const refused = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (err: unknown) => (err instanceof HttpStatusError ? err.status : err),
    );
  // A body missing required properties, and a wrong enum value: the request itself is invalid.
  await expect(refused(call('createPet', { body: { name: 'Pedro' } }))).resolves.toBe(422);
  await expect(refused(call('getPets', { kind: ['fish'], 'X-Request-Id': '5f0c6a8e-2d3b-4f63-9d59-0f7b6f1a2c3d' }))).resolves.toBe(422);
  // No API key: Prism checks the security requirement too.
  const anonymous = { ...configuration, credentials: { http: { headers: {}, query: [], cookies: {} }, secrets: [] } };
  const status = await callAction(integration.actions.get('getPet')!, anonymous, { petId: 7 }).then(
    () => undefined,
    (err: unknown) => (err instanceof HttpStatusError ? err.status : err),
  );
  expect(status).toBe(401);
});
