/**
 * An API server in a child process for the benchmarks, so that its CPU does not share the benchmark's event loop. The
 * child prints its port on one line and stops when its stdin closes (the benchmark ended, or died).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface ChildServer {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startChildServer(script: string, env: NodeJS.ProcessEnv): Promise<ChildServer> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const line = once(createInterface({ input: child.stdout }), 'line') as Promise<[string]>;
  const first = await Promise.race([line, exited.then(([code]) => Promise.reject(new Error(`the API server exited (${code}) before listening`)))]);
  return {
    port: Number(first[0]),
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** In the child: announces the port and closes the server when the benchmark lets go of stdin. */
export function serveUntilStdinEnds(port: number, close: () => Promise<void>): void {
  process.stdout.write(`${port}\n`);
  process.stdin.once('end', () => void close().then(() => process.exit(0)));
  process.stdin.resume();
}
