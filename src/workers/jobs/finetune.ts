/**
 * Fine-tuning jobs for the studio's Fine-tune panel: resolve the ids of the opened origin checkpoint
 * and data files (jobs/landscape.ts), build the inputs as the CLI does (engine/bert/finetune/inputs.ts),
 * and call the SAME engine loop as `sensescape bert finetune` (runFinetune). The CLI's sink writes
 * folders to disk; this one keeps each saved folder's bytes until the store takes them
 * (`ftTakeCheckpoints`) to put them in the tray and IndexedDB.
 */
import { runFinetune } from '../../engine/bert/finetune/finetune';
import { finetuneExamples, finetuneHyper } from '../../engine/bert/finetune/inputs';
import { readResumeState } from '../../engine/bert/finetune/resume';
import { blobSource, type ByteSource } from '../../engine/io/bytes';
import type { Progress } from '../../engine/util/progress';
import type { FinetuneJobs, LogEntry, SavedFolder } from '../contracts/finetune';
import type { JobHandlers } from '../host';
import { checkpoint } from './heldCheckpoints';
import { dataFile } from './landscape';

/** Saved folders not yet taken, by run. */
const waiting = new Map<string, SavedFolder[]>();

const text = (d: { name: string; bytes: Uint8Array }) => ({ name: d.name, text: new TextDecoder().decode(d.bytes) });

export const finetuneHandlers: JobHandlers<FinetuneJobs> = {
  async ftRun(req, ctx) {
    const origin = checkpoint(req.origin, 'origin');
    const { train, dev } = finetuneExamples(
      origin,
      text(dataFile(req.train)),
      req.dev ? text(dataFile(req.dev)) : undefined,
      req.maxExamples,
    );
    // The panel's max length is a ceiling (as in the landscape jobs): clamped to the origin's position embeddings.
    const maxLength = Math.min(req.hyper.maxLength ?? 128, origin.config.maxPositionEmbeddings);
    const hp = finetuneHyper(origin, { ...req.hyper, maxLength });
    let resume;
    if (req.resume) {
      const files = new Map<string, ByteSource>(req.resume.map((f) => [f.name, blobSource(f, f.name)]));
      resume = await readResumeState(files, 'the saved checkpoint');
    }
    const log: LogEntry[] = [...(resume?.log ?? [])];
    let saved = 0;
    let last: Progress | null = null;
    const report = () => {
      if (last) ctx.progress({ ...last, log: [...log], saved });
    };
    waiting.set(req.run, waiting.get(req.run) ?? []);
    const r = await runFinetune(
      { origin, train, dev },
      hp,
      {
        token: ctx.token,
        onProgress: (p) => {
          last = p;
          report();
        },
        onLog: (e) => log.push(e),
        onCheckpoint: async (folder, files) => {
          const step = Number(/^step-(\d+)$/.exec(folder)?.[1] ?? log.at(-1)?.step ?? 0);
          // config.json and vocab.txt are the same buffers in every folder: copy the small files, since
          // taking a folder transfers (detaches) its buffers.
          const own = new Map([...files].map(([n, b]) => [n, b.byteLength < 1 << 24 ? b.slice() : b]));
          waiting.get(req.run)?.push({ folder, step, files: own });
          saved++;
          report();
        },
      },
      resume,
    );
    return { steps: r.steps, final_loss: r.final_loss, checkpoints: r.checkpoints, seconds: r.seconds, log };
  },

  async ftTakeCheckpoints({ run }) {
    const out = waiting.get(run) ?? [];
    waiting.set(run, []);
    return out;
  },
};
