/**
 * `npm run demo`: the embedded Temporal dev server, the Pedro Aviary example API, a worker, and a workflow that
 * calls several actions. Prints the results and where to look in the Web UI; Ctrl-C stops everything.
 * `npm run demo -- --once` exits when the workflows are done.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { startConfiguredDevServer, untilInterrupted } from '../src/cli/commands/dev';
import { loadTemporalConfig, workflowRunUrl, type TemporalConfig } from '../src/config/temporal-config';
import { connectClient } from '../src/temporal/client';
import { startWorker } from '../src/temporal/worker';
import { startPedroAviary } from './pedro-aviary-server';
import type { aviaryReport, callAction } from './workflows';

const DEMO_API_PORT = 4010;

function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function main(): Promise<void> {
  const once = process.argv.includes('--once');
  const fileConfig = await loadTemporalConfig({ cwd: path.resolve(__dirname, '..', '..') });

  // A fresh key for each demo run: the worker reads it from the environment, as it would a real vendor's key.
  const apiKey = `demo-${randomBytes(12).toString('hex')}`;
  process.env.PEDRO_AVIARY_API_KEY = apiKey;
  const vendor = await startPedroAviary({ apiKey, port: (await portInUse(DEMO_API_PORT)) ? 0 : DEMO_API_PORT });
  console.log(`Pedro Aviary example API on http://${vendor.hostname}/v1`);

  let devConfig: TemporalConfig = fileConfig;
  if (await portInUse(fileConfig.devServer.port, fileConfig.devServer.ip)) {
    console.log(`Port ${fileConfig.devServer.port} is taken; the demo's dev server uses free ports instead.`);
    devConfig = { ...fileConfig, devServer: { ...fileConfig.devServer, port: 0, uiPort: 0 } };
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
      let cause: Error = err;
      while (cause.cause instanceof Error) cause = cause.cause;
      console.log(`  failed without retrying: ${cause.message}`);
    }

    console.log(`\nWeb UI: ${config.uiUrl}/namespaces/${config.namespace}/workflows`);
    if (!once) {
      console.log('Try: PEDRO_AVIARY_API_KEY=... is set inside this process only; in another shell, run');
      console.log(`  TEMPORAL_ADDRESS=${server.address} npx custom-integrations call pedroAviary.getBird --param birdId=3`);
      console.log('  (this demo\'s worker answers it). Ctrl-C stops the demo.');
      await untilInterrupted();
    }
  } finally {
    console.log('Stopping ...');
    await client.connection.close();
    await worker.stop();
    await server.stop();
    await vendor.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
