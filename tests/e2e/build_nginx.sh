#!/usr/bin/env bash
# Build an nginx release from a checkout of nginx's repository, for the lab's boundary run
# (tests/e2e/test_boundary.py):
#
#     tests/e2e/build_nginx.sh NGINX_GIT_CHECKOUT OUTPUT_FOLDER 1.29.6 1.29.7
#     GWLINT_NGINX_BUILDS=OUTPUT_FOLDER python tests/e2e/write_evidence.py
#
# Each version is exported from its tag (release-X.Y.Z) and installed in OUTPUT_FOLDER/nginx-X.Y.Z.
# Built without PCRE and zlib (the lab's configs use neither): a C compiler and make suffice.
set -euo pipefail
source="$1"
out="$(realpath -m "$2")"
shift 2
for version in "$@"; do
    work="$(mktemp -d)"
    git -C "$source" archive "release-$version" | tar -x -C "$work"
    (
        cd "$work"
        ./auto/configure --prefix="$out/nginx-$version" --without-http_rewrite_module \
            --without-pcre --without-http_gzip_module >/dev/null
        make -j"$(nproc)" >/dev/null
        make install >/dev/null
    )
    rm -rf "$work"
    "$out/nginx-$version/sbin/nginx" -v
done
