/**
 * GLUE-style TSV readers, for the files exactly as distributed: SST-2 (`sentence label`), CoLA (no
 * header, 4 columns), MRPC (`Quality #1 ID #2 ID #1 String #2 String`, UTF-8 BOM), RTE/WNLI
 * (`index sentence1 sentence2 label` with label strings), QNLI (`question sentence`), MNLI
 * (`gold_label`), QQP (`question1 question2 is_duplicate`), STS-B (`score`), and generic TSVs with
 * `sentence` or `sentence1`/`sentence2` plus `label`. The layout is detected from the header.
 * Fields are split on TAB only (GLUE files are unquoted: MRPC has stray `"`).
 */
import { InputError } from '../util/errors';

/** One labelled row; `label` is the raw string (class name, integer or score). */
export interface GlueRow {
  textA: string;
  textB?: string;
  label: string;
  /** 1-based line number in the file (for error messages). */
  line: number;
}

export interface GlueTable {
  /** Detected layout: 'SST-2', 'CoLA', 'MRPC', 'RTE', 'QNLI', 'MNLI', 'QQP', 'STS-B' or 'generic'. */
  task: string;
  rows: GlueRow[];
}

/** Label strings of GLUE tasks, in the order Hugging Face `datasets` uses (entailment=0, …). */
export const GLUE_LABELS: Record<string, number> = { entailment: 0, not_entailment: 1, neutral: 1, contradiction: 2 };

interface Layout {
  task: string;
  a: number;
  b?: number;
  label: number;
  header: boolean;
}

function detect(header: string[], fileName: string): Layout {
  const h = header.map((x) => x.trim().toLowerCase());
  const col = (...names: string[]): number => {
    for (const n of names) {
      const i = h.indexOf(n);
      if (i >= 0) return i;
    }
    return -1;
  };
  // CoLA: no header, `source label mark sentence`.
  if (header.length === 4 && /^[01]$/.test(header[1]) && /^\*?$/.test(header[2]))
    return { task: 'CoLA', a: 3, label: 1, header: false };
  const label = (task: string, a: number, b: number | undefined, ...names: string[]): Layout => {
    const l = col(...names);
    if (l < 0)
      throw new InputError(
        `${fileName}: no ${names[0]} column in the header (GLUE test files are unlabelled; the loss needs labels)`,
      );
    return { task, a, b, label: l, header: true };
  };
  if (col('#1 string') >= 0 && col('#2 string') >= 0)
    return label('MRPC', col('#1 string'), col('#2 string'), 'quality', 'label');
  if (col('question1') >= 0 && col('question2') >= 0)
    return label('QQP', col('question1'), col('question2'), 'is_duplicate', 'label');
  if (col('question') >= 0 && col('sentence') >= 0) return label('QNLI', col('question'), col('sentence'), 'label');
  if (col('sentence1') >= 0 && col('sentence2') >= 0) {
    if (col('gold_label') >= 0) return label('MNLI', col('sentence1'), col('sentence2'), 'gold_label');
    if (col('score') >= 0) return label('STS-B', col('sentence1'), col('sentence2'), 'score');
    return label(col('index') === 0 ? 'RTE' : 'generic', col('sentence1'), col('sentence2'), 'label');
  }
  if (col('sentence') >= 0)
    return label(h.length === 2 && col('label') === 1 ? 'SST-2' : 'generic', col('sentence'), undefined, 'label');
  throw new InputError(
    `${fileName}: cannot tell the layout from the first line (want a header with sentence or sentence1/sentence2 and label, or CoLA's 4 columns)`,
  );
}

/** Parses a GLUE or generic TSV. */
export function parseGlueTsv(text: string, fileName: string): GlueTable {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new InputError(`${fileName}: empty file`);
  const layout = detect(lines[0].split('\t'), fileName);
  const need = Math.max(layout.a, layout.b ?? 0, layout.label) + 1;
  const rows: GlueRow[] = [];
  for (let i = layout.header ? 1 : 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const f = lines[i].split('\t');
    if (f.length < need)
      throw new InputError(
        `${fileName}: line ${i + 1} has ${f.length} fields, the ${layout.task} layout needs ${need}`,
      );
    const row: GlueRow = { textA: f[layout.a], label: f[layout.label].trim(), line: i + 1 };
    if (layout.b !== undefined) row.textB = f[layout.b];
    rows.push(row);
  }
  return { task: layout.task, rows };
}
