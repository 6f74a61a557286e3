import { z } from 'zod';
import { ProjectIdSchema } from './projects';
import type { Evidence } from './notebook';
import { cleanText } from './text';

/**
 * The self-evaluation checklist of Jeffares & van der Schaar (ICML 2025), Table 1, as versioned
 * data. Keys are stable: answers are stored against them, so a key is never renamed or reused —
 * a changed wording gets a new CHECKLIST_VERSION, a removed question keeps its key retired.
 */

export const CHECKLIST_VERSION = 1;

export const CHECKLIST_CITATION = {
  authors: 'Alan Jeffares and Mihaela van der Schaar',
  title: 'Position: Not All Explanations for Deep Learning Phenomena Are Equally Valuable',
  venue: 'Proceedings of the 42nd International Conference on Machine Learning (ICML), 2025',
  where: 'Table 1, “Self-Evaluation Checklist”',
  short: 'Jeffares & van der Schaar, ICML 2025, Table 1',
} as const;

export interface ChecklistQuestion {
  key: string;
  text: string;
}

export interface ChecklistCategory {
  key: string;
  title: string;
  questions: readonly ChecklistQuestion[];
}

export interface ChecklistPhase {
  key: string;
  title: string;
  categories: readonly ChecklistCategory[];
}

export const CHECKLIST: readonly ChecklistPhase[] = [
  {
    key: 'early',
    title: 'Early Stage Problem Identification',
    categories: [
      {
        key: 'context',
        title: 'Context & Literature Review',
        questions: [
          { key: 'early.context.framing', text: 'How have others framed or approached this phenomenon in the past?' },
          { key: 'early.context.observed', text: 'In which modalities, architectures, optimizers, etc. has it been observed thus far?' },
          { key: 'early.context.settings', text: 'What are both the most simple and complex settings in which this phenomenon can be observed?' },
          {
            key: 'early.context.past-explanations',
            text: 'How has this phenomenon been understood in the past and what are the limitations of these explanations?',
          },
        ],
      },
      {
        key: 'value',
        title: 'Research Value Assessment',
        questions: [
          {
            key: 'early.value.edge-case',
            text: 'Does this phenomenon appear in practical, real-world settings or is it an edge case? Where does its value lie?',
          },
          { key: 'early.value.synthetic', text: 'If it is an edge case, how synthetic are the conditions required to induce this phenomenon?' },
          { key: 'early.value.challenges', text: 'What theories or assumptions does this phenomenon challenge either implicitly or explicitly?' },
          {
            key: 'early.value.impact',
            text: 'Optimistically, what are some of the greatest impact outcomes that could be achieved by making progress on this phenomenon?',
          },
        ],
      },
    ],
  },
  {
    key: 'throughout',
    title: 'Throughout the Research Process',
    categories: [
      {
        key: 'utility',
        title: 'Continuous Reassessment of Utility',
        questions: [
          { key: 'throughout.utility.predictions', text: 'What predictions does my explanation make beyond this specific setup?' },
          { key: 'throughout.utility.practical', text: 'Is practical utility being considered in selecting which research questions are being pursued?' },
          {
            key: 'throughout.utility.confounders',
            text: 'Have I controlled for confounding factors like metric choice, initialization scale, or overfitting?',
          },
          { key: 'throughout.utility.sub-patterns', text: 'Are there measurable sub-patterns or intermediate behaviors worth isolating?' },
          {
            key: 'throughout.utility.drift',
            text: 'How is this analysis evolving? Does it continue to hold promise for contributing to broader explanatory theories or has the scope drifted?',
          },
        ],
      },
      {
        key: 'method',
        title: 'Scientific Methodology',
        questions: [
          { key: 'throughout.method.hypothesis', text: 'What hypothesis (if any) is being tested — and is it falsifiable?' },
          {
            key: 'throughout.method.biases',
            text: 'Am I remaining conscious of common cognitive biases such as confirmation bias or false causality?',
          },
          { key: 'throughout.method.principles', text: 'Am I following other important scientific principles as described in Section 5.2?' },
        ],
      },
    ],
  },
  {
    key: 'concluding',
    title: 'Concluding Considerations',
    categories: [
      {
        key: 'cataloging',
        title: 'Cataloging & Reconciliation with Literature',
        questions: [
          { key: 'concluding.cataloging.reproducible', text: 'Are my findings reproducible, and is my code (or data) easily reusable and extendable?' },
          { key: 'concluding.cataloging.negative', text: 'Did I document negative or ambiguous results that may be valuable?' },
          {
            key: 'concluding.cataloging.reconciled',
            text: 'Have I explicitly reconciled my findings with previous works? Where do they agree and disagree?',
          },
          { key: 'concluding.cataloging.claims', text: 'Have I been clear about which claims are empirical, theoretical, or speculative?' },
        ],
      },
      {
        key: 'utility',
        title: 'Avenues to Practical Utility',
        questions: [
          {
            key: 'concluding.utility.broader',
            text: 'Have I explicitly stated just how these findings may contribute to broader explanatory theories? How are these findings useful?',
          },
          { key: 'concluding.utility.vision', text: 'If utility is not immediate, have I articulated a vision for future relevance?' },
          { key: 'concluding.utility.when-why', text: 'Have I helped clarify when and why this phenomenon matters (or doesn’t)?' },
          { key: 'concluding.utility.transfer', text: 'How transferable are these findings across e.g. architectures, tasks, or training regimes?' },
          {
            key: 'concluding.utility.future',
            text: 'Concretely, what promising future research may this work contribute to? Can I map out a speculative path to those contributions?',
          },
        ],
      },
    ],
  },
];

