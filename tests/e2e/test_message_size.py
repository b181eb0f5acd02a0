"""Messages to the server over Streamlit's websocket: oversized ones are refused, the app stays up.

.streamlit/config.toml sets server.maxMessageSize = 5 (MB). A client that sends more (here a
widget value of 6 MB in a `rerun_script` BackMsg) loses its connection (close code 1009,
"message too big", or the socket simply closed) before the app sees anything; the server stays healthy and serves the next
session. A large but allowed message (a pasted text of 100 kB, or 4.5 MB) is simply run.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from tests.conftest import ROOT
from tests.support.server import Server

LIMIT = 5_000_000  # server.maxMessageSize in bytes
UNKNOWN_WIDGET = "$$ID-00000000000000000000000000000000-pasted_text"


def config_limit() -> int:
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    return int(config["server"]["maxMessageSize"]) * 1_000_000


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[Server]:
    """The app on its own server: these tests try to upset it."""
    srv = Server(Path(tmp_path_factory.mktemp("message-size")))
    yield srv
    srv.stop()


def open_stream(app: Server) -> ClientConnection:
    """A websocket to the app as a browser opens it: same Origin, the `streamlit` subprotocol."""
    return connect(
        f"ws://127.0.0.1:{app.port}/_stcore/stream",
        origin=Origin(app.url),
        subprotocols=[Subprotocol("streamlit")],
        max_size=None,
        open_timeout=30,
        close_timeout=5,
    )


def rerun(widgets: dict[str, str] | None = None) -> bytes:
    """The BackMsg a browser sends to run the app, with text widget values."""
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_script_hash = ""
    for widget_id, value in (widgets or {}).items():
        state = msg.rerun_script.widget_states.widgets.add()
        state.id = widget_id
        state.string_value = value
    return msg.SerializeToString()


def until_finished(ws: ClientConnection, timeout: float = 60) -> list[ForwardMsg]:
    """The messages of one script run, up to and including script_finished."""
    received = []
    deadline = time.monotonic() + timeout  # a guard against a hang, not a measurement
    while True:
        msg = ForwardMsg()
        msg.ParseFromString(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        received.append(msg)
        if msg.WhichOneof("type") == "script_finished":
            return received


def healthy(app: Server) -> bool:
    with urllib.request.urlopen(f"{app.url}/_stcore/health", timeout=10) as r:
        return r.status == 200 and app.process.poll() is None


def assert_serves_a_new_session(app: Server) -> None:
    with open_stream(app) as ws:
        ws.send(rerun())
        messages = until_finished(ws)
    assert messages[-1].script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
    assert any(m.WhichOneof("type") == "delta" for m in messages), "the start page was drawn"


def test_the_limit_is_the_configured_one():
    assert config_limit() == LIMIT


def test_an_oversized_message_closes_that_connection_only(app: Server):
    with open_stream(app) as bystander:
        bystander.send(rerun())
        until_finished(bystander)

        with open_stream(app) as ws, pytest.raises(ConnectionClosed) as closed:
            # The server may close the connection while the message is still being sent.
            ws.send(rerun({UNKNOWN_WIDGET: "x" * (LIMIT + 1_000_000)}))
            until_finished(ws)  # returns only if the app ran with the oversized message
        # 1009 "message too big", when the close frame arrives before the server drops the socket.
        assert closed.value.rcvd is None or closed.value.rcvd.code == 1009, closed.value

        # The server and the other session carry on.
        assert healthy(app)
        bystander.send(rerun())
        assert until_finished(bystander)[-1].script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
    assert_serves_a_new_session(app)
    assert "Traceback" not in app.log.read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize("size", [100_000, 4_500_000], ids=["100kB", "4.5MB"])
def test_a_large_message_under_the_limit_is_run(app: Server, size: int):
    with open_stream(app) as ws:
        ws.send(rerun({UNKNOWN_WIDGET: "y" * size}))
        assert until_finished(ws)[-1].script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
        ws.send(rerun())  # the connection is still open
        assert until_finished(ws)[-1].script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
    assert healthy(app)
