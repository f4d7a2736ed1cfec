/**
 * docker-compose.yml, the Dockerfile and .dockerignore are not run here (no Docker engine on this machine or in CI), so
 * these checks tie them to the code they deploy: a renamed search attribute, task queue, entry point, secret variable
 * or source folder fails a test instead of a user's `docker compose up`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { main } from '../src/cli/main';
import { CONFIG_FILE_NAMES, DEFAULT_TASK_QUEUE, resolveTemporalConfig } from '../src/config/temporal-config';
import { SEARCH_ATTRIBUTES, searchAttributeFlags } from '../src/temporal/search-attributes';
import temporalConfigFile from '../temporal.config';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | Array<string | { path: string; required?: boolean }>;
  volumes?: Array<string | { type?: string; source?: string; target: string; read_only?: boolean }>;
  ports?: Array<string | number | { target: number; published?: string | number; host_ip?: string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
}

function loadCompose(): { services: Record<string, Service>; volumes?: Record<string, unknown> } {
  const doc = parseDocument(read('docker-compose.yml'));
  expect(doc.errors.map(String)).toEqual([]);
  expect(doc.warnings.map(String)).toEqual([]);
  return doc.toJS();
}

const compose = loadCompose();
const { services } = compose;

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}" (has: ${Object.keys(services).join(', ')})`);
  return found;
}

/** The service whose environment carries SEARCH_ATTRIBUTES: the one-shot admin-tools job. */
function searchAttributeJob(): [string, Service] {
  const jobs = Object.entries(services).filter(([, s]) => 'SEARCH_ATTRIBUTES' in env(s));
  expect(jobs).toHaveLength(1);
  return jobs[0]!;
}

function env(s: Service): Record<string, string> {
  const entries = Array.isArray(s.environment)
    ? s.environment.map((line) => {
        const eq = line.indexOf('=');
        return eq < 0 ? [line, ''] : [line.slice(0, eq), line.slice(eq + 1)];
      })
    : Object.entries(s.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(entries);
}

/** `${VAR:-default}` as Compose resolves it when VAR is unset. */
function withDefaults(value: string): string {
  return value.replace(/\$\{[A-Z0-9_]+:?-([^}]*)\}/g, '$1');
}

/** Host port -> container port of the service's published ports. */
function publishedPorts(s: Service): Map<number, number> {
  const ports = new Map<number, number>();
  for (const port of s.ports ?? []) {
    if (typeof port === 'object') {
      if (port.published !== undefined) ports.set(Number(port.published), port.target);
      continue;
    }
    const parts = String(port).split(':');
    if (parts.length < 2) continue;
    ports.set(Number(parts[parts.length - 2]), Number(parts[parts.length - 1]!.split('/')[0]));
  }
  return ports;
}

interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

function mounts(s: Service): Mount[] {
  return (s.volumes ?? []).map((v) => {
    if (typeof v === 'object') return { source: v.source ?? '', target: v.target, readOnly: v.read_only === true };
    const [source = '', target = '', mode = ''] = v.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
}

const isBindMount = (m: Mount): boolean => m.source.startsWith('.') || m.source.startsWith('/');

interface DockerStage {
  from: string;
  instructions: Array<{ keyword: string; args: string }>;
}

/** The Dockerfile's stages, with line continuations joined and comments dropped. */
function dockerStages(): DockerStage[] {
  const lines = read('Dockerfile')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') stages.push({ from: args, instructions: [] });
    else stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

const finalStage = (): DockerStage => dockerStages().at(-1)!;
const last = (stage: DockerStage, keyword: string): string | undefined =>
  stage.instructions.filter((i) => i.keyword === keyword).at(-1)?.args;

function dockerCmd(): string[] {
  const cmd = last(finalStage(), 'CMD');
  if (!cmd) throw new Error('the last stage of the Dockerfile has no CMD');
  return JSON.parse(cmd) as string[];
}

interface TsConfig {
  extends?: string;
  include?: string[];
  compilerOptions?: { rootDir?: string; outDir?: string };
}

/** tsconfig.build.json with what it extends merged in (compilerOptions shallowly, as tsc does). */
function buildTsConfig(): Required<Pick<TsConfig, 'include'>> & { rootDir: string; outDir: string } {
  const load = (file: string): TsConfig => {
    const config = JSON.parse(read(file)) as TsConfig;
    if (!config.extends) return config;
    const base = load(path.join(path.dirname(file), config.extends));
    return { ...base, ...config, compilerOptions: { ...base.compilerOptions, ...config.compilerOptions } };
  };
  const config = load('tsconfig.build.json');
  return { include: config.include ?? [], rootDir: config.compilerOptions?.rootDir ?? '.', outDir: config.compilerOptions?.outDir ?? '.' };
}

/** Every `{ env: 'NAME' }` secret reference in temporal.config.ts's configurations. */
function secretVariables(): string[] {
  const names = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.env === 'string' && Object.keys(record).length === 1) names.add(record.env);
      Object.values(record).forEach(walk);
    }
  };
  walk(temporalConfigFile.configurations);
  return [...names];
}

