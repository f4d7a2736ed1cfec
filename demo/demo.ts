/**
 * `npm run demo`: the embedded Temporal dev server, the Pedro Aviary example API, a worker, and a workflow that
 * calls several actions. Prints the results and where to look in the Web UI; Ctrl-C stops everything.
 * `npm run demo -- --once` exits when the workflows are done; `--free-ports` keeps clear of 7233, 8233 and 4010.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { rootMessage } from '../src/cli/commands/call';
import { startConfiguredDevServer, untilInterrupted } from '../src/cli/commands/dev';
import { isPortFree } from '../src/devserver/free-port';
import { loadTemporalConfig, workflowRunUrl, type TemporalConfig } from '../src/config/temporal-config';
import { connectClient } from '../src/temporal/client';
import { startWorker } from '../src/temporal/worker';
import { startPedroAviary } from './pedro-aviary-server';
import type { aviaryReport, callAction } from './workflows';

const DEMO_API_PORT = 4010;

async function main(): Promise<void> {
  const once = process.argv.includes('--once');
  const freePorts = process.argv.includes('--free-ports');
  // The demo fails one call on purpose; the worker's warning about it would only clutter the output.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const fileConfig = await loadTemporalConfig({ cwd: path.resolve(__dirname, '..', '..') });

  // A fresh key for each demo run: the worker reads it from the environment, as it would a real vendor's key.
  const apiKey = `demo-${randomBytes(12).toString('hex')}`;
  process.env.PEDRO_AVIARY_API_KEY = apiKey;
  const vendor = await startPedroAviary({ apiKey, port: freePorts || !(await isPortFree('127.0.0.1', DEMO_API_PORT)) ? 0 : DEMO_API_PORT });
  console.log(`Pedro Aviary example API on http://${vendor.hostname}/v1`);

  let devConfig: TemporalConfig = fileConfig;
  let scratch: string | undefined;
  if (freePorts || !(await isPortFree(fileConfig.devServer.ip, fileConfig.devServer.port))) {
    if (!freePorts) console.log(`Port ${fileConfig.devServer.port} is taken; the demo's dev server uses free ports instead.`);
    // Another server may own the configured SQLite file: this one keeps its state in a file of its own.
    scratch = await mkdtemp(path.join(tmpdir(), 'custom-integrations-demo-'));
    devConfig = { ...fileConfig, devServer: { ...fileConfig.devServer, port: 0, uiPort: 0, dbFilename: path.join(scratch, 'dev-server.sqlite') } };
  }
  const { server, config } = await startConfiguredDevServer(devConfig);
  const worker = await startWorker({
    config,
    workflowsPath: require.resolve('./workflows'),
    pluginOptions: {
      definitionsDir: config.definitionsDir,
      configurations: config.configurations.map((c) => (c.integration === 'pedroAviary' ? { ...c, hostname: vendor.hostname } : c)),
    },
  });
  const client = await connectClient(config);
  try {
    console.log(`Temporal dev server on ${server.address}; worker on task queue "${config.taskQueue}".\n`);

    const reportId = `aviary-report-${randomUUID().slice(0, 8)}`;
    const report = await client.workflow.start<typeof aviaryReport>('aviaryReport', {
      taskQueue: config.taskQueue,
      workflowId: reportId,
      args: ['Lisbon'],
      staticSummary: 'Demo: list birds, get one, its photo records, record a sighting',
    });
    console.log(`aviaryReport: four actions as four activities\n  ${workflowRunUrl(config, reportId, report.firstExecutionRunId)}`);
    console.log(JSON.stringify(await report.result(), null, 2));

    const missingId = `call-pedroAviary.getBird-${randomUUID().slice(0, 8)}`;
    const missing = await client.workflow.start<typeof callAction>('callAction', {
      taskQueue: config.taskQueue,
      workflowId: missingId,
      args: [{ integration: 'pedroAviary', action: 'getBird', input: { birdId: 999 } }],
      staticSummary: 'Demo: a 404 fails at once, with a readable message',
    });
    console.log(`\ncallAction pedroAviary.getBird for a bird that does not exist\n  ${workflowRunUrl(config, missingId, missing.firstExecutionRunId)}`);
    try {
      await missing.result();
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      console.log(`  failed without retrying: ${rootMessage(err)}`);
    }

    console.log(`\nWeb UI: ${config.uiUrl}/namespaces/${config.namespace}/workflows`);
    if (!once) {
      console.log('In another shell, call an action through this demo\'s worker:');
      console.log(`  TEMPORAL_ADDRESS=${server.address} node dist/src/cli/main.js call pedroAviary.getBird --param birdId=3`);
      console.log('Ctrl-C stops the demo.');
      await untilInterrupted();
    }
  } finally {
    console.log('Stopping ...');
    await client.connection.close();
    await worker.stop();
    await server.stop();
    await vendor.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
