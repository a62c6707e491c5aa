/** vitest globalSetup: prepares generated fixtures (tiny models) once per run. */
export default async function setup(): Promise<void> {}
