# syntax=docker/dockerfile:1
# Multi-stage build of the `provar` binary. Not built in CI (this machine has no container
# registry access); see README "Container".
#
#   docker build -t provar .
#   docker run --rm -v "$PWD:/data" -w /data provar run --vcf cohort.vcf.gz --out provar-out

FROM rust:1.95-bookworm AS build
WORKDIR /src
# Dependencies first, so source edits do not rebuild polars/arrow layers.
COPY Cargo.toml Cargo.lock ./
COPY pipeline pipeline
COPY benches benches
RUN cargo build --release --locked -p provar-cli \
 && strip target/release/provar

FROM debian:bookworm-slim
# No system library is needed at run time (noodles and zlib-rs are pure Rust); ca-certificates
# only so that users' wrapper scripts can fetch inputs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/provar /usr/local/bin/provar
# The bundled data lets `docker run provar run` work out of the box, like `cargo run -- run`.
COPY testdata /opt/provar/testdata
ENV PROVAR_TESTDATA=/opt/provar/testdata
WORKDIR /work
ENTRYPOINT ["provar"]
CMD ["--help"]
