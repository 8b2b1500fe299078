# Frontline in a container: the same command as `npm start`, as a non-root user, with the ops
# server on for the health check. Build: docker build -t frontline .
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# tsx runs the TypeScript sources, so the runtime needs only the production dependencies.
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production OPS_PORT=9464 LOG_FORMAT=json
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
COPY flows ./flows
USER node
EXPOSE 8443 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.OPS_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Exec form: SIGTERM reaches Node, which stops taking updates and finishes in-flight work.
CMD ["node", "--max-old-space-size=160", "bin/frontline.mjs", "start"]
