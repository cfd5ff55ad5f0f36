import { useEffect, useState, type ReactNode } from 'react';
import type { Journey } from '../../api/client.ts';
import { diffDefinitions, type DiffDefinition } from '../../lib/diff.ts';
import { isDirty } from '../../store/editor.ts';
import { useStore } from '../../store/index.ts';
import type { JourneyVersion } from '../../store/versions.ts';
import { Dialog } from '../Dialog.tsx';
import { Time, useZone } from '../Time.tsx';
import { DiffList } from './DiffList.tsx';
import '../../styles/publish.css';

/** A version number, or the draft (always the newest). */
type Pick = number | 'draft';

const nameOf = (pick: Pick) => (pick === 'draft' ? 'the draft' : `version ${pick}`);
const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Every published version with its date; two picked (or one and the draft) show what changed between them. */
export function VersionsPanel({ journey, onClose }: { journey: Journey; onClose: () => void }) {
  const versions = useStore((s) => (s.versions?.journeyId === journey.id ? s.versions.list : null));
  const error = useStore((s) => s.versionsError);
  const loadVersions = useStore((s) => s.loadVersions);
  const loadSettings = useStore((s) => s.loadSettings);
  const dirty = useStore((s) => s.editor?.journeyId === journey.id && isDirty(s.editor));
  const zone = useZone();
  const [picked, setPicked] = useState<Pick[] | null>(null);

  useEffect(() => {
    void loadVersions(journey.id);
    if (!useStore.getState().settings) void loadSettings();
  }, [journey.id, loadVersions, loadSettings]);

  const chosen = picked ?? defaultPicks(versions ?? []);
  const toggle = (pick: Pick) => setPicked(chosen.includes(pick) ? chosen.filter((p) => p !== pick) : [...chosen, pick].slice(-2));
  const [from, to] = [...chosen].sort((a, b) => order(a) - order(b));
  const definitionOf = (pick: Pick): DiffDefinition | null =>
    (pick === 'draft' ? journey.draft : versions?.find((v) => v.version === pick)?.definition ?? null) as unknown as DiffDefinition | null;
  const [a, b] = [from === undefined ? null : definitionOf(from), to === undefined ? null : definitionOf(to)];
  const lines = a && b ? diffDefinitions(a, b) : null;
  const newest = [...(versions ?? [])].reverse();
  const latest = newest[0];
  const draftNote = dirty
    ? 'Saved draft; unsaved edits not included'
    : !latest
      ? 'Not published yet'
      : diffDefinitions(latest.definition as unknown as DiffDefinition, journey.draft as unknown as DiffDefinition).length === 0
        ? `Same as version ${latest.version}`
        : `Changed since version ${latest.version}`;

  return (
    <Dialog title={`Versions of “${journey.name}”`} onClose={onClose}>
      <div className="versions-panel">
        <div className="versions-side">
          <p className="hint versions-hint">Pick two to compare, or one and the draft. Times in {zone}.</p>
          {error && !versions ? (
            <p className="notice notice-error" role="alert">
              {error}
            </p>
          ) : !versions ? (
            <div className="skeleton publish-loading" role="status" aria-busy="true" aria-label="Reading the versions" />
          ) : (
            <ul className="version-list" aria-label="Versions, newest first">
              <VersionItem pick="draft" checked={chosen.includes('draft')} onToggle={toggle} note={draftNote} />
              {newest.map((version: JourneyVersion) => (
                <VersionItem
                  key={version.version}
                  pick={version.version}
                  checked={chosen.includes(version.version)}
                  onToggle={toggle}
                  tag={version.version === journey.version ? 'Latest' : undefined}
                  note={
                    <>
                      Published <Time at={version.publishedAt} />
                    </>
                  }
                />
              ))}
            </ul>
          )}
        </div>
        <section className="versions-diff" aria-labelledby="versions-diff-title" aria-live="polite">
          {from !== undefined && to !== undefined ? (
            <>
              <h3 id="versions-diff-title">
                {capitalized(nameOf(from))} → {nameOf(to)}
              </h3>
              {lines === null ? null : lines.length > 0 ? (
                <DiffList lines={lines} label={`Changes from ${nameOf(from)} to ${nameOf(to)}`} />
              ) : (
                <p className="publish-empty">No differences.</p>
              )}
            </>
          ) : (
            <>
              <h3 id="versions-diff-title">Changes</h3>
              <p className="publish-empty">{chosen.length === 1 ? `Pick another version, or the draft, to compare with ${nameOf(chosen[0]!)}.` : 'Pick two to compare.'}</p>
            </>
          )}
        </section>
        <div className="dialog-actions versions-actions">
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </Dialog>
  );
}

function VersionItem({ pick, checked, onToggle, tag, note }: { pick: Pick; checked: boolean; onToggle: (pick: Pick) => void; tag?: string; note: ReactNode }) {
  return (
    <li className={`version-item${checked ? ' version-picked' : ''}`}>
      <label>
        <input type="checkbox" checked={checked} onChange={() => onToggle(pick)} />
        <span className="version-text">
          <span className="version-name">
            {pick === 'draft' ? 'Draft' : `Version ${pick}`}
            {tag && (
              <>
                {' '}
                <span className="version-tag">{tag}</span>
              </>
            )}
          </span>
          <span className="version-note">{note}</span>
        </span>
      </label>
    </li>
  );
}

/** The newest two versions; with only one, it and the draft; with none, the draft alone. */
function defaultPicks(versions: JourneyVersion[]): Pick[] {
  const [last, previous] = [versions.at(-1), versions.at(-2)];
  if (last && previous) return [previous.version, last.version];
  return last ? [last.version, 'draft'] : ['draft'];
}

/** Older first: versions by number, the draft after them all. */
const order = (pick: Pick) => (pick === 'draft' ? Infinity : pick);
