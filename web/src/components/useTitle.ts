import { useEffect } from 'react';
import { useStore } from '../store/index.ts';
import { projectName } from '../store/projects.ts';

/**
 * The tab's title: the page, then the project when there is more than one (tabs of two brands side by side
 * must not look alike), then Waymark.
 */
export function useTitle(title: string): void {
  const project = useStore((s) => ((s.projects?.length ?? 0) > 1 ? projectName(s) : null));
  useEffect(() => {
    document.title = [title, project, 'Waymark'].filter(Boolean).join(' · ');
  }, [title, project]);
}
