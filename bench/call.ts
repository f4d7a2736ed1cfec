/**
 * `npm run bench:call [-- --calls N --concurrency 1,32 --rounds R --check]`: what an action activity adds (configuration
 * lookup, URL building, credentials, response parsing) over a bare undici request to the same server.
 *
 * - baseline: undici `request()` on a keep-alive Agent, same URL and headers, `body.json()`;
 * - project: `configurations.resolve()` then `callAction()`, as an action activity does for each call.
 *
 * The API runs in a child process (bench/aviary-server.ts): in-process, its CPU would share the event loop and be
 * counted in both columns, diluting the difference. Each row starts with fresh connection pools and a warm-up, then
 * runs R rounds of N calls of each, alternating (ABBA) against drift. Figures are medians over the rounds; overhead and
 * ratio are taken round by round first (two runs next to each other in time). Wall time is what callers see; CPU
 * (this process's user + system time) is the client's own cost, which wall time hides once the server is the bottleneck.
 *
 * Exits 0 whatever the figures (benchmarks do not fail CI), unless --check is given: then 1 when a ratio misses the target.
 */
import { parseArgs } from 'node:util';
import { deepStrictEqual } from 'node:assert/strict';
import path from 'node:path';
import { Agent, request } from 'undici';
import { callAction } from '../src/actions/call';
import { StaticConfigurations } from '../src/configurations/static';
import { DEFAULT_CONFIGURATION } from '../src/context';
import { compileDefinitions, type CompiledAction } from '../src/definition/compile';
import { loadDefinitions } from '../src/definition/load';
import { closeHttpAgent } from '../src/http/agent';
import { startChildServer } from './child-server';
import { whole, wholeList } from './numbers';

const TARGET = 1.15;
const INTEGRATION = 'pedroAviary';
const API_KEY = 'bench-5d41402abc4b2a76';

const SCENARIOS = [
  { action: 'getBird', input: { birdId: 7 }, path: '/v1/birds/7' },
  { action: 'listBirds', input: { species: 'Cockatiel', limit: 5, offset: 0 }, path: '/v1/birds?species=Cockatiel&limit=5&offset=0' },
] as const;

interface Options {
  calls: number;
  concurrency: number[];
  rounds: number;
  check: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: { calls: { type: 'string' }, rounds: { type: 'string' }, concurrency: { type: 'string' }, check: { type: 'boolean' } },
  });
  return {
    calls: whole('--calls', values.calls ?? '400', 1),
    rounds: whole('--rounds', values.rounds ?? '15', 1),
    concurrency: wholeList('--concurrency', values.concurrency ?? '1,32', 1),
    check: values.check ?? false,
  };
}

interface Sample {
  /** Wall time per call, µs. */
  wall: number;
  /** CPU time of this process per call, µs. */
  cpu: number;
}

/** `calls` calls of `fn`, `concurrency` at a time. */
async function run(fn: () => Promise<unknown>, calls: number, concurrency: number): Promise<Sample> {
  let started = 0;
  const worker = async () => {
    while (started < calls) {
      started++;
      await fn();
    }
  };
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, calls) }, worker));
  const wall = Number(process.hrtime.bigint() - start) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  return { wall: wall / calls, cpu: (user + system) / calls };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface Row {
  scenario: string;
  concurrency: number;
  calls: number;
  /** Medians of the rounds. */
  baseline: Sample;
  project: Sample;
  /** Of each round's two runs (next to each other in time), then the median. */
  overhead: Sample;
  ratio: Sample;
}

