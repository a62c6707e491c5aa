/**
 * The test helper that runs commands (test/support/run-process.ts) must end on
 * time whatever the command leaves behind: CI once ran past its limit with no
 * last line to say why.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runProcess } from '../../support/run-process.ts';

it('returns when the command exits, though a process it started still holds the output pipe, and kills that process', async () => {
  const r = await runProcess('sh', ['-c', 'sleep 30 & echo "$!"; echo done'], { timeoutMs: 20_000 });
  expect(r.status).toBe(0);
  expect(r.timedOut).toBe(false);
  const [pid, last] = r.stdout.trim().split('\n');
  expect(last).toBe('done');
  expect(r.ms).toBeLessThan(10_000);
  // The left-behind sleep was killed with the group: gone, or a zombie waiting for init to reap it.
  await new Promise((res) => setTimeout(res, 200));
  const state = (() => { try { return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0]; } catch { return 'gone'; } })();
  expect(['gone', 'Z', 'X']).toContain(state);
});

it('kills a command that outlives its deadline, and says so', async () => {
  const r = await runProcess('sh', ['-c', 'trap "" TERM; echo started; sleep 30'], { timeoutMs: 500 });
  expect(r.timedOut).toBe(true);
  expect(r.status).toBeNull();
  expect(r.stdout).toBe('started\n');
  expect(r.stderr).toMatch(/killed after 500 ms/);
  expect(r.ms).toBeLessThan(10_000);
});

it('passes input and the exit status through', async () => {
  const r = await runProcess('sh', ['-c', 'cat; exit 3'], { input: 'abc' });
  expect(r).toMatchObject({ status: 3, stdout: 'abc', timedOut: false });
});
