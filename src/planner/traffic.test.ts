import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats/random.js';
import { arrivals, MONTH_SECONDS, parseTraffic, scaleTraffic } from './traffic.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lambench-traffic-'));
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe('traffic specs', () => {
  it('reads rates per second, minute, hour, day and month', () => {
    expect(parseTraffic('100/s').maxRate).toBe(100);
    expect(parseTraffic('6000/min').maxRate).toBe(100);
    expect(parseTraffic('3.6k/h').maxRate).toBe(1);
    expect(parseTraffic('50/s').invocationsPerMonth).toBe(131_400_000);
    expect(parseTraffic('50M/month').invocationsPerMonth).toBeCloseTo(50e6, 3);
  });

  it('keeps the monthly count of a diurnal shape and peaks at 14:00 UTC', () => {
    const t = parseTraffic('50M/month', { shape: 'diurnal' });
    expect(t.kind).toBe('diurnal');
    expect(t.invocationsPerMonth).toBeCloseTo(50e6, 3);
    const mean = 50e6 / MONTH_SECONDS;
    expect(t.rateAt(14 * 3600)).toBeCloseTo(mean * 1.6, 6);
    expect(t.rateAt(2 * 3600)).toBeCloseTo(mean * 0.4, 6);
    // Numerically, the day integrates to mean × 86,400.
    let sum = 0;
    for (let s = 0; s < 86_400; s += 10) sum += t.rateAt(s) * 10;
    expect(sum / 86_400).toBeCloseTo(mean, 6);
    expect(parseTraffic('1/s', { shape: 'diurnal:0.9' }).maxRate).toBeCloseTo(1.9, 10);
  });

  it('reads a burst pattern', () => {
    const t = parseTraffic('burst:10/s,500/s,60s,1h');
    expect(t.periodS).toBe(3600);
    expect(t.rateAt(30)).toBe(500);
    expect(t.rateAt(61)).toBe(10);
    expect(t.rateAt(3600 + 30)).toBe(500);
    expect(t.perPeriod).toBe(10 * 3540 + 500 * 60);
  });

  it('reads per-minute counts and timestamps from CSV files', () => {
    const minutes = parseTraffic(
      `@${file('m.csv', 'minute,count\n2026-01-01T00:00Z,60\n2026-01-01T00:01Z,120\n2026-01-01T00:02Z,0\n')}`,
    );
    expect(minutes.kind).toBe('per-minute');
    expect(minutes.periodS).toBe(180);
    expect(minutes.rateAt(70)).toBe(2);
    expect(minutes.invocationsPerMonth).toBeCloseTo(180 * (MONTH_SECONDS / 180), 6);
    const stamps = parseTraffic(file('t.csv', '1767225600\n1767225600.5\n1767225661\n'));
    expect(stamps.kind).toBe('timestamps');
    expect([...(stamps.times ?? [])]).toEqual([0, 0.5, 61]);
    expect([...arrivals(stamps, 0, 1e9, Math.random)]).toEqual([0, 0.5, 61]);
    const iso = parseTraffic(file('iso.csv', 'time\n2026-01-01T00:00:01Z\n2026-01-01T00:00:00Z\n'));
    expect([...(iso.times ?? [])]).toEqual([0, 1]);
  });

  it('refuses what it cannot read, naming it', () => {
    expect(() => parseTraffic('100')).toThrow(/--traffic "100": "100" is not a rate/);
    expect(() => parseTraffic('0/s')).toThrow(/above zero/);
    expect(() => parseTraffic('10/fortnight')).toThrow(/is not a rate/);
    expect(() => parseTraffic('burst:10/s,500/s,2h,1h')).toThrow(/shorter than its period/);
    expect(() => parseTraffic('1/s', { shape: 'weekly' })).toThrow(/flat or diurnal/);
    expect(() => parseTraffic('@/nonexistent/x.csv')).toThrow(/cannot read/);
    expect(() => parseTraffic(file('bad.csv', 'a,b\n1,x\n'))).toThrow(/row 1: "x" is not a count/);
  });

  it('draws Poisson arrivals at the rate (seeded), and scales them', () => {
    const t = parseTraffic('200/s');
    const n = [...arrivals(t, 0, 100, seededRandom(7))].length;
    // 20,000 expected; a Poisson count's sd is 141, so ±4 sd.
    expect(Math.abs(n - 20_000)).toBeLessThan(600);
    expect([...arrivals(t, 0, 10, seededRandom(7))]).toEqual([...arrivals(t, 0, 10, seededRandom(7))]);
    const burst = parseTraffic('burst:10/s,500/s,60s,1h');
    const inBurst = [...arrivals(burst, 0, 3600, seededRandom(3))].filter((x) => x < 60).length;
    expect(Math.abs(inBurst - 30_000)).toBeLessThan(800);
    expect(scaleTraffic(burst, 2).perPeriod).toBe(burst.perPeriod * 2);
    expect(scaleTraffic(t, 0.5).maxRate).toBe(100);
  });
});
