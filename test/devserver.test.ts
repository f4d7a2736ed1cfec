import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { Worker } from '@temporalio/worker';
import {
  ensureTemporalCli,
  findTemporalCli,
  GoNotFoundError,
  resolveTemporalExecutable,
  TEMPORAL_CLI_VERSION,
  temporalCliCacheDir,
} from '../src/devserver/cli-binary';
import { startDevServer, type DevServer } from '../src/devserver/dev-server';
import { freePort, isPortFree } from '../src/devserver/free-port';
import { startSdkDevServer } from '../src/devserver/sdk-dev-server';
import { resolveDevServerSettings } from '../src/devserver/settings';
import { CustomIntegrationsPlugin } from '../src/temporal/plugin';
import { INTEGRATION, SEARCH_ATTRIBUTES } from '../src/temporal/search-attributes';
import { closeTestNativeConnection, testClient, testNativeConnection, testServer, uniqueTaskQueue } from './helpers/temporal';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'devserver-test-'));
});

afterAll(async () => {
  await closeTestNativeConnection();
  await rm(scratch, { recursive: true, force: true });
});

async function scratchDir(name: string): Promise<string> {
  const dir = path.join(scratch, `${name}-${randomUUID()}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

async function writeScript(file: string, body: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

async function realCli(): Promise<string> {
  const cli = await findTemporalCli();
  if (!cli) throw new Error('global setup should have found or built the Temporal CLI');
  return cli;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function expectSearchAttributesRegistered(connection: Connection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  for (const key of SEARCH_ATTRIBUTES) {
    expect(customAttributes[key.name]).toBe(encodeSearchAttributeIndexedValueType(key.type));
  }
}

describe('the shared test server (global setup)', () => {
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    ({ connection, client } = await testClient());
  });

  afterAll(async () => {
    await connection.close();
  });

  test('answers on TEMPORAL_ADDRESS for TEMPORAL_NAMESPACE', async () => {
    const { namespace } = testServer();
    const info = await connection.workflowService.getSystemInfo({});
    expect(info.serverVersion).toBeTruthy();
    const described = await connection.workflowService.describeNamespace({ namespace });
    expect(described.namespaceInfo?.name).toBe(namespace);
  });

  test('has the project search attributes registered', async () => {
    await expectSearchAttributesRegistered(connection, testServer().namespace);
  });

  test('runs a workflow on a Worker through the cached native connection', async () => {
    const taskQueue = uniqueTaskQueue('devserver-echo');
    const worker = await Worker.create({
      connection: await testNativeConnection(),
      namespace: testServer().namespace,
      taskQueue,
      workflowsPath: path.join(__dirname, 'fixtures', 'devserver-workflows.ts'),
      // The test client encrypts payloads, as every client of the project does; so does this worker.
      plugins: [new CustomIntegrationsPlugin()],
    });
    const result = await worker.runUntil(
      client.workflow.execute('echo', { taskQueue, workflowId: `echo-${randomUUID()}`, args: ['hello'] }),
    );
    expect(result).toBe('hello');
    expect(await testNativeConnection()).toBe(await testNativeConnection());
  });
});

describe('startDevServer', () => {
  test('keeps workflows and search attribute values across a restart on the same SQLite file and port', async () => {
    const dbFilename = path.join(await scratchDir('restart'), 'nested', 'state.sqlite');
    const workflowId = `survives-restart-${randomUUID()}`;
    let server: DevServer = await startDevServer({ port: 0, headless: true, dbFilename });
    try {
      const port = Number(server.address.split(':').pop());
      const firstPid = server.pid;
      expect(firstPid).toEqual(expect.any(Number));

      let connection = await Connection.connect({ address: server.address });
      // No worker polls this task queue: the workflow stays open, which is exactly what must survive.
      const started = await new Client({ connection }).workflow.start('neverRuns', {
        taskQueue: uniqueTaskQueue('restart'),
        workflowId,
        typedSearchAttributes: [{ key: INTEGRATION, value: 'github' }],
      });
      await connection.close();

      await server.stop();
      expect(isAlive(firstPid!)).toBe(false);
      expect(await isPortFree('127.0.0.1', port)).toBe(true);

      server = await startDevServer({ port, headless: true, dbFilename });
      expect(server.address).toBe(`127.0.0.1:${port}`);
      connection = await Connection.connect({ address: server.address });
      try {
        const described = await new Client({ connection }).workflow.getHandle(workflowId).describe();
        expect(described.runId).toBe(started.firstExecutionRunId);
        expect(described.status.name).toBe('RUNNING');
        expect(described.typedSearchAttributes.get(INTEGRATION)).toBe('github');
      } finally {
        await connection.close();
      }
    } finally {
      await server.stop();
    }
  });

  test('serves the Web UI unless headless, on port + 1000 by default', async () => {
    const port = await freePort();
    const settings = await resolveDevServerSettings({ port });
    expect(settings.uiPort).toBe(port + 1000);
    expect(settings.uiUrl).toBe(`http://127.0.0.1:${port + 1000}`);
    expect((await resolveDevServerSettings({ port, headless: true })).uiUrl).toBeUndefined();

    const server = await startDevServer({ port: 0, uiPort: 0 });
    try {
      expect(server.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(server.uiUrl!);
      expect(response.status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  test('creates a namespace other than default', async () => {
    const server = await startDevServer({ port: 0, headless: true, namespace: 'integrations-test' });
    try {
      expect(server.namespace).toBe('integrations-test');
      const connection = await Connection.connect({ address: server.address });
      try {
        await expectSearchAttributesRegistered(connection, 'integrations-test');
      } finally {
        await connection.close();
      }
    } finally {
      await server.stop();
    }
  });

  test('fails with the server output when the process exits early', async () => {
    const attempt = startDevServer({ cliPath: await realCli(), port: 0, headless: true, extraArgs: ['--no-such-flag'] });
    await expect(attempt).rejects.toThrow(/exited early \(exit code \d+\)[\s\S]*--no-such-flag[\s\S]*Last output:[\s\S]*no-such-flag/);
  });

  test('fails clearly when the port is taken', async () => {
    const { address } = testServer();
    const port = Number(address.split(':').pop());
    await expect(startDevServer({ port, headless: true })).rejects.toThrow(`gRPC port ${port} on 127.0.0.1 is already in use`);
  });

  test('gives up after readyTimeoutMs, quoting the output, and kills the process', async () => {
    const pidFile = path.join(await scratchDir('hang'), 'pid');
    const cliPath = await writeScript(
      path.join(await scratchDir('hang-bin'), 'temporal'),
      `echo $$ > "${pidFile}"\necho "pretending to start" >&2\nexec sleep 60`,
    );
    const attempt = startDevServer({ cliPath, port: 0, headless: true, readyTimeoutMs: 1_500 });
    await expect(attempt).rejects.toThrow(/did not answer for namespace "default" within 1500 ms[\s\S]*pretending to start/);
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(isAlive(pid)).toBe(false);
  });

  test('fails clearly when the CLI cannot be run', async () => {
    await expect(startDevServer({ cliPath: path.join(scratch, 'missing', 'temporal'), port: 0, headless: true })).rejects.toThrow(
      /could not start the process: spawn .* ENOENT/,
    );
  });
});

describe('startSdkDevServer (the fallback without Go)', () => {
  test('runs the server through TestWorkflowEnvironment.createLocal with the same settings', async () => {
    const settings = await resolveDevServerSettings({ port: 0, headless: true, namespace: 'sdk-fallback' });
    const server = await startSdkDevServer({ type: 'existing-path', path: await realCli() }, settings);
    try {
      expect(server).toMatchObject({ address: settings.address, namespace: 'sdk-fallback', uiUrl: undefined, pid: undefined });
      const connection = await Connection.connect({ address: server.address });
      try {
        await expectSearchAttributesRegistered(connection, 'sdk-fallback');
      } finally {
        await connection.close();
      }
    } finally {
      await server.stop();
    }
    expect(await isPortFree('127.0.0.1', settings.port)).toBe(true);
  });
});

describe('findTemporalCli', () => {
  let fakes: { explicit: string; onPath: string; cached: string; cacheHome: string; pathDir: string; emptyDir: string };

  beforeAll(async () => {
    const root = await scratchDir('find');
    const cacheHome = path.join(root, 'cache');
    fakes = {
      explicit: await writeScript(path.join(root, 'explicit', 'temporal'), 'echo explicit'),
      onPath: await writeScript(path.join(root, 'path-bin', 'temporal'), 'echo path'),
      cached: await writeScript(path.join(cacheHome, 'temporal-custom-integrations', 'bin', 'temporal'), 'echo cache'),
      cacheHome,
      pathDir: path.join(root, 'path-bin'),
      emptyDir: path.join(root, 'empty'),
    };
    await mkdir(fakes.emptyDir);
  });

  test('TEMPORAL_CLI_PATH wins over PATH and the cache', async () => {
    const env = { TEMPORAL_CLI_PATH: fakes.explicit, PATH: fakes.pathDir, XDG_CACHE_HOME: fakes.cacheHome };
    await expect(findTemporalCli({ env })).resolves.toBe(fakes.explicit);
  });

  test('a TEMPORAL_CLI_PATH that is missing or not executable is an error, not a silent fallback', async () => {
    const missing = { TEMPORAL_CLI_PATH: path.join(fakes.emptyDir, 'temporal'), PATH: fakes.pathDir };
    await expect(findTemporalCli({ env: missing })).rejects.toThrow(/TEMPORAL_CLI_PATH is set to .*not an executable file/);
    const notExecutable = path.join(fakes.emptyDir, 'plain-file');
    await writeFile(notExecutable, 'not a program');
    await expect(findTemporalCli({ env: { TEMPORAL_CLI_PATH: notExecutable } })).rejects.toThrow(/TEMPORAL_CLI_PATH/);
    await expect(findTemporalCli({ env: { TEMPORAL_CLI_PATH: fakes.emptyDir } })).rejects.toThrow(/TEMPORAL_CLI_PATH/);
  });

  test('then PATH, in order, before the cache', async () => {
    const env = { PATH: [fakes.emptyDir, fakes.pathDir].join(path.delimiter), XDG_CACHE_HOME: fakes.cacheHome };
    await expect(findTemporalCli({ env })).resolves.toBe(fakes.onPath);
  });

  test('then the per-user cache, then nothing', async () => {
    await expect(findTemporalCli({ env: { PATH: fakes.emptyDir, XDG_CACHE_HOME: fakes.cacheHome } })).resolves.toBe(fakes.cached);
    await expect(findTemporalCli({ env: { PATH: fakes.emptyDir, XDG_CACHE_HOME: fakes.emptyDir } })).resolves.toBeUndefined();
  });

  test('the cache is under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(temporalCliCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/temporal-custom-integrations/bin');
    expect(temporalCliCacheDir({})).toMatch(/\/\.cache\/temporal-custom-integrations\/bin$/);
  });
});

describe('ensureTemporalCli building with Go', () => {
  /** A `go` that logs its arguments and GOBIN, prints like Go, and writes a fake CLI into GOBIN. */
  async function fakeGo(): Promise<{ env: NodeJS.ProcessEnv; log: string; binDir: string }> {
    const root = await scratchDir('go');
    const log = path.join(root, 'go.log');
    await writeScript(
      path.join(root, 'go-bin', 'go'),
      [
        'PATH=/usr/bin:/bin',
        `echo "$* GOBIN=$GOBIN" >> "${log}"`,
        'echo "go: downloading example.com/fake v1.0.0" >&2',
        'sleep "${FAKE_GO_SLEEP:-0}"',
        'if [ -n "$FAKE_GO_FAIL" ]; then echo "fake compile error" >&2; exit 2; fi',
        `printf '#!/bin/sh\\necho fake temporal\\n' > "$GOBIN/temporal"`,
        'chmod +x "$GOBIN/temporal"',
      ].join('\n'),
    );
    const cacheHome = path.join(root, 'cache');
    const env = { PATH: path.join(root, 'go-bin'), XDG_CACHE_HOME: cacheHome };
    return { env, log, binDir: temporalCliCacheDir(env) };
  }

  async function goRuns(log: string): Promise<string[]> {
    return (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  }

  test('installs the pinned CLI into the cache through a temporary GOBIN, streaming Go output', async () => {
    const { env, log, binDir } = await fakeGo();
    const progress: string[] = [];
    const cli = await ensureTemporalCli({ env, onProgress: (line) => progress.push(line) });

    expect(cli).toBe(path.join(binDir, 'temporal'));
    expect(spawnSync(cli, { encoding: 'utf8' }).stdout).toBe('fake temporal\n');
    const runs = await goRuns(log);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(
      new RegExp(`^install github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION} GOBIN=${binDir}/\\.build-${process.pid}-`),
    );
    expect(progress).toEqual(
      expect.arrayContaining([expect.stringMatching(/takes minutes/), 'go: downloading example.com/fake v1.0.0', `Temporal CLI ready: ${cli}`]),
    );
    expect(await readdir(binDir)).toEqual(['temporal']);

    await expect(ensureTemporalCli({ env, onProgress: () => undefined })).resolves.toBe(cli);
    expect(await goRuns(log)).toHaveLength(1);
  });

  test('two callers at once build once: the second waits on the lock', async () => {
    const { env, log, binDir } = await fakeGo();
    const slowEnv = { ...env, FAKE_GO_SLEEP: '1' };
    const progress: string[] = [];
    const onProgress = (line: string) => progress.push(line);
    const results = await Promise.all([ensureTemporalCli({ env: slowEnv, onProgress }), ensureTemporalCli({ env: slowEnv, onProgress })]);

    expect(results).toEqual([path.join(binDir, 'temporal'), path.join(binDir, 'temporal')]);
    expect(await goRuns(log)).toHaveLength(1);
    expect(progress).toContainEqual(`Waiting for another process (pid ${process.pid}) that is building the Temporal CLI...`);
  });

  test('takes over a lock and build folder left by a dead process', async () => {
    const { env, log, binDir } = await fakeGo();
    const deadPid = spawnSync('true').pid;
    await mkdir(path.join(binDir, `.build-${deadPid}-abandoned`), { recursive: true });
    await writeFile(path.join(binDir, '.build.lock'), String(deadPid));

    await expect(ensureTemporalCli({ env, onProgress: () => undefined })).resolves.toBe(path.join(binDir, 'temporal'));
    expect(await goRuns(log)).toHaveLength(1);
    expect(await readdir(binDir)).toEqual(['temporal']);
  });

  test('a failed build reports Go output and leaves no binary, lock or build folder', async () => {
    const { env, binDir } = await fakeGo();
    const attempt = ensureTemporalCli({ env: { ...env, FAKE_GO_FAIL: '1' }, onProgress: () => undefined });
    await expect(attempt).rejects.toThrow(/go install github.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1` failed \(exit code 2\)[\s\S]*fake compile error/);
    expect(await readdir(binDir)).toEqual([]);
  });

  test('without Go: ensureTemporalCli throws GoNotFoundError and the executable is the SDK download', async () => {
    const empty = await scratchDir('no-go');
    const env = { PATH: empty, XDG_CACHE_HOME: path.join(empty, 'cache') };
    await expect(ensureTemporalCli({ env })).rejects.toBeInstanceOf(GoNotFoundError);
    await expect(resolveTemporalExecutable({ env })).resolves.toEqual({
      type: 'cached-download',
      downloadDir: path.join(empty, 'cache', 'temporal-custom-integrations', 'sdk-download'),
    });
  });
});
