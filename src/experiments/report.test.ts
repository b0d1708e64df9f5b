import { describe, expect, it } from 'vitest';
import { claimsHtml, claimsMarkdown } from './report.js';
import type { ExperimentOutcome } from './types.js';

const outcome: ExperimentOutcome = {
  results: [],
  claims: [{ claim: 'A < B', published: '1 < 2', measured: '3 < 4', verdict: 'reproduced', why: 'because' }],
  notes: ['a note'],
  tables: [{ title: 'Ours beside theirs', header: ['fn', '256 MB'], rows: [['csv-etl-node', '2.10 · AWS <5.59>']] }],
};

describe('experiment reports', () => {
  it('render claims, notes and figure tables in Markdown', () => {
    const md = claimsMarkdown('Title', outcome);
    expect(md).toContain('| A < B | 1 < 2 | 3 < 4 | **reproduced** | because |');
    expect(md).toContain('- a note');
    expect(md).toContain(
      '#### Ours beside theirs\n\n| fn | 256 MB |\n| --- | --- |\n| csv-etl-node | 2.10 · AWS <5.59> |',
    );
  });

  it('render figure tables in HTML, escaped', () => {
    const html = claimsHtml(outcome, 'source', 'host');
    expect(html).toContain('<h3>Ours beside theirs</h3>');
    expect(html).toContain('<td>2.10 · AWS &lt;5.59&gt;</td>');
  });
});
