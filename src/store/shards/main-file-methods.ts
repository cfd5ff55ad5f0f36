/**
 * The Store's methods of what is not a user's (keys, people, projects, journeys and their versions, settings,
 * providers and secrets, the copy assistant, scheduled runs' claims), answered by the main file of a database
 * split into shards: the base of ShardedStore (sharded-store.ts).
 */
import type { Channel, JourneyDefinition } from '../../core/definition.ts';
import type { SqliteStore } from '../sqlite/sqlite-store.ts';
import type { ApiKeyRecord, CopyLogEntry, CopyLogRetention, CopyProviderRecord, DashboardUserChange, DashboardUserRecord, DashboardUserWrite, JourneyRecord, JourneyStatus, JourneyVersion, KeyRemoval, NewCopyLogEntry, Page, PageRequest, ProjectRecord, ProviderRecord, RunClaim } from '../store.ts';

export abstract class MainFileMethods {
  constructor(protected readonly main: SqliteStore) {}

  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.main.exclusively(name, fn);
  }
  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.main.listApiKeys();
  }
  addApiKey(key: ApiKeyRecord): Promise<void> {
    return this.main.addApiKey(key);
  }
  removeApiKey(hash: string): Promise<KeyRemoval> {
    return this.main.removeApiKey(hash);
  }
  replaceApiKey(oldHash: string, key: ApiKeyRecord): Promise<boolean> {
    return this.main.replaceApiKey(oldHash, key);
  }
  touchApiKey(hash: string, at: number): Promise<void> {
    return this.main.touchApiKey(hash, at);
  }
  listDashboardUsers(): Promise<DashboardUserRecord[]> {
    return this.main.listDashboardUsers();
  }
  getDashboardUser(id: string): Promise<DashboardUserRecord | null> {
    return this.main.getDashboardUser(id);
  }
  findDashboardUserByEmail(email: string): Promise<DashboardUserRecord | null> {
    return this.main.findDashboardUserByEmail(email);
  }
  addDashboardUser(user: DashboardUserRecord): Promise<boolean> {
    return this.main.addDashboardUser(user);
  }
  updateDashboardUser(id: string, change: DashboardUserChange): Promise<DashboardUserWrite> {
    return this.main.updateDashboardUser(id, change);
  }
  removeDashboardUser(id: string): Promise<DashboardUserWrite> {
    return this.main.removeDashboardUser(id);
  }
  recordDashboardSignIn(id: string, at: number): Promise<void> {
    return this.main.recordDashboardSignIn(id, at);
  }
  listProjects(): Promise<ProjectRecord[]> {
    return this.main.listProjects();
  }
  addProject(project: ProjectRecord): Promise<boolean> {
    return this.main.addProject(project);
  }
  createJourney(journey: { id: string; name: string; draft: JourneyDefinition; layout: JourneyRecord['layout'] }, now: number): Promise<JourneyRecord> {
    return this.main.createJourney(journey, now);
  }
  updateJourneyDraft(id: string, draft: JourneyDefinition, layout: JourneyRecord['layout'] | undefined, now: number): Promise<JourneyRecord | null> {
    return this.main.updateJourneyDraft(id, draft, layout, now);
  }
  publishJourney(id: string, now: number): Promise<JourneyVersion | null> {
    return this.main.publishJourney(id, now);
  }
  setJourneyStatus(id: string, status: JourneyStatus, now: number): Promise<JourneyRecord | null> {
    return this.main.setJourneyStatus(id, status, now);
  }
  getJourney(id: string): Promise<JourneyRecord | null> {
    return this.main.getJourney(id);
  }
  listJourneys(): Promise<JourneyRecord[]> {
    return this.main.listJourneys();
  }
  listVersions(journeyId?: string): Promise<JourneyVersion[]> {
    return this.main.listVersions(journeyId);
  }
  journeyPage(page: PageRequest): Promise<Page<JourneyRecord>> {
    return this.main.journeyPage(page);
  }
  versionPage(journeyId: string, page: PageRequest): Promise<Page<JourneyVersion>> {
    return this.main.versionPage(journeyId, page);
  }
  getSettings(): Promise<Record<string, unknown>> {
    return this.main.getSettings();
  }
  saveSettings(settings: Record<string, unknown>, now: number): Promise<void> {
    return this.main.saveSettings(settings, now);
  }
  listProviders(): Promise<ProviderRecord[]> {
    return this.main.listProviders();
  }
  saveProvider(channel: Channel, config: Record<string, unknown>, now: number): Promise<void> {
    return this.main.saveProvider(channel, config, now);
  }
  removeProvider(channel: Channel): Promise<boolean> {
    return this.main.removeProvider(channel);
  }
  secret(name: string, make: () => string, now: number): Promise<string> {
    return this.main.secret(name, make, now);
  }
  getCopyProvider(): Promise<CopyProviderRecord | null> {
    return this.main.getCopyProvider();
  }
  saveCopyProvider(config: Record<string, unknown>, now: number): Promise<void> {
    return this.main.saveCopyProvider(config, now);
  }
  removeCopyProvider(): Promise<boolean> {
    return this.main.removeCopyProvider();
  }
  addCopyLog(entry: NewCopyLogEntry, keep: CopyLogRetention): Promise<number> {
    return this.main.addCopyLog(entry, keep);
  }
  copyLogPage(page: PageRequest): Promise<Page<CopyLogEntry>> {
    return this.main.copyLogPage(page);
  }
  claimRun(journeyId: string, runAt: number, now: number, leaseMs: number): Promise<RunClaim | null> {
    return this.main.claimRun(journeyId, runAt, now, leaseMs);
  }
  saveRunCursor(journeyId: string, runAt: number, cursor: string, now: number, leaseMs: number): Promise<void> {
    return this.main.saveRunCursor(journeyId, runAt, cursor, now, leaseMs);
  }
  finishRun(journeyId: string, runAt: number, now: number): Promise<void> {
    return this.main.finishRun(journeyId, runAt, now);
  }

}
