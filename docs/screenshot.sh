#!/usr/bin/env bash
# Takes docs/dashboard-grains.png and docs/dashboard-overview.png: starts an embedded grid-silo, puts some load on KV, account and
# order-book grains with the grid CLI, and photographs the dashboard with headless Chromium
# (Debian package "chromium"). Run from the repository root after `dotnet build Grid.sln`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "needs chromium (apt-get install chromium)" >&2; exit 1; }
cfg=${CONFIGURATION:-Debug}
grid() { dotnet "Client/Grid.Cli/bin/$cfg/net10.0/grid.dll" "$@"; }

dotnet "Silo/Grid.Silo/bin/$cfg/net10.0/grid-silo.dll" > /tmp/grid-screenshot-silo.log 2>&1 &
silo=$!
trap 'kill $silo 2>/dev/null || true' EXIT
until curl -sf http://127.0.0.1:8080/health >/dev/null; do sleep 0.5; done

for i in $(seq 1 300); do printf 'user:%04d\tsession-%d\n' "$i" "$i"; done | grid kv import >/dev/null
grid account open alice >/dev/null; grid account open bob >/dev/null
grid account deposit alice 100000 >/dev/null
for i in $(seq 1 20); do grid account transfer alice bob $((i * 10)) >/dev/null; done
for i in $(seq 1 10); do
  grid orders submit ACME sell 10 --price $((100 + i)) >/dev/null
  grid orders submit ACME buy 5 --price $((95 + i)) >/dev/null
done
grid orders submit ACME buy 25 --market >/dev/null
# Keep calls flowing while the dashboard samples (it refreshes every second).
( for i in $(seq 1 60); do printf 'hot:%02d\tv%d\n' $((i % 10)) "$i"; sleep 0.1; done | grid kv import >/dev/null ) &
load=$!

shot() { # name url
  timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1500,1000 \
    --virtual-time-budget=6000 --screenshot="docs/$1.png" "$2" 2>/dev/null
}
sleep 3
shot dashboard-grains "http://127.0.0.1:8080/dashboard/#/grains"
shot dashboard-overview "http://127.0.0.1:8080/dashboard/"
wait "$load"
echo "wrote docs/dashboard-grains.png docs/dashboard-overview.png"
