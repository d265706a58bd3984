"""The exception hierarchy covers every engine error code."""

from __future__ import annotations

import mqlite
from mqlite import _native
from mqlite._errors import ERRORS_BY_CODE


def test_every_engine_code_has_its_own_class_under_mqlite_error() -> None:
    codes = [code for code, _ in _native.error_codes()]
    assert sorted(codes) == sorted(ERRORS_BY_CODE)
    for code in codes:
        cls = ERRORS_BY_CODE[code]
        assert issubclass(cls, mqlite.MqliteError)
        assert cls.code == code
        assert getattr(mqlite, cls.__name__) is cls


def test_raised_errors_carry_their_code_and_message() -> None:
    with mqlite.open() as log:
        try:
            log.describe("missing")
        except mqlite.MqliteError as error:
            assert isinstance(error, mqlite.TopicNotFound)
            assert isinstance(error, LookupError)
            assert error.code == "TOPIC_NOT_FOUND"
            assert "missing" in str(error)
        else:
            raise AssertionError("describe of a missing topic must raise")
