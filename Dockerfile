# syntax=docker/dockerfile:1

# Build a static binary; the module and build caches survive between builds.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/smkbot ./cmd/smkbot

# No shell, no package manager, a non-root user; CA certificates for
# Telegram's TLS come with the image, time zones with the binary
# (time/tzdata). Health checks use `smkbot healthcheck`.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/smkbot /smkbot
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/smkbot"]
CMD ["serve"]
