#!/usr/bin/env bash
# Installs what building and testing Sluice needs, on Debian (bookworm or newer).
# Idempotent and quiet when everything is present: only missing packages are installed.
set -euo pipefail

# Build: compiler, CMake, libraries from DESIGN.md's list that the code uses today.
BUILD_PKGS=(build-essential cmake pkg-config libuv1-dev libzstd-dev liblz4-dev libsnappy-dev
            zlib1g-dev librdkafka-dev libcmocka-dev libjansson-dev
            libmicrohttpd-dev libcurl4-openssl-dev libsqlite3-dev libedit-dev lemon)
# Tests and benchmarks: real Kafka clients written by others, sanitizer/fuzzer toolchain,
# the Redis peer for the benchmark comparison.
TEST_PKGS=(clang clang-format libclang-rt-14-dev kcat python3 python3-confluent-kafka python3-kafka
           python3-snappy python3-lz4 python3-zstandard nodejs npm redis-server redis-tools
           wrk tmux curl python3-requests python3-jsonschema python3-avro)

want=("${BUILD_PKGS[@]}")
if [ "${1:-}" = "--test" ]; then want+=("${TEST_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
    # A tool may come from elsewhere (e.g. node from nodesource): accept it when on PATH.
    case "$p" in
        nodejs) command -v node >/dev/null 2>&1 && continue ;;
        npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# JavaScript test clients (kafkajs) from npm, pinned by package-lock.json.
if [ "${1:-}" = "--test" ] && [ -f tests/interop/js/package-lock.json ]; then
    if [ ! -d tests/interop/js/node_modules ] ||
       [ tests/interop/js/package-lock.json -nt tests/interop/js/node_modules ]; then
        echo "install-deps: npm ci in tests/interop/js"
        # kafkajs-lz4 builds a native addon: point node-gyp at the installed Node headers
        # (there is no network to download them from).
        if [ -f /usr/include/node/common.gypi ]; then export npm_config_nodedir=/usr; fi
        (cd tests/interop/js && npm ci --no-audit --no-fund --loglevel=error)
        touch tests/interop/js/node_modules
    fi
fi
