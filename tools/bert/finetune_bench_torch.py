"""PyTorch side of bench/bert/finetune_vs_torch.ts: AdamW fine-tuning steps per second.

  finetune_bench_torch.py DIR TSV STEPS L B   fine-tunes DIR (reference.py's BertForSequenceClassification) on the
      first STEPS·B rows of TSV (max length L, batch B, file order, dropout 0), torch.optim.AdamW lr 2e-5 with
      get_linear_schedule_with_warmup's factor (warmup 0, T = STEPS + 1 updates, as `bert finetune` runs them),
      clip_grad_norm_(1.0), torch.set_num_threads(2); one warm-up step, then STEPS timed updates. Prints one JSON line.
"""
import json
import resource
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402


def main(d, tsv, steps, max_length, batch):
    torch.set_num_threads(2)
    model, tok, cfg = R.load_checkpoint_dir(d)
    model.eval()  # dropout off, as `--dropout 0` (eval and train mode differ only by dropout here)
    examples = R.read_tsv_examples(tsv, cfg.label2id)[:(steps + 1) * batch]
    batches = R.encode_batches(tok, examples, max_length, batch)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-5, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    total = steps + 1
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, (total - s) / total))
    losses = []

    def step(b):
        ids, mask, tt, labels = b
        opt.zero_grad()
        _, logits = model(ids, mask, tt)
        loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())

    step(batches[0])  # warm-up
    t0 = time.perf_counter()
    for b in batches[1:steps + 1]:
        step(b)
    s = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: kilobytes
    print(json.dumps({'steps': steps, 'seconds': s, 'steps_per_s': steps / s, 'losses': losses,
                      'threads': torch.get_num_threads(), 'torch': torch.__version__,
                      'peak_rss_mb': peak_kb / 1024}))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
