#!/bin/sh
# Word2Sense on the shared corpora next to the gensim skip-gram baseline (docs/word2sense.md).
# moby-dick.txt.gz is left out: gutenberg.txt.gz already contains Moby-Dick.
# Usage: [W2S_INIT=anchors|random|rows] sh bench/w2s/corpus_run.sh [K=100] [MAX_VOCAB=10000] [MAX_SECONDS=480] [OUT=/tmp/w2s-corpora.safetensors]
set -e
K=${1:-100}; MAXV=${2:-10000}; SECS=${3:-480}; OUT=${4:-/tmp/w2s-corpora.safetensors}
D=../shared/data
C="$D/corpora/brown.txt.gz $D/corpora/sotu.txt.gz $D/corpora/reuters.txt.gz $D/corpora/gutenberg.txt.gz $D/corpora/wordnet-glosses.txt.gz $D/corpora/newsgroups.txt.gz"
S="$D/word-similarity"
SETS="$S/EN-WS-353-ALL.txt $S/EN-MEN-TR-3k.txt $S/EN-SIMLEX-999.txt $S/EN-RW-STANFORD.txt $S/EN-MTurk-771.txt $S/EN-SimVerb-3500.txt"
nice -n 10 node bin/sensescape.mjs w2s train --corpus $C --out "$OUT" --senses "$K" --max-vocab "$MAXV" \
  --iters 100 --max-seconds "$SECS" --inner-iters 5 ${W2S_INIT:+--init $W2S_INIT} --log "${OUT%.safetensors}.jsonl" --json
nice -n 10 node bin/sensescape.mjs w2s similarity --model "$OUT" --pairs $SETS --json
nice -n 10 node bin/sensescape.mjs w2s entail --model "$OUT" --pairs $D/entailment/baroni2012-leds.tsv --json
for w in bank bass plant cell; do echo "== $w"; node bin/sensescape.mjs w2s senses --model "$OUT" --word $w --top 8; done
