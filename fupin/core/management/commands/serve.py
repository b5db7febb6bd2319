from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication

from fupin.wsgi import application


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return application


class Command(BaseCommand):
    help = "Serve the web pages and the API with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for the whole network)"
        )
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **opts: Any) -> None:
        from fupin.core.jobs import run_queued

        run_queued()  # finish jobs left queued by a previous run before taking requests
        self.stdout.write(f"Fupin 正在 http://{opts['host']}:{opts['port']}/ 上服务 (Ctrl+C 停止)")
        _Server(
            {
                "bind": f"{opts['host']}:{opts['port']}",
                "workers": opts["workers"],
                "threads": opts["threads"],
                "worker_class": "gthread",
                "accesslog": None,
                "timeout": 120,
            }
        ).run()
