/**
 * docker-compose.yml, the Dockerfile and .dockerignore are not run here (no Docker engine on this machine or in CI), so
 * these checks tie them to the code they deploy: a renamed search attribute, task queue, entry point, secret variable,
 * source folder, codec-server flag or key location fails a test instead of a user's `docker compose up`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { parseDocument } from 'yaml';
import { main } from '../src/cli/main';
import { createPayloadCodec } from '../src/codec/data-converter';
import { CODEC_KEY_FILE_ENV, CODEC_KEYS_ENV, codecConfigFromEnv, loadKeyRing } from '../src/codec/keys';
import { localKeyFilePath } from '../src/codec/local-key';
import { payloadToJson, uiOriginsOf } from '../src/codec/server';
import { CONFIG_FILE_NAMES, DEFAULT_TASK_QUEUE, resolveTemporalConfig } from '../src/config/temporal-config';
import { SEARCH_ATTRIBUTES, searchAttributeFlags } from '../src/temporal/search-attributes';
import temporalConfigFile from '../temporal.config';
import { CLI, start } from './helpers/processes';

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

/** The final stage's ENV settings (`ENV NAME=value`, several per line allowed; no quoting). */
function dockerEnv(): Record<string, string> {
  const settings = finalStage()
    .instructions.filter((i) => i.keyword === 'ENV')
    .flatMap((i) => i.args.split(/\s+/).map((pair) => pair.split('=') as [string, string]));
  return Object.fromEntries(settings);
}

/** Every value given to `--name` (as `--name value` or `--name=value`) in a command line. */
function optionValues(args: readonly string[], name: string): string[] {
  return args.flatMap((arg, i) => (arg === `--${name}` ? [args[i + 1] ?? ''] : arg.startsWith(`--${name}=`) ? [arg.slice(name.length + 3)] : []));
}

/** The command line with the value of `--name` replaced. */
function withOption(args: readonly string[], name: string, value: string): string[] {
  expect(optionValues(args, name)).toHaveLength(1);
  return args.map((arg, i) => (args[i - 1] === `--${name}` ? value : arg.startsWith(`--${name}=`) ? `--${name}=${value}` : arg));
}

