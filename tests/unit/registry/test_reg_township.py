"""SHOUHU_TOWNSHIP: the station's town from the shipped gazetteer, its villages by name."""

import pytest

from services.registry.config import villages_from_env
from shared.config import ConfigError


def test_the_demo_township_is_the_default(monkeypatch):
    monkeypatch.delenv("SHOUHU_TOWNSHIP", raising=False)
    monkeypatch.delenv("SHOUHU_REGISTRY_VILLAGES", raising=False)
    villages = villages_from_env()
    assert villages.township_name == "扶欢镇" and villages.resolve("石足") == "500110120200"


def test_another_township_and_villages_added_by_hand(monkeypatch, tmp_path):
    extra = tmp_path / "villages.csv"
    extra.write_text("code,name\n510104017999,新建社区居民委员会\n", encoding="utf-8")
    monkeypatch.setenv("SHOUHU_TOWNSHIP", "510104017")  # Chengdu, Jinjiang: 锦官驿街道
    monkeypatch.setenv("SHOUHU_REGISTRY_VILLAGES", str(extra))
    villages = villages_from_env()
    assert villages.township_code == "510104017" and len(villages.names) > 1
    assert villages.resolve("新建社区") == "510104017999"


@pytest.mark.parametrize("code", ["5001101", "110101001", "500110999"])
def test_a_township_the_gazetteer_lacks_is_a_config_error(monkeypatch, code):
    monkeypatch.setenv("SHOUHU_TOWNSHIP", code)
    with pytest.raises(ConfigError, match="SHOUHU_TOWNSHIP"):
        villages_from_env()
