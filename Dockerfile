# syntax=docker/dockerfile:1
# clientip-echo for real clusters: the image deploy/deploy.yaml and
# deploy/deploy-client-ip.yaml run.
#
#   docker build -t clientip/clientip-echo:0.1.0 .
#   docker run --rm -p 8080:8080 clientip/clientip-echo:0.1.0
#
# The build stage configures the whole Meson project (its top-level
# meson.build needs every component's libraries to be present) but builds
# only clientip-echo, which links nothing beyond glibc.

FROM debian:12 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      gcc libc6-dev meson ninja-build pkg-config \
      node-llhttp \
      libnftables-dev libfyaml-dev libmnl-dev libnetfilter-conntrack-dev \
      libjansson-dev zlib1g-dev libcmocka-dev \
      clang bpftool libbpf-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN rm -rf build-image \
 && meson setup build-image -Dbuildtype=release \
 && ninja -C build-image clientip-echo \
 && strip build-image/clientip-echo \
 && ldd build-image/clientip-echo

# Distroless: glibc and a non-root user, no shell, no package manager.
FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /src/build-image/clientip-echo /usr/local/bin/clientip-echo
COPY --from=build /src/man/clientip-echo.1 /usr/local/share/man/man1/clientip-echo.1
USER nonroot:nonroot
EXPOSE 8080
# Exec form: clientip-echo is PID 1 and gets SIGTERM itself, so a pod's
# termination drains it gracefully (--drain-timeout, default 5 s, fits in
# Kubernetes' default 30 s grace period).
ENTRYPOINT ["/usr/local/bin/clientip-echo"]
