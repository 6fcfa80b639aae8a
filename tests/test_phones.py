"""Phone numbers are stored in E.164 and masked in views."""
import pytest

from hotline import phones


@pytest.mark.parametrize("raw", ["138 0013 8000", "13800138000", "+86 138-0013-8000", "008613800138000"])
def test_normalise_mobile(raw):
    """The usual ways of typing a mobile number give the same E.164 form."""
    assert phones.normalise(raw) == "+8613800138000"


def test_normalise_landline():
    """A Shenyang landline with its area code is accepted."""
    assert phones.normalise("024 2345 6789") == "+862423456789"


@pytest.mark.parametrize("raw", ["12345", "abc", "", "+86 000"])
def test_invalid_numbers_are_refused(raw):
    """Text that is not a dialable number raises InvalidPhone."""
    with pytest.raises(phones.InvalidPhone):
        phones.normalise(raw)


def test_mask_hides_the_middle():
    """Masking keeps the country code, the first three and the last four digits."""
    assert phones.mask("+8613800138000") == "+86 138****8000"
    assert phones.mask(None) == ""
