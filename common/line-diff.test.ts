import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './line-diff';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb', 'a\nb')).toBe('');
  });

  it('shows a changed line with its context and hunk header', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].join('\n');
    const after = ['1', '2', '3', '4', 'five', '6', '7', '8', '9'].join('\n');
    expect(unifiedDiff(before, after, { fromName: 'run', toName: 'disk', context: 1 })).toBe(['--- run', '+++ disk', '@@ -4,3 +4,3 @@', ' 4', '-5', '+five', ' 6'].join('\n'));
  });

  it('keeps separate hunks for changes far apart, and handles added and removed lines', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj';
    const after = 'a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk';
    const d = unifiedDiff(before, after, { context: 1 });
    expect(d.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,3 +1,3 @@', '@@ -10,1 +10,2 @@']);
    expect(d).toContain('-b\n+B');
    expect(d).toContain('+k');
  });
});
