#!/usr/bin/env bash
# Prompt-to-Prompt Studio GPU benchmark pack (written by `npm run gpu-pack`). Runs on a bare Linux x64 machine
# with an NVIDIA driver (Vulkan ICD) and, for the native anchor, python3 with torch: nothing is downloaded.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
usage() {
  cat <<'EOF'
usage: bash run.sh [--out DIR] [--ep webgpu,cuda] [--scale full|mini] [--steps 50] [--rounds 10] [--calls 3]
                   [--budget-s 420] [--work DIR]
  --out DIR      results.json, results.md, benchmarks-gpu.svg, anchor.json (default: ./gpu-pack-results)
  --ep LIST      onnxruntime-node execution providers to try in order (default webgpu,cuda; cpu = dry run)
  --scale        full: SD 1.5's shapes, fp16 UNet (default); mini: SD's structure at small widths (dry run)
  --steps N      PNDM steps of the full generations (default 50)
  --budget-s N   the benchmark stops starting new rounds after N seconds (default 420)
  --work DIR     where the weights (2.4 GB at full scale) and the unpacked runtime go (default: a temp folder)
  environment: PYTHON (default python3) for anchor.py; VK_DRIVER_FILES if the NVIDIA ICD is not found
EOF
}

OUT="$PWD/gpu-pack-results"; EP="webgpu,cuda"; SCALE="full"; STEPS=50; ROUNDS=10; CALLS=3; BUDGET=420; WORK=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --ep) EP="$2"; shift 2 ;;
    --scale) SCALE="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --calls) CALLS="$2"; shift 2 ;;
    --budget-s) BUDGET="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || { echo "run.sh: this pack holds Linux x64 binaries" >&2; exit 1; }
command -v xz >/dev/null || { echo "run.sh: xz is needed to unpack node and onnxruntime" >&2; exit 1; }
[ -n "$WORK" ] || WORK="$(mktemp -d "${TMPDIR:-/tmp}/p2p-gpu-pack.XXXXXX")"
mkdir -p "$OUT" "$WORK"
OUT="$(cd "$OUT" && pwd)"; WORK="$(cd "$WORK" && pwd)"
RT="$WORK/runtime"
rm -rf "$RT"; mkdir -p "$RT"

echo "unpacking node and onnxruntime-node into $RT …" >&2
xz -dc "$HERE/bin/node.xz" > "$RT/node"; chmod +x "$RT/node"
cp -r "$HERE/node_modules" "$RT/node_modules"
find "$RT/node_modules" -name '*.xz' -exec xz -d {} +
cp "$HERE/bench.mjs" "$RT/bench.mjs"

# The Vulkan loader: the machine's own if it has one, else Debian's libvulkan1 from the pack.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  for deb in "$HERE"/debs/*.deb; do
    [ -f "$deb" ] || continue
    if command -v dpkg >/dev/null; then dpkg -x "$deb" "$RT/vulkan"
    elif command -v ar >/dev/null; then mkdir -p "$RT/vulkan" && (cd "$RT/vulkan" && ar p "$deb" data.tar.xz | tar -xJ)
    else echo "run.sh: neither dpkg nor ar to unpack $deb; WebGPU needs libvulkan.so.1" >&2; fi
  done
  [ -d "$RT/vulkan" ] && export LD_LIBRARY_PATH="$RT/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; break; fi
  done
fi
GPU="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1 || true)"
echo "GPU: ${GPU:-none found}; Vulkan ICD: ${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-default search}}" >&2

exec "$RT/node" "$RT/bench.mjs" --out "$OUT" --work "$WORK" --skeletons "$HERE/skeletons" --ep "$EP" --scale "$SCALE" \
  --steps "$STEPS" --rounds "$ROUNDS" --calls "$CALLS" --budget-s "$BUDGET" --python "${PYTHON:-python3}" \
  --anchor "$HERE/python/anchor.py" --model-py "$HERE/python" ${GPU:+--gpu "$GPU"}
