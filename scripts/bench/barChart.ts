// A horizontal bar chart as SVG text, for docs/benchmarks.md (a handful of bars per panel: written here rather
// than pulling a charting library into the dev dependencies for one static picture).

export interface Bar {
  label: string;
  value: number;
  /** Shown after the bar instead of the value. */
  note?: string;
}

export interface Panel {
  title: string;
  unit: string;
  bars: Bar[];
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export function barChartSvg(panels: Panel[], width = 760): string {
  const labelW = 300;
  const barMax = width - labelW - 110;
  const rowH = 22;
  const parts: string[] = [];
  let y = 10;
  for (const p of panels) {
    parts.push(`<text x="10" y="${y + 14}" font-weight="bold">${esc(p.title)}</text>`);
    y += 26;
    const max = Math.max(...p.bars.filter((b) => Number.isFinite(b.value)).map((b) => b.value), 1e-9);
    for (const b of p.bars) {
      const w = Number.isFinite(b.value) ? Math.max(1, (b.value / max) * barMax) : 0;
      parts.push(
        `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>`,
        `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="#4a7bd0"/>`,
        `<text x="${labelW + w + 6}" y="${y + 15}">${esc(b.note ?? (Number.isFinite(b.value) ? `${num(b.value)} ${p.unit}` : 'not measured'))}</text>`,
      );
      y += rowH;
    }
    y += 12;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif" font-size="13">`,
    `<rect width="${width}" height="${y}" fill="white"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
