/**
 * The Pedro Aviary API in a process of its own for `bench/call.ts`, so that the server's CPU does not share the
 * benchmark's event loop. Takes the API key from BENCH_API_KEY, prints its port on one line, and stops when its
 * stdin closes (the benchmark ended, or died).
 */
import { startPedroAviary } from '../demo/pedro-aviary-server';

async function main(): Promise<void> {
  const apiKey = process.env.BENCH_API_KEY;
  if (!apiKey) throw new Error('set BENCH_API_KEY');
  const aviary = await startPedroAviary({ apiKey, port: 0 });
  process.stdout.write(`${aviary.port}\n`);
  process.stdin.once('end', () => void aviary.close().then(() => process.exit(0)));
  process.stdin.resume();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
