#!/bin/sh
# Person-disjoint 3-fold cross-validation of the faces recipe (models/faces.md):
# fold A holds out s1-s10, B s11-s20, C s21-s30; each fold trains on the other
# 20 people (one thread, as the recipe does) and is evaluated by `edge eval` on
# its held-out people. Extra arguments go to train.py (e.g. --set composites=16).
#
#   models/recipe/cv_faces.sh NAME [train.py args...]
#
# Writes models/.work/cv/NAME/ (fold models, logs, evalX.json) and prints each
# fold's figures, their mean and spread, and the mean FAR-0.1% threshold (the
# one the shipped all-30 model uses). About 2-4 minutes a fold.
set -eu
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/usr/bin/python3}
DATA=${EDGE_DATA:-../shared/data}  # the data folder, as for the tests and train.py
name=${1:?usage: cv_faces.sh NAME [train.py args...]}
shift
out=models/.work/cv/$name
mkdir -p "$out"
go build -o models/.work/edge ./cmd/edge
seq_list() { first=$1; last=$2; s=""; i=$first; while [ "$i" -le "$last" ]; do s="$s${s:+,}$i"; i=$((i+1)); done; echo "$s"; }
for f in A B C; do
  case $f in
    A) lo=1; hi=10; tr="[$(seq_list 11 30)]";;
    B) lo=11; hi=20; tr="[$(seq_list 1 10),$(seq_list 21 30)]";;
    C) lo=21; hi=30; tr="[$(seq_list 1 20)]";;
  esac
  data=models/.work/data/att-faces-fold$f
  if [ ! -d "$data" ]; then
    mkdir -p "$data"
    i=$lo; while [ "$i" -le "$hi" ]; do cp -r "$DATA/att-faces/s$i" "$data/"; i=$((i+1)); done
  fi
  PYTHONPATH=models "$PY" -m recipe.train faces --set "train_people=$tr" --set "heldout_people=[$(seq_list $lo $hi)]" \
    --onnx "$out/fold$f.onnx" --work "$out/fold$f" --parity-dir "$out/fold$f" "$@" > "$out/fold$f.log" 2>&1 ||
    { echo "fold $f failed: see $out/fold$f.log" >&2; exit 1; }
  models/.work/edge eval --model "$out/fold$f.onnx" --data "$data" --json --threads 1 > "$out/eval$f.json"
done
"$PY" - "$out" <<'PYEOF'
import json, statistics as st, sys
out = sys.argv[1]
rows = []
for f in "ABC":
    e = json.load(open(f"{out}/eval{f}.json"))
    m = json.load(open(f"{out}/fold{f}/metrics.json"))
    rows.append((e["oneshot_nway_acc"], e["auc"], e["eer"], e["tar_at_far1"], m["threshold"]["value"]))
    print("fold %s  10-way %.1f%%  AUC %.4f  EER %.1f%%  TAR@FAR1%% %.1f%%  threshold %.4f" % (f, 100*rows[-1][0], rows[-1][1], 100*rows[-1][2], 100*rows[-1][3], rows[-1][4]))
c = list(zip(*rows))
print("mean    10-way %.1f±%.1f%%  AUC %.4f  EER %.1f±%.1f%%  TAR@FAR1%% %.1f±%.1f%%  threshold %.4f" % (
    100*st.mean(c[0]), 100*st.stdev(c[0]), st.mean(c[1]), 100*st.mean(c[2]), 100*st.stdev(c[2]),
    100*st.mean(c[3]), 100*st.stdev(c[3]), st.mean(c[4])))
PYEOF
