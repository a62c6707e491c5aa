export async function run(): Promise<unknown> {
  throw new Error('encoder harness not implemented yet');
}