/** The folder of the generated codec key in the image: local-key.ts's path under the image's XDG_CONFIG_HOME. */
function imageKeyFolder(): string {
  const xdg = dockerEnv().XDG_CONFIG_HOME;
  expect(xdg).toMatch(/^\//);
  return path.posix.dirname(localKeyFilePath({ XDG_CONFIG_HOME: xdg }));
}

/** The origin the browser shows the Web UI at: temporal-ui's published host port. */
function uiOrigin(): string {
  const hostPort = [...publishedPorts(service('temporal-ui'))].find(([, target]) => target === 8080)?.[0];
  expect(hostPort).toBeDefined();
  return `http://localhost:${hostPort}`;
}

const envFiles = (s: Service): string[] => [s.env_file ?? []].flat().map((f) => (typeof f === 'string' ? f : f.path));

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

const WORKER_ENV = 'deploy/worker.env';
const CODEC_ENV = 'deploy/codec.env';

/** The variables an env file's example sets, in order. */
function exampleVariables(envFile: string): string[] {
  return read(`${envFile}.example`)
    .split(/\r?\n/)
    .filter((line) => /^[A-Z0-9_]+=/.test(line))
    .map((line) => line.split('=')[0]!);
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
    for (const name of [...secrets, CODEC_KEYS_ENV]) expect(Object.keys(env(worker))).not.toContain(name);
    expect(envFiles(worker)).toEqual([WORKER_ENV, CODEC_ENV]);
    expect(exampleVariables(WORKER_ENV).sort()).toEqual([...secrets].sort());
    expect(exampleVariables(CODEC_ENV)).toEqual([CODEC_KEYS_ENV]);
    // Filled-in copies of the examples hold secrets: git must not take them.
    const ignored = read('.gitignore').split(/\r?\n/);
    for (const file of [WORKER_ENV, CODEC_ENV]) expect([file, ignored.includes(file)]).toEqual([file, true]);
  });

  test("codec.env.example's command for the codec keys makes a value the codec accepts", () => {
    const command = read(`${CODEC_ENV}.example`)
      .split(/\r?\n/)
      .map((line) => line.replace(/^#\s*/, ''))
      .find((line) => line.startsWith(`echo "${CODEC_KEYS_ENV}=`));
    expect(command).toBeDefined();
    const line = execFileSync('sh', ['-c', command!], { encoding: 'utf8' }).trim();
    const value = line.slice(`${CODEC_KEYS_ENV}=`.length);
    const ring = loadKeyRing(codecConfigFromEnv({ [CODEC_KEYS_ENV]: value }), {});
    expect(ring.current.key).toHaveLength(32);
    // Two keys as the example's rotation advice writes them: the first one encrypts.
    const rotated = loadKeyRing(codecConfigFromEnv({ [CODEC_KEYS_ENV]: `next:${ring.current.key.toString('base64')},${value}` }), {});
    expect([rotated.current.id, rotated.byId.has(ring.current.id)]).toEqual(['next', true]);
  });

  test("the worker and the codec server read the same codec keys, a generated key lives in a named volume, and the codec server gets no API secret", () => {
    const worker = service('worker');
    const codecServer = service('codec-server');
    // Same image, same codec env file (CUSTOM_INTEGRATIONS_CODEC_KEYS), same temporal.config.ts (its `codec` section);
    // not the worker's API secrets: the codec server decrypts for the browser and never calls an API.
    expect(codecServer.build).toEqual(worker.build);
    expect(envFiles(codecServer)).toEqual([CODEC_ENV]);
    expect(envFiles(worker)).toContain(CODEC_ENV);
    const configMount = (s: Service) => mounts(s).find((m) => m.target === '/app/temporal.config.ts');
    expect(configMount(codecServer)).toEqual(configMount(worker));
    for (const s of [worker, codecServer]) {
      // Set per service, these would give the two different keys, or move the generated one out of the volume.
      for (const name of [CODEC_KEYS_ENV, CODEC_KEY_FILE_ENV, 'XDG_CONFIG_HOME', 'HOME']) expect(Object.keys(env(s))).not.toContain(name);
    }
    for (const name of secretVariables()) expect(Object.keys(env(codecServer))).not.toContain(name);
    const keyFolder = imageKeyFolder();
    const keyMount = (s: Service) => mounts(s).find((m) => m.target === keyFolder);
    expect(keyMount(worker)).toEqual({ source: expect.any(String), target: keyFolder, readOnly: false });
    expect(keyMount(codecServer)).toEqual(keyMount(worker));
    expect(Object.keys(compose.volumes ?? {})).toContain(keyMount(worker)!.source);
  });

  test("the codec server runs the CLI's codec-server command, published where the Web UI's codec endpoint points", async () => {
    const codecServer = service('codec-server');
    const command = [codecServer.command ?? []].flat();
    expect(command.slice(0, 3)).toEqual(['node', dockerCmd()[1], 'codec-server']);
    const args = command.slice(2);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      // The CLI's own option table: an option it does not know makes parseArgs throw.
      expect(await main([...args, '--help'])).toBe(0);
      const usage = /^ {2}codec-server .*$/m.exec(log.mock.calls.flat().join('\n'))?.[0] ?? '';
      for (const flag of args.filter((arg) => arg.startsWith('--'))) expect([flag, usage.includes(`[${flag.split('=')[0]} `)]).toEqual([flag, true]);
    } finally {
      log.mockRestore();
    }
    // Inside its container, on every interface, so the published port reaches it.
    expect(optionValues(args, 'ip')).toEqual(['0.0.0.0']);
    const [containerPort] = optionValues(args, 'port');
    // The browser calls the endpoint: it must be the codec server's port as published on the host.
    const endpoint = new URL(env(service('temporal-ui')).TEMPORAL_CODEC_ENDPOINT ?? '');
    expect(endpoint.hostname).toBe('localhost');
    expect(publishedPorts(codecServer).get(Number(endpoint.port))).toBe(Number(containerPort));
    // The origins allowed are those the browser shows the Web UI at: its published port, where the CLI's links point.
    const origins = optionValues(args, 'ui-origin');
    expect(origins.sort()).toEqual(uiOriginsOf(uiOrigin()).sort());
    expect(origins).toContain(new URL(resolveTemporalConfig(temporalConfigFile, { env: {}, baseDir: ROOT }).uiUrl).origin);
  });

  test("the codec server's command, run as compose runs it, decodes what the worker's keys encode for the Web UI's origin", async () => {
    const args = [service('codec-server').command ?? []].flat().slice(2);
    const configHome = await mkdtemp(path.join(tmpdir(), 'compose-codec-'));
    const keys = `2026-11:${Buffer.alloc(32, 7).toString('base64')}`;
    // The env file's variables, as compose passes them to both containers; a free loopback port instead of 0.0.0.0:8888.
    const containerEnv = { [CODEC_KEYS_ENV]: keys, XDG_CONFIG_HOME: configHome };
    const running = start(CLI, withOption(withOption(args, 'port', '0'), 'ip', '127.0.0.1'), containerEnv);
    try {
      await running.waitFor(/Codec server on (http:\/\/\S+) /);
      const url = /Codec server on (http:\/\/\S+) /.exec(running.output())![1]!;
      const origin = uiOrigin();
      const preflight = await fetch(`${url}/decode`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' },
      });
      expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, origin]);
      const worker = createPayloadCodec(undefined, containerEnv)!;
      const [sealed] = await worker.encode([defaultPayloadConverter.toPayload({ token: 'registry state' })]);
      const decoded = await fetch(`${url}/decode`, {
        method: 'POST',
        headers: { Origin: origin, 'Content-Type': 'application/json', 'X-Namespace': 'default' },
        body: JSON.stringify({ payloads: [payloadToJson(sealed!)] }),
      });
      expect(decoded.status).toBe(200);
      expect(await decoded.json()).toEqual({ payloads: [payloadToJson(defaultPayloadConverter.toPayload({ token: 'registry state' }))] });
    } finally {
      await running.stop();
      await rm(configHome, { recursive: true, force: true });
    }
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
    for (const name of [...secretVariables(), CODEC_KEYS_ENV, CODEC_KEY_FILE_ENV]) {
      expect(text).not.toMatch(new RegExp(`^\\s*(ENV|ARG)\\b.*\\b${name}\\b`, 'm'));
    }
  });

  test("creates the generated codec key's folder, owned by the runtime user with mode 0700, for the named volume", () => {
    const stage = finalStage();
    const user = last(stage, 'USER')!.split(':')[0];
    // `install -d -o USER -g GROUP -m MODE DIR...`, run as root, i.e. before the stage switches to USER.
    const userAt = stage.instructions.findIndex((i) => i.keyword === 'USER');
    const created = stage.instructions.slice(0, userAt).flatMap((i) =>
      i.keyword !== 'RUN'
        ? []
        : i.args.split('&&').flatMap((part) => {
            const words = part.trim().split(/\s+/);
            if (words[0] !== 'install' || !words.includes('-d')) return [];
            const flag = (name: string) => words[words.indexOf(name) + 1];
            const folders = words.slice(1).filter((w, j, all) => !w.startsWith('-') && !['-o', '-g', '-m'].includes(all[j - 1]!));
            return folders.map((folder) => ({ folder, owner: flag('-o'), group: flag('-g'), mode: flag('-m') }));
          }),
    );
    const keyFolder = imageKeyFolder();
    // Every folder from the image's XDG_CONFIG_HOME down, so local-key.ts's mkdir and file creation need no root.
    for (const folder of [path.posix.dirname(keyFolder), keyFolder]) {
      expect(created.find((c) => c.folder === folder)).toEqual({ folder, owner: user, group: user, mode: '0700' });
    }
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