type Scenario = (typeof SCENARIOS)[number];

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const server = await startChildServer(path.join(__dirname, 'aviary-server.js'), { BENCH_API_KEY: API_KEY });
  const rows: Row[] = [];
  try {
    const hostname = `127.0.0.1:${server.port}`;
    const integrations = compileDefinitions(loadDefinitions(path.resolve(__dirname, '..', '..', 'definitions')));
    // As a worker does when it starts: secrets read and checked once; each call then only looks the configuration up.
    const configurations = new StaticConfigurations(integrations, [{ integration: INTEGRATION, hostname, apiKey: API_KEY }]);
    for (const scenario of SCENARIOS) {
      const action = integrations.get(INTEGRATION)?.actions.get(scenario.action);
      if (!action) throw new Error(`no action ${INTEGRATION}.${scenario.action}`);
      for (const concurrency of options.concurrency) {
        rows.push(await measure(scenario, action, configurations, `http://${hostname}${scenario.path}`, concurrency, options));
      }
    }
  } finally {
    await server.stop();
  }

  printTable(rows, options.rounds);
  const verdicts = rows.map((r) => ({ row: r, ratio: r.ratio.wall }));
  const missed = verdicts.filter((v) => v.ratio > TARGET);
  console.log(
    `\ntarget: ratio (wall, project/baseline) <= ${TARGET}: ` +
      verdicts.map(({ row, ratio }) => `${row.scenario} c=${row.concurrency} ${ratio <= TARGET ? 'meets it' : 'MISSES it'} (${ratio.toFixed(2)})`).join('; '),
  );
  if (options.check && missed.length) process.exitCode = 1;
}

/** One row: fresh connection pools on both sides, a warm-up, then alternating rounds. */
async function measure(
  scenario: Scenario,
  action: CompiledAction,
  configurations: StaticConfigurations,
  url: string,
  concurrency: number,
  { calls, rounds }: Options,
): Promise<Row> {
  const agent = new Agent();
  const headers = { accept: 'application/json', 'x-api-key': API_KEY };
  const configurationRequest = { integration: INTEGRATION, configuration: DEFAULT_CONFIGURATION };
  const variants = {
    baseline: async () => {
      const { statusCode, body } = await request(url, { dispatcher: agent, headers });
      const data = await body.json();
      if (statusCode !== 200) throw new Error(`baseline: HTTP ${statusCode}`);
      return data;
    },
    project: async () => (await callAction(action, await configurations.resolve(configurationRequest), scenario.input)).body,
  };
  try {
    // Same request, same answer: otherwise the comparison means nothing.
    deepStrictEqual(await variants.project(), await variants.baseline());
    const warmUp = Math.max(calls, 500);
    await run(variants.baseline, warmUp, concurrency);
    await run(variants.project, warmUp, concurrency);
    const samples: Record<keyof typeof variants, Sample[]> = { baseline: [], project: [] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? (['project', 'baseline'] as const) : (['baseline', 'project'] as const);
      for (const which of order) samples[which].push(await run(variants[which], calls, concurrency));
    }
    return { scenario: `${INTEGRATION}.${scenario.action}`, concurrency, calls, ...summarize(samples.baseline, samples.project) };
  } finally {
    // Idle sockets left from one row would close (keep-alive timeout) during the next one, on one side only.
    await Promise.all([agent.close(), closeHttpAgent()]);
  }
}

/**
 * Medians over the rounds. Overhead and ratio are taken round by round before the median: drift on a shared machine
 * moves both runs of a round, and cancels out of their difference.
 */
function summarize(baseline: readonly Sample[], project: readonly Sample[]): Pick<Row, 'baseline' | 'project' | 'overhead' | 'ratio'> {
  const of = (f: (b: number, p: number) => number): Sample => ({
    wall: median(baseline.map((b, i) => f(b.wall, project[i]!.wall))),
    cpu: median(baseline.map((b, i) => f(b.cpu, project[i]!.cpu))),
  });
  return { baseline: of((b) => b), project: of((_, p) => p), overhead: of((b, p) => p - b), ratio: of((b, p) => p / b) };
}

function printTable(rows: readonly Row[], rounds: number): void {
  const header = ['scenario', 'concurrency', 'calls', 'baseline µs/call', 'project µs/call', 'overhead µs/call', 'ratio', 'baseline CPU µs', 'project CPU µs', 'CPU ratio'];
  const lines = rows.map((r) => [
    r.scenario,
    String(r.concurrency),
    `${r.calls}x${rounds}`,
    r.baseline.wall.toFixed(1),
    r.project.wall.toFixed(1),
    r.overhead.wall.toFixed(1),
    r.ratio.wall.toFixed(2),
    r.baseline.cpu.toFixed(1),
    r.project.cpu.toFixed(1),
    r.ratio.cpu.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`${rounds} alternating rounds, medians; overhead and ratio taken round by round; CPU is this process's, the API runs in a child process\n`);
  console.log(format(header));
  for (const line of lines) console.log(format(line));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
