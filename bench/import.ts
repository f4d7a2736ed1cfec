/**
 * `npm run bench:import [dir] [--runs N] [--memory-spec FILE] [--memory-imports N]`: how long importing each spec of
 * `dir` (default ../shared/specs) takes and how much memory it needs, against two baselines run the same way:
 *
 *   (a) parse: read, gunzip, JSON.parse / js-yaml; the floor any import pays;
 *   (b) scalar: (a) + @scalar/openapi-parser validate + dereference, what a validating importer would do.
 *
 * Every measurement is a fresh child process, timed from spawn to exit (start-up included), its peak RSS reported by
 * the child itself (process.resourceUsage().maxRSS): whole-process numbers, as a CLI user sees them. With --runs N
 * each is run N times, the three measurements of a spec taking turns, and the fastest kept: other work on the
 * machine only ever slows a run down. The child's CPU time is printed as a ratio too: on a shared machine it moves
 * far less than wall time.
 *
 * Then one process imports one spec repeatedly, to check that memory does not grow from one import to the next.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { whole } from './numbers';
// Nothing else at the top: each child loads what its measurement needs, and nothing more.

const SPEC_FILE = /\.(json|ya?ml)(\.gz)?$/i;
/** Specs above this (uncompressed) are "the large ones" of the stretch target. */
const LARGE = 10 * 1024 * 1024;

interface Sample {
  ms: number;
  /** CPU time of the child (user + system, all its threads): far less disturbed than wall time by other work. */
  cpuMs: number;
  rssMb: number;
  bytes?: number;
  error?: string;
}

type Mode = 'parse' | 'scalar' | 'import' | 'startup' | 'repeat';

// ---------------------------------------------------------------------------------------------------------------
// Children

