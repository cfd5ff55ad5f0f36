import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../helpers.ts';
import { storeContract } from './contract.ts';

let n = 0;
storeContract('SQLite', async () => new SqliteStore(join(tempDir(), `store-${++n}.db`)));
// A simulation's store: live instances in memory (src/store/sqlite/live-instances.ts).
storeContract('SQLite, instances in memory', async () => new SqliteStore(join(tempDir(), `store-${++n}.db`), { durability: 'fast', instances: 'memory' }), { pastInstances: false });
