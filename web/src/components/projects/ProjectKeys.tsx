import { useId } from 'react';
import type { MadeProject } from '../../store/projects.ts';
import { CopyableKey } from '../keys/CopyableKey.tsx';

/** A new project's first keys: shown this once, each with a copy button. */
export function ProjectKeys({ made, onDone }: { made: MadeProject; onDone: () => void }) {
  const { project, keys } = made;
  return (
    <div className="project-keys">
      <div className="notice notice-warning" role="alert">
        <span>
          <strong>Shown once.</strong> Copy both keys now: the server keeps only their hashes and cannot show them again. They work in {project.name} only.
        </span>
      </div>
      <KeyOf title="Admin key" what="Everything in this project: journeys, settings, providers, keys." value={keys.admin} label={`Admin key of ${project.name}`} autoFocus />
      <KeyOf title="Write key" what="Sends events and profiles only: the one for an app or a backend." value={keys.write} label={`Write key of ${project.name}`} />
      <div className="dialog-actions">
        <button type="button" className="button primary" onClick={onDone}>
          I have copied them: open {project.name}
        </button>
      </div>
    </div>
  );
}

function KeyOf({ title, what, value, label, autoFocus = false }: { title: string; what: string; value: string; label: string; autoFocus?: boolean }) {
  const id = useId();
  return (
    <section className="project-key" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <p className="hint">{what}</p>
      <div className="new-key-value">
        <CopyableKey value={value} label={label} autoFocus={autoFocus} />
      </div>
    </section>
  );
}