describe('docker-compose.yml', () => {
  test('registers exactly the search attributes the project writes, with their types', () => {
    const [, job] = searchAttributeJob();
    const registered = env(job).SEARCH_ATTRIBUTES!.trim().split(/\s+/);
    expect(registered).toEqual(searchAttributeFlags());
    expect(registered.map((pair) => pair.split('=')[0])).toEqual(SEARCH_ATTRIBUTES.map((key) => key.name));
  });

  test('the search-attribute job runs a script that exists, with admin-tools of the server version, after the server is up', () => {
    const [, job] = searchAttributeJob();
    const server = service('temporal');
    const version = (image: string | undefined): string => withDefaults(image ?? '').split(':')[1] ?? '';
    expect(version(server.image)).toMatch(/^1\.29\.\d+$/);
    expect(withDefaults(job.image ?? '')).toMatch(/^temporalio\/admin-tools:/);
    expect(version(job.image).startsWith(`${version(server.image)}-`) || version(job.image) === version(server.image)).toBe(true);
    expect(job.depends_on).toMatchObject({ temporal: { condition: 'service_healthy' } });
    expect(env(job).TEMPORAL_ADDRESS).toBe('temporal:7233');
    const command = [job.entrypoint, job.command].flat().join(' ');
    const script = mounts(job).find((m) => command.includes(m.target));
    expect(script).toBeDefined();
    expect(existsSync(path.join(ROOT, script!.source))).toBe(true);
  });

  test('the worker polls the default task queue on the namespace the job creates', () => {
    const worker = env(service('worker'));
    expect(worker.TEMPORAL_TASK_QUEUE).toBe(DEFAULT_TASK_QUEUE);
    expect(worker.TEMPORAL_TASK_QUEUE).toBe(temporalConfigFile.taskQueue);
    expect(worker.TEMPORAL_NAMESPACE).toBe(env(searchAttributeJob()[1]).NAMESPACE);
    expect(worker.TEMPORAL_NAMESPACE).toBe(temporalConfigFile.namespace);
    expect(worker.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(service('worker').depends_on).toMatchObject({ [searchAttributeJob()[0]]: { condition: 'service_completed_successfully' } });
  });

  test("publishes the server's gRPC port where temporal.config.ts points the host CLI", () => {
    const hostPort = Number(new URL(`grpc://${temporalConfigFile.address}`).port);
    expect(publishedPorts(service('temporal')).get(hostPort)).toBe(7233);
  });

  test("publishes the Web UI on the dev server's UI port, where the CLI's links point", () => {
    const devDefault = resolveTemporalConfig({}, { env: {}, baseDir: ROOT });
    expect(devDefault.devServer.uiPort).toBe(8233);
    const fromFile = resolveTemporalConfig(temporalConfigFile, { env: {}, baseDir: ROOT });
    const uiPort = Number(new URL(fromFile.uiUrl).port);
    expect(uiPort).toBe(devDefault.devServer.uiPort);
    expect(publishedPorts(service('temporal-ui')).get(uiPort)).toBe(8080);
    expect(env(service('temporal-ui')).TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  test('PostgreSQL keeps its data in a named volume and gates the setup on its healthcheck', () => {
    const postgres = service('postgresql');
    const data = mounts(postgres).find((m) => m.target === '/var/lib/postgresql/data');
    expect(data && compose.volumes && data.source in compose.volumes).toBe(true);
    expect(postgres.healthcheck?.test).toBeDefined();
    expect(service('temporal-admin-tools').depends_on).toMatchObject({ postgresql: { condition: 'service_healthy' } });
    expect(service('temporal').depends_on).toMatchObject({ 'temporal-admin-tools': { condition: 'service_completed_successfully' } });
  });

  test('the worker is built from this repository and runs the CLI worker command', async () => {
    const worker = service('worker');
    const build = typeof worker.build === 'string' ? { context: worker.build } : worker.build;
    expect(path.resolve(ROOT, build?.context ?? '')).toBe(ROOT);
    expect(existsSync(path.join(ROOT, build?.dockerfile ?? 'Dockerfile'))).toBe(true);
    const command = worker.command === undefined ? dockerCmd() : [worker.command].flat();
    expect(command).toEqual(['node', 'dist/src/cli/main.js', 'worker']);

    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await main(['--help'])).toBe(0);
      expect(log.mock.calls.flat().join('\n')).toMatch(/^ {2}worker\s/m);
    } finally {
      log.mockRestore();
    }
  });

  test('the definitions folder and temporal.config.ts are mounted read-only where the worker reads them', () => {
    const worker = service('worker');
    const workdir = last(finalStage(), 'WORKDIR');
    expect(workdir).toBe('/app');
    const definitions = mounts(worker).find((m) => m.source.replace(/^\.\//, '') === 'definitions');
    expect(definitions).toMatchObject({ target: env(worker).CUSTOM_INTEGRATIONS_DEFINITIONS, readOnly: true });
    const config = mounts(worker).find((m) => path.posix.basename(m.target) === 'temporal.config.ts');
    expect(config).toMatchObject({ target: path.posix.join(workdir!, 'temporal.config.ts'), readOnly: true });
    expect(CONFIG_FILE_NAMES[0]).toBe('temporal.config.ts');
    for (const [name, s] of Object.entries(services)) {
      for (const mount of mounts(s).filter(isBindMount)) {
        expect([name, mount.source, existsSync(path.join(ROOT, mount.source))]).toEqual([name, mount.source, true]);
      }
    }
    expect(statSync(path.join(ROOT, 'definitions')).isDirectory()).toBe(true);
  });

  test("the worker's secrets come from an env file whose example names every variable temporal.config.ts reads", () => {
    const worker = service('worker');
    const secrets = secretVariables();
    expect(secrets).toContain('PEDRO_AVIARY_API_KEY');
    for (const name of secrets) expect(Object.keys(env(worker))).not.toContain(name);
    const envFiles = [worker.env_file ?? []].flat().map((f) => (typeof f === 'string' ? f : f.path));
    expect(envFiles).toEqual(['deploy/worker.env']);
    const example = read('deploy/worker.env.example')
      .split(/\r?\n/)
      .filter((line) => /^[A-Z0-9_]+=/.test(line))
      .map((line) => line.split('=')[0]);
    expect(example.sort()).toEqual([...secrets].sort());
  });
});

describe('Dockerfile', () => {
  test('CMD runs the file tsc emits for src/cli/main.ts, which is also the package bin', () => {
    const { include, rootDir, outDir } = buildTsConfig();
    expect(include).toContain('src');
    const source = 'src/cli/main.ts';
    expect(existsSync(path.join(ROOT, source))).toBe(true);
    const emitted = path.posix.join(outDir, path.posix.relative(rootDir, source)).replace(/\.ts$/, '.js');
    expect(dockerCmd()).toEqual(['node', emitted, 'worker']);
    const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string> };
    expect(pkg.bin['custom-integrations']).toBe(emitted);
  });

  test('the runtime stage runs as a non-root user and ships what the worker loads at start', () => {
    const stage = finalStage();
    const user = last(stage, 'USER');
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user!.split(':')[0]);
    // What the runtime stage copies, as paths relative to the WORKDIR of the stage it copies from.
    const stages = dockerStages();
    const shipped = stage.instructions
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => {
        const words = i.args.split(/\s+/);
        const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
        const source = stages.find((s) => from !== undefined && new RegExp(`\\sAS\\s+${from}$`, 'i').test(s.from));
        const base = (source && last(source, 'WORKDIR')) ?? '.';
        return words.filter((w) => !w.startsWith('--')).slice(0, -1).map((src) => path.posix.relative(base, src));
      });
    // temporal.config.ts is compiled at start and imports sources by relative path: those folders must ship too.
    const configImports = [...read('temporal.config.ts').matchAll(/from\s+'\.\/([^/']+)/g)].map((m) => m[1]!);
    expect(configImports).toContain('src');
    for (const needed of ['package.json', 'node_modules', buildTsConfig().outDir, 'temporal.config.ts', 'definitions', ...configImports]) {
      expect([needed, shipped.includes(needed)]).toEqual([needed, true]);
    }
  });

  test('no secret variable is set in the image', () => {
    const text = read('Dockerfile');
    for (const name of secretVariables()) expect(text).not.toMatch(new RegExp(`^\\s*(ENV|ARG)\\b.*\\b${name}\\b`, 'm'));
  });
});

describe('.dockerignore', () => {
  test('is an allowlist that lets in every folder the build compiles, and nothing secret', () => {
    const lines = read('.dockerignore')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(lines[0]).toBe('*');
    const allowed = lines.filter((line) => line.startsWith('!')).map((line) => line.slice(1).replace(/\/$/, ''));
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'definitions', ...buildTsConfig().include]) {
      expect([needed, allowed.includes(needed)]).toEqual([needed, true]);
    }
    for (const entry of allowed) expect(entry).not.toMatch(/(^|\/)\.env|secret|node_modules|^dist$/i);
  });
});
