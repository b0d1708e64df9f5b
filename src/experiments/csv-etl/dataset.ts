import { seededRandom as prng } from '../../stats/random.js';

/**
 * The csv-etl experiment's input, as "Oxidizing Lambda Functions" generates it: 20 hospitals × 20 diagnoses × 15
 * treatments chosen uniformly, recovery 5–60 days inclusive. Seeded, so every run (and language) sees the same rows.
 */
export const HEADER = 'Hospital,Diagnosis,Treatment,Recovery Time';

export const HOSPITALS = [
  'St. Mary Medical Center',
  'General City Hospital',
  'Northside Medical Center',
  'Riverside Community Hospital',
  'Lakeview Regional Hospital',
  'Mercy General Hospital',
  'Sunrise Valley Hospital',
  'Hillcrest Medical Center',
  'Oakwood University Hospital',
  'Bayview Memorial Hospital',
  'Greenfield County Hospital',
  'Westside Health Center',
  'Eastview Clinic Hospital',
  'Pine Ridge Medical Center',
  'Harbor Point Hospital',
  'Summit Regional Hospital',
  'Maple Grove Hospital',
  'Cedar Heights Medical',
  'Silver Lake Hospital',
  'Fairview General Hospital',
];
export const DIAGNOSES = [
  'Flu',
  'Cold',
  'Covid',
  'Pneumonia',
  'Asthma',
  'Diabetes',
  'Hypertension',
  'Migraine',
  'Arthritis',
  'Bronchitis',
  'Sinusitis',
  'Anemia',
  'Gastritis',
  'Dermatitis',
  'Otitis',
  'Tonsillitis',
  'Allergy',
  'Insomnia',
  'Fracture',
  'Sprain',
];
export const TREATMENTS = [
  'Rest',
  'Antibiotics',
  'Antivirals',
  'Surgery',
  'Physiotherapy',
  'Inhaler',
  'Insulin',
  'Painkillers',
  'Steroids',
  'Diet',
  'Hydration',
  'Vaccination',
  'Antihistamines',
  'Cast',
  'Therapy',
];

/** The CSV as a sequence of text chunks (about 64 KB each), header first. */
export function* csvChunks(rows: number, seed = 42): Generator<string> {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  let chunk = `${HEADER}\n`;
  for (let i = 0; i < rows; i++) {
    chunk += `${pick(HOSPITALS)},${pick(DIAGNOSES)},${pick(TREATMENTS)},${5 + Math.floor(random() * 56)}\n`;
    if (chunk.length > 65_000) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

export interface GroupResult {
  hospital: string;
  diagnosis: string;
  averageRecoveryTime: string;
  mostUsedTreatment: string;
}

/** `sum / count` rounded half up to 6 decimals with integer arithmetic, trailing zeros removed (functions/csv-etl/README.md). */
export function formatAverage(sum: number, count: number): string {
  const micro = (2n * BigInt(sum) * 1_000_000n + BigInt(count)) / (2n * BigInt(count));
  const whole = micro / 1_000_000n;
  const fraction = (micro % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

/** The reference aggregation every implementation must match: exact most-used treatment, ties → smallest name. */
export function aggregate(csv: string): { rows: number; skippedRows: number; groups: GroupResult[] } {
  const groups = new Map<
    string,
    { hospital: string; diagnosis: string; sum: number; count: number; treatments: Map<string, number> }
  >();
  let rows = 0;
  let skippedRows = 0;
  const lines = csv.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]?.replace(/\r$/, '') ?? '';
    if (!line) continue;
    const fields = line.split(',');
    const days = Number(fields[3]);
    if (fields.length !== 4 || !/^-?\d+$/.test(fields[3] ?? '') || !Number.isInteger(days)) {
      skippedRows++;
      continue;
    }
    rows++;
    const [hospital = '', diagnosis = '', treatment = ''] = fields;
    const key = `${hospital}\u0000${diagnosis}`;
    let group = groups.get(key);
    if (!group) {
      group = { hospital, diagnosis, sum: 0, count: 0, treatments: new Map() };
      groups.set(key, group);
    }
    group.sum += days;
    group.count++;
    group.treatments.set(treatment, (group.treatments.get(treatment) ?? 0) + 1);
  }
  return {
    rows,
    skippedRows,
    groups: [...groups.values()].map((g) => ({
      hospital: g.hospital,
      diagnosis: g.diagnosis,
      averageRecoveryTime: formatAverage(g.sum, g.count),
      mostUsedTreatment:
        [...g.treatments.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0]?.[0] ??
        '',
    })),
  };
}
