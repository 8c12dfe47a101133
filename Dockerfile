# sscl: build with the Swift image, run on a slim Debian with OpenBLAS, libpng, libjpeg-turbo,
# SQLite and curl.
#   docker build -t sscl .
#   docker run -p 8080:8080 -e SSCL_TOKEN=change-me -v sscl-data:/data sscl
# The service binds 0.0.0.0 inside the container, so it requires a token (SSCL_TOKEN).

FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libopenblas-dev zlib1g-dev libpng-dev libjpeg62-turbo-dev pkg-config libsqlite3-dev libcurl4-openssl-dev libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --product sscl --static-swift-stdlib

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libopenblas0-pthread zlib1g libpng16-16 libjpeg62-turbo libsqlite3-0 libcurl4 libpq5 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/.build/release/sscl /app/sscl
COPY --from=build /src/.build/release/sscl_SSCLEngine.resources /app/sscl_SSCLEngine.resources
COPY Public /app/Public
COPY migrations /app/migrations
VOLUME /data
WORKDIR /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s CMD ["curl", "-fsS", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/app/sscl", "serve", "--host", "0.0.0.0", "--port", "8080", "--db", "/data/sscl.db", "--data-dir", "/data/datasets", "--runs-dir", "/data/runs"]
