#!/usr/bin/env bash
# Build gwlint's sdist and wheel and check them as a user would get them; the release workflow
# (.github/workflows/release.yml) runs it before publishing, .ci/run on every CI run.
#
#   scripts/check_dist.sh OUT_DIR [--wheelhouse DIR] [--expect-version VERSION]
#
# 1. `python -m build` into OUT_DIR (the sdist, then the wheel built from the sdist, as pip and
#    PyPI's users build it): the version comes from git (hatch-vcs), and from the sdist's PKG-INFO;
# 2. `twine check --strict` of both (the metadata and README that PyPI shows);
# 3. the wheel installed into a new virtual environment, and its `gwlint --version` (equal to
#    VERSION when given: the release's tag without its `v`);
# 4. `gwlint check fixtures/demo/` with that install: findings, exit 1.
#
# With --wheelhouse, every install (the build backend too) comes from DIR, with pip's index off:
# nothing is downloaded. Needs `build` and `twine` (the test extras) in the running Python.
set -euo pipefail

usage() {
    echo "usage: $0 OUT_DIR [--wheelhouse DIR] [--expect-version VERSION]" >&2
    exit 2
}

out=""
wheelhouse=""
expect=""
while [ $# -gt 0 ]; do
    case "$1" in
        --wheelhouse) [ $# -ge 2 ] || usage; wheelhouse="$2"; shift 2 ;;
        --expect-version) [ $# -ge 2 ] || usage; expect="$2"; shift 2 ;;
        -*) usage ;;
        *) [ -z "$out" ] || usage; out="$1"; shift ;;
    esac
done
[ -n "$out" ] || usage

root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if [ -n "$(ls -A "$out")" ]; then
    echo "check_dist: $out is not empty" >&2
    exit 2
fi

if [ -n "$wheelhouse" ]; then
    wheelhouse="$(cd "$wheelhouse" && pwd)"
    export PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheelhouse" PIP_DISABLE_PIP_VERSION_CHECK=1
fi

echo "+ python -m build --outdir $out"
"$python" -m build --outdir "$out" "$root"

shopt -s nullglob
sdists=("$out"/gwlint-*.tar.gz)
wheels=("$out"/gwlint-*-py3-none-any.whl)
if [ "${#sdists[@]}" -ne 1 ] || [ "${#wheels[@]}" -ne 1 ]; then
    echo "check_dist: expected one sdist and one wheel in $out:" "$out"/* >&2
    exit 1
fi
# the version file is not tracked (.gitignore): the build hook must have put it in both
wheel_files="$("$python" -m zipfile -l "${wheels[0]}")"
if ! grep -q 'gwlint/_version\.py' <<<"$wheel_files"; then
    echo "check_dist: ${wheels[0]} has no gwlint/_version.py" >&2
    exit 1
fi
sdist_files="$(tar -tzf "${sdists[0]}")"
if ! grep -q '/gwlint/_version\.py$' <<<"$sdist_files"; then
    echo "check_dist: ${sdists[0]} has no gwlint/_version.py" >&2
    exit 1
fi

echo "+ twine check --strict"
"$python" -m twine check --strict "${sdists[0]}" "${wheels[0]}"

venv="$(mktemp -d)/venv"
trap 'rm -rf "$(dirname "$venv")"' EXIT
echo "+ install ${wheels[0]##*/} into a new virtual environment"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet "${wheels[0]}"

# the installed wheel, not the checkout: run from outside it
location="$(cd "$(dirname "$venv")" && "$venv/bin/python" -c 'import gwlint; print(gwlint.__file__)')"
case "$location" in
    "$venv"/*) ;;
    *) echo "check_dist: gwlint was imported from $location, not from the wheel" >&2; exit 1 ;;
esac

version_line="$("$venv/bin/gwlint" --version)"
echo "$version_line"
wheel_version="${wheels[0]##*/gwlint-}"
wheel_version="${wheel_version%%-*}"
if [ "$version_line" != "gwlint $wheel_version" ]; then
    echo "check_dist: gwlint --version says '$version_line'; the wheel is $wheel_version" >&2
    exit 1
fi
if [ -n "$expect" ] && [ "$version_line" != "gwlint $expect" ]; then
    echo "check_dist: gwlint --version says '$version_line', expected 'gwlint $expect'" >&2
    exit 1
fi

echo "+ gwlint check fixtures/demo/"
status=0
report="$(cd "$root" && "$venv/bin/gwlint" check fixtures/demo/)" || status=$?
if [ "$status" -ne 1 ] || ! grep -q ' GW[0-9][0-9]* ' <<<"$report"; then
    printf '%s\n' "$report"
    echo "check_dist: gwlint check fixtures/demo/ exited $status, expected 1 with findings" >&2
    exit 1
fi
echo "check_dist: $(grep -c ' GW[0-9][0-9]* ' <<<"$report") findings on fixtures/demo/, exit 1"
echo "check_dist: ok: ${sdists[0]##*/} ${wheels[0]##*/}"
