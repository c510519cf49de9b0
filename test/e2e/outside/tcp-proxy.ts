import type { AddressInfo } from "node:net";
import { connect, createServer, type Server, type Socket } from "node:net";
import postgres from "postgres";

/**
 * A TCP proxy on 127.0.0.1 in front of PostgreSQL, so a test can do to the bot's connections what a
 * network or a database does to them: cut them all (`resetAll`), let nothing through for a while
 * (`partition`: bytes are held, not lost, as a stalled network does; or dropped, with `drop: true`), and
 * turn new connections away (`refuse`). `terminateBackends` is the database's own way: PostgreSQL ends
 * the bot's sessions (57P01) while the sockets stay up.
 */

export type TcpProxy = {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  /** Connections open through the proxy now. */
  openConnections(): number;
  /** Destroys every open connection at once, both sides (the bot sees ECONNRESET or CONNECTION_CLOSED). */
  resetAll(): void;
  /**
   * For `ms`, nothing passes either way and new connections wait; then everything held goes through, in
   * order. With `drop`, what was sent meanwhile is lost and the open connections are cut when it ends.
   */
  partition(ms: number, options?: { drop?: boolean }): Promise<void>;
  /** While on, the proxy does not listen: new connections are refused (ECONNREFUSED), open ones stay. */
  refuse(on: boolean): Promise<void>;
  close(): Promise<void>;
};

type Pair = { client: Socket; server: Socket };

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let partitioned: { drop: boolean; held: (() => void)[] } | undefined;

  const pipe = (from: Socket, to: Socket) => {
    from.on("data", (chunk: Buffer) => {
      if (!partitioned) to.write(chunk);
      else if (!partitioned.drop) partitioned.held.push(() => to.write(chunk));
    });
    // A side that ends (PostgreSQL's Terminate, then the socket) ends the other side too.
    from.on("end", () => to.end());
  };

  const open = (client: Socket) => {
    const server = connect(target.port, target.host);
    const pair = { client, server };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on("error", end).on("close", end);
    server.on("error", end).on("close", end);
    pipe(client, server);
    pipe(server, client);
  };

  const proxy: Server = createServer((client) => {
    client.pause();
    const start = () => {
      client.resume();
      open(client);
    };
    if (partitioned && !partitioned.drop) partitioned.held.push(start);
    else if (partitioned?.drop) client.destroy();
    else start();
  });
  const listen = (on: number) =>
    new Promise<void>((resolve, reject) => {
      proxy.once("error", reject);
      proxy.listen(on, "127.0.0.1", () => {
        proxy.off("error", reject);
        resolve();
      });
    });
  await listen(0);
  const { port } = proxy.address() as AddressInfo;
  let listening = true;

  const resetAll = () => {
    for (const { client, server } of [...pairs]) {
      client.resetAndDestroy();
      server.resetAndDestroy();
    }
    pairs.clear();
  };

  return {
    port,
    via(url) {
      const parsed = new URL(url);
      parsed.hostname = "127.0.0.1";
      parsed.port = String(port);
      return parsed.toString();
    },
    openConnections: () => pairs.size,
    resetAll,
    async partition(ms, options = {}) {
      const state = { drop: options.drop ?? false, held: [] as (() => void)[] };
      partitioned = state;
      await new Promise((resolve) => setTimeout(resolve, ms));
      partitioned = undefined;
      if (state.drop) resetAll();
      for (const release of state.held) release();
    },
    async refuse(on) {
      if (on === !listening) return;
      listening = !on;
      // close() stops listening at once; its callback waits for the open connections, which stay.
      if (on) proxy.close();
      else await listen(port);
    },
    async close() {
      partitioned = undefined;
      resetAll();
      if (listening) await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

/**
 * `pg_terminate_backend` on every session of `database` whose application_name is `applicationName`
 * (the bot sets "perche"): what an administrator, a failover or `pg_ctl restart -m fast` does. Returns
 * how many sessions were ended.
 */
export async function terminateBackends(
  adminUrl: string,
  database: string,
  applicationName = "perche",
): Promise<number> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ ended: boolean }[]>`
      select pg_terminate_backend(pid) as ended from pg_stat_activity
      where datname = ${database} and application_name = ${applicationName} and pid <> pg_backend_pid()`;
    return rows.filter((row) => row.ended).length;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