/** Every question in reading order, with its phase and category. */
export const CHECKLIST_QUESTIONS = CHECKLIST.flatMap((phase) =>
  phase.categories.flatMap((category) => category.questions.map((q) => ({ ...q, phase: phase.key, category: category.key }))),
);

export function isChecklistKey(key: string): boolean {
  return CHECKLIST_QUESTIONS.some((q) => q.key === key);
}

// ---------------------------------------------------------------------------------------------
// Answers


export const ANSWER_STATUSES = ['open', 'in-progress', 'answered', 'not-applicable'] as const;
export type AnswerStatus = (typeof ANSWER_STATUSES)[number];
export const ANSWER_LIMITS = { markdown: 20_000, reason: 1_000 } as const;

export const QuestionKeySchema = z
  .string({ error: 'questionKey must be text' })
  .max(100)
  .refine(isChecklistKey, { error: 'questionKey is not a question of the checklist' });

export const ChecklistAnswerInputSchema = z
  .strictObject({
    projectId: ProjectIdSchema,
    questionKey: QuestionKeySchema,
    status: z.enum(ANSWER_STATUSES, { error: `status must be one of: ${ANSWER_STATUSES.join(', ')}` }),
    markdown: cleanText({ label: 'Answer', max: ANSWER_LIMITS.markdown, multiline: true }).default(''),
    notApplicableReason: cleanText({ label: 'Reason', max: ANSWER_LIMITS.reason, multiline: true }).optional(),
  })
  .refine((a) => a.status !== 'not-applicable' || (a.notApplicableReason ?? '').length > 0, {
    path: ['notApplicableReason'],
    error: 'Say why the question does not apply',
  });

export const ChecklistProjectSchema = z.strictObject({ projectId: ProjectIdSchema });
export const ChecklistRevisionsSchema = z.strictObject({ projectId: ProjectIdSchema, questionKey: QuestionKeySchema });

export interface ChecklistAnswer {
  questionKey: string;
  status: AnswerStatus;
  markdown: string;
  notApplicableReason: string | null;
  updatedAt: string;
}

export interface ChecklistRevision {
  id: number;
  status: AnswerStatus;
  markdown: string;
  notApplicableReason: string | null;
  savedAt: string;
}

export interface ChecklistState {
  version: number;
  answers: ChecklistAnswer[];
  /** Per phase and category: questions answered or marked not applicable, of the total. */
  progress: { key: string; done: number; total: number; categories: { key: string; done: number; total: number }[] }[];
  /** The first question, in the paper's order, that is neither answered nor not applicable. */
  nextOpen: string | null;
  /** What each answer cites (runs, notes, hypotheses), in the order linked. */
  evidence: Evidence[];
}

/** Progress and the next open question from a project's answers (pure; the UI and host share it). */
export function checklistProgress(answers: readonly Pick<ChecklistAnswer, 'questionKey' | 'status'>[]) {
  const done = new Set(answers.filter((a) => a.status === 'answered' || a.status === 'not-applicable').map((a) => a.questionKey));
  const progress = CHECKLIST.map((phase) => {
    const categories = phase.categories.map((c) => ({
      key: c.key,
      done: c.questions.filter((q) => done.has(q.key)).length,
      total: c.questions.length,
    }));
    return { key: phase.key, done: categories.reduce((s, c) => s + c.done, 0), total: categories.reduce((s, c) => s + c.total, 0), categories };
  });
  const nextOpen = CHECKLIST_QUESTIONS.find((q) => !done.has(q.key))?.key ?? null;
  return { progress, nextOpen };
}
