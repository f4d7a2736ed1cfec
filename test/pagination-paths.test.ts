/**
 * Response paths (resultsKey, hasMorePath, nextPageKey): the syntax, its validation in the definition model, and two
 * real API shapes it exists for, imported from small specs and paginated durably end to end: a GitHub-like list
 * (a bare array, the next page in a Link header) and a Microsoft Graph-like one (`value`, `@odata.nextLink`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Client } from '@temporalio/client';
import { Definition, LinkPagination, Pagination } from '../src/definition/model';
import { closeHttpAgent } from '../src/http/agent';
import { importSpec } from '../src/openapi/import';
import { formatPath, isMissing, parsePath, pathProblem, PathSyntaxError, valueAt } from '../src/pagination/path';
import { CustomIntegrationsPlugin } from '../src/temporal/plugin';
import type { PaginateResult } from '../workflows/paginate';
import { json, serve, type Server } from './helpers/http-server';
import { startTestWorker, type TestWorker } from './helpers/temporal';

describe('path syntax', () => {
  it('dotted keys, the body itself, bracketed keys with dots, indexes', () => {
    expect(parsePath('results')).toEqual(['results']);
    expect(parsePath('data.items')).toEqual(['data', 'items']);
    expect(parsePath('$')).toEqual([]);
    expect(parsePath('$.data.items')).toEqual(['data', 'items']);
    expect(parsePath("['@odata.nextLink']")).toEqual(['@odata.nextLink']);
    expect(parsePath("$['@odata.nextLink']")).toEqual(['@odata.nextLink']);
    expect(parsePath('$["a.b"][0].c')).toEqual(['a.b', 0, 'c']);
    expect(parsePath("['it\\'s'].x")).toEqual(["it's", 'x']);
    // A leading $ followed by more of a key is a key ($skipToken), not the root.
    expect(parsePath('$skipToken')).toEqual(['$skipToken']);
    expect(parsePath('meta.$count')).toEqual(['meta', '$count']);
  });

  it('values: the body, keys with dots, array steps; missing steps are missing', () => {
    expect(valueAt([1, 2], '$')).toEqual([1, 2]);
    expect(valueAt({ '@odata.nextLink': 'x', '@odata': { nextLink: 'y' } }, "['@odata.nextLink']")).toBe('x');
    // The old dotted reading is unchanged.
    expect(valueAt({ '@odata': { nextLink: 'y' } }, '@odata.nextLink')).toBe('y');
    expect(valueAt({ pages: [{ items: [3] }] }, 'pages.0.items')).toEqual([3]);
    expect(valueAt({ pages: [{ items: [3] }] }, 'pages[0].items')).toEqual([3]);
    expect(isMissing(valueAt({ a: 1 }, 'a.b'))).toBe(true);
    expect(isMissing(valueAt({}, 'toString'))).toBe(true);
  });

  it('malformed paths are refused with what is wrong and how to write it', () => {
    for (const [path, what] of [
      ['a..b', 'has an empty key at character 3'],
      ['.a', 'starts with a dot'],
      ['a.', 'ends with a dot'],
      ['a[x]', 'has "[x]" at character 2, which is neither an index'],
      ["['a", 'has an unclosed quote at character 2'],
      ["['a'", 'needs "]" after the quoted key at character 5'],
      ["['a'.b", 'needs "]" after the quoted key'],
      ["['a']b", 'needs a dot before character 6'],
      ['a]b', 'has "a]b", a key with a quote or "]" (bracket it: [\'a]b\'])'],
    ]) {
      expect(() => parsePath(path!)).toThrow(PathSyntaxError);
      expect(pathProblem(path!)).toContain(`path "${path}" ${what}`);
    }
    expect(pathProblem("['a.b']")).toBeUndefined();
  });

  it('formatPath writes what parsePath reads, dotted where it can', () => {
    expect(formatPath([])).toBe('$');
    expect(formatPath(['data', 'items'])).toBe('data.items');
    expect(formatPath(['data', 'items'], { root: true })).toBe('$.data.items');
    expect(formatPath(['@odata.nextLink'])).toBe("['@odata.nextLink']");
    expect(formatPath(['$skipToken'])).toBe("['$skipToken']");
    for (const segments of [["it's \\ odd"], ['a b', 'c'], ['x', 0, 'y'], ['[weird]']]) {
      expect(parsePath(formatPath(segments))).toEqual(segments);
      expect(parsePath(formatPath(segments, { root: true }))).toEqual(segments);
    }
  });
});

describe('paths in the definition model', () => {
  it('accepts the new forms and names the bad path and the field', () => {
    expect(Pagination.parse({ type: 'link', resultsKey: '$' })).toMatchObject({ resultsKey: '$' });
    expect(LinkPagination.parse({ type: 'link', location: 'body', resultsKey: 'value', nextPageKey: "['@odata.nextLink']" }).nextPageKey).toBe("['@odata.nextLink']");
    const bad = Definition.safeParse({
      name: 'bad',
      description: 'bad paths',
      hostname: 'api.example.com',
      pagination: { type: 'page', pageParam: 'page', resultsKey: 'data..items', hasMorePath: 'meta[more]' },
    });
    expect(bad.success).toBe(false);
    const issues = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual([
      expect.stringMatching(/^pagination\.resultsKey: path "data\.\.items" has an empty key at character 6; write keys separated by dots/),
      expect.stringMatching(/^pagination\.hasMorePath: path "meta\[more\]" has "\[more\]" at character 5/),
    ]);
  });

  it('in an action override too', () => {
    const bad = Definition.safeParse({
      name: 'bad',
      description: 'bad paths',
      hostname: 'api.example.com',
      actions: [
        {
          name: 'list',
          description: 'list',
          method: 'GET',
          path: '/x',
          paginated: true,
          pagination: { type: 'link', location: 'body', resultsKey: 'value', nextPageKey: "['@odata.nextLink" },
        },
      ],
    });
    expect(bad.error?.issues[0]).toMatchObject({ path: ['actions', 0, 'pagination', 'nextPageKey'], message: expect.stringContaining('unclosed quote') });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// End to end: spec -> import -> definition -> paginate workflow -> loopback API

const REPOS = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, name: `repo-${i + 1}` }));
const USERS = Array.from({ length: 5 }, (_, i) => ({ id: `u${i + 1}` }));

let github: Server;
let graph: Server;
let client: Client;
let testWorker: TestWorker | undefined;
let taskQueue: string;

const query = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://x').searchParams;
const searchOf = (server: Server) => server.received.map((r) => new URL(r.url, 'http://x').search);

function githubSpec(origin: string) {
  return {
    openapi: '3.0.3',
    info: { title: 'Hub', version: '1' },
    servers: [{ url: origin }],
    paths: {
      '/user/repos': {
        get: {
          operationId: 'repos/list-for-authenticated-user',
          parameters: [
            { name: 'per_page', in: 'query', schema: { type: 'integer', default: 30 } },
            { name: 'page', in: 'query', schema: { type: 'integer', default: 1 } },
          ],
          responses: {
            '200': {
              description: 'ok',
              headers: { Link: { schema: { type: 'string' } } },
              content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/repo' } } } },
            },
          },
        },
      },
    },
    components: { schemas: { repo: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } } } },
  };
}

function graphSpec(origin: string) {
  return {
    openapi: '3.0.4',
    info: { title: 'Graphy', version: '1' },
    servers: [{ url: origin }],
    paths: {
      '/users': {
        get: {
          operationId: 'users.ListUser',
          'x-ms-pageable': { nextLinkName: '@odata.nextLink', operationName: 'listMore' },
          parameters: [
            { name: '$top', in: 'query', schema: { type: 'integer', minimum: 0 } },
            { name: '$select', in: 'query', style: 'form', explode: false, schema: { type: 'array', items: { type: 'string' } } },
          ],
          responses: {
            '200': {
              description: 'ok',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      value: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' } } } },
                      '@odata.nextLink': { type: 'string', nullable: true },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}

async function imported(spec: object): Promise<Definition> {
  const result = await importSpec({ text: JSON.stringify(spec), fileName: 'spec.json' });
  return Definition.parse(result.definition);
}

let hub: Definition;
let graphy: Definition;

beforeAll(async () => {
  github = await serve({
    '/user/repos': (req, res) => {
      const q = query(req);
      const size = Number(q.get('per_page') ?? 30);
      const page = Number(q.get('page') ?? 1);
      const last = Math.ceil(REPOS.length / size);
      const link: Record<string, string> = page < last ? { link: `<${github.origin}/user/repos?per_page=${size}&page=${page + 1}>; rel="next", <${github.origin}/user/repos?per_page=${size}&page=${last}>; rel="last"` } : {};
      json(res, 200, REPOS.slice((page - 1) * size, page * size), link);
    },
  });
  graph = await serve({
    '/users': (req, res) => {
      const q = query(req);
      const top = Number(q.get('$top') ?? 100);
      const skip = Number(q.get('$skiptoken') ?? 0);
      const next = skip + top < USERS.length ? `${graph.origin}/users?$top=${top}&$skiptoken=${skip + top}` : undefined;
      // A key named "@odata" as well: a dotted reading of the next link would find this one.
      json(res, 200, { '@odata.context': 'x', '@odata': { nextLink: 'wrong' }, value: USERS.slice(skip, skip + top), ...(next && { '@odata.nextLink': next }) });
    },
  });
  hub = await imported(githubSpec(github.origin));
  graphy = await imported(graphSpec(graph.origin));
  const plugin = new CustomIntegrationsPlugin({
    definitions: [hub, graphy],
  });
  testWorker = await startTestWorker({ plugin, workflowsPath: require.resolve('./fixtures/paginate-workflows'), prefix: 'pagination-paths' });
  ({ client, taskQueue } = testWorker);
});

afterAll(async () => {
  await testWorker?.stop();
  await closeHttpAgent();
  await Promise.all([github?.close(), graph?.close()]);
});

const paginate = async (integration: string, action: string, input: Record<string, unknown> = {}) =>
  (await client.workflow.execute('paginate', {
    taskQueue,
    workflowId: `paths-${randomUUID()}`,
    args: [{ integration, action, input, activityOptions: { startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 2 } } }],
  })) as PaginateResult;

describe('imported and paginated end to end', () => {
  it('GitHub-like: bare array at "$", next page from the Link header', async () => {
    expect(hub.pagination).toMatchObject({ type: 'link', location: 'header', resultsKey: '$', pageSizeParam: 'per_page', defaultPageSize: 30 });
    const list = hub.actions.find((a) => a.operationId === 'repos/list-for-authenticated-user');
    expect(list?.paginated).toBe(true);
    const result = await paginate(hub.name, list!.name, { per_page: 3 });
    expect(result).toMatchObject({ pages: 3, itemCount: 7, stop: 'no next link' });
    expect(result.items).toEqual(REPOS);
    expect(searchOf(github)).toEqual(['?per_page=3', '?per_page=3&page=2', '?per_page=3&page=3']);
  });

  it('Graph-like: results in value, next link at @odata.nextLink (a key with dots), page size $top', async () => {
    expect(graphy.pagination).toMatchObject({ type: 'link', location: 'body', resultsKey: 'value', nextPageKey: "['@odata.nextLink']", pageSizeParam: '$top' });
    const list = graphy.actions.find((a) => a.operationId === 'users.ListUser');
    const result = await paginate(graphy.name, list!.name, { $top: 2, $select: ['id', 'displayName'] });
    expect(result).toMatchObject({ pages: 3, itemCount: 5, stop: 'no next link' });
    expect(result.items).toEqual(USERS);
    const first = graph.received[0]!.url;
    expect(query({ url: first } as IncomingMessage).get('$top')).toBe('2');
    expect(first).toContain('$select=id,displayName');
    expect(searchOf(graph).slice(1)).toEqual(['?$top=2&$skiptoken=2', '?$top=2&$skiptoken=4']);
  });
});
