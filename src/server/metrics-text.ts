// The Prometheus text exposition format (version 0.0.4): families with HELP and TYPE lines,
// label values escaped, histograms as cumulative _bucket lines with _sum and _count.

export type Labels = Record<string, string>;

export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  /** name: a histogram's _bucket, _sum, _count lines; the family's name otherwise. */
  samples: { name?: string; labels: Labels; value: number }[];
}

const escLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  return keys.length ? `{${keys.map((k) => `${k}="${escLabel(labels[k]!)}"`).join(',')}}` : '';
}

const num = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN');

export function renderFamilies(families: readonly Family[]): string {
  let out = '';
  for (const f of families) {
    out += `# HELP ${f.name} ${escHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += `${s.name ?? f.name}${labelText(s.labels)} ${num(s.value)}\n`;
  }
  return out;
}

/** Observations grouped by labels, kept as bucket counts (cheap to add to, cheap to render). */
export class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly bounds: readonly number[]) {}

  observe(labels: Labels, value: number): void {
    const key = JSON.stringify(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, counts: this.bounds.map(() => 0), sum: 0, count: 0 }));
    this.bounds.forEach((b, i) => {
      if (value <= b) s!.counts[i]!++;
    });
    s.sum += value;
    s.count++;
  }

  family(name: string, help: string): Family {
    const samples: Family['samples'] = [];
    for (const s of this.series.values()) {
      this.bounds.forEach((b, i) => samples.push({ name: `${name}_bucket`, labels: { ...s.labels, le: String(b) }, value: s.counts[i]! }));
      samples.push({ name: `${name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count });
      samples.push({ name: `${name}_sum`, labels: s.labels, value: s.sum });
      samples.push({ name: `${name}_count`, labels: s.labels, value: s.count });
    }
    return { name, help, type: 'histogram', samples };
  }
}
