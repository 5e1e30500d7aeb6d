# syntax=docker/dockerfile:1
# The Palisade webhook image. Four stages:
#   tools    builds the pinned opa (scripts/tools.sh) from its Go module;
#   build    compiles the TypeScript and the policy bundle with that opa;
#   deps     installs the production dependencies only;
#   runtime  distroless Node.js 24, no shell, no package manager, uid 65532, and nothing that
#            needs a writable root filesystem (the chart mounts an emptyDir on /tmp); with opa
#            and the policy sources, for the Gatekeeper mode's compiles.
# test/image/dockerfile.test.ts runs every step of this file outside Docker, and the result.

# The base images are tags, not digests: no published digest for these exact tags could be
# checked from here (no registry access). To pin, resolve each tag's index digest with
# `docker buildx imagetools inspect IMAGE:TAG` and write FROM IMAGE:TAG@sha256:<digest>.
ARG NODE_VERSION=24
ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS tools
WORKDIR /src
COPY scripts/tools.sh scripts/tools.sh
RUN bash scripts/tools.sh opa

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY bin bin
COPY scripts scripts
COPY policies policies
# The opa the tools stage built, with its version stamp: `palisade build` (bin/palisade.js, run by
# npm run build) reuses it, so this stage needs no Go.
COPY --from=tools /src/.tools/bin/opa /src/.tools/bin/.opa.version .tools/bin/
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM gcr.io/distroless/nodejs${NODE_VERSION}-debian12:nonroot AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/package.json package.json
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/dist/src dist/src
COPY --from=build /app/dist/bundle dist/bundle
# gatekeeper.enabled compiles ConstraintTemplates at run time beside the built-in policies
# (src/gatekeeper/controller): the pinned opa (static, CGO_ENABLED=0) where Palisade looks for
# it, and the policy sources with their lib and capabilities.json. Read-only, as the rest.
COPY --from=tools /src/.tools/bin/opa /src/.tools/bin/.opa.version .tools/bin/
COPY --from=build /app/policies policies
USER 65532:65532
EXPOSE 8443
# The chart passes the script and its flags as args (and node -e for `helm test`).
ENTRYPOINT ["/nodejs/bin/node"]
CMD ["/app/dist/src/main.js", "--host", "0.0.0.0"]
