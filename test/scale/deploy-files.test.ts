import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

// No Docker daemon where these run: the deploy files are checked at lint level. compose.yaml
// is parsed by a real YAML parser (the `yaml` package, YAML 1.2 with anchors and merge keys),
// the Dockerfile line by line.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function parseYaml(path: string): unknown {
  // merge: compose files use `<<: *anchor`.
  return parse(read(path), { merge: true });
}

const compose = parseYaml('compose.yaml') as Compose;
const configSources = read('src/config/scale-out.ts') + read('src/config/load.ts');

test('compose.yaml: postgres 16, redis 7, MinIO with a bucket-making one-shot, one API server, 3 workers', () => {
  const { services } = compose;
  assert.equal(services.postgres?.image, 'postgres:16');
  assert.equal(services.redis?.image, 'redis:7');
  assert.match(String(services.minio?.image), /^minio\/minio/);
  assert.match(JSON.stringify(services['minio-init']?.command), /mc mb --ignore-existing local\/shenbi/);
  const api = services.api!;
  assert.deepEqual(api.command, ['serve', '--host', '0.0.0.0', '--port', '8787', '--no-worker']);
  assert.match(api.healthcheck!.test.join(' '), /\/readyz/);
  const worker = services.worker!;
  assert.equal((worker.command as string[])[0], 'worker');
  assert.equal(worker.deploy?.replicas, 3);
  // The bucket the one-shot makes is the one the processes use.
  assert.equal(api.environment?.SHENBI_BLOBS, 's3://shenbi/blobs');
});

test('compose.yaml: every SHENBI_* variable the processes get is one the config reads; S3 credentials are wired', () => {
  for (const name of ['api', 'worker']) {
    const env = compose.services[name]!.environment!;
    for (const key of ['SHENBI_DATABASE', 'SHENBI_QUEUE', 'SHENBI_BLOBS', 'SHENBI_S3_ENDPOINT', 'SHENBI_S3_PATH_STYLE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      assert.ok(env[key] !== undefined && env[key] !== '', `${name}: ${key} missing`);
    }
    for (const key of Object.keys(env).filter((k) => k.startsWith('SHENBI_'))) {
      assert.ok(configSources.includes(key), `${name}: ${key} is read by neither src/config/scale-out.ts nor load.ts`);
    }
    assert.match(env.SHENBI_DATABASE!, /^postgres:\/\/[^@]+@postgres:5432\//);
    assert.match(env.SHENBI_QUEUE!, /^redis:\/\/redis:6379/);
    assert.equal(env.SHENBI_S3_ENDPOINT, 'http://minio:9000');
  }
  // The worker's lanes are real lanes.
  const lanes = /:-([a-z0-9,]+)\}/.exec(compose.services.worker!.environment!.SHENBI_WORKER_LANES!)?.[1]?.split(',') ?? [];
  const known = read('src/jobs/lanes.ts');
  assert.ok(lanes.length > 0);
  for (const lane of lanes) assert.ok(known.includes(`'${lane}'`), `unknown lane ${lane}`);
});

test('compose.yaml: dependencies name services, volumes are declared, shared keys mounted where SHENBI_HOME looks', () => {
  const { services } = compose;
  const declared = new Set(Object.keys(compose.volumes ?? {}));
  for (const [name, service] of Object.entries(services)) {
    for (const dependency of Object.keys(service.depends_on ?? {})) assert.ok(services[dependency] !== undefined, `${name} depends on unknown ${dependency}`);
    for (const volume of service.volumes ?? []) {
      const source = volume.split(':')[0]!;
      if (!source.startsWith('/') && !source.startsWith('.')) assert.ok(declared.has(source), `${name}: volume ${source} not declared`);
    }
  }
  for (const name of ['api', 'worker', 'keys']) assert.ok(services[name]!.volumes?.includes('keys:/data/keys'), `${name} lacks the shared keys`);
  assert.deepEqual(services.keys!.command, ['keys', 'init']);
});

test('Dockerfile: multi-stage, COPY sources exist and are not docker-ignored, Debian bookworm-slim + Node 20 + ffmpeg + fonts, non-root, serve by default', () => {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages = lines.filter((line) => line.startsWith('FROM '));
  assert.equal(stages.length, 2, stages.join('\n'));
  for (const stage of stages) assert.match(stage, /^FROM node:20-bookworm-slim AS \w+$/);
  const names = stages.map((stage) => stage.split(' ').at(-1)!);
  const ignored = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  let copies = 0;
  for (const line of lines.filter((l) => l.startsWith('COPY '))) {
    const parts = line.split(/\s+/).slice(1);
    const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
    const paths = parts.filter((p) => !p.startsWith('--'));
    const sources = paths.slice(0, -1);
    if (from !== undefined) {
      assert.ok(names.includes(from), `COPY --from=${from}: no such stage`);
      continue;
    }
    for (const source of sources) {
      copies++;
      assert.ok(existsSync(`${ROOT}${source}`), `COPY source ${source} does not exist`);
      assert.ok(!ignored.includes(source.replace(/\/$/, '')), `COPY source ${source} is in .dockerignore`);
    }
  }
  assert.ok(copies >= 5);
  const runtime = lines.slice(lines.indexOf(stages[1]!));
  const apt = runtime.find((line) => line.includes('apt-get install')) ?? '';
  for (const pkg of ['ffmpeg', 'fonts-noto-cjk', 'fonts-dejavu-core']) assert.ok(apt.split(/\s+/).includes(pkg), `runtime lacks ${pkg}`);
  const user = runtime.filter((line) => line.startsWith('USER ')).at(-1);
  assert.ok(user !== undefined && !/\b(root|0)\b/.test(user), `runtime runs as ${user ?? 'root'}`);
  assert.equal(runtime.filter((line) => line.startsWith('CMD ')).at(-1), 'CMD ["serve", "--host", "0.0.0.0", "--port", "8787"]');
  assert.match(runtime.find((line) => line.startsWith('ENTRYPOINT ')) ?? '', /bin\/shenbi\.js/);
});
