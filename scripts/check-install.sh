#!/usr/bin/env bash
# Proves the install a user gets: build a wheel, install it into a fresh
# virtual environment outside the checkout, build the default site from
# another working directory with --config, and compare it byte for byte with
# a build by the checkout's own (editable) install in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --upgrade pip
"$work/venv/bin/python" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$repo"
"$work/venv/bin/python" -m pip install --quiet "$work"/dist/*.whl
mkdir "$work/elsewhere"
(cd "$work/elsewhere" && "$work/venv/bin/build-site" --version \
  && "$work/venv/bin/build-site" --config "$repo/mkdocs.yml" --out "$work/site-wheel" --clean --quiet)
(cd "$repo" && .venv/bin/build-site --config mkdocs.yml --out "$work/site-editable" --clean --quiet)
if ! diff -r "$work/site-wheel" "$work/site-editable" >"$work/diff.txt"; then
  head -n 40 "$work/diff.txt" >&2
  echo "check-install: the wheel's build differs from the editable install's" >&2
  exit 1
fi
echo "check-install: wheel install builds the default site from another folder; identical to the editable build ($(find "$work/site-wheel" -type f | wc -l) files)"
