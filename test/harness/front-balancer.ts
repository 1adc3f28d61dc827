// A small load balancer in front of gateway replicas, as a cloud or Kubernetes one would be: an nginx
// on 127.0.0.1 (plain HTTP) with every replica's HTTPS port as an upstream server, and a request that
// fails on one (refused, reset, a 502/503) retried on the next, POSTs included (non_idempotent), before
// any byte has reached the client. No server is ever marked down (max_fails=0): a replica that is back is
// used at once, as a balancer with readiness checks would. Its access log says which replicas each request tried.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface FrontBalancer {
  url: string;
  /** One entry per finished request: its status and the replicas it tried ("a:1, b:2"). */
  log(): { status: number; upstreams: string[] }[];
  /** Its error log (why an attempt failed). */
  errors(): string;
  stop(): Promise<void>;
}

export async function startFrontBalancer(replicaUrls: string[]): Promise<FrontBalancer> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-front-'));
  chmodSync(dir, 0o711);
  const port = await freePort();
  const servers = replicaUrls.map((u) => `        server ${new URL(u).host} max_fails=0;`).join('\n');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
    log_format front '$status "$upstream_addr"';
    access_log ${dir}/access.log front;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    upstream replicas {
${servers}
        keepalive 16;
    }
    server {
        listen 127.0.0.1:${port};
        client_max_body_size 8m;
        location / {
            proxy_pass https://replicas;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_buffering off;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries ${replicaUrls.length + 1};
        }
    }
}
`,
  );
  const child: ChildProcess = spawn('nginx', ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', `${dir}/error.log`], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      readFileSync(join(dir, 'nginx.pid'));
      break;
    } catch {
      if (child.exitCode !== null) throw new Error(`the front nginx exited: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
      if (Date.now() > deadline) throw new Error('the front nginx did not start within 10 s');
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    log() {
      let text = '';
      try {
        text = readFileSync(join(dir, 'access.log'), 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const m = /^(\d+) "(.*)"$/.exec(line)!;
          return { status: Number(m[1]), upstreams: m[2].split(/, | : /).filter((a) => a && a !== '-') };
        });
    },
    errors: () => readFileSync(join(dir, 'error.log'), 'utf8'),
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGQUIT');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
