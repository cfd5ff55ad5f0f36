/**
 * The projects (docs/projects.md): the one the dashboard works in, remembered by this browser, and the list
 * to switch between. Switching clears everything the store holds of the project left (CLEARED below) and
 * starts again at its journeys; making one (admins) answers with its first keys, shown once.
 */
import { ApiFailure, client, inProject, messageOfBody, settle } from '../api/client.ts';
import { currentProject, DEFAULT_PROJECT, setProject, whenProjectGone } from '../api/project-scope.ts';
import type { paths } from '../api/schema';
import { rememberedProject, rememberProject } from '../lib/projects.ts';
import { bodyProblems, type Problem } from '../lib/settings-form.ts';
import { kit, type Slice, type State } from './kit.ts';

export type ProjectView = paths['/v1/projects']['get']['responses'][200]['content']['application/json']['projects'][number];
export type MadeProject = paths['/v1/projects']['post']['responses'][201]['content']['application/json'];

export interface ProjectsSlice {
  /** The id of the project every call names (api/client.ts). */
  project: string;
  /** Every project, the default one first; null until read. */
  projects: ProjectView[] | null;
  loadProjects(): Promise<void>;
  /** Works in project `id` from now on: what the store held of the other is cleared, and its journeys shown. */
  switchProject(id: string): void;
  /** Back to the default project, when the server no longer knows the current one; true when it was another. */
  leaveGoneProject(): boolean;
  /** POST /v1/projects: the project made with its keys, or the server's problems ({ path: '/id', message }). */
  createProject(id: string, name: string): Promise<{ made: MadeProject } | { problems: Problem[] }>;
}

type Data<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K] };
/** What is the deployment's or this browser's, not a project's: kept across a switch. */
type Kept = 'session' | 'role' | 'me' | 'userSignIn' | 'signInError' | 'route' | 'registry' | 'team' | 'teamError' | 'testAddresses' | 'project' | 'projects';

/** Everything else, as a new page load has it. The type makes a field added to the store come here, or to Kept. */
const CLEARED: Omit<Data<State>, Kept> = {
  busy: {},
  notice: null,
  journeys: null,
  journeysCursor: null,
  listError: null,
  open: null,
  openError: null,
  editor: null,
  user: null,
  messageLog: { filters: {}, rows: null, next: 0, more: false, loading: false, error: null },
  journeyNames: null,
  settings: null,
  settingsError: null,
  settingsRead: 0,
  versions: null,
  versionsError: null,
  publishPlan: null,
  catalog: { events: [], traits: [], status: 'idle' },
  previewUser: '',
  recentPreviewUsers: [],
  liveStats: null,
  statsSeries: null,
  backtest: null,
  providers: null,
  providersError: null,
  passMessages: {},
  keys: null,
  keysError: null,
  newKey: null,
};

export const projectsSlice: Slice<ProjectsSlice> = (set, get) => {
  const { guarded } = kit(set, get);
  setProject(rememberedProject(localStorage, DEFAULT_PROJECT));
  whenProjectGone(() => void get().leaveGoneProject());

  const enter = (id: string) => {
    setProject(id);
    rememberProject(localStorage, id);
    set({ ...CLEARED, project: id });
  };

  return {
    project: currentProject(),
    projects: null,

    async loadProjects() {
      try {
        const { projects } = await guarded(() => settle(client.GET('/v1/projects')));
        set({ projects });
      } catch {
        // Without the list the menu is not shown; the dashboard works on in the current project.
      }
    },

    switchProject(id) {
      if (id === get().project) return;
      enter(id);
      get().navigate({ page: 'journeys' });
    },

    leaveGoneProject() {
      const gone = get().project;
      if (gone === DEFAULT_PROJECT) return false;
      enter(DEFAULT_PROJECT);
      if (get().session === 'signedIn') get().navigate({ page: 'journeys' });
      set({ notice: { tone: 'error', text: `The server has no project “${gone}”: you are in the default project.` } });
      return true;
    },

    async createProject(id, name) {
      const answer = await inProject(client.POST('/v1/projects', { body: { id, name } })).catch(() => null);
      if (!answer) return { problems: [{ path: '', message: 'The server cannot be reached. Check that Waymark is running, then try again.' }] };
      const { data, error, response } = answer;
      if (response.status === 201 && data) {
        await get().loadProjects();
        return { made: data };
      }
      const problems = bodyProblems(error);
      if (response.status === 400 && problems.length > 0) return { problems };
      const message = messageOfBody(error, response.status);
      if (response.status === 401) await guarded(() => Promise.reject(new ApiFailure(401, message))).catch(() => {});
      // A taken id is the id's problem.
      return { problems: [{ path: response.status === 409 ? '/id' : '', message }] };
    },
  };
};

/** The current project's name, from the list; before the list comes, its id ("Default" for the default one, as the server names it). */
export function projectName(state: Pick<State, 'project' | 'projects'>): string {
  return state.projects?.find((p) => p.id === state.project)?.name ?? (state.project === DEFAULT_PROJECT ? 'Default' : state.project);
}
