import { createConnection, createServer, type Server, type Socket } from 'node:net';

// a TCP hop between a replica and its relay that the test can hold: while held,
// bytes wait in the hop in order, as on a link that stalls, and nothing closes

export interface HeldLink {
  url: string;
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function heldLink(target: string): Promise<HeldLink> {
  const { hostname, port } = new URL(target.replace(/^ws/, 'http'));
  let held = false;
  const waiting: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const pipe = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (held) waiting.push(() => to.write(chunk));
      else to.write(chunk);
    });
    from.on('close', () => to.destroy());
    from.on('error', () => to.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: hostname, port: Number(port) });
    sockets.add(client).add(upstream);
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    url: `ws://127.0.0.1:${address.port}`,
    hold() {
      held = true;
    },
    release() {
      held = false;
      for (const send of waiting.splice(0)) send();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
