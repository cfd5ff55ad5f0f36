import { storeContract } from './contract.ts';
import { openTestStore, withPostgres } from './postgres-fixture.ts';

await withPostgres('Store contract: PostgreSQL', () => storeContract('PostgreSQL', () => openTestStore()));
