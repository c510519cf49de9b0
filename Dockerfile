# Perche in a container: the bundle (npm run build) on Node 24, with production dependencies only.
#   docker build -t perche .
#   docker run -d --name perche --env-file .env -v perche-data:/home/node/data perche
# test/e2e/recipe.test.ts runs these same commands in a fresh folder and starts the bot from it.

# --- build: the bundle; scripts are skipped (the dev-only `node` package would download a Node) ---
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
# The bundle takes in what src imports from locales/ (the nickname word lists).
COPY locales ./locales
RUN npm run build

# --- deps: production dependencies only (npm's cache stays in this stage) ---
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- run: the dependencies, the bundle and the files it reads, as the unprivileged `node` ---
FROM node:24-slim
ENV NODE_ENV=production TZ=UTC DATA_DIR=/home/node/data HEALTH_PORT=8081
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY migrations ./migrations
COPY locales ./locales
COPY directory ./directory
COPY --from=build /app/dist ./dist
USER node
RUN mkdir -p /home/node/data
VOLUME /home/node/data
# Webhook mode: publish PORT (8080) behind the HTTPS reverse proxy; /healthz is served there too.
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 CMD ["node", "dist/bin/healthcheck.js"]
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=256", "dist/bin/main.js"]
