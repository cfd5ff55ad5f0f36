import { useState } from 'react';
import { useStore } from '../../store/index.ts';
import type { MadeProject } from '../../store/projects.ts';
import { Dialog } from '../Dialog.tsx';
import { NewProjectForm } from './NewProjectForm.tsx';
import { ProjectKeys } from './ProjectKeys.tsx';

/** Making a project (admins): its name and id, then its two keys, shown once; closing then opens the project. */
export function NewProjectDialog({ onClose }: { onClose: () => void }) {
  const switchProject = useStore((s) => s.switchProject);
  const [made, setMade] = useState<MadeProject | null>(null);
  if (!made) {
    return (
      <Dialog title="New project" onClose={onClose}>
        <NewProjectForm onMade={setMade} onCancel={onClose} />
      </Dialog>
    );
  }
  const enter = () => {
    onClose();
    switchProject(made.project.id);
  };
  return (
    <Dialog title={`${made.project.name} is ready`} onClose={enter}>
      <ProjectKeys made={made} onDone={enter} />
    </Dialog>
  );
}
