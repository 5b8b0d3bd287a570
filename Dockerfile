# One image for the three services of the OAuth demo. The command picks the
# service: `provider`, `client` or `todo-api` (see docker-compose.yml),
# `spa`, the single-page app's server, or `lab serve`, the attack lab.
#
#   docker build -t oauth-demo .
#   docker run --rm -p 8080:8080 oauth-demo provider

# --- build ------------------------------------------------------------------
# The same toolchain as the workspace (cargo 1.95), on the same Debian release
# as the runtime image below, so the binaries find the glibc they were linked
# against.
FROM rust:1.95-bookworm AS build
WORKDIR /src

# 1. Dependencies only, in their own layer: the manifests, the lock file and
#    empty stand-ins for our own sources. This layer is rebuilt only when a
#    Cargo.toml or Cargo.lock changes, not when a .rs file does.
#    Every workspace member must be listed here (e2e/tests/compose.rs checks).
COPY Cargo.toml Cargo.lock ./
COPY shared/Cargo.toml shared/
COPY provider/Cargo.toml provider/build.rs provider/
COPY client/Cargo.toml client/build.rs client/
COPY todo-api/Cargo.toml todo-api/build.rs todo-api/
COPY e2e/Cargo.toml e2e/
COPY lab/Cargo.toml lab/
COPY spa/Cargo.toml spa/
# testkit, workshop and bench are never in the image: their manifests
# complete the workspace.
COPY testkit/Cargo.toml testkit/
COPY workshop/Cargo.toml workshop/
COPY bench/Cargo.toml bench/
# Stand-ins: an empty lib.rs per crate, an empty main for every binary target
# (the auto-discovered src/main.rs and every `path = "….rs"` a manifest names).
RUN set -eu; \
    for crate in shared provider client todo-api e2e lab testkit spa workshop bench; do \
      mkdir -p "$crate/src"; \
      : > "$crate/src/lib.rs"; \
      for target in src/main.rs $(sed -n 's/^path *= *"\(.*\.rs\)"$/\1/p' "$crate/Cargo.toml"); do \
        mkdir -p "$crate/$(dirname "$target")"; \
        echo 'fn main() {}' > "$crate/$target"; \
      done; \
    done
RUN cargo build --release --locked -p provider -p client -p todo-api -p lab -p spa --bins

# 2. Our sources. Only our own crates recompile from here on. `touch` makes
#    sure cargo sees them as newer than the stand-ins it has just built.
COPY shared shared
COPY provider provider
COPY client client
COPY todo-api todo-api
COPY lab lab
COPY spa spa
RUN find shared provider client todo-api lab spa -name '*.rs' -exec touch {} + \
    && cargo build --release --locked -p provider -p client -p todo-api -p lab -p spa --bins \
    && mkdir -p /out \
    && cp target/release/provider target/release/client target/release/todo-api target/release/lab target/release/spa /out/

# --- run --------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# ca-certificates: for a provider or JWKS reached over https.
# curl: the containers' health checks (`curl -fsS http://127.0.0.1:PORT/healthz`).
# Versions are not pinned: Debian's security updates replace them in place,
# and a pinned version disappears from the mirrors.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

# A user without privileges; /app/data is where the SQLite files go when the
# SQLite setup is used (docker-compose.sqlite.yml mounts volumes there).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app \
    && mkdir -p /app/data /app/provider \
    && chown app:app /app/data

COPY --from=build /out/provider /out/client /out/todo-api /out/lab /out/spa /usr/local/bin/
# The registered clients, at the path the provider reads by default from its
# working directory (PROVIDER_CLIENTS_FILE=/app/provider/clients.toml). Mount
# your own file there to change the registrations without a rebuild.
COPY provider/clients.toml /app/provider/clients.toml

WORKDIR /app
USER 10001:10001

# In a container the services must listen on every interface, not on
# 127.0.0.1 (their default for `cargo run`). docker-compose.yml sets the same.
ENV PROVIDER_ADDR=0.0.0.0:8080 \
    CLIENT_ADDR=0.0.0.0:3000 \
    TODO_API_ADDR=0.0.0.0:4000 \
    LAB_ADDR=0.0.0.0:6660 \
    SPA_ADDR=0.0.0.0:5173

EXPOSE 8080 3000 4000 6660 5173
CMD ["provider"]
