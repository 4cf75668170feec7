/**
 * Writes `schemas/datastore.schema.json` from the registered datastore types, for editors that
 * read schema files (the Red Hat YAML extension). The engine composes the same schema in memory;
 * test/unit/datastore-types.test.ts fails when the file and the registry disagree.
 *   npm run schemas
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datastoreSchemaText } from '../server/src/core/definitions/datastoreSchema';

const file = path.resolve(__dirname, '..', 'schemas', 'datastore.schema.json');
fs.writeFileSync(file, datastoreSchemaText());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
