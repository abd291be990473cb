#!/usr/bin/env bash
# Installs npm dependencies from the lock file when node_modules is missing or older than the lock.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[install] npm ci"
  # onnxruntime-node's postinstall would fetch CUDA libraries from outside the npm registry; its CPU
  # binaries are in the package (npm 11+ skips the script through package.json `allowScripts`).
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
else
  echo "[install] node_modules up to date"
fi
