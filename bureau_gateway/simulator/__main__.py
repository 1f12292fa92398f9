"""The outside-world simulator as a real HTTP service: `python -m bureau_gateway.simulator`.

Credit bureau, government data, identity (mobile operator, biometrics, EDS) and SMS, with
test-control endpoints; see `bureau_gateway.simulator.server` for the routes. Needs no Django
settings and no database.
"""

import argparse

from bureau_gateway.simulator.server import make_server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    args = parser.parse_args()
    server = make_server(args.host, args.port)
    print(f"simulator listening on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
