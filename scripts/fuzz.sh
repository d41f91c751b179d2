#!/usr/bin/env bash
# Fuzzes each cargo-fuzz target (fuzz/: decode_build, plan, npy) for SECONDS (default 60) in turn,
# starting from the committed seeds (fuzz/seeds/<target>/) and the working corpus (fuzz/corpus/,
# ignored by git). A crash, timeout or out-of-memory input is copied to fuzz/regressions/<target>/
# (tests/fuzz_regressions.rs replays that folder on the stable toolchain) and the script exits 1.
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Needs the nightly toolchain and cargo-fuzz; both are installed if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(decode_build plan npy)
fi

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing the nightly toolchain (takes a few minutes)"
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz (takes a few minutes)"
    cargo install cargo-fuzz --locked
fi

# The targets write their scratch files under fuzz/tmp/, emptied here.
rm -rf fuzz/tmp
mkdir -p fuzz/tmp
export TMPDIR="$PWD/fuzz/tmp"

# Release with debug assertions and overflow checks, under AddressSanitizer (cargo-fuzz's default).
cargo +nightly fuzz build --fuzz-dir fuzz

failed=()
for target in "${targets[@]}"; do
    corpus="fuzz/corpus/$target"
    artifacts="fuzz/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    rm -f "$artifacts"/*
    case "$target" in
        decode_build) extra=(-max_len=262144 -timeout=30) ;;
        *) extra=(-max_len=65536 -timeout=10) ;;
    esac
    echo "fuzz.sh: $target for ${seconds}s"
    status=0
    # Flags after `--` go to libFuzzer: new inputs go to the first folder, the seeds are read only;
    # crashes go to fuzz/artifacts/<target>/ (cargo-fuzz's default).
    cargo +nightly fuzz run --fuzz-dir fuzz "$target" "$corpus" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=4096 -malloc_limit_mb=4096 \
        -print_final_stats=1 "${extra[@]}" || status=$?
    found=("$artifacts"/*)
    if [ -e "${found[0]}" ]; then
        mkdir -p "fuzz/regressions/$target"
        cp "${found[@]}" "fuzz/regressions/$target/"
        echo "fuzz.sh: $target found ${#found[@]} failing input(s), copied to fuzz/regressions/$target/:"
        printf '  %s\n' "${found[@]##*/}"
        failed+=("$target")
    elif [ "$status" -ne 0 ]; then
        echo "fuzz.sh: $target exited with status $status"
        failed+=("$target")
    fi
done
rm -rf fuzz/tmp

if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz.sh: failures in: ${failed[*]} (replay one: cargo +nightly fuzz run --fuzz-dir fuzz TARGET FILE)"
    exit 1
fi
echo "fuzz.sh: no crashes in ${targets[*]}"
