#!/usr/bin/env bash
# The one command that runs every test (README): infrastructure check, install, build, typecheck,
# then unit, integration (real Postgres + NATS) and end-to-end (the whole stack as processes) tiers.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true

bash infra/scripts/setup-native.sh
bash infra/scripts/install.sh
# No production dependency with a known high or critical vulnerability (warns when the advisory endpoint is unreachable).
bash infra/scripts/audit-deps.sh
npm run -s build
npx tsc -p tsconfig.json --noEmit
npx jest --selectProjects unit --ci
npx jest --selectProjects int --ci --runInBand
npx jest --selectProjects e2e --ci --runInBand
# The fault bench on the live stack (docs/reliability.md): exits non-zero when a check fails.
npm run -s bench:faults
