/** `npm run lab -- schema`: the RunConfig's JSON Schema (draft 2020-12), generated from its zod declaration. */
import { runConfigJsonSchema } from '../../core/run-config.ts';

export async function run(argv: string[]): Promise<number> {
  if (argv.length > 0 && !argv.includes('--help')) {
    console.error('usage: npm run lab -- schema   (takes no arguments)');
    return 2;
  }
  console.log(JSON.stringify(runConfigJsonSchema(), null, 2));
  return 0;
}
