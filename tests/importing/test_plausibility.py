"""cases/importing/plausibility.py: each time-plausibility rule on small synthetic documents (seconds)."""

import pytest

from cases.importing.plausibility import (
    LONGEST_VIDEO_SECONDS,
    assess_document,
    choose_second,
    estimate_end,
    plausible_maximum,
    shift_pattern,
)


def hms(value: str) -> int:
    hours, minutes, seconds = (int(part) for part in value.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def doc(*values):
    return [hms(value) for value in values]


# A 60-minute webinar summarised correctly, twice.
CORRECT_A = doc("00:00:12", "00:05:41", "00:17:03", "00:31:29", "00:44:50", "00:58:17")
CORRECT_B = doc("00:01:02", "00:09:33", "00:26:48", "00:39:14", "00:52:06", "00:59:31")
# The same webinar with every value written one field left: minutes:seconds:00.
SHIFTED_00 = doc("00:12:00", "05:41:00", "17:03:00", "31:29:00", "44:50:00", "58:17:00")


# --------------------------------------------------------------------------- the estimate


def test_the_estimate_resists_one_shifted_document_even_without_its_pattern():
    # Values past any plausible end whose last fields vary (no pattern to recognise).
    stretched = doc("03:41:09", "03:51:21", "04:40:50", "05:54:56")
    maxima = [plausible_maximum(values) for values in (CORRECT_A, CORRECT_B, stretched)]
    assert estimate_end(maxima) == hms("00:59:31")
    # Two documents only: the lower one is the reference, the stretched one is left out.
    assert estimate_end([plausible_maximum(CORRECT_A), plausible_maximum(stretched)]) == hms("00:58:17")


def test_a_shifted_document_counts_for_the_estimate_read_as_minutes_seconds():
    assert plausible_maximum(SHIFTED_00) == hms("00:58:17")
    assert estimate_end([plausible_maximum(SHIFTED_00)]) == hms("00:58:17")


def test_documents_of_the_same_video_ending_close_together_all_count():
    assert estimate_end([hms("01:23:31"), hms("01:23:21"), hms("01:40:02")]) == hms("01:40:02")


def test_a_confirmed_document_always_counts_and_nothing_else_runs_past_ten_hours():
    assert estimate_end([hms("00:58:17")], confirmed=[hms("02:10:00")]) == hms("02:10:00")
    assert estimate_end([hms("30:00:00")]) == LONGEST_VIDEO_SECONDS
    assert estimate_end([]) is None


# --------------------------------------------------------------------------- shifted documents


@pytest.mark.parametrize("last", ["00", "05", "01", "37"])
def test_values_shifted_one_field_left_are_flagged_whatever_the_repeated_last_field(last):
    values = [second - second % 60 + int(last) for second in SHIFTED_00]
    reason = assess_document(values, end=None)
    assert reason == (
        f"6 of 6 timestamps end in :{last} and run to 58:17:{last}: "
        f"values look shifted one field left (minutes:seconds:{last})"
    )


def test_values_repeating_their_minutes_count_as_shifted():
    values = doc("02:06:06", "03:05:05", "03:30:30", "04:12:12", "00:00:09")
    assert shift_pattern(values) is not None


def test_shifted_values_mixed_with_correct_ones_are_flagged_as_mixed():
    values = CORRECT_A + doc("12:03:00", "25:41:00", "47:19:00")
    reason = assess_document(values, end=hms("00:59:31"))
    assert reason.startswith(
        "3 of 9 timestamps end in :00 and run to 47:19:00, the 6 others do not: "
        "shifted values (minutes:seconds:00) mixed with correct ones"
    )
    assert "3 of 9 timestamps fall after the video's estimated end (00:59:31), up to 47:19:00" in reason


@pytest.mark.parametrize(
    "values",
    [
        CORRECT_A,
        # A long panel whose summary happens to round a few times to the minute.
        doc(
            *[f"0{h}:{m:02d}:{(m * 7 + h) % 60:02d}" for h in range(4) for m in range(3, 60, 6)], "01:10:00", "02:20:00"
        ),
        # Rounded times, all under two hours: not evidence of a shift.
        doc("00:05:00", "00:35:00", "01:05:00", "01:55:00"),
    ],
)
def test_plausible_documents_are_not_flagged(values):
    assert assess_document(values, end=max(values)) == ""


# --------------------------------------------------------------------------- past the end


def test_a_real_share_past_the_end_flags_the_document_one_stray_value_does_not():
    assert assess_document(CORRECT_A + doc("01:30:00"), end=hms("01:00:00")) == ""
    reason = assess_document(CORRECT_A + doc("01:30:07", "02:11:45"), end=hms("01:00:00"), estimated=False)
    assert reason == "2 of 8 timestamps fall after the video's end (01:00:00), up to 02:11:45"


# --------------------------------------------------------------------------- data-t and text


def test_text_disproves_value_the_plausible_one_is_kept():
    # data-t="25:06:00" with the text [00:25:06] in a one-hour video
    assert choose_second(hms("25:06:00"), hms("00:25:06"), end=hms("01:00:00")) == (hms("00:25:06"), hms("25:06:00"))
    # With no end known, ten hours is the bound.
    assert choose_second(hms("25:06:00"), hms("00:25:06"), end=None) == (hms("00:25:06"), hms("25:06:00"))


@pytest.mark.parametrize(
    "value, text, end",
    [
        ("00:25:06", "00:26:05", "01:00:00"),  # both plausible: data-t is kept
        ("03:25:06", "02:25:06", "01:00:00"),  # neither is plausible
        ("00:25:06", "03:25:06", "01:00:00"),  # only data-t is plausible
    ],
)
def test_data_t_is_kept_unless_only_the_text_is_plausible(value, text, end):
    assert choose_second(hms(value), hms(text), end=hms(end)) == (hms(value), None)