async function child(mode: Mode, file: string, count: number): Promise<void> {
  const report = (extra: Record<string, unknown>): void => {
    const { userCPUTime, systemCPUTime, maxRSS } = process.resourceUsage();
    process.stdout.write(`${JSON.stringify({ rssMb: maxRSS / 1024, cpuMs: (userCPUTime + systemCPUTime) / 1000, ...extra })}\n`);
  };
  switch (mode) {
    case 'startup':
      await import('../src/openapi/import.js');
      return report({});
    case 'parse': {
      const { text } = await parse(file);
      return report({ bytes: text.length });
    }
    case 'scalar': {
      const { data } = await parse(file);
      const { validate, dereference } = await import('@scalar/openapi-parser');
      await validate(data as Record<string, unknown>);
      dereference(data as Record<string, unknown>);
      return report({});
    }
    case 'import': {
      const { importSpec } = await import('../src/openapi/import.js');
      const out = mkdtempSync(path.join(tmpdir(), 'bench-import-'));
      try {
        const { definition } = await importSpec(file);
        writeFileSync(path.join(out, 'definition.json'), JSON.stringify(definition, null, 2));
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
      return report({});
    }
    case 'repeat': {
      const { importSpec } = await import('../src/openapi/import.js');
      const rss: number[] = [];
      for (let i = 0; i < count; i++) {
        JSON.stringify((await importSpec(file)).definition);
        (globalThis as { gc?: () => void }).gc?.();
        rss.push(process.memoryUsage().rss / 1024 / 1024);
      }
      return report({ rss });
    }
  }
}

async function parse(file: string): Promise<{ text: string; data: unknown }> {
  let bytes = readFileSync(file);
  if (file.toLowerCase().endsWith('.gz')) bytes = gunzipSync(bytes);
  const text = bytes.toString('utf8');
  if (!/\.ya?ml(\.gz)?$/i.test(file)) return { text, data: JSON.parse(text) };
  const { load, CORE_SCHEMA } = await import('js-yaml');
  return { text, data: load(text, { schema: CORE_SCHEMA }) };
}

// ---------------------------------------------------------------------------------------------------------------
// Parent

function run(mode: Mode, file: string, count = 0): Sample & { rss?: number[] } {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--expose-gc', __filename, '--child', mode, file, String(count)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  const line = result.stdout.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !line.startsWith('{')) {
    return { ms, cpuMs: 0, rssMb: 0, error: (result.stderr.trim().split('\n').find((l) => l.trim()) ?? `exit ${result.status}`).slice(0, 200) };
  }
  return { ms, ...(JSON.parse(line) as { rssMb: number; cpuMs: number; bytes?: number; rss?: number[] }) };
}

function best(mode: Mode, file: string, runs: number): Sample {
  return bestOf([mode], file, runs)[0] as Sample;
}

/** The fastest of `runs` runs of each mode, the modes taking turns: a busy spell of the machine hits them all alike. */
function bestOf(modes: Mode[], file: string, runs: number): Sample[] {
  const samples = modes.map((): Sample[] => []);
  for (let r = 0; r < runs; r++) modes.forEach((mode, i) => samples[i]?.push(run(mode, file)));
  return samples.map((list) => list.find((s) => s.error) ?? list.reduce((a, b) => (b.ms < a.ms ? b : a)));
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)}MB`;
const pad = (text: string, width: number) => text.padEnd(width);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

function parseOptions(argv: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { runs: { type: 'string' }, 'memory-spec': { type: 'string' }, 'memory-imports': { type: 'string' } },
  });
  if (positionals.length > 1) throw new Error(`one spec folder, not ${positionals.length}: ${positionals.join(' ')}`);
  return {
    dir: positionals[0] === undefined ? path.resolve(__dirname, '..', '..', '..', 'shared', 'specs') : path.resolve(positionals[0]),
    runs: whole('--runs', values.runs ?? '1', 1),
    memorySpec: values['memory-spec'] ?? '',
    // Growth is measured from the second import to the last: three at least.
    memoryImports: whole('--memory-imports', values['memory-imports'] ?? '5', 3),
  };
}

function main(argv: string[]): number {
  const options = parseOptions(argv);
  if (!existsSync(options.dir)) {
    console.error(`no spec folder ${options.dir}: give one as the first argument (default ../shared/specs)`);
    return 1;
  }
  const files = readdirSync(options.dir)
    .filter((f) => SPEC_FILE.test(f))
    .sort()
    .map((f) => path.join(options.dir, f));
  if (files.length === 0) {
    console.error(`no spec files (*.json, *.yaml, *.yml, optionally .gz) in ${options.dir}`);
    return 1;
  }
  const startup = best('startup', files[0] as string, Math.max(3, options.runs));
  console.log(`${files.length} specs in ${options.dir}; best of ${options.runs} run(s) each; start-up of node + the importer: ${seconds(startup.ms)}, ${startup.rssMb.toFixed(0)}MB`);
  console.log(
    [pad('spec', 44), pad('size', 9), pad('(a) parse', 16), pad('(b) scalar', 16), pad('import', 16), pad('/(a) time', 10), pad('/(b) time', 10), pad('/(b) cpu', 9), pad('/(a) rss', 9), '/(b) rss'].join(' '),
  );
  const failures: string[] = [];
  const slower: string[] = [];
  const slowerCpu: string[] = [];
  const stretch: string[] = [];
  let large = 0;
  for (const file of files) {
    const name = path.basename(file);
    const [a, b, imported] = bestOf(['parse', 'scalar', 'import'], file, options.runs) as [Sample, Sample, Sample];
    const cell = (s: Sample) => (s.error ? 'failed' : `${seconds(s.ms)} ${s.rssMb.toFixed(0)}MB`);
    console.log(
      [
        pad(name, 44),
        pad(a.bytes ? megabytes(a.bytes) : '?', 9),
        pad(cell(a), 16),
        pad(cell(b), 16),
        pad(cell(imported), 16),
        pad(ratio(imported.ms, a.ms), 10),
        pad(b.error ? '-' : ratio(imported.ms, b.ms), 10),
        pad(b.error ? '-' : ratio(imported.cpuMs, b.cpuMs), 9),
        pad(ratio(imported.rssMb, a.rssMb), 9),
        b.error ? '-' : ratio(imported.rssMb, b.rssMb),
      ].join(' '),
    );
    if (imported.error) {
      failures.push(`${name}: ${imported.error}`);
      continue;
    }
    if (!b.error && imported.ms > b.ms) slower.push(`${name} (${ratio(imported.ms, b.ms)})`);
    if (!b.error && imported.cpuMs > b.cpuMs) slowerCpu.push(`${name} (${ratio(imported.cpuMs, b.cpuMs)})`);
    if ((a.bytes ?? 0) > LARGE) {
      large++;
      if (imported.ms > 3 * a.ms + startup.ms) stretch.push(`${name} (${seconds(imported.ms)} > 3 x ${seconds(a.ms)} + ${seconds(startup.ms)})`);
    }
  }

  const memoryFile = options.memorySpec ? path.resolve(options.dir, options.memorySpec) : largestUnder(files, 5 * 1024 * 1024);
  const repeated = run('repeat', memoryFile, options.memoryImports);
  const rss = repeated.rss ?? [];
  // The first import warms up (code, caches); growth is measured from the second on.
  const growth = rss.length > 2 ? (rss[rss.length - 1] as number) - (rss[1] as number) : NaN;
  const flat = rss.length > 2 && growth <= Math.max(16, 0.1 * (rss[1] as number));
  console.log(
    `\nmemory: ${rss.length} imports of ${path.basename(memoryFile)} in one process, RSS after each (after GC): ${rss.map((r) => r.toFixed(0)).join(', ')} MB${repeated.error ? ` (failed: ${repeated.error})` : ''}`,
  );

  const verdict = (ok: boolean) => (ok ? 'yes' : 'NO');
  console.log(`\ntargets:`);
  console.log(`  every spec imports: ${verdict(failures.length === 0)} (${files.length - failures.length}/${files.length})${failures.length ? `; failed: ${failures.join('; ')}` : ''}`);
  console.log(`  import no slower than (b) on every spec: ${verdict(slower.length === 0)}${slower.length ? `; slower: ${slower.join(', ')}` : ''}`);
  console.log(`    in CPU time (steadier on a busy machine): ${verdict(slowerCpu.length === 0)}${slowerCpu.length ? `; more: ${slowerCpu.join(', ')}` : ''}`);
  console.log(`  stretch, large specs (> 10 MB) within 3 x (a) + start-up: ${large === 0 ? 'no large spec' : verdict(stretch.length === 0)}${stretch.length ? `; over: ${stretch.join(', ')}` : ''}`);
  console.log(`  memory does not grow across imports: ${verdict(flat)} (${Number.isNaN(growth) ? 'not measured' : `${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB from the 2nd to the last import`})`);
  return failures.length === 0 && slower.length === 0 && flat ? 0 : 1;
}

function largestUnder(files: string[], limit: number): string {
  const sized = files.filter((f) => !f.endsWith('.gz')).map((f) => ({ f, size: readFileSync(f).length }));
  return sized.filter((s) => s.size <= limit).sort((a, b) => b.size - a.size)[0]?.f ?? (files[0] as string);
}

if (process.argv[2] === '--child') {
  child(process.argv[3] as Mode, process.argv[4] as string, Number(process.argv[5])).catch((error: unknown) => {
    console.error((error as Error).message);
    process.exitCode = 1;
  });
} else {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
