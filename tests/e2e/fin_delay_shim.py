"""A loopback TCP relay that passes bytes at once but tells the proxy of the backend's close late.

    python fin_delay_shim.py LISTEN_PORT TARGET_PORT DELAY RUNTIME

nginx -> 127.0.0.1:LISTEN_PORT (this relay) -> 127.0.0.1:TARGET_PORT (the app server). When the app
server closes a connection, the relay closes its side towards nginx only DELAY seconds later: a
stand-in for the network latency between a proxy and its backend, which is what makes the
keep-alive race (GW201) observable. On loopback without it, nginx sees the close at once and never
reuses a closing connection. The relay listens on 127.0.0.1 only and exits after RUNTIME seconds.
"""

from __future__ import annotations

import asyncio
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass


async def _relay(
    client_reader: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    target: int,
    delay: float,
) -> None:
    try:
        app_reader, app_writer = await asyncio.open_connection("127.0.0.1", target)
    except OSError:
        client_writer.close()
        return
    upstream = asyncio.create_task(_pipe(client_reader, app_writer))
    await _pipe(app_reader, client_writer)
    await asyncio.sleep(delay)  # the app server has closed: let the proxy know only now
    client_writer.close()
    upstream.cancel()
    app_writer.close()


async def _main(listen: int, target: int, delay: float, runtime: float) -> None:
    server = await asyncio.start_server(
        lambda r, w: _relay(r, w, target, delay), "127.0.0.1", listen
    )
    print(f"fin-delay shim: 127.0.0.1:{listen} -> 127.0.0.1:{target}, delay {delay}s", flush=True)
    async with server:
        await asyncio.sleep(runtime)


if __name__ == "__main__":
    listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
    asyncio.run(_main(listen_port, target_port, float(sys.argv[3]), float(sys.argv[4])))
