#!/usr/bin/env bash
# Builds the libFuzzer targets of Tools/fuzz and runs each for a bounded time.
#
#   Tools/fuzz.sh [--seconds N] [--build-jobs J] [--no-build] [TARGET …]
#
# TARGET: roundtrip, jsonline, hdf5 (default: all three), N seconds each
# (default 20). Builds and runs at the lowest CPU priority (nice 19).
#
# Each target fuzzes a copy of its seed corpus (Tools/fuzz/corpus/TARGET) in
# a temporary folder, so the committed seeds stay small. Crash inputs and
# logs are kept under Tools/fuzz/.build/fuzz-runs/. A crash is classified by
# its stack:
#   - inside libhdf5 (the first frame below the sanitizer and libFuzzer
#     runtimes is in libhdf5, and for a memory error the memory is libhdf5's
#     too, in the run or when the input is replayed alone in a fresh
#     process): a known third-party problem, printed and counted, not a failure;
#     fuzzing goes on for the rest of the time (see Tools/fuzz/README.md);
#   - anywhere else (dptext, the checks, the Swift runtime): a failure.
# Prints per target the executions run and what was found; exits 1 when a
# target failed (the crash input's path is printed), 2 when the build failed.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
package="$root/Tools/fuzz"
seconds=20
build_jobs=1
build=1
targets=()

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) seconds="${2:?--seconds needs a value}"; shift 2 ;;
        --seconds=*) seconds="${1#*=}"; shift ;;
        --build-jobs) build_jobs="${2:?--build-jobs needs a value}"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) usage; exit 0 ;;
        roundtrip|jsonline|hdf5) targets+=("$1"); shift ;;
        *) echo "fuzz.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 ]] || { echo "fuzz.sh: --seconds must be a positive integer" >&2; exit 2; }
[[ ${#targets[@]} -gt 0 ]] || targets=(roundtrip jsonline hdf5)

binary_of() {
    case "$1" in
        roundtrip) echo FuzzRoundTrip ;;
        jsonline) echo FuzzJSONLine ;;
        hdf5) echo FuzzHDF5Store ;;
    esac
}

# MARK: Build

if [[ $build -eq 1 ]]; then
    # Resolve the root's dependencies to the versions the root has pinned.
    if [[ -f "$root/Package.resolved" && ! -f "$package/Package.resolved" ]]; then
        cp "$root/Package.resolved" "$package/Package.resolved"
    fi
    echo "== building the fuzz targets (release, -sanitize=fuzzer,address)"
    if ! (cd "$package" && nice -n 19 swift build -c release -j "$build_jobs" \
            -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library); then
        echo "fuzz.sh: the build failed" >&2
        exit 2
    fi
fi
bin="$package/.build/release"

runs="$package/.build/fuzz-runs/$(date +%Y%m%d-%H%M%S)-$$"
work="$(mktemp -d "${TMPDIR:-/tmp}/dptext-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# MARK: Crash classification

# The frames of the first stack trace in a crash log (or of the trace after
# "allocated by" with --allocation), without the sanitizer, libFuzzer, libc
# and allocator frames: the code the crash happened in comes first.
frames() {
    local log="$1" which="${2:-crash}"
    awk -v which="$which" '
        which == "allocation" && /(allocated|freed) by thread/ { on = 1; next }
        which == "crash" && /^ *#[0-9]+ 0x/ { on = 1 }
        on && /^ *#[0-9]+ 0x/ { print; seen = 1; next }
        on && seen { exit }
    ' "$log" | grep -vE 'compiler-rt/lib/|/fuzzer/Fuzzer|in __sanitizer|in __asan|in __lsan|in __interceptor|in fuzzer::|libc\.so|/sysdeps/|csu/|in __(mem|str|wmem)[a-z0-9_]*|libstdc\+\+|in (malloc|calloc|realloc|free|memcpy|memmove|memset|strlen|strnlen|operator new)( |$)' || true
}

# "libhdf5" when the crash in `log` lies inside libhdf5, else "ours".
classify() {
    local log="$1" first allocation
    first="$(frames "$log" crash | head -1)"
    [[ "$first" == *libhdf5* ]] || { echo ours; return; }
    # A memory error on memory dptext allocated is dptext's, wherever it happened.
    if grep -qE '(allocated|freed) by thread' "$log"; then
        allocation="$(frames "$log" allocation | head -1)"
        [[ -z "$allocation" || "$allocation" == *libhdf5* ]] || { echo ours; return; }
    fi
    echo libhdf5
}

