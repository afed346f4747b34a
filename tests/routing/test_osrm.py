"""The road-network provider answers from an OSRM `table` service and falls back offline on any failure."""

import httpx
import pytest

from routing import HaversineTravel, LatLng
from routing.osrm import OsrmTravel
from tests.routing.builders import bike

POINTS = (LatLng(31.3005, 121.448), LatLng(31.3005, 121.458))
KEYS = ("K", "A")


def provider(handler):
    return OsrmTravel(base_url="http://osrm.test", timeout_s=0.5, transport=httpx.MockTransport(handler))


def test_durations_and_distances_come_from_the_table_service():
    asked = []

    def handler(request):
        asked.append(request.url)
        return httpx.Response(
            200,
            json={"code": "Ok", "durations": [[0, 61.4], [59.6, 0]], "distances": [[0, 1210.2], [1190.8, 0]]},
        )

    travel = provider(handler)

    matrix = travel.matrix(POINTS, KEYS, bike())

    assert matrix.seconds == ((0, 61), (60, 0)) and matrix.meters == ((0, 1210), (1191, 0))
    assert asked[0].path == "/table/v1/bike/121.448000,31.300500;121.458000,31.300500"
    assert asked[0].params["annotations"] == "duration,distance"
    assert travel.last_error is None


@pytest.mark.parametrize(
    ("handler", "error"),
    [
        (
            lambda request: (_ for _ in ()).throw(httpx.ConnectTimeout("slow", request=request)),
            "ConnectTimeout",
        ),
        (lambda request: httpx.Response(503, text="busy"), "HTTPStatusError"),
        (
            lambda request: httpx.Response(200, json={"code": "NoTable"}),
            "ValueError: OSRM answered code 'NoTable'",
        ),
        (
            lambda request: httpx.Response(
                200, json={"code": "Ok", "durations": [[0, None], [1, 0]], "distances": [[0, 1], [1, 0]]}
            ),
            "unreachable pairs",
        ),
        (lambda request: httpx.Response(200, text="<html>"), "JSONDecodeError"),
    ],
)
def test_any_failure_falls_back_to_the_offline_estimate(handler, error):
    travel = provider(handler)

    matrix = travel.matrix(POINTS, KEYS, bike())

    assert matrix == HaversineTravel().matrix(POINTS, KEYS, bike())
    assert error in (travel.last_error or "")


def test_the_service_address_must_be_http():
    with pytest.raises(ValueError, match="base_url must start with http:// or https://"):
        OsrmTravel(base_url="osrm.local")
