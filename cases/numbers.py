"""The one parser of whole numbers read from requests, forms and stored data: ASCII digits only.

Python's `str.isdigit()` and `int()` accept other scripts' digits (`٣`), superscripts (`²`) and
circled digits (`①`), and disagree about which: a check with one and a conversion with the other
answered 500. Everything that reads a number from outside goes through `parse_whole_number`.
"""

import re

from django import forms

ASCII_WHOLE_NUMBER = re.compile(r"[0-9]+", re.ASCII)
MAX_DIGITS = 18  # fits a signed 64-bit column; longer input is refused before conversion
# What may surround a number: str.strip() alone also removes control characters (\x1c-\x1f are
# white space to Python), so "\x1f2" was read as 2.
SPACES = " \t\r\n"


class NotAWholeNumber(ValueError):
    """`value` is not a whole number of ASCII digits within the bounds asked for."""


def parse_whole_number(value, *, minimum=0, maximum=None):
    """The int written in `value`: a str of ASCII digits 0-9 (surrounding SPACES allowed) or an int.

    `minimum`/`maximum` (ints, inclusive; `maximum=None` means up to MAX_DIGITS digits) bound it.
    Raises NotAWholeNumber (a ValueError) for anything else: signs, decimals, bools, non-ASCII
    digits, an empty string, a number out of bounds.
    """
    if isinstance(value, bool):
        raise NotAWholeNumber(f"{value!r} is not a whole number.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip(SPACES)
        if len(text) > MAX_DIGITS or not ASCII_WHOLE_NUMBER.fullmatch(text):
            raise NotAWholeNumber(f"{value!r} is not a whole number written with the digits 0-9.")
        number = int(text)
    else:
        raise NotAWholeNumber(f"{value!r} is not a whole number.")
    if number < minimum or (maximum is not None and number > maximum):
        raise NotAWholeNumber(f"{number} is out of range.")
    return number


class WholeNumberField(forms.IntegerField):
    """An IntegerField that accepts the ASCII digits 0-9 only (Django's accepts `٣` as 3), with an
    optional sign; anything else is Django's "Enter a whole number." error."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip(SPACES)
        negative = text.startswith("-")
        try:
            number = parse_whole_number(text[1:] if negative or text.startswith("+") else text)
        except NotAWholeNumber:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return -number if negative else number


def whole_numbers(values):
    """The whole numbers among `values` (stored data such as a quote's other seconds), others dropped."""
    found = []
    for value in values or ():
        try:
            found.append(parse_whole_number(value))
        except NotAWholeNumber:
            continue
    return found
