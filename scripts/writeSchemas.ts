/**
 * Writes `schemas/datastore.schema.json` from the registered datastore types, for editors that
 * read schema files (the Red Hat YAML extension), and the engine's ahead-of-time validators
 * (`server/src/core/validation/compiledValidators.generated.ts`). The engine composes the same
 * schema in memory; tests fail when either file and the registry disagree.
 *   npm run schemas
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datastoreSchema, datastoreSchemaText } from '../server/src/core/definitions/datastoreSchema';
import { precompiledValidatorsSource } from '../server/src/core/validation/precompileSchemas';

const repo = path.resolve(__dirname, '..');
const outputs: [string, string][] = [
  ['schemas/datastore.schema.json', datastoreSchemaText()],
  ['server/src/core/validation/compiledValidators.generated.ts', precompiledValidatorsSource(datastoreSchema())],
];
for (const [relative, text] of outputs) {
  fs.writeFileSync(path.join(repo, relative), text);
  console.log(`wrote ${relative}`);
}
