/**
 * The compiled CLI and demo as a user runs them: separate Node processes. `npm test` builds dist/ before Jest runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

export function requireBuild(file: string): void {
  if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run \`npm run build\` (npm test does it first)`);
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves when the combined output matches, rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends the signal and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<Finished>;
  finished: Promise<Finished>;
}

export function start(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Running {
  requireBuild(file);
  const child = spawn(process.execPath, [file, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((listener) => listener());
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    changed();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    changed();
  });
  const finished = new Promise<Finished>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return {
    child,
    output: () => stdout + stderr,
    finished,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout + stderr)) done(resolve);
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${stdout}${stderr}`))), timeoutMs);
        const exited = () => done(() => reject(new Error(`exited before ${pattern}; output:\n${stdout}${stderr}`)));
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('close', exited);
          settle();
        };
        listeners.add(check);
        child.once('close', exited);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return finished;
    },
  };
}

export function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<Finished> {
  return start(file, args, env, cwd).finished;
}
