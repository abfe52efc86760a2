#!/usr/bin/env bash
# One command for a machine with a GPU and no browser (issue 18): installs the `webgpu` npm package (Dawn's
# Node bindings; not a dependency of the app) into a temporary folder, then runs bench/gpu/webgpu_bench.ts
# on the tfjs WebGPU backend and prints ONE JSON line: the adapter, BERT forward throughput (default
# BERT-base, batch 32, length 128) and a 5 × 5 surface over 64 examples. Extra arguments go to the bench
# (e.g. `--layers 2 --hidden 128 --vocab 1000` for a quick check on a software adapter).
#
#   bench/gpu/run.sh [bench flags]
#   bench/gpu/run.sh lda [flags]    # Word2Sense's LDA instead (bench/gpu/lda_bench.ts: WGSL sparse kernels,
#                                   # the CSR/dense crossover, seconds per pass on the six corpora)
#   WEBGPU_DIR=/path/with/node_modules/webgpu bench/gpu/run.sh   # reuse an installed copy (offline machines)
#
# No Vulkan loader on the machine (e.g. a CPU-only box): if Chromium's bundled loader and SwiftShader ICD
# exist (/usr/lib/chromium), they are used, so the script still runs — on a software adapter, which the
# JSON names ("swiftshader"). Never used by the tests.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="${WEBGPU_DIR:-}"
if [ -z "$DIR" ]; then
  DIR="$(mktemp -d -t sensescape-webgpu-XXXXXX)"
  trap 'rm -rf "$DIR"' EXIT
  npm install --prefix "$DIR" --no-save --no-audit --no-fund --loglevel=error webgpu@0.6.2 >&2
fi
ENTRY="$DIR/node_modules/webgpu/index.js"
[ -f "$ENTRY" ] || { echo "bench/gpu/run.sh: $ENTRY is missing (npm install webgpu failed?)" >&2; exit 1; }
if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' && [ -f /usr/lib/chromium/libvulkan.so.1 ]; then
  echo "bench/gpu/run.sh: no system Vulkan loader; using Chromium's with SwiftShader (a software adapter)" >&2
  export LD_LIBRARY_PATH="/usr/lib/chromium${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export VK_ICD_FILENAMES="${VK_ICD_FILENAMES:-/usr/lib/chromium/vk_swiftshader_icd.json}"
fi
cd "$ROOT"
BENCH=bench/gpu/webgpu_bench.ts
if [ "${1:-}" = lda ]; then
  BENCH=bench/gpu/lda_bench.ts
  shift
fi
WEBGPU_MODULE="$ENTRY" npx tsx "$BENCH" "$@"
