"""Lists on the command line: commas, spaces or both give the same list."""

from __future__ import annotations

import pytest

from wordlight.cli._common import int_list, split_list
from wordlight.cli.main import build_parser
from wordlight.errors import InputError


@pytest.mark.parametrize(
    "given",
    [["lime,occlusion"], ["lime", "occlusion"], ["lime,", "occlusion"], ["lime, occlusion"],
     "lime occlusion", "lime,occlusion"],
)  # fmt: skip
def test_commas_and_spaces_give_the_same_list(given):
    assert split_list(given) == ["lime", "occlusion"]


def test_int_lists_and_their_error():
    assert int_list("--layers", "1,3") == (1, 3) == int_list("--layers", "1 3")
    assert int_list("--layers", None) == ()
    with pytest.raises(InputError, match=r"--layers '1,x': give integers") as info:
        int_list("--layers", "1,x")
    assert "\n" not in str(info.value)


def test_the_compare_command_takes_both_spellings():
    parser = build_parser()
    a = parser.parse_args(["compare", "t", "--methods", "lime,occlusion", "--metrics", "a,b"])
    b = parser.parse_args(["compare", "--methods", "lime", "occlusion", "--metrics", "a", "b"])
    assert split_list(a.methods) == split_list(b.methods) == ["lime", "occlusion"]
    assert split_list(a.metrics) == split_list(b.metrics) == ["a", "b"]
