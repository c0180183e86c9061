import pytest

from filters import OptionsError
from filters.behaviour import BehaviourFilter
from filters.testing import make_filter


def test_defaults_build() -> None:
    assert isinstance(make_filter("behaviour"), BehaviourFilter)


@pytest.mark.parametrize(("options", "path"), [
    ({"flood": {"per_room": 0}}, "flood.per_room"),
    ({"flood": {"ban_factor": 0.5}}, "flood.ban_factor"),
    ({"spam": {"window": 0}}, "spam.window"),
    ({"new_network": {"ipv4_prefix": 33}}, "new_network.ipv4_prefix"),
    ({"anomaly": {"alpha": 1.5}}, "anomaly.alpha"),
    ({"anomaly": {"new_route": 1.5}}, "anomaly.new_route"),
    ({"anomaly": {"max_routes": 0}}, "anomaly.max_routes"),
    ({"block_score": 0}, "block_score"),
    ({"flood": {"per_rom": 3}}, "flood.per_rom"),
])
def test_bad_options_name_the_key(options: dict[str, object], path: str) -> None:
    with pytest.raises(OptionsError) as caught:
        make_filter("behaviour", options)
    assert path in str(caught.value)
