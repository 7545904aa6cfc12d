# syntax=docker/dockerfile:1
#
# baton-workato container image: a release build of the CLI on a distroless runtime.
#
#   docker build -t baton-workato:dev .
#   docker run --rm -e BATON_WORKATO_API_KEY=... -e BATON_CLIENT_ID=... -e BATON_CLIENT_SECRET=... \
#     --read-only --tmpfs /tmp baton-workato:dev
#
# The builder and the runtime share one Debian release so the binary's glibc matches.

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm
ARG DISTROLESS_DEBIAN=debian12

FROM docker.io/library/rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
WORKDIR /src
# The whole workspace is needed: cargo reads every member's manifest even to build one crate.
COPY . .
# Cache mounts keep the crate registry and target directory between builds without putting
# them in a layer; the binary is copied out because the cache mount is not part of the image.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p baton-workato-cli --bin baton-workato \
    && install -D -m 0755 target/release/baton-workato /out/baton-workato

# distroless/cc: glibc, libgcc, CA certificates (/etc/ssl/certs) and a `nonroot` user (65532),
# no shell or package manager.
FROM gcr.io/distroless/cc-${DISTROLESS_DEBIAN}:nonroot
COPY --from=build /out/baton-workato /usr/local/bin/baton-workato
# Numeric so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 65532:65532
# Temp c1z files of service-mode syncs go here; mount a writable volume on it when the root
# filesystem is read-only (deploy/kubernetes/deployment.yaml does).
ENV TMPDIR=/tmp \
    BATON_C1Z_TEMP_DIR=/tmp
WORKDIR /tmp
ENTRYPOINT ["baton-workato"]
