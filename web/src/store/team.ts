/** The dashboard's users (GET/POST /v1/team, PATCH and DELETE /v1/team/:id), for admins: the Team page. */
import { client, unwrap } from '../api/client.ts';
import type { paths } from '../api/schema';
import { kit, messageOf, type Slice } from './kit.ts';

export type Member = paths['/v1/team']['get']['responses'][200]['content']['application/json']['users'][number];
export type NewMember = paths['/v1/team']['post']['requestBody']['content']['application/json'];
export type MemberChange = paths['/v1/team/{id}']['patch']['requestBody']['content']['application/json'];

export interface TeamSlice {
  /** null until read. */
  team: Member[] | null;
  teamError: string | null;
  loadTeam(): Promise<void>;
  /** Makes a user; null when made, else the server's message (naming the field that was wrong). */
  addMember(member: NewMember): Promise<string | null>;
  changeMember(id: string, change: MemberChange): Promise<void>;
  removeMember(id: string): Promise<void>;
}

export const teamSlice: Slice<TeamSlice> = (set, get) => {
  const { guarded, withBusy } = kit(set, get);
  const reload = async () => {
    const { users } = await guarded(() => unwrap(client.GET('/v1/team')));
    set({ team: users, teamError: null });
  };
  return {
    team: null,
    teamError: null,

    async loadTeam() {
      try {
        await reload();
      } catch (error) {
        set({ teamError: messageOf(error) });
      }
    },

    async addMember(member) {
      try {
        const made = await guarded(() => unwrap(client.POST('/v1/team', { body: member })));
        set({ notice: { tone: 'success', text: `${made.email} can now sign in as ${made.role === 'viewer' ? 'a' : 'an'} ${made.role}.` } });
        await reload();
        return null;
      } catch (error) {
        return messageOf(error);
      }
    },

    changeMember: (id, change) =>
      withBusy(`member:${id}`, async () => {
        await guarded(() => unwrap(client.PATCH('/v1/team/{id}', { params: { path: { id } }, body: change })));
        await reload();
        // Changing oneself (a role, say) changes what this session may do.
        if (get().me?.id === id) await get().refreshSession();
      }),

    removeMember: (id) =>
      withBusy(`member:${id}`, async () => {
        await guarded(() => unwrap(client.DELETE('/v1/team/{id}', { params: { path: { id } } })));
        await reload();
      }),
  };
};
