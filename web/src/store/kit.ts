/**
 * What every slice of the store shares: the whole state's type (each slice adds its part), and the helpers
 * that turn a failed call into the sign-in page (401) or a notice, and keep a button from being pressed
 * twice while its action is under way.
 */
import type { StoreApi } from 'zustand';
import { ApiFailure } from '../api/client.ts';
import type { CatalogSlice } from './catalog.ts';
import type { DeliverySlice } from './delivery.ts';
import type { EditorSlice } from './editor.ts';
import type { JourneysSlice } from './journeys.ts';
import type { KeysSlice } from './keys.ts';
import type { MessagesSlice } from './messages.ts';
import type { ProjectsSlice } from './projects.ts';
import type { SessionSlice } from './session.ts';
import type { SettingsSlice } from './settings.ts';
import type { StatsSlice } from './stats.ts';
import type { TeamSlice } from './team.ts';
import type { UsersSlice } from './users.ts';
import type { VersionsSlice } from './versions.ts';

export type State = SessionSlice & JourneysSlice & EditorSlice & UsersSlice & MessagesSlice & SettingsSlice & VersionsSlice & CatalogSlice & StatsSlice & DeliverySlice & KeysSlice & TeamSlice & ProjectsSlice;

/** How a slice is made: it may read and change the whole state. */
export type Slice<T> = (set: StoreApi<State>['setState'], get: StoreApi<State>['getState']) => T;

export interface Notice {
  tone: 'error' | 'success';
  text: string;
}

/** The state a fresh dashboard starts with (the store gives it once made): what signing out goes back to. */
let initial: Partial<State> = {};
export function rememberInitialState(state: State): void {
  initial = state;
}

/**
 * Signed out: everything read for the last session is forgotten (the next person to sign in here may be
 * someone else, and must see none of it, nor its filters); the page and what the server says of itself stay.
 */
export function signedOut(get: StoreApi<State>['getState'], signInError: string | null): Partial<State> {
  const { route, registry, userSignIn } = get();
  return { ...initial, session: 'signedOut', route, registry, userSignIn, signInError };
}

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function kit(set: StoreApi<State>['setState'], get: StoreApi<State>['getState']) {
  /** Runs a call; a 401 means the session is gone, so the sign-in page comes back. */
  const guarded = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 401) set(signedOut(get, 'Your session has ended. Sign in again.'));
      throw error;
    }
  };
  /** Runs an action under a key ("pause:welcome") shown in `busy`; a failure becomes the notice. */
  const withBusy = async (key: string, run: () => Promise<void>) => {
    if (get().busy[key]) return;
    set((s) => ({ busy: { ...s.busy, [key]: true } }));
    try {
      await run();
    } catch (error) {
      if (!(error instanceof ApiFailure && error.status === 401)) set({ notice: { tone: 'error', text: messageOf(error) } });
    } finally {
      set((s) => {
        const { [key]: _, ...rest } = s.busy;
        return { busy: rest };
      });
    }
  };
  return { guarded, withBusy };
}
