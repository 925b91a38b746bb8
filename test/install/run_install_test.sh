#!/usr/bin/env bash
# Installs the library from the build tree into a scratch prefix, then configures, builds and
# runs test/install/consumer against it with find_package(restinio CONFIG REQUIRED).
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/test/install/consumer" -B "$work/build" \
      -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" -j2 >/dev/null
# The consumer must use the installed headers, not the source tree's.
grep -q "$work/prefix/include" "$work/build/CMakeFiles/consumer.dir/flags.make"
! grep -q "$source_dir/include" "$work/build/CMakeFiles/consumer.dir/flags.make"
"$work/build/consumer"
if [[ -x "$work/build/consumer_tls" ]]; then
    "$work/build/consumer_tls"
fi
