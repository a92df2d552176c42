import pytest

from infra.broker import free_port
from infra.stack import SERVICES, Stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The whole embedded stack, as ``shouhu up`` runs it, on free ports."""
    s = Stack(data_dir=tmp_path_factory.mktemp("stack"), broker_port=free_port(),
              ports={name: free_port() for name in SERVICES},
              extra_env={"SHOUHU_HTTP_WORKERS": "1"})
    s.start()
    yield s
    s.stop()
