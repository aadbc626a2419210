#!/usr/bin/env bash
# The GitHub Action (action.yml at the repository root) calls this script; it is the action's
# logic, so that a test can run it as GitHub does (tests/test_action.py).
#
#   run.sh install   a virtualenv under $RUNNER_TEMP with gwlint installed from the action's own
#                    checkout ($GITHUB_ACTION_PATH): `uses: gwlint/gwlint@REF` pins the version,
#                    and the job's own Python environment is left alone
#   run.sh check     `gwlint check` with the action's inputs; with a SARIF file asked for, first
#                    that report (--exit-zero); exits with gwlint's exit code
#
# Inputs come from environment variables that action.yml maps explicitly (never `${{ inputs.* }}`
# in a script: that would be a script-injection hole). INPUT_PATHS and INPUT_ARGS are split like a
# shell splits words (quotes group, nothing is expanded or run), by Python's shlex.
set -euo pipefail

# finish CODE: the step's exit-code output, and its exit
finish() {
    echo "exit-code=$1" >>"${GITHUB_OUTPUT:-/dev/null}"
    exit "$1"
}

die() {
    echo "::error title=gwlint action::$*"
    finish 2
}

[ -n "${RUNNER_TEMP:-}" ] || die "RUNNER_TEMP is not set (this script runs inside a GitHub Actions job)"
# Linux and macOS runners (a Windows virtualenv has Scripts\, not bin/)
venv="$RUNNER_TEMP/gwlint-action/venv"
bin="$venv/bin"

install() {
    [ -n "${GITHUB_ACTION_PATH:-}" ] || die "GITHUB_ACTION_PATH is not set"
    local python="${GWLINT_PYTHON:-python3}"
    echo "gwlint action: installing gwlint from $GITHUB_ACTION_PATH with $python"
    "$python" -m venv --clear "$venv"
    "$bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        "$GITHUB_ACTION_PATH"
    "$bin/gwlint" --version
}

# split_words NAME TEXT: the words of input NAME's TEXT, each ended by a NUL, on standard output
split_words() {
    "$bin/python" -c '
import shlex, sys
try:
    words = shlex.split(sys.argv[2])
except ValueError as error:
    print(f"::error title=gwlint action::input {sys.argv[1]}: {error}", file=sys.stderr)
    sys.exit(2)
sys.stdout.write("".join(word + "\0" for word in words))
' "$@"
}

check() {
    [ -x "$bin/gwlint" ] || die "gwlint is not installed (run.sh install first)"
    local sarif="${INPUT_SARIF:-}" word
    local -a args=() paths=() options=(--format "${INPUT_FORMAT:-github}")
    if [ -n "${INPUT_FAIL_ON:-}" ]; then
        options+=(--fail-on "$INPUT_FAIL_ON")
    fi

    words="$(mktemp "$RUNNER_TEMP/gwlint-action/words.XXXXXX")"
    trap 'rm -f "$words"' EXIT
    split_words args "${INPUT_ARGS:-}" >"$words" || finish 2
    while IFS= read -r -d '' word; do args+=("$word"); done <"$words"
    split_words paths "${INPUT_PATHS:-}" >"$words" || finish 2
    while IFS= read -r -d '' word; do paths+=("$word"); done <"$words"
    # the paths after `--`, so that none is read as an option
    paths=(-- ${paths[@]+"${paths[@]}"})

    if [ -n "$sarif" ]; then
        case "$sarif" in
        *$'\n'* | *$'\r'*) die "input sarif: a file name on one line" ;;
        /*) ;;
        *) sarif="$PWD/$sarif" ;;
        esac
        mkdir -p "$(dirname "$sarif")"
        # after the args: with gwlint's options, the last one given wins
        local status=0
        "$bin/gwlint" check ${args[@]+"${args[@]}"} --format sarif --output "$sarif" --exit-zero \
            "${paths[@]}" || status=$?
        if [ "$status" -ne 0 ]; then
            finish "$status"
        fi
        echo "sarif=$sarif" >>"${GITHUB_OUTPUT:-/dev/null}"
    fi

    # the args after the action's options: a flag in args wins over the format and fail-on inputs
    local code=0
    "$bin/gwlint" check "${options[@]}" ${args[@]+"${args[@]}"} "${paths[@]}" || code=$?
    finish "$code"
}

case "${1:-}" in
install) install ;;
check) check ;;
*) die "usage: run.sh install|check" ;;
esac
