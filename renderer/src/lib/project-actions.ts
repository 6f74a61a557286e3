import type { Api } from '../../../contract/api';
import type { Project } from '../../../contract/projects';
import { toasts } from './toasts.svelte';

/** Archives or restores a project, offering the opposite as an undo. */
export async function setArchived(api: Api, project: Project, archived: boolean): Promise<boolean> {
  const result = await api.projects.setArchived({ id: project.id, archived });
  if (!result.ok) {
    toasts.show(result.error.message, { kind: 'error' });
    return false;
  }
  toasts.show(`${archived ? 'Archived' : 'Restored'} “${project.title}”`, {
    action: { label: 'Undo', run: () => void setArchived(api, result.value, !archived) },
  });
  return true;
}
