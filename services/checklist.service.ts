import type { z } from 'zod';
import {
  CHECKLIST_VERSION,
  checklistProgress,
  type ChecklistAnswer,
  type ChecklistAnswerInputSchema,
  type ChecklistRevision,
  type ChecklistState,
} from '../contract/checklist';
import type { Evidence } from '../contract/notebook';
import type { ChecklistRepo } from '../db/checklist.repo';
import type { ProjectsRepo } from '../db/projects.repo';
import { notFound } from './errors';
import type { EventBus } from './event-bus';
import type { Clock } from './projects.service';

/** A project's walk through the paper's checklist: answers, their history, and where it stands. */
export class ChecklistService {
  constructor(
    private readonly repo: ChecklistRepo,
    private readonly projects: ProjectsRepo,
    private readonly events: EventBus,
    private readonly clock: Clock,
    /** The evidence each answer cites (kept by the notebook service). */
    private readonly evidenceOf: (projectId: string) => Evidence[] = () => [],
  ) {}

  private requireProject(id: string): void {
    if (!this.projects.get(id)) throw notFound('Project', id);
  }

  state(projectId: string): ChecklistState {
    this.requireProject(projectId);
    const answers = this.repo.answers(projectId);
    return { version: CHECKLIST_VERSION, answers, ...checklistProgress(answers), evidence: this.evidenceOf(projectId) };
  }

  answer(input: z.output<typeof ChecklistAnswerInputSchema>): ChecklistAnswer {
    this.requireProject(input.projectId);
    const saved = this.repo.save({
      projectId: input.projectId,
      questionKey: input.questionKey,
      version: CHECKLIST_VERSION,
      status: input.status,
      markdown: input.markdown,
      // A reason only means something for a question marked not applicable.
      naReason: input.status === 'not-applicable' ? (input.notApplicableReason ?? null) : null,
      now: this.clock(),
    });
    this.events.emit({ type: 'checklist:changed', projectId: input.projectId, questionKey: input.questionKey });
    return saved;
  }

  revisions(projectId: string, questionKey: string): ChecklistRevision[] {
    this.requireProject(projectId);
    return this.repo.revisions(projectId, questionKey);
  }
}
