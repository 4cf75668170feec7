import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { datastoreSchema } from '../../server/src/core/definitions/datastoreSchema';
import { SCHEMAS } from '../../server/src/core/validation/schemaValidation';

/**
 * The engine compiles its schemas without checking them against the JSON Schema meta-schema
 * (that check cost most of a cold start); this is where they are checked instead.
 */
describe('the engine\'s JSON Schemas', () => {
  const checker = new Ajv({ strict: false, allowUnionTypes: true });
  for (const [name, schema] of [...Object.entries(SCHEMAS), ['datastore (composed from the registered types)', datastoreSchema()] as const]) {
    it(`${name} is a valid JSON Schema`, () => {
      const valid = checker.validateSchema(schema);
      assert.equal(valid, true, JSON.stringify(checker.errors, null, 2));
    });
  }

  it('the check is not blind: a schema with a wrong keyword value fails it', () => {
    assert.equal(checker.validateSchema({ type: 'object', properties: { a: { type: 'strin' } } }), false);
    assert.equal(checker.validateSchema({ type: 'object', required: 'a' }), false);
  });
});
