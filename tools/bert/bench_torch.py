"""PyTorch side of bench/bert/loss_vs_torch.ts.

  bench_torch.py make DIR            writes a 4-layer x 256-wide BERT classifier (bert-base vocab, HF init,
                                     2 labels) as DIR/{config.json,model.safetensors,vocab.txt}
  bench_torch.py time DIR TSV N L B  loss of the checkpoint on the first N rows of TSV, max length L, batch B,
                                     torch.set_num_threads(2), eval mode, inference_mode; prints one JSON line
"""
import json
import os
import shutil
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402

SHARED = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'data'))


def make(d):
    os.makedirs(d, exist_ok=True)
    torch.manual_seed(0)
    cfg = R.BertConfig(vocab_size=30522, hidden_size=256, num_hidden_layers=4, num_attention_heads=4,
                       intermediate_size=1024, hidden_act='gelu', num_labels=2)
    model = R.BertForSequenceClassification(cfg)
    with open(os.path.join(d, 'config.json'), 'w') as f:
        json.dump(cfg.to_json(), f, indent=2)
    shutil.copy(os.path.join(SHARED, 'bert', 'vocab.txt'), os.path.join(d, 'vocab.txt'))
    state = {k: v for k, v in model.state_dict().items() if not k.endswith('position_ids')}
    R.write_safetensors(os.path.join(d, 'model.safetensors'), state, {'format': 'pt'})


def time_loss(d, tsv, n, max_length, batch):
    torch.set_num_threads(2)
    t0 = time.perf_counter()
    model, tok, cfg = R.load_checkpoint_dir(d)
    examples = R.read_tsv_examples(tsv, cfg.label2id)[:n]
    batches = R.encode_batches(tok, examples, max_length, batch)
    t_load = time.perf_counter() - t0
    with torch.inference_mode():
        R.evaluate_params(model, None, batches[:1])  # warm-up
        t1 = time.perf_counter()
        loss, acc, _ = R.evaluate_params(model, None, batches)
        t_eval = time.perf_counter() - t1
    print(json.dumps({'loss': loss, 'accuracy': acc, 'examples': len(examples), 'seq_len': max(b[0].shape[1] for b in batches),
                      'eval_s': t_eval, 'load_s': t_load, 'examples_per_s': len(examples) / t_eval, 'threads': torch.get_num_threads(),
                      'torch': torch.__version__}))


if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2])
    else:
        time_loss(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
