#!/bin/sh
# Makes the bundled demo (public/demo/) from the project's shared data (../shared/data), then measures
# the landscape phenomena the README reports (docs/demo/). Re-runnable; every step is seeded.
#   sh tools/demo/make_demo.sh [senses|landscape|finetune|measure|all]      (default all)
# Needs Node (this repository, npm installed) and, for the landscape checkpoints, Debian python3-torch.
set -e
STEP=${1:-all}
D=../shared/data/corpora
OUT=public/demo

if [ "$STEP" = senses ] || [ "$STEP" = all ]; then
  # Word2Sense on six corpora (11.2M tokens; moby-dick is left out: gutenberg contains it).
  # The paper's K = 300 senses → K' = 225, V = 20,000 words, w2s train's defaults otherwise (online VB,
  # random start, 30 passes) apart from µ = 30 active senses per word (75 would not fit the 30 MB demo
  # budget) and beta/theta in F16; two E-step threads (float sums are deterministic per thread count).
  mkdir -p "$OUT/senses"
  node bin/sensescape.mjs w2s train \
    --corpus $D/brown.txt.gz $D/sotu.txt.gz $D/reuters.txt.gz $D/gutenberg.txt.gz $D/wordnet-glosses.txt.gz $D/newsgroups.txt.gz \
    --out "$OUT/senses/word2sense-demo.safetensors" --senses 300 --max-vocab 20000 --nnz 30 --threads 2 \
    --iters "${W2S_ITERS:-30}" --max-seconds "${W2S_MAX_SECONDS:-1200}" --beta-dtype F16 --theta-dtype F16 \
    --log "$OUT/senses/training-log.jsonl" --json
fi

if [ "$STEP" = landscape ] || [ "$STEP" = all ]; then
  # 4-layer, 128-wide BERT: MLM pretraining and the random initialisation (tools/demo/make_landscape_demo.py,
  # PyTorch, seeded), then SST-2 and MRPC fine-tuning (with trajectory checkpoints) and SST-2 from the
  # random initialisation with `sensescape bert finetune` (tools/demo/finetune_demo.ts).
  TMP=$(mktemp -d)
  /usr/bin/python3 tools/demo/make_landscape_demo.py "$TMP" --threads "${THREADS:-2}" --pretrain-only
  rm -rf "$OUT/landscape" && mkdir -p "$OUT/landscape"
  rm -f "$TMP/vocab.txt"  # every checkpoint folder has its own copy
  cp -r "$TMP"/* "$OUT/landscape/"
  rm -rf "$TMP"
fi

if [ "$STEP" = landscape ] || [ "$STEP" = finetune ] || [ "$STEP" = all ]; then
  npx tsx tools/demo/finetune_demo.ts "$OUT/landscape"
fi

if [ "$STEP" = measure ] || [ "$STEP" = all ]; then
  npx tsx tools/demo/measure_phenomena.ts "$OUT/landscape" docs/demo
fi
du -sh "$OUT"
