# syntax=docker/dockerfile:1
# Shenbi image: one image for the API server (`shenbi serve`, the default) and the workers
# (`shenbi worker`, by command override). See docs/deploy.md. Not built on the machine that
# wrote it (no Docker daemon there): tests check its COPY sources and stages only.

# ---- build: dependencies with their native parts, the compiled CLI and the studio ----------
FROM node:20-bookworm-slim AS build
# better-sqlite3 and other native modules compile here when no prebuilt binary is reachable.
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends build-essential python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY bin ./bin
COPY scripts ./scripts
# `npm ci` runs `prepare` (the compiled CLI) once the sources are there: install scripts first without it.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && node --import tsx --input-type=module -e "const { buildStudio } = await import('./src/web/build.ts'); await buildStudio();" \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: Debian bookworm-slim + Node 20 + ffmpeg + fonts, as a non-root user ----------
FROM node:20-bookworm-slim AS runtime
# ffmpeg: audio encoding, probing, video. fonts-noto-cjk: Chinese text in images and subtitles.
# fonts-dejavu-core: Latin lettering in 3D. ca-certificates: cloud providers and S3 over TLS.
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends ffmpeg fonts-noto-cjk fonts-dejavu-core ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    SHENBI_HOME=/data \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/src ./src
COPY --from=build /app/dist ./dist
RUN ln -s /app/bin/shenbi.js /usr/local/bin/shenbi \
 && mkdir -p /data/keys && chown -R node:node /data
# The image's own `node` user (uid 1000); its home is SHENBI_HOME (models, keys, scratch).
# /data/keys exists in the image so that a named volume mounted there starts owned by `node`.
USER node
VOLUME ["/data"]
EXPOSE 8787
ENTRYPOINT ["node", "/app/bin/shenbi.js"]
# A non-loopback server needs an API key first (docs/deploy.md): `shenbi apikeys create …`.
CMD ["serve", "--host", "0.0.0.0", "--port", "8787"]
