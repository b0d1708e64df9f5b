import { describe, expect, it } from 'vitest';
import {
  addSeries,
  assignColours,
  type ChartSpec,
  categoryChart,
  LOG_RATIO,
  legendEntries,
  PALETTE,
  scaledToMatch,
  wideRange,
  withAutoLog,
} from './chart-spec.js';

const spec = (series: ChartSpec['series']): ChartSpec => ({
  id: 'c',
  title: 't',
  x: { title: 'memory' },
  y: { title: 'ms' },
  y2: { title: 'USD' },
  series,
  empty: 'none',
});

describe('chart specs', () => {
  it('log scale above a 20× range, per axis, ignoring values a log axis cannot show', () => {
    expect(LOG_RATIO).toBe(20);
    expect(wideRange([10, 200])).toBe(false);
    expect(wideRange([10, 201])).toBe(true);
    expect(wideRange([0, -5, 10, 150])).toBe(false);
    expect(wideRange([7])).toBe(false);
    const decided = withAutoLog(
      spec([
        { label: 'median', points: [128, 3008].map((x, i) => ({ x, y: [900, 30][i] ?? 0 })) },
        {
          label: 'cost',
          axis: 'y2',
          points: [
            { x: 128, y: 0.2 },
            { x: 3008, y: 0.3 },
          ],
        },
      ]),
    );
    expect([decided.x.log, decided.y.log, decided.y2?.log]).toEqual([true, true, false]);
    // An axis that says keeps its say; categories are never log.
    const fixed = withAutoLog({
      ...spec([
        {
          label: 'a',
          points: [
            { x: 1, y: 1 },
            { x: 100, y: 1 },
          ],
        },
      ]),
      x: { title: 'm', log: false },
    });
    expect(fixed.x.log).toBe(false);
  });

  it('one legend entry per group; colours by group, the same across the charts of a page', () => {
    const a = spec([
      { label: 'node median', group: 'node', points: [{ x: 1, y: 1 }] },
      { label: 'node band', group: 'node', style: 'band', points: [], hideInLegend: true },
      { label: 'python median', group: 'python', points: [{ x: 1, y: 2 }] },
    ]);
    expect(legendEntries(a)).toEqual(['node', 'python']);
    const b = spec([
      { label: 'python cost', group: 'python', points: [{ x: 1, y: 2 }] },
      { label: 'fixed', color: '#000000', points: [] },
    ]);
    const { specs, colours } = assignColours([a, b]);
    expect([...colours]).toEqual([
      ['node', PALETTE[0]],
      ['python', PALETTE[1]],
    ]);
    expect(specs[1]?.series.map((s) => s.color)).toEqual([PALETTE[1], '#000000']);
  });

  it('adds a caller’s series and scales a published curve to meet ours at the reference size', () => {
    const published = [
      { memoryMB: 256, value: 15424 },
      { memoryMB: 1536, value: 2758 },
      { memoryMB: 5000, value: null },
    ];
    const ours = [
      { memoryMB: 256, value: 300 },
      { memoryMB: 1536, value: 100 },
    ];
    const curve = scaledToMatch('published', published, ours, 1536);
    expect(curve?.points).toEqual([
      { x: 256, y: (15424 / 2758) * 100 },
      { x: 1536, y: 100 },
    ]);
    expect(scaledToMatch('published', published, ours, 1024)).toBeUndefined();
    const more = addSeries(spec([]), curve ?? { label: 'x', points: [] });
    expect(more.series.map((s) => s.label)).toEqual(['published']);
  });

  it('bar charts over named variants skip missing values', () => {
    const chart = categoryChart(
      { id: 'l', title: 't', x: { title: 'runtime', categories: ['node', 'python'] }, y: { title: 'ms' }, empty: '-' },
      [{ label: 'launch', values: [40, undefined] }],
    );
    expect(chart.series[0]?.points).toEqual([{ x: 0, y: 40 }]);
    expect(chart.x.log).toBe(false);
  });
});
