#!/usr/bin/env bash
# Runs the train-step benchmark of our engine and of PyTorch (all-positions and masked-only MLM head) back to back,
# with the same config, batch and thread count, then the encoder's inference pass of both.
# Usage: Benchmarks/compare-train-step.sh [STEPS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-5}
threads=${2:-$(nproc)}
dotnet build Benchmarks -c Release --nologo -v quiet > /dev/null
dotnet Benchmarks/bin/Release/net10.0/MiniBioBert.Benchmarks.dll train-step --steps "$steps" --threads "$threads"
for head in all masked; do
  OMP_NUM_THREADS=$threads /usr/bin/python3 Benchmarks/pytorch_train_step.py --steps "$steps" --threads "$threads" --mlm-head "$head"
done
dotnet Benchmarks/bin/Release/net10.0/MiniBioBert.Benchmarks.dll inference --steps "$((steps * 2))" --threads "$threads"
OMP_NUM_THREADS=$threads /usr/bin/python3 Benchmarks/pytorch_train_step.py --steps "$((steps * 2))" --threads "$threads" --inference
