/**
 * API keys (GET/POST /v1/keys, rotate, revoke), for admins. A new or rotated key is in `newKey` until the
 * person closes it: the server shows it once, and so does the page.
 */
import { client, unwrap } from '../api/client.ts';
import type { paths } from '../api/schema';
import { kit, messageOf, type Slice } from './kit.ts';

export type KeyView = paths['/v1/keys']['get']['responses'][200]['content']['application/json']['keys'][number];
export type KeyKind = KeyView['kind'];

export interface KeysSlice {
  /** null until read. */
  keys: KeyView[] | null;
  keysError: string | null;
  /** The key just made or rotated, shown this once. */
  newKey: { key: string; name: string | null; kind: KeyKind } | null;
  loadKeys(): Promise<void>;
  createKey(kind: KeyKind, name: string): Promise<void>;
  rotateKey(id: string): Promise<void>;
  revokeKey(id: string): Promise<void>;
  dismissNewKey(): void;
}

export const keysSlice: Slice<KeysSlice> = (set, get) => {
  const { guarded, withBusy } = kit(set, get);
  const reload = async () => {
    const { keys } = await guarded(() => unwrap(client.GET('/v1/keys')));
    set({ keys, keysError: null });
  };
  return {
    keys: null,
    keysError: null,
    newKey: null,

    async loadKeys() {
      try {
        await reload();
      } catch (error) {
        set({ keysError: messageOf(error) });
      }
    },

    createKey: (kind, name) =>
      withBusy('key:create', async () => {
        const made = await guarded(() => unwrap(client.POST('/v1/keys', { body: { kind, name } })));
        set({ newKey: { key: made.key, name: made.name, kind: made.kind } });
        await reload();
      }),

    rotateKey: (id) =>
      withBusy(`key:${id}`, async () => {
        const made = await guarded(() => unwrap(client.POST('/v1/keys/{id}/rotate', { params: { path: { id } } })));
        set({ newKey: { key: made.key, name: made.name, kind: made.kind } });
        await reload();
      }),

    revokeKey: (id) =>
      withBusy(`key:${id}`, async () => {
        await guarded(() => unwrap(client.DELETE('/v1/keys/{id}', { params: { path: { id } } })));
        set({ notice: { tone: 'success', text: `Key ${id} revoked.` } });
        await reload();
      }),

    dismissNewKey() {
      set({ newKey: null });
    },
  };
};
