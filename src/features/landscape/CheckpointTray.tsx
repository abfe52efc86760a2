/**
 * Bring checkpoints: drop folders or files; each top-level folder is one checkpoint. Each card shows
 * what was identified (layers, width, parameters, dtype, SHA-256), where it is kept (saved in this
 * browser, or in memory only with the reason) and in which precision the worker holds it (F32, or F16
 * on request: half the memory, said on each card), and lets the user assign its role.
 */
import { loadLandscapeDemo } from '../../state/demo';
import { DemoButton } from '../shared/DemoButton';
import { FileDrop, type PickedFile } from '../shared/FileDrop';
import { ROLE_LABELS, useLandscape, type Role } from '../../state/landscape';
import type { CheckpointEntry } from '../../state/landscapeTypes';
import type { HoldDtype } from '../../workers/contracts/landscape';
import { formatBytes } from '../../state/storageFit';
import { trayMemory } from '../../state/trayMemory';

/** Groups picked files into checkpoints by their top folder (loose files form one checkpoint). */
export function groupByFolder(files: PickedFile[]): { name: string; files: File[] }[] {
  const groups = new Map<string, File[]>();
  for (const { file, path } of files) {
    const parts = path.split('/').filter(Boolean);
    const folder = parts.length > 1 ? parts[parts.length - 2] : 'dropped files';
    groups.set(folder, [...(groups.get(folder) ?? []), file]);
  }
  return [...groups].map(([name, fs]) => ({ name, files: fs }));
}

const ROLES: Role[] = ['origin', 'taskA', 'taskB', 'random', 'scratch', 'trajectory', 'none'];

export function CheckpointTray() {
  const { checkpoints, addCheckpointFiles, setRole, removeCheckpoint, validation } = useLandscape();
  return (
    <section className="card" aria-labelledby="ckpt-title" data-testid="checkpoints">
      <h2 id="ckpt-title">Checkpoints</h2>
      <FileDrop
        label="Drop BERT checkpoint folders (config.json, vocab.txt, model.safetensors / pytorch_model.bin / sharded index)"
        folders
        testId="checkpoint-drop"
        onFiles={(files) => void addCheckpointFiles(groupByFolder(files))}
      />
      <DemoButton
        label="Load the demo checkpoints"
        testId="landscape-demo"
        load={loadLandscapeDemo}
        hint="A 4-layer, 128-wide BERT pretrained on public corpora, fine-tuned on SST-2 and MRPC, its trajectory, and the same model trained from scratch; with SST-2 examples."
      />
      <HoldChoice />
      <ul className="ckpt-list">
        {checkpoints.map((c) => (
          <li key={c.id} className="ckpt" data-testid={`checkpoint-${c.name}`} data-status={c.status}>
            <div className="row">
              <strong>{c.name}</strong>
              <label>
                <span className="visually-hidden">role of {c.name}</span>
                <select
                  value={c.role}
                  onChange={(e) => setRole(c.id, e.target.value as Role)}
                  data-testid={`role-${c.name}`}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {ROLE_LABELS[r]}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" onClick={() => removeCheckpoint(c.id)} aria-label={`remove ${c.name}`}>
                ×
              </button>
            </div>
            <StorageLine c={c} />
            <HoldLine c={c} />
            {c.status === 'loading' && <p className="hint">reading and validating…</p>}
            {c.status === 'error' && (
              <p className="error" role="alert">
                {c.error}
              </p>
            )}
            {c.summary && (
              <p className="hint">
                {c.summary.layers} layers × {c.summary.hidden} wide, {(c.summary.parameters / 1e6).toFixed(2)} M
                parameters, {c.summary.dtype}
                {c.summary.hasHead ? `, head: ${c.summary.labels.join(' / ')}` : ', no task head'} · SHA-256{' '}
                <code title={c.summary.sha256}>{c.summary.sha256.slice(0, 12)}…</code>
              </p>
            )}
          </li>
        ))}
      </ul>
      <TrayMemoryLine />
      {validation && (
        <p
          className={validation.ok ? 'ok' : 'error'}
          role={validation.ok ? 'status' : 'alert'}
          data-testid="validation"
        >
          {validation.ok ? '✓ ' : '✗ '}
          {validation.message}
        </p>
      )}
    </section>
  );
}

/** The precision the worker holds weights in between analyses, with what F16 costs in values. */
function HoldChoice() {
  const hold = useLandscape((s) => s.settings.hold);
  const setHold = useLandscape((s) => s.setHold);
  const note = useLandscape((s) => s.holdNote);
  return (
    <div className="hold-choice">
      <label>
        Hold weights in the worker as{' '}
        <select value={hold} onChange={(e) => void setHold(e.target.value as HoldDtype)} data-testid="hold-dtype">
          <option value="F32">F32 (as computed)</option>
          <option value="F16">F16 (half the memory)</option>
        </select>
      </label>
      <p className="hint">
        F16 halves what each checkpoint takes between analyses; analyses widen it back to F32 while they run. F16 files
        are held exactly; F32 weights are rounded to F16 (each value changes by at most 2⁻¹¹ of itself), so results can
        differ slightly from the F32 ones.
      </p>
      {note && (
        <p className={note.state === 'failed' ? 'error' : 'hint'} role="status" data-testid="hold-note">
          {note.message}
        </p>
      )}
    </div>
  );
}

/** What the tray's weights take in the worker, with a warning near the device's reported memory. */
function TrayMemoryLine() {
  const checkpoints = useLandscape((s) => s.checkpoints);
  const ready = checkpoints.flatMap((c) => (c.summary ? [c.summary] : []));
  if (ready.length === 0) return null;
  const device = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  const m = trayMemory(ready, device);
  return (
    <p
      className={m.tight ? 'warning' : 'hint'}
      role={m.tight ? 'status' : undefined}
      data-testid="tray-memory"
      data-held-bytes={m.heldBytes}
      data-tight={String(m.tight)}
    >
      {m.message}
    </p>
  );
}

/** One line saying in which precision the worker holds a checkpoint, and whether its values were rounded. */
function HoldLine({ c }: { c: CheckpointEntry }) {
  const hold = c.summary?.hold;
  if (!hold) return null;
  const what =
    hold.dtype === 'F32'
      ? 'as F32'
      : hold.rounded
        ? `as F16, rounded from F32 (‖Δθ‖/‖θ‖ = ${hold.relativeChange.toExponential(1)})`
        : 'as F16, exactly (F16 weights)';
  return (
    <p
      className={hold.rounded ? 'warning' : 'hint'}
      data-testid={`checkpoint-hold-${c.name}`}
      data-dtype={hold.dtype}
      data-rounded={String(hold.rounded)}
      data-bytes={hold.bytes}
    >
      held in the worker {what}: {formatBytes(hold.bytes)}
    </p>
  );
}

/** One line saying where a checkpoint's files are kept. */
function StorageLine({ c }: { c: CheckpointEntry }) {
  if (!c.storage) return null;
  const { stored, bytes, note } = c.storage;
  return (
    <p
      className={stored ? 'hint' : 'warning'}
      role={stored ? undefined : 'status'}
      data-testid={`checkpoint-storage-${c.name}`}
      data-stored={String(stored)}
      data-bytes={bytes}
    >
      {stored ? `saved in this browser (${formatBytes(bytes)})` : note}
    </p>
  );
}
