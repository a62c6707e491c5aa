/** Runs a command-line entry point in a test with its stdout lines and stderr progress silenced (restored even when it throws). */
export async function quietly<T>(run: () => Promise<T>): Promise<T> {
  const log = console.log;
  const write = process.stderr.write.bind(process.stderr);
  console.log = () => {};
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await run();
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
}
