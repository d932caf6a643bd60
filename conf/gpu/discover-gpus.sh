#!/usr/bin/env bash
# Spark's GPU discovery script (spark.executor.resource.gpu.discoveryScript, or
# spark.worker.resource.gpu.discoveryScript on a standalone Worker): prints the GPUs of this node as
#   {"name": "gpu", "addresses": ["0", "1"]}
# It fails (and Spark refuses to start the executor, saying so) when nvidia-smi is missing or sees no GPU.
set -euo pipefail
if ! command -v nvidia-smi > /dev/null; then
  echo "discover-gpus.sh: nvidia-smi not found: is the NVIDIA driver installed on this node?" >&2
  exit 1
fi
mapfile -t indexes < <(nvidia-smi --query-gpu=index --format=csv,noheader | tr -d ' ' | grep -E '^[0-9]+$')
if (( ${#indexes[@]} == 0 )); then
  echo "discover-gpus.sh: nvidia-smi lists no GPU" >&2
  exit 1
fi
printf '{"name": "gpu", "addresses": [%s]}\n' "$(printf '"%s",' "${indexes[@]}" | sed 's/,$//')"
