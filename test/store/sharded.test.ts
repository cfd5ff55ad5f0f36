import { join } from 'node:path';
import { shardFiles } from '../../src/store/shards/shard-files.ts';
import { ShardedStore } from '../../src/store/shards/sharded-store.ts';
import { tempDir } from '../helpers.ts';
import { storeContract } from './contract.ts';

let n = 0;
/** Two shards: the contract's users u1 and u2 are in different ones (FNV-1a: u1 -> 1, u2 -> 0). */
storeContract('SQLite, two shards', async () => {
  const files = shardFiles(join(tempDir(), `store-${++n}.db`), 2);
  return ShardedStore.open(files);
}, { oneDecidePerUnit: false });