# "libhdf5" when the crash of `input` (log `log`) is libhdf5's: so classified
# from its stack, or — when libhdf5 crashed on memory the report says dptext
# allocated — when the same input, replayed alone in a fresh process, crashes
# inside libhdf5 on libhdf5's memory. (libhdf5 keeps state, stale pointers
# included, between inputs; by the time it reads one, the address may have
# been reused and freed by dptext, and the report then names dptext's
# allocation, not libhdf5's.)
classify_input() {
    local log="$1" input="$2" binary="$3" scratch="$4" replay
    if [[ "$(classify "$log")" == libhdf5 ]]; then echo libhdf5; return; fi
    [[ "$(frames "$log" crash | head -1)" == *libhdf5* ]] || { echo ours; return; }
    replay="$log.replay"
    DPTEXT_FUZZ_SCRATCH="$scratch" SWIFT_BACKTRACE=enable=no "$binary" -detect_leaks=0 "$input" >"$replay" 2>&1 || true
    if grep -q 'ERROR: AddressSanitizer' "$replay" && [[ "$(classify "$replay")" == libhdf5 ]]; then
        echo libhdf5
    else
        echo ours
    fi
}

# One line naming a crash: its kind and the first frame of the code it is in.
describe() {
    local log="$1" kind frame
    kind="$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [^(]*|Fatal error: .*' "$log" | sed -E 's/ on (unknown )?address.*//; s/ +$//' || true)"
    frame="$(frames "$log" crash | head -1 | sed -E 's/^ *#[0-9]+ 0x[0-9a-f]+ (in )?//; s/ \(BuildId: [0-9a-f]+\)//')"
    echo "${kind:-crash}${frame:+ — in $frame}"
}

# MARK: Runs

status=0
summary=()
for target in "${targets[@]}"; do
    binary="$bin/$(binary_of "$target")"
    [[ -x "$binary" ]] || { echo "fuzz.sh: $binary is missing (run without --no-build)" >&2; exit 2; }
    corpus="$work/$target"
    artifacts="$runs/$target"
    mkdir -p "$corpus" "$artifacts" "$work/scratch-$target"
    cp "$package/corpus/$target/"* "$corpus/"
    options=(-rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -detect_leaks=0 -artifact_prefix="$artifacts/")
    [[ -f "$package/$target.dict" ]] && options+=(-dict="$package/$target.dict")

    echo "== $target: fuzzing for $seconds s"
    executions=0 runs_done=0 third_party=0 result=ok
    started=$SECONDS
    deadline=$((SECONDS + seconds))
    while (( SECONDS < deadline )); do
        runs_done=$((runs_done + 1))
        log="$artifacts/run-$runs_done.log"
        set +e
        # SWIFT_BACKTRACE: the Swift runtime's own crash reporter would run
        # under ASan and muddle libFuzzer's report.
        DPTEXT_FUZZ_SCRATCH="$work/scratch-$target" SWIFT_BACKTRACE=enable=no nice -n 19 "$binary" "${options[@]}" \
            -max_total_time=$((deadline - SECONDS > 0 ? deadline - SECONDS : 1)) "$corpus" >"$log" 2>&1
        code=$?
        set -e
        count="$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)"
        [[ -n "$count" ]] || count="$(grep -oE '^#[0-9]+' "$log" | tr -d '#' | tail -1 || true)"
        executions=$((executions + ${count:-0}))
        [[ $code -ne 0 ]] || break
        input="$(grep -oE 'Test unit written to [^ ]+' "$log" | tail -1 | sed 's/^Test unit written to //' || true)"
        if [[ -z "$input" ]]; then
            echo "   FAILED: libFuzzer stopped (exit $code) without a crash input; log: $log"
            result=failed
            break
        fi
        if [[ "$(classify_input "$log" "$input" "$binary" "$work/scratch-$target")" == libhdf5 ]]; then
            third_party=$((third_party + 1))
            echo "   libhdf5 (third party, not a failure): $(describe "$log")"
            echo "     input: $input"
            # A corpus unit that crashes (libhdf5 keeps state between inputs)
            # would stop every restart: take it out.
            rm -f "$corpus/$(basename "$input" | sed -E 's/^[a-z-]+-//')"
            (( runs_done < 200 )) || break
            continue
        fi
        echo "   CRASH in dptext: $(describe "$log")"
        echo "     input: $input"
        echo "     log:   $log"
        echo "     replay: $binary $input"
        result=failed
        break
    done
    [[ "$result" == ok ]] || status=1
    elapsed=$((SECONDS - started))
    echo "   $target: $executions executions in $elapsed s ($runs_done run(s)), libhdf5 crashes: $third_party, result: $result"
    summary+=("$(printf '%-10s %12s %8s %6s %16s  %s' "$target" "$executions" "$elapsed" "$runs_done" "$third_party" "$result")")
done

echo
printf '%-10s %12s %8s %6s %16s  %s\n' target executions seconds runs "libhdf5 crashes" result
printf '%s\n' "${summary[@]}"
echo "crash inputs and logs: $runs"
exit $status
