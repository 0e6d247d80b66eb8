/**
 * proxy/deploy/docker-compose.yml and proxy/deploy/nginx-cluster.conf describe the same cluster
 * (Docker is not available here, so nothing runs the compose file): every upstream server is a
 * proxy service built from proxy/Dockerfile on the port it listens on, every such service is in
 * the upstream block, the instances trust nginx's address and answer its server_name, share one
 * Redis and one Postgres from the file, and nginx mounts this config and the certificate where it
 * reads them. Then Debian's nginx checks the config itself (`nginx -t`, ports and paths changed).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLUSTER_CONF, COMPOSE_FILE, NGINX_BIN, makeCertificate, nginxConfigTest, renderClusterConf, upstreamServers } from '../../testkit/servers/cluster-topology';

type Yaml = string | null | Yaml[] | { [key: string]: Yaml };

interface Line {
  indent: number;
  text: string;
  number: number;
}

/**
 * Reads the block-style YAML the compose file keeps to (mappings, lists, plain or quoted
 * scalars, comments, and the empty `{}`). Anything else (anchors, flow collections, multi-line
 * scalars) throws, so the file cannot drift into something this test misreads.
 */
function readBlockYaml(text: string): Yaml {
  const lines: Line[] = [];
  text.split('\n').forEach((raw, index) => {
    const withoutComment = raw.replace(/(^|\s)#.*$/, '').trimEnd();
    if (withoutComment.trim() === '') return;
    lines.push({ indent: withoutComment.length - withoutComment.trimStart().length, text: withoutComment.trim(), number: index + 1 });
  });
  let at = 0;
  const fail = (line: Line | undefined, why: string): never => {
    throw new Error(`docker-compose.yml line ${line?.number ?? 'end'}: ${why}`);
  };
  const scalar = (raw: string, line: Line): Yaml => {
    if (raw === '{}') return {};
    if (/^[&*!|>[{]/.test(raw)) fail(line, `unsupported YAML "${raw}"`);
    const quoted = /^"(.*)"$/.exec(raw) ?? /^'(.*)'$/.exec(raw);
    return quoted ? (quoted[1] ?? '') : raw;
  };
  const keyValue = (text: string, line: Line): [string, string] => {
    const match = /^([A-Za-z0-9_.-]+):(?:\s+(.*))?$/.exec(text);
    if (!match) fail(line, `expected "key: value", got "${text}"`);
    return [match?.[1] ?? '', match?.[2] ?? ''];
  };
  const block = (indent: number): Yaml => {
    const first = lines[at];
    if (!first || first.indent < indent) return null;
    return first.text.startsWith('- ') || first.text === '-' ? list(first.indent) : map(first.indent);
  };
  const map = (indent: number, firstEntry?: string, firstLine?: Line): Yaml => {
    const out: Record<string, Yaml> = {};
    const entry = (text: string, line: Line) => {
      const [key, value] = keyValue(text, line);
      if (key in out) fail(line, `duplicate key ${key}`);
      out[key] = value === '' ? block(indent + 1) : scalar(value, line);
    };
    if (firstEntry !== undefined && firstLine) entry(firstEntry, firstLine);
    while (at < lines.length) {
      const line = lines[at] as Line;
      if (line.indent < indent) break;
      if (line.indent > indent) fail(line, 'unexpected indentation');
      at += 1;
      entry(line.text, line);
    }
    return out;
  };
  const list = (indent: number): Yaml => {
    const out: Yaml[] = [];
    while (at < lines.length) {
      const line = lines[at] as Line;
      if (line.indent < indent || !line.text.startsWith('- ')) break;
      if (line.indent > indent) fail(line, 'unexpected indentation');
      at += 1;
      const item = line.text.slice(2).trim();
      // "- key: value" starts a mapping whose other keys sit under the key.
      out.push(/^[A-Za-z0-9_.-]+:(\s|$)/.test(item) && !/^\S+:\d/.test(item) ? map(indent + 2, item, line) : scalar(item, line));
    }
    return out;
  };
  const root = block(0);
  if (at < lines.length) fail(lines[at], 'not read');
  return root;
}

function asMap(value: Yaml | undefined, what: string): Record<string, Yaml> {
  if (value === null || value === undefined || typeof value === 'string' || Array.isArray(value)) throw new Error(`${what} is not a mapping`);
  return value;
}
const asText = (value: Yaml | undefined): string => (typeof value === 'string' ? value : '');
const asList = (value: Yaml | undefined): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

const conf = readFileSync(CLUSTER_CONF, 'utf8');
const compose = asMap(readBlockYaml(readFileSync(COMPOSE_FILE, 'utf8')), 'the compose file');
const services = asMap(compose.services, 'services');
const proxyServices = Object.entries(services).filter(([, service]) => asText(asMap(asMap(service, 'a service').build ?? {}, 'build').dockerfile) === 'proxy/Dockerfile');
const env = (name: string) => asMap(asMap(services[name], name).environment, `${name}.environment`);

describe('proxy/deploy: docker-compose.yml and nginx-cluster.conf agree', () => {
  it('the upstream block balances by least connections over every proxy service, with passive health checks', () => {
    expect(conf).toMatch(/upstream captionist_proxies \{\s*least_conn;/);
    const servers = upstreamServers(conf);
    expect(servers.length).toBeGreaterThanOrEqual(2);
    expect(servers.map((s) => s.host).sort()).toEqual(proxyServices.map(([name]) => name).sort());
    for (const server of servers) {
      expect(server.line).toMatch(/max_fails=\d+ fail_timeout=\d+s/);
      // The port nginx connects to is the one the instance listens on (PORT, or the Dockerfile's 8787).
      expect(String(server.port)).toBe(asText(env(server.host).PORT) || '8787');
    }
    expect(conf).toMatch(/proxy_next_upstream error timeout;/);
    // Every location that reaches the proxy goes to the upstream block, none to one address.
    expect([...conf.matchAll(/proxy_pass (\S+);/g)].map((m) => m[1])).toEqual(Array(3).fill('http://captionist_proxies'));
  });

  it('keeps nginx-site.conf edge settings: per-address limits, Host, WebSocket upgrade, TLS', () => {
    const site = readFileSync(CLUSTER_CONF.replace('nginx-cluster.conf', 'nginx-site.conf'), 'utf8');
    const settings = (text: string) =>
      text
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => /^(limit_conn|limit_req|ssl_|proxy_set_header|proxy_http_version|proxy_read_timeout|proxy_send_timeout|proxy_buffering|client_|listen|server_name|map |return 4)/.test(line));
    expect(settings(conf)).toEqual(settings(site));
  });

  it('each instance trusts nginx, answers its server_name, and shares the file\'s Redis and Postgres', () => {
    const nginx = asMap(services.nginx, 'nginx');
    const nginxAddress = asText(asMap(asMap(nginx.networks, 'nginx.networks').captionist, 'nginx network').ipv4_address);
    expect(nginxAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const serverName = /server_name (\S+);/.exec(conf)?.[1];
    const postgres = asMap(asMap(services.postgres, 'postgres').environment, 'postgres.environment');
    expect(proxyServices.length).toBeGreaterThanOrEqual(3);
    for (const [name] of proxyServices) {
      const variables = env(name);
      expect(asText(variables.TRUSTED_PROXIES), `${name} TRUSTED_PROXIES`).toBe(nginxAddress);
      expect(asText(variables.ALLOWED_HOSTS), `${name} ALLOWED_HOSTS`).toBe(serverName);
      const redis = new URL(asText(variables.REDIS_URL));
      expect(redis.protocol).toBe('redis:');
      expect(services[redis.hostname], `${name} REDIS_URL names a service`).toBeDefined();
      expect(redis.hostname).toBe('redis');
      const archive = asText(variables.ARCHIVE_DATABASE_URL);
      const parsed = /^postgres:\/\/([^:]+):(.+)@([^:/]+):(\d+)\/(\S+)$/.exec(archive);
      expect(parsed, `${name} ARCHIVE_DATABASE_URL`).not.toBeNull();
      expect(parsed?.[1]).toBe(asText(postgres.POSTGRES_USER));
      expect(parsed?.[2]).toBe(asText(postgres.POSTGRES_PASSWORD));
      expect(parsed?.[3]).toBe('postgres');
      expect(parsed?.[5]).toBe(asText(postgres.POSTGRES_DB));
      // Off loopback the proxy refuses to start without tokens (proxy/config.ts).
      expect(asText(variables.CAPTIONIST_TOKENS) || asText(variables.CAPTIONIST_TOKENS_FILE)).not.toBe('');
      expect(asList(asMap(services[name], name).depends_on).sort()).toEqual(['postgres', 'redis']);
      // Longer than the proxy's 5 s drain (proxy/server.ts), or Docker kills it mid-drain.
      expect(Number(/^(\d+)s$/.exec(asText(asMap(services[name], name).stop_grace_period))?.[1] ?? 0)).toBeGreaterThan(5);
    }
    expect(asList(nginx.depends_on).sort()).toEqual(proxyServices.map(([name]) => name).sort());
  });

  it('nginx mounts this config, and the certificate where the config reads it', () => {
    const volumes = asList(asMap(services.nginx, 'nginx').volumes).map((volume) => volume.split(':'));
    const mounted = new Map(volumes.map(([from = '', to = '']) => [to, from]));
    expect(mounted.get('/etc/nginx/conf.d/default.conf')).toBe('./nginx-cluster.conf');
    for (const directive of ['ssl_certificate', 'ssl_certificate_key']) {
      const file = new RegExp(`${directive}\\s+(\\S+);`).exec(conf)?.[1] ?? '';
      expect(mounted.has(file), `${directive} ${file} is mounted`).toBe(true);
    }
    expect(asList(asMap(services.nginx, 'nginx').ports)).toContain('443:443');
  });

  it.skipIf(!existsSync(NGINX_BIN))('nginx -t accepts nginx-cluster.conf with its ports and paths changed', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'captionist-cluster-cert-'));
    try {
      const { certificate, key } = makeCertificate(folder);
      const ports = upstreamServers(conf).map((_server, index) => 40_000 + index);
      const rendered = renderClusterConf({ instancePorts: ports, listenPort: 39_999, tls: true, certificate, key });
      const result = nginxConfigTest(rendered);
      expect(result.output).toMatch(/syntax is ok/);
      expect(result.ok, result.output).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
