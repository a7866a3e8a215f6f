#!/usr/bin/env bash
# The main job on a fresh machine: set up, then masked-reconstruction
# pretraining + fine-tune + metrics (python -m ssrl_ecg demo). Extra arguments go
# to the demo, e.g. --device cuda.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m ssrl_ecg demo "$@"
