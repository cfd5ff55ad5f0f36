/**
 * Project settings (GET/PUT /v1/settings): the time zone every page shows times in, and the frequency caps.
 * Saving answers the server's problems by field, for the form to show next to each.
 */
import { ApiFailure, client, inProject, unwrap } from '../api/client.ts';
import type { paths } from '../api/schema';
import { bodyProblems, type Problem } from '../lib/settings-form.ts';
import { zoneOrDefault } from '../lib/zoned-time.ts';
import { kit, messageOf, type Slice } from './kit.ts';

export type ProjectSettings = paths['/v1/settings']['get']['responses'][200]['content']['application/json'];
export type SettingsBody = paths['/v1/settings']['put']['requestBody']['content']['application/json'];

export interface SettingsSlice {
  /** null until read. */
  settings: ProjectSettings | null;
  settingsError: string | null;
  /** Counts reads (not saves): the form starts afresh from each one. */
  settingsRead: number;
  loadSettings(): Promise<void>;
  /** PUT the settings: null when saved, else the problems (by field when the server named one). */
  saveSettings(body: SettingsBody): Promise<Problem[] | null>;
}

export const settingsSlice: Slice<SettingsSlice> = (set, get) => {
  const { guarded } = kit(set, get);
  return {
    settings: null,
    settingsError: null,
    settingsRead: 0,

    async loadSettings() {
      try {
        const settings = await guarded(() => unwrap(client.GET('/v1/settings')));
        set((s) => ({ settings, settingsError: null, settingsRead: s.settingsRead + 1 }));
      } catch (error) {
        set({ settingsError: messageOf(error) });
      }
    },

    async saveSettings(body) {
      const answer = await inProject(client.PUT('/v1/settings', { body })).catch(() => null);
      if (!answer) return [{ path: '', message: 'The server cannot be reached. Check that Waymark is running, then try again.' }];
      const { data, error, response } = answer;
      if (response.ok && data) {
        set({ settings: data, notice: { tone: 'success', text: 'Settings saved.' } });
        return null;
      }
      const problems = bodyProblems(error);
      if (response.status === 400 && problems.length > 0) return problems;
      const message = (error as { message?: unknown } | undefined)?.message;
      const failure = new ApiFailure(response.status, typeof message === 'string' ? message : `The server answered ${response.status}.`);
      await guarded(() => Promise.reject(failure)).catch(() => {}); // a 401 brings the sign-in page back
      return [{ path: '', message: failure.message }];
    },
  };
};

/** The zone times are shown in: the project's, else UTC as the server does. */
export function projectZone(settings: ProjectSettings | null): string {
  return zoneOrDefault(settings?.timezone);
}
