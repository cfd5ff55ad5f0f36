/**
 * The dashboard's state, in one store made of slices (one file each: the session, the journeys, ...).
 * Components read slices of it and call its actions; only the actions talk to the server, and only through
 * the generated client.
 */
import { create } from 'zustand';
import { rememberInitialState, type State } from './kit.ts';
import { catalogSlice } from './catalog.ts';
import { deliverySlice } from './delivery.ts';
import { editorSlice } from './editor.ts';
import { journeysSlice } from './journeys.ts';
import { keysSlice } from './keys.ts';
import { messagesSlice } from './messages.ts';
import { projectsSlice } from './projects.ts';
import { sessionSlice } from './session.ts';
import { settingsSlice } from './settings.ts';
import { statsSlice } from './stats.ts';
import { teamSlice } from './team.ts';
import { usersSlice } from './users.ts';
import { versionsSlice } from './versions.ts';

export type { State, Notice } from './kit.ts';
export type { JourneyRow, LifecycleAction } from './journeys.ts';

export const useStore = create<State>()((set, get) => ({
  ...sessionSlice(set, get),
  ...journeysSlice(set, get),
  ...editorSlice(set, get),
  ...usersSlice(set, get),
  ...messagesSlice(set, get),
  ...settingsSlice(set, get),
  ...versionsSlice(set, get),
  ...catalogSlice(set, get),
  ...statsSlice(set, get),
  ...deliverySlice(set, get),
  ...keysSlice(set, get),
  ...teamSlice(set, get),
  ...projectsSlice(set, get),
}));

rememberInitialState(useStore.getInitialState());
