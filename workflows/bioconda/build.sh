#!/bin/bash
# Bioconda build script draft: installs the provar binary into $PREFIX and bundles the
# licences of every dependency (cargo-bundle-licenses), as bioconda requires for Rust tools.
set -euxo pipefail
cargo-bundle-licenses --format yaml --output THIRDPARTY.yml
cargo install --locked --no-track --root "$PREFIX" --path pipeline/provar-cli
