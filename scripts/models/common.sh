# Sourced by run_hh.sh, run_gsm.sh and run_pb.sh with their arguments DATA_DIR OUT_DIR: sets D, O and RK
# (the rewardkit binary), one engine thread per process, and the training step they share.
set -euo pipefail
D=$1; O=$2; RK=${RK:-.build-models/release/rewardkit}
export REWARDKIT_ENGINE_THREADS=${REWARDKIT_ENGINE_THREADS:-1}
mkdir -p "$O"

# train_with_ensemble KIND DATA NAME: a single head in $O/NAME and a 5-member bootstrap ensemble in
# $O/NAME-ens5, trained on $D/DATA; reports in $O/train-TAG.json and $O/train-TAG-ens5.json (TAG = NAME
# without its "KIND-" prefix).
train_with_ensemble() {
  local kind=$1 data=$2 name=$3 tag=${3#"$1"-}
  $RK train "$kind" --model smollm2-135m-instruct --data "$D/$data" --out "$O/$name" --val-split 0.1 --seed 0 --threads 1 > "$O/train-$tag.json"
  $RK train "$kind" --model smollm2-135m-instruct --data "$D/$data" --out "$O/$name-ens5" --val-split 0.1 --seed 0 --ensemble 5 --bootstrap --threads 1 > "$O/train-$tag-ens5.json"
}
