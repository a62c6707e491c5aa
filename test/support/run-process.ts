/**
 * Runs a command for a test without blocking the test worker, and never longer
 * than its deadline.
 *
 * Why not `spawnSync`: it blocks the worker's event loop, so vitest's own test
 * timeout cannot fire; its `timeout` only signals the direct child (tsx, which
 * forwards the signal and waits), and it waits for every process holding the
 * output pipes — a grandchild (a browser, a preview server, a wasm thread pool)
 * that hangs or ignores SIGTERM keeps the whole run waiting forever. Here the
 * command leads its own process group; at the deadline, and once the command
 * has exited, the whole group is killed, so nothing it started outlives it.
 */
import { spawn } from 'node:child_process';

export interface ProcessResult {
  /** Exit status; null when killed by a signal. */
  status: number | null;
  stdout: string;
  stderr: string;
  /** True when the deadline killed it. */
  timedOut: boolean;
  ms: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Kills the process group after this long (default 120 s). */
  timeoutMs?: number;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try { process.kill(-pid, signal); } catch { /* ESRCH: the group is gone */ }
}

export function runProcess(command: string, args: readonly string[], opts: RunOptions = {}): Promise<ProcessResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let status: number | null = null;
    let settled = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(grace);
      killGroup(child.pid, 'SIGKILL'); // whatever it left behind
      resolve({ status, stdout, stderr, timedOut, ms: performance.now() - started });
    };
    let grace: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => {
      timedOut = true;
      stderr += `\n[run-process] killed after ${opts.timeoutMs ?? 120_000} ms: ${command} ${args.join(' ')}\n`;
      killGroup(child.pid, 'SIGKILL');
      grace = setTimeout(finish, 5_000);
    }, opts.timeoutMs ?? 120_000);
    child.on('error', (e) => { stderr += `\n[run-process] could not start ${command}: ${e.message}\n`; finish(); });
    // 'exit' rather than 'close': a grandchild still holding the pipes must not keep the test waiting.
    child.on('exit', (code) => {
      status = code;
      killGroup(child.pid, 'SIGKILL');
      // Let the pipes drain what was already written, then settle whatever happens.
      child.stdout.once('close', () => setImmediate(finishIfClosed));
      child.stderr.once('close', () => setImmediate(finishIfClosed));
      setImmediate(finishIfClosed); // the pipes may have closed before the exit event
      grace = setTimeout(finish, 2_000);
    });
    const finishIfClosed = (): void => { if (child.stdout.closed && child.stderr.closed) finish(); };
    child.stdin.on('error', () => { /* the command may exit without reading its input */ });
    child.stdin.end(opts.input ?? '');
  });
}
