/**
 * A journey's published versions, and publishing its draft: what will be published (the draft as the server
 * holds it, against the version running now), the checks known before publishing, and the outcome (the new
 * version with its warnings and the users moved, or every problem that refused it).
 */
import { ApiFailure, client, inProject, unwrap, type Definition } from '../api/client.ts';
import type { paths } from '../api/schema';
import { kit, messageOf, type Slice } from './kit.ts';

type VersionPage = paths['/v1/journeys/{id}/versions']['get']['responses'][200]['content']['application/json'];
export type JourneyVersion = VersionPage['versions'][number];
export type PublishResult = paths['/v1/journeys/{id}/publish']['post']['responses'][200]['content']['application/json'];

/** A finding about the draft; the path points into the definition ("/definition/nodes/3/message/body"). */
export interface Check {
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface PublishPlan {
  journeyId: string;
  loading: boolean;
  /** Reading the draft or the versions failed. */
  error: string | null;
  /** The draft as the server holds it: what publishing freezes. */
  draft: Definition | null;
  /** The newest published version; null before the first. */
  running: JourneyVersion | null;
  /** Found before publishing: validation's problems, and the publish checks when the server reports them with it. */
  checks: Check[];
  /** Whether `checks` include the publish checks; when not, they run on publishing and a refusal lists them. */
  checksRan: boolean;
  publishing: boolean;
  /** Every problem of a refused publish. */
  refused: Check[] | null;
  result: PublishResult | null;
  /** Whether the users in flight were asked to move (the result says how many did). */
  movedAsked: boolean;
}

export interface VersionsSlice {
  /** One journey's versions, oldest first; null until read. */
  versions: { journeyId: string; list: JourneyVersion[] } | null;
  versionsError: string | null;
  loadVersions(journeyId: string): Promise<void>;
  publishPlan: PublishPlan | null;
  /** Reads the draft and the versions afresh and checks the draft: the Publish dialog's contents. */
  preparePublish(journeyId: string): Promise<void>;
  /** Publishes the draft of the prepared journey; users in flight move to it when asked. */
  publishDraft(moveUsers: boolean): Promise<void>;
  closePublish(): void;
}

/** The most versions GET /v1/journeys/:id/versions answers at once, and how many pages are read at most. */
const PAGE = 500;
const MAX_PAGES = 100;

export const versionsSlice: Slice<VersionsSlice> = (set, get) => {
  const { guarded } = kit(set, get);

  const readVersions = async (id: string): Promise<JourneyVersion[]> => {
    const list: JourneyVersion[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query: { limit: number; cursor?: string } = cursor === null ? { limit: PAGE } : { limit: PAGE, cursor };
      const answer: VersionPage = await guarded(() => unwrap(client.GET('/v1/journeys/{id}/versions', { params: { path: { id }, query } })));
      list.push(...answer.versions);
      cursor = answer.nextCursor;
      if (cursor === null) break;
    }
    return list;
  };

  /** Changes the plan only while it is still the one for `journeyId` (the dialog may have closed meanwhile). */
  const updatePlan = (journeyId: string, change: Partial<PublishPlan>) => {
    const plan = get().publishPlan;
    if (plan?.journeyId === journeyId) set({ publishPlan: { ...plan, ...change } });
  };

  return {
    versions: null,
    versionsError: null,
    publishPlan: null,

    async loadVersions(journeyId) {
      if (get().versions?.journeyId !== journeyId) set({ versions: null, versionsError: null });
      try {
        const list = await readVersions(journeyId);
        set({ versions: { journeyId, list }, versionsError: null });
      } catch (error) {
        set({ versionsError: messageOf(error) });
      }
    },

    async preparePublish(journeyId) {
      set({
        publishPlan: { journeyId, loading: true, error: null, draft: null, running: null, checks: [], checksRan: false, publishing: false, refused: null, result: null, movedAsked: false },
      });
      try {
        const [journey, list] = await Promise.all([guarded(() => unwrap(client.GET('/v1/journeys/{id}', { params: { path: { id: journeyId } } }))), readVersions(journeyId)]);
        set({ versions: { journeyId, list }, versionsError: null });
        const draft = journey.draft as Definition;
        const validated = await guarded(() => unwrap(client.POST('/v1/journeys/validate', { body: { definition: draft } })));
        const reported = checksOf(validated);
        const all: Check[] = [...validated.problems.map((p) => ({ ...p, severity: 'error' as const })), ...(reported ?? [])];
        const checks = all.filter((c, i) => all.findIndex((d) => d.path === c.path && d.message === c.message) === i);
        updatePlan(journeyId, { loading: false, draft, running: list.at(-1) ?? null, checks, checksRan: reported !== null });
      } catch (error) {
        updatePlan(journeyId, { loading: false, error: messageOf(error) });
      }
    },

    async publishDraft(moveUsers) {
      const plan = get().publishPlan;
      if (!plan || plan.publishing || plan.loading) return;
      const { journeyId } = plan;
      updatePlan(journeyId, { publishing: true, refused: null, error: null });
      const answer = await inProject(client.POST('/v1/journeys/{id}/publish', { params: { path: { id: journeyId } }, body: { moveUsers } })).catch(() => null);
      if (!answer) {
        updatePlan(journeyId, { publishing: false, error: 'The server cannot be reached. Check that Waymark is running, then try again.' });
        return;
      }
      const { data, error, response } = answer;
      if (response.ok && data) {
        updatePlan(journeyId, { publishing: false, result: data, movedAsked: moveUsers });
        set({ notice: { tone: 'success', text: `Published version ${data.version}.` } });
        // The list, the open journey and the history show the server's word.
        const open = get().open?.journey.id === journeyId;
        await Promise.all([get().loadVersions(journeyId), get().loadJourneys(), open ? get().loadJourney(journeyId) : Promise.resolve()]);
        return;
      }
      const problems = problemsOf(error);
      if (response.status === 400 && problems.length > 0) {
        updatePlan(journeyId, { publishing: false, refused: problems.map((p) => ({ ...p, severity: 'error' })) });
        return;
      }
      const message = (error as { message?: unknown } | undefined)?.message;
      const failure = new ApiFailure(response.status, typeof message === 'string' ? message : `The server answered ${response.status}.`);
      await guarded(() => Promise.reject(failure)).catch(() => {}); // a 401 brings the sign-in page back
      updatePlan(journeyId, { publishing: false, error: failure.message });
    },

    closePublish() {
      set({ publishPlan: null });
    },
  };
};

/** The `problems` of an error body, each with a path and a message; anything else is left out. */
function problemsOf(body: unknown): { path: string; message: string }[] {
  const problems = (body as { problems?: unknown } | undefined)?.problems;
  if (!Array.isArray(problems)) return [];
  return problems.filter((p): p is { path: string; message: string } => !!p && typeof p.path === 'string' && typeof p.message === 'string');
}

/**
 * The publish checks a server reports with validation (`checks: [{ path, message, severity }]`), or null
 * when it does not: then they run on publishing, and a refusal lists them.
 */
function checksOf(answer: object): Check[] | null {
  const checks = (answer as { checks?: unknown }).checks;
  if (!Array.isArray(checks)) return null;
  return checks.filter(
    (c): c is Check => !!c && typeof c.path === 'string' && typeof c.message === 'string' && (c.severity === 'error' || c.severity === 'warning'),
  );
}
