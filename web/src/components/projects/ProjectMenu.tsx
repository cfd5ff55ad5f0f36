import { useState } from 'react';
import { can } from '../../lib/roles.ts';
import { useStore } from '../../store/index.ts';
import { projectName } from '../../store/projects.ts';
import { NewProjectDialog } from './NewProjectDialog.tsx';
import { useMenu } from './useMenu.ts';
import '../../styles/projects.css';

/**
 * The project the dashboard works in, named in the top bar, and the menu that switches it: shown when there
 * is more than one project, and to admins always (they make projects from it). For admins it is there from
 * the first paint, before the list comes, so the links beside it do not move under the pointer when it does
 * (a click on "Keys" as the list arrived landed on another link).
 */
export function ProjectMenu() {
  const projects = useStore((s) => s.projects);
  const current = useStore((s) => s.project);
  const name = useStore(projectName);
  const admin = useStore((s) => can(s.role, 'admin'));
  const switchProject = useStore((s) => s.switchProject);
  const [creating, setCreating] = useState(false);
  const { open, root, close, button, menu } = useMenu();
  if (!admin && (!projects || projects.length < 2)) return null;

  return (
    <div className="project-menu" ref={root}>
      <button type="button" className="project-button" title="The project you work in: its journeys, users, messages and settings" {...button}>
        <span className="project-label" aria-hidden="true">
          Project
        </span>
        <span className="visually-hidden">Project:</span>
        <span className="project-name">{name}</span>
        <span className="whoami-caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {open && (
        <div className="project-popup" aria-label="Projects" {...menu}>
          {(projects ?? []).map((p) => (
            <button
              key={p.id}
              type="button"
              role="menuitemradio"
              aria-checked={p.id === current}
              tabIndex={-1}
              onClick={() => {
                close();
                switchProject(p.id);
              }}
            >
              <span className="project-item-name">{p.name}</span>
              <code>{p.id}</code>
            </button>
          ))}
          {admin && (
            <>
              <div role="separator" />
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                onClick={() => {
                  close();
                  setCreating(true);
                }}
              >
                New project…
              </button>
            </>
          )}
        </div>
      )}
      {creating && <NewProjectDialog onClose={() => setCreating(false)} />}
    </div>
  );
}
