import { duckdbCase, sqliteCase } from '../helpers/connectorCases/embedded';
import { mariadbCase } from '../helpers/connectorCases/mariadb';
import { postgresCase } from '../helpers/connectorCases/postgres';
import type { ConnectorCase } from '../helpers/connectorCases/types';
import { describeConnectorContract } from '../helpers/connectorContract';

/**
 * The contract test list: every shipped SQL datastore type runs the same cases
 * (helpers/connectorContract.ts). A new type adds its case here.
 */
const CASES: ConnectorCase[] = [sqliteCase, duckdbCase, postgresCase, mariadbCase];

for (const testCase of CASES) describeConnectorContract(testCase);
