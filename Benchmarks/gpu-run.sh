#!/usr/bin/env bash
# The one prepared script for a lent GPU machine (no .NET SDK there; see docs/gpu.md, "Running on a lent GPU").
# Here, once:   ../shared/gpu/pack.sh Benchmarks
# On the device (carry [".gpu"]):   source .gpu/run-prefix.sh && bash Benchmarks/gpu-run.sh
#
# It runs, in this order, each with its own log under $OUT:
#   accelerators     device-check --list (what ILGPU finds; without libcuda.so it lists no cuda) and nvidia-smi
#   device-check     every kernel and three tiny training steps on $DEVICE against the CPU (exit 0 = all OK)
#   gemm             gpu-gemm --device $DEVICE: our GEMM and cuBLAS on the model's products (GFLOP/s, % of peak)
#   train-step-bN    train-step --device $DEVICE --batch N --steps $STEPS, for N in $BATCHES
#   inference        inference --device $DEVICE
# One command failing does not stop the others: summary.txt records each exit code (124 = stopped by its time
# limit) and duration. Everything stops before $BUDGET_S seconds in all (default 520: under 9 minutes): each command
# gets the smaller of its own cap and the time left to the shared deadline, and is skipped with under 15 s left.
#
# Environment (defaults for the GPU): DEVICE=cuda, BATCHES="32 128" (empty: no train-step), SEQ=128, STEPS=5, WARMUP (train-step's own
# default), GEMM_ARGS (extra gpu-gemm options, e.g. smaller sizes), INFERENCE_ARGS (extra inference options), BUDGET_S=520, OUT (the device tool sets it; else ./gpu-run-out),
# APP (the program; else taken from the unpacked publish of .gpu/run-prefix.sh, which does not export it).
set -uo pipefail

DEVICE=${DEVICE:-cuda}
BATCHES=${BATCHES-32 128}
SEQ=${SEQ:-128}
STEPS=${STEPS:-5}
WARMUP=${WARMUP:-}
GEMM_ARGS=${GEMM_ARGS:-}
INFERENCE_ARGS=${INFERENCE_ARGS:-}
BUDGET_S=${BUDGET_S:-520}
OUT=${OUT:-$PWD/gpu-run-out}
mkdir -p "$OUT"
summary=$OUT/summary.txt
: > "$summary"
deadline=$((SECONDS + BUDGET_S))

# The program: $APP, else the publish that .gpu/run-prefix.sh unpacked (its APP is a shell variable that a child
# bash does not see), else source the prefix here.
if [ -z "${APP:-}" ]; then
  config=$(ls /tmp/gpuapp/app/*.runtimeconfig.json 2>/dev/null | head -n 1)
  if [ -n "$config" ]; then
    APP="dotnet ${config%.runtimeconfig.json}.dll"
  elif [ -f .gpu/run-prefix.sh ]; then
    # shellcheck disable=SC1091
    source .gpu/run-prefix.sh
  fi
fi
if [ -z "${APP:-}" ]; then
  echo "gpu-run: no APP and no .gpu/run-prefix.sh (run ../shared/gpu/pack.sh Benchmarks first)" | tee -a "$summary"
  exit 2
fi
read -ra app <<< "$APP"
echo "gpu-run: APP=$APP DEVICE=$DEVICE BATCHES=\"$BATCHES\" SEQ=$SEQ STEPS=$STEPS BUDGET_S=$BUDGET_S OUT=$OUT" | tee -a "$summary"

# run NAME CAP_S COMMAND...: COMMAND's stdout and stderr into $OUT/NAME.log, its exit code and time into summary.txt.
run() {
  local name=$1 cap=$2
  shift 2
  local left=$((deadline - SECONDS))
  if [ "$left" -lt 15 ]; then
    echo "$name: skipped, ${left} s left of ${BUDGET_S} s" | tee -a "$summary"
    return 0
  fi
  local limit=$((cap < left ? cap : left)) start=$SECONDS rc=0
  echo "\$ $*" > "$OUT/$name.log"
  timeout --kill-after=10 "$limit" "$@" >> "$OUT/$name.log" 2>&1 || rc=$?
  echo "$name: exit $rc in $((SECONDS - start)) s (limit $limit s)$([ "$rc" -eq 124 ] && echo ', timed out')" | tee -a "$summary"
  return 0
}

warmup=()
[ -n "$WARMUP" ] && warmup=(--warmup "$WARMUP")

run accelerators 60 bash -c '"$@" device-check --list; command -v nvidia-smi >/dev/null && nvidia-smi; true' _ "${app[@]}"
run device-check 240 "${app[@]}" device-check --device "$DEVICE"
# shellcheck disable=SC2086
run gemm 90 "${app[@]}" gpu-gemm --device "$DEVICE" $GEMM_ARGS
for batch in $BATCHES; do
  run "train-step-b$batch" 150 "${app[@]}" train-step --device "$DEVICE" --batch "$batch" --seq "$SEQ" --steps "$STEPS" "${warmup[@]}"
done
# shellcheck disable=SC2086
run inference 120 "${app[@]}" inference --device "$DEVICE" --seq "$SEQ" $INFERENCE_ARGS

echo "gpu-run: done in $SECONDS s; logs in $OUT" | tee -a "$summary"
tail -n 3 "$OUT"/device-check.log 2>/dev/null
grep -h '^{' "$OUT"/train-step-b*.log "$OUT"/inference.log 2>/dev/null
grep -h -e '^gpu-gemm' -e ' OK$' -e ' FAIL$' "$OUT"/gemm.log 2>/dev/null
exit 0
