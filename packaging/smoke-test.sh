#!/bin/sh
# Smoke test of the built Linux app: start it in demo mode, hand it a tel: link the way the OS
# does, and check that the call reached the built-in simulator (see packaging/README.md).
# Usage: packaging/smoke-test.sh [--no-build] [python]
set -eu
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--no-build" ]; then shift; else packaging/build-linux.sh "${1:-python3}"; fi
APP="$PWD/build/dist/dialer-gui/dialer-gui"
LINK="tel:+12015550123"

# A throw-away home: nothing touches the real settings, history or keyring.
TMP=$(mktemp -d /tmp/dg-smoke.XXXXXX)
export HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data" \
    XDG_STATE_HOME="$TMP/state" XDG_CACHE_HOME="$TMP/cache" XDG_RUNTIME_DIR="$TMP/run"
export QT_QPA_PLATFORM=offscreen PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME"
mkdir -m 700 "$XDG_RUNTIME_DIR"
# Links normally ask before dialing; nobody is there to click, so this run does not ask.
printf 'version = 1\n[general]\nconfirm_links = false\n' >"$TMP/config.toml"

"$APP" --config "$TMP/config.toml" --demo --background >"$TMP/app.log" 2>&1 &
APP_PID=$!
cleanup() { kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT

fail() { echo "smoke test FAILED: $1" >&2; sed 's/^/  app: /' "$TMP/app.log" >&2; exit 1; }

# Wait for the single-instance socket (start-up takes a few seconds on a cold disk).
i=0
until ls "$XDG_RUNTIME_DIR"/dialer-gui/ipc-* >/dev/null 2>&1; do
    i=$((i + 1)); [ "$i" -le 300 ] || fail "the app did not start listening within 30 s"
    kill -0 "$APP_PID" 2>/dev/null || fail "the app exited during start-up"
    sleep 0.1
done

# Exactly what the OS runs for a click on a tel: link; it must hand over and exit 0.
start=$(date +%s%N)
"$APP" --link "$LINK" || fail "the link hand-off exited with $?"
echo "Hand-off took $(( ($(date +%s%N) - start) / 1000000 )) ms."

# A hostile link is refused by the forwarding process without waking the app.
if "$APP" --link "tel:+1201%0A5550123" 2>/dev/null; then fail "a link hiding a newline was accepted"; fi

# The call must show up in the history, placed through the simulator.
i=0
until "$APP" --config "$TMP/config.toml" history --json --search 2015550123 2>/dev/null \
    | grep -q '"state": *"\(accepted\|completed\)"'; do
    i=$((i + 1)); [ "$i" -le 100 ] || fail "the call did not reach the simulator within 20 s"
    sleep 0.2
done
echo "smoke test passed: $LINK was handed to the running app and dialed on the simulator."
