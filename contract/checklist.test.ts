import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKLIST, CHECKLIST_QUESTIONS, isChecklistKey } from './checklist';

// The paper's full text is not part of the repository: point PHENOBOOK_PAPER_TEXT at a copy to
// check every question's wording against it.
const paperPath = process.env.PHENOBOOK_PAPER_TEXT ? path.resolve(process.env.PHENOBOOK_PAPER_TEXT) : '';

describe('the checklist (Table 1 of the position paper)', () => {
  it('has 3 phases, 6 categories and 25 questions, in the paper’s order', () => {
    expect(CHECKLIST.map((p) => p.title)).toEqual([
      'Early Stage Problem Identification',
      'Throughout the Research Process',
      'Concluding Considerations',
    ]);
    expect(CHECKLIST.flatMap((p) => p.categories.map((c) => c.title))).toEqual([
      'Context & Literature Review',
      'Research Value Assessment',
      'Continuous Reassessment of Utility',
      'Scientific Methodology',
      'Cataloging & Reconciliation with Literature',
      'Avenues to Practical Utility',
    ]);
    expect(CHECKLIST.flatMap((p) => p.categories.map((c) => c.questions.length))).toEqual([4, 4, 5, 3, 4, 5]);
    expect(CHECKLIST_QUESTIONS).toHaveLength(25);
    expect(CHECKLIST_QUESTIONS[0]!.text).toBe('How have others framed or approached this phenomenon in the past?');
    expect(CHECKLIST_QUESTIONS.at(-1)!.key).toBe('concluding.utility.future');
  });

  it('gives every question a unique, stable key under its phase and category', () => {
    const keys = CHECKLIST_QUESTIONS.map((q) => q.key);
    expect(new Set(keys).size).toBe(25);
    for (const q of CHECKLIST_QUESTIONS) expect(q.key.startsWith(`${q.phase}.${q.category}.`)).toBe(true);
    expect(isChecklistKey('throughout.utility.confounders')).toBe(true);
    expect(isChecklistKey('made.up')).toBe(false);
  });

  it.skipIf(!paperPath || !fs.existsSync(paperPath))('words every question as the paper does', () => {
    // The paper's table marks emphasis with <i>; compare the plain words.
    const table = fs
      .readFileSync(paperPath, 'utf8')
      .replace(/<\/?i>/g, '')
      .replace(/[’']/g, "'");
    for (const q of CHECKLIST_QUESTIONS) expect(table, q.key).toContain(q.text.replace(/[’']/g, "'"));
  });
});
