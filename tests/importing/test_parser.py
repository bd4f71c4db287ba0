"""The pure-Python parser of webinar summary documents (no database, no Django)."""

import re
import time

import pytest

from cases.importing.parser import (
    DocumentError,
    IndexedVideo,
    ParsedDocument,
    Problem,
    Statement,
    format_timestamp,
    is_channel_index,
    parse_channel_index,
    parse_document,
    parse_timestamp,
    slugify_target,
    youtube_url,
)
from tests.sample_corpus import CORPUS, FIXTURE_CORPUS, needs_sample_corpus

SEED = "public_sector_innovation_and_collaboration.md"
CHANNEL_INDEX = "oecdobservatoryofpublicsec3116.md"
VIDEO = "nGjuo-7sUXM"


def anchor(value, text=None, cls='class="yt-timestamp"'):
    text = f"[{value}]" if text is None else text
    return f'<a {cls} data-t="{value}">{text}</a>'


def doc(body, *, title="A webinar", video=VIDEO, channel="[[oecdobservatoryofpublicsec3116]] <br/> "):
    head = f"---\ntitle: {title}\nvideoId: {video}\n---\n\n"
    if channel is not None:
        head += f"From: {channel}\n\n"
    return head + body


def parse(body, **kwargs):
    return parse_document(doc(body), **kwargs)


def only(document):
    assert len(document.statements) == 1, document.statements
    return document.statements[0]


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    "target, slug",
    [
        ("Public_Sector_Innovation", "public_sector_innovation"),
        ("Agile Nations", "agile_nations"),
        ("  public_sector_innovation  ", "public_sector_innovation"),
        ("post-pandemic recovery", "post-pandemic_recovery"),
        ("citizens' assemblies", "citizens_assemblies"),
        ("What is it?", "what_is_it"),
        ("strategic_foresight_literacy training", "strategic_foresight_literacy_training"),
    ],
)
def test_slugify_target(target, slug):
    assert slugify_target(target) == slug


@pytest.mark.parametrize(
    "value, seconds",
    [
        ("01:10:01", 4201),
        ("00:00:10", 10),
        ("56:07", 56 * 60 + 7),  # two fields: minutes and seconds
        ("01:04:15:00", 3600 + 4 * 60 + 15),  # four fields: the last (frames) is ignored
        ("01:4:02", 3600 + 4 * 60 + 2),  # one-digit field
        ("0:01:55", 115),
        ("02:9:00", 2 * 3600 + 9 * 60),
        ("01:11:12]", 3600 + 11 * 60 + 12),  # stray characters
        ("[00:12:03]", 723),
        (" 00 : 12 : 03 ", 723),
        ("t00:12:03s", 723),
        ("4210", 4210),
        ("4210s", 4210),
        ("1h02m03s", 3723),
        ("100:00:00", 360000),
    ],
)
def test_parse_timestamp(value, seconds):
    assert parse_timestamp(value) == seconds


@pytest.mark.parametrize("value", ["", "   ", "abc", "[--:--]", "::", "…"])
def test_parse_timestamp_without_a_number(value):
    assert parse_timestamp(value) is None
    assert parse_timestamp(value, minutes_seconds=True) is None


def test_parse_timestamp_minutes_seconds_rereads_three_fields_only():
    assert parse_timestamp("13:23:00", minutes_seconds=True) == 13 * 60 + 23
    assert parse_timestamp("13:23:00") == 13 * 3600 + 23 * 60
    assert parse_timestamp("56:07", minutes_seconds=True) == 56 * 60 + 7
    assert parse_timestamp("01:04:15:00", minutes_seconds=True) == 3600 + 4 * 60 + 15


def test_format_timestamp_and_youtube_url():
    assert format_timestamp(0) == "00:00:00"
    assert format_timestamp(4201) == "01:10:01"
    assert format_timestamp(100 * 3600 + 61) == "100:01:01"
    with pytest.raises(ValueError):
        format_timestamp(-1)
    assert youtube_url("nGjuo-7sUXM", 4210) == "https://www.youtube.com/watch?v=nGjuo-7sUXM&t=4210s"


# --------------------------------------------------------------------------- front matter


def test_front_matter_and_channel():
    parsed = parse_document(
        "---\ntitle: \"Public sector: innovation\"\nvideoId: 'nGjuo-7sUXM'\n---\n\n"
        "From: [[OECDObservatoryOfPublicSec3116]] <br/> \n\nText " + anchor("00:00:10") + ".\n"
    )
    assert isinstance(parsed, ParsedDocument)
    assert parsed.title == "Public sector: innovation"
    assert parsed.video_id == "nGjuo-7sUXM"
    assert parsed.channel == "oecdobservatoryofpublicsec3116"
    assert "From:" not in parsed.body
    assert parsed.topics == {}  # the channel link is not a topic
    assert parsed.problems == []


def test_no_channel_line():
    parsed = parse_document(doc("Text " + anchor("00:00:10") + ".", channel=None))
    assert parsed.channel is None
    assert only(parsed).text == "Text."


def test_no_front_matter_is_a_document_error():
    with pytest.raises(DocumentError) as error:
        parse_document("# Just markdown\n\nText " + anchor("00:00:10") + ".\n")
    assert error.value.line == 1
    assert error.value.reason == "no front matter"
    assert str(error.value) == "1: no front matter"


def test_empty_text_is_a_document_error():
    with pytest.raises(DocumentError) as error:
        parse_document("")
    assert error.value.line == 1


def test_no_video_id_is_a_document_error():
    with pytest.raises(DocumentError) as error:
        parse_document("---\ntitle: Something\n---\n\nText.\n")
    assert (error.value.line, error.value.reason) == (1, "no videoId in front matter")
    with pytest.raises(DocumentError) as error:
        parse_document("\n\n---\ntitle: Something\nvideoId:\n---\n")
    assert (error.value.line, error.value.reason) == (3, "no videoId in front matter")


def test_unclosed_front_matter_is_a_document_error():
    with pytest.raises(DocumentError) as error:
        parse_document("---\ntitle: Something\nvideoId: nGjuo-7sUXM\n")
    assert error.value.line == 1


def test_text_must_be_str():
    with pytest.raises(TypeError):
        parse_document(doc("Text.").encode())


def test_windows_line_endings():
    parsed = parse_document(doc("Text\nmore " + anchor("00:00:10") + ".\n").replace("\n", "\r\n"))
    assert only(parsed).text == "Text more."
    assert "\r" not in parsed.body


# --------------------------------------------------------------------------- anchors


def test_statement_basics():
    parsed = parse(
        "[[public_sector_innovation | Public sector innovation]] is **crucial** in a *changing* world "
        + anchor("00:00:10")
        + ". Governments look `beyond` borders "
        + anchor("00:00:15")
        + ".\n"
    )
    first, second = parsed.statements
    assert first == Statement(
        text="Public sector innovation is crucial in a changing world.",
        seconds=[10],
        heading_path=[],
        position=1,
        line=8,
        topics=["public_sector_innovation"],
    )
    assert second.text == "Governments look beyond borders."
    assert (second.seconds, second.position, second.line, second.topics) == ([15], 2, 8, [])
    assert parsed.anchor_count == 2


def test_body_anchors_become_markdown_links_and_wiki_links_stay():
    parsed = parse("[[a_topic | A topic]] matters " + anchor("01:10:01") + ".\n")
    assert parsed.body == (
        "[[a_topic | A topic]] matters [01:10:01](https://www.youtube.com/watch?v=nGjuo-7sUXM&t=4201s).\n"
    )


def test_two_field_four_field_and_one_digit_values():
    parsed = parse(
        "Two "
        + anchor("56:07")
        + ". Four "
        + anchor("01:04:15:00")
        + ". One digit "
        + anchor("01:4:02")
        + ". Hours "
        + anchor("0:01:55", "[00:01:55]")
        + ".\n"
    )
    assert [s.seconds for s in parsed.statements] == [[3367], [3855], [3842], [115]]
    assert parsed.problems == []
    assert "[00:56:07](https://www.youtube.com/watch?v=nGjuo-7sUXM&t=3367s)" in parsed.body


def test_stray_characters_in_the_value():
    statement = only(parse("Stray " + anchor("01:11:12]", "[01:11:12]") + ".\n"))
    assert statement.seconds == [4272]


def test_empty_anchor_text():
    parsed = parse('Empty <a class="yt-timestamp" data-t="00:00:11"></a>.\n')
    assert only(parsed).seconds == [11]
    assert only(parsed).text == "Empty."
    assert "[00:00:11](https://www.youtube.com/watch?v=nGjuo-7sUXM&t=11s)." in parsed.body


@pytest.mark.parametrize(
    "tag",
    [
        '<a class="yt="yt-timestamp" data-t="00:17:58">[00:17:58]</a>',
        '<a class="yt="t-timestamp" data-t="00:17:58">[00:17:58]</a>',
        '<a class="yt_timestamp" data-t="00:17:58">[00:17:58]</a>',
        '<a class class="yt-timestamp" data-t="00:17:58">[00:17:58]</a>',
        "<a class='yt-timestamp' data-t='00:17:58'>[00:17:58]</a>",
        "<a data-t=00:17:58>[00:17:58]</a>",
        '<A CLASS="yt-timestamp" DATA-T="00:17:58">[00:17:58]</A>',
        '<a class="yt-timestamp" data-t="00:17:58">[00:17:58]',  # no </a>
    ],
)
def test_broken_attributes(tag):
    parsed = parse(f"Broken {tag}.\n")
    assert only(parsed).seconds == [1078]
    assert only(parsed).text == "Broken."
    assert parsed.anchor_count == 1
    assert "<a" not in parsed.body.lower()


def test_missing_data_t_falls_back_to_the_text():
    parsed = parse('Ellipsis <a class class="yt-timestamp" …>[00:12:03]</a>.\n')
    assert only(parsed).seconds == [723]
    assert parsed.problems == []


def test_value_with_no_number_is_a_problem_and_left_as_text():
    parsed = parse(
        "Good "
        + anchor("00:00:10")
        + ". Bad "
        + anchor("--:--", "[??]")
        + ". Also "
        + anchor("", "")
        + " and "
        + anchor("00:00:20")
        + ".\n"
    )
    assert parsed.anchor_count == 4
    assert parsed.problems == [
        Problem(8, 'timestamp "--:--" has no number'),
        Problem(8, 'timestamp "" has no number'),
    ]
    # 'Bad' cites nothing readable: no statement; the unreadable anchor in a group is skipped
    assert [(s.text, s.seconds) for s in parsed.statements] == [("Good.", [10]), ("Also.", [20])]
    assert "Bad [??]." in parsed.body


@pytest.mark.parametrize(
    "value",
    [
        "٠٠:١٢:٣٤",  # Arabic-Indic
        "۰۰:۱۲:۳۴",  # Extended Arabic-Indic (Persian)
        "００:１２:３４",  # fullwidth
        "00:1٢:34",  # one foreign digit among ASCII ones: not half read as 00:1:34
        "00:12:34²",  # a superscript
        "00:00:Ⅻ",  # a Roman numeral (numeric, not a digit): was read as 0 s
        "00:1½:00",  # a vulgar fraction
    ],
)
def test_a_timestamp_written_with_other_digits_than_0_to_9_is_reported_unread(value):
    parsed = parse("Text " + anchor(value) + ". Then " + anchor("00:00:20") + ".\n")
    assert parsed.unreadable == 1 and parsed.seconds_read == 1
    assert parsed.problems == [Problem(8, f'timestamp "{value}" is written with digits other than 0-9')]
    assert [(s.text, s.seconds) for s in parsed.statements] == [("Then.", [20])]


def test_bare_stamps_and_anchor_texts_in_other_digits_are_left_unread_and_reported():
    parsed = parse("Text [٠٠:١٢:٣٤]. Then " + anchor("00:00:20", "[٠٠:٠٠:٣٠]") + ".\n")
    assert parsed.anchor_count == 1  # the bare Arabic-Indic stamp stays text
    assert parsed.problems == [
        Problem(8, 'timestamp "[٠٠:١٢:٣٤]" is written with digits other than 0-9'),
        Problem(
            8,
            'timestamp "00:00:20" has a text written with digits other than 0-9 ("[٠٠:٠٠:٣٠]"): "00:00:20" read alone',
        ),
    ]
    assert [(s.text, s.seconds) for s in parsed.statements] == [("Text [٠٠:١٢:٣٤]. Then.", [20])]


def test_an_anchor_whose_data_t_is_in_other_digits_is_read_from_its_text_and_reported():
    parsed = parse("Text " + anchor("٠٠:٠٠:٢٠", "[00:00:30]") + ".\n")
    assert parsed.problems == [
        Problem(
            8,
            'timestamp "00:00:30" has a data-t written with digits other than 0-9 ("٠٠:٠٠:٢٠"): "00:00:30" read alone',
        )
    ]
    assert [(s.text, s.seconds) for s in parsed.statements] == [("Text.", [30])]


def test_a_data_t_written_with_html_entities_is_read_as_its_characters():
    colons = parse("Text " + anchor("00&#58;00&#58;20") + ".\n")
    assert colons.problems == [] and [s.seconds for s in colons.statements] == [[20]]
    arabic = "&#1632;&#1632;:&#1632;&#1632;:&#1634;&#1632;"  # ٠٠:٠٠:٢٠
    parsed = parse("Text " + anchor(arabic, "[00:00:30]") + ".\n")
    assert [s.seconds for s in parsed.statements] == [[30]]
    assert parsed.problems == [
        Problem(
            8,
            'timestamp "00:00:30" has a data-t written with digits other than 0-9 ("٠٠:٠٠:٢٠"): "00:00:30" read alone',
        )
    ]


def test_a_problem_line_quotes_a_long_value_cut():
    value = "٠" * 500
    parsed = parse("Text " + anchor(value, "[00:00:30]") + ". Then " + anchor(value) + ".\n")
    assert [len(problem.message) < 200 for problem in parsed.problems] == [True, True]
    assert all("٠" * 64 + "…" in problem.message for problem in parsed.problems)


def test_a_line_in_other_scripts_without_foreign_digits_reports_nothing():
    parsed = parse("Ελληνικά και русский " + anchor("00:00:10") + " " + anchor("00:00:20", "[00:00:20]") + ".\n")
    assert parsed.problems == [] and parsed.anchor_count == 2


def test_data_t_and_text_that_disagree_are_reported():
    parsed = parse("Mismatch " + anchor("09:59:54", "[59:54]") + ".\n")
    assert only(parsed).seconds == [35994]
    assert only(parsed).alternatives == {35994: 3594}
    assert parsed.problems == [
        Problem(
            8,
            'timestamp "09:59:54" and its text "[59:54]" name different times: kept "09:59:54" '
            "unless only the text's time is plausible for the video",
        )
    ]


def test_ordinary_links_are_not_anchors():
    parsed = parse('See <a href="https://example.org/analytics">the report</a> ' + anchor("00:00:10") + ".\n")
    assert parsed.anchor_count == 1
    assert only(parsed).text == "See the report."


@pytest.mark.parametrize("separator", [", ", " ", ",", " and ", ", and "])
def test_several_anchors_in_one_statement(separator):
    parsed = parse("One claim " + anchor("00:27:30") + separator + anchor("00:27:33") + ".\n")
    statement = only(parsed)
    assert statement.seconds == [1650, 1653]
    assert statement.text == "One claim."


def test_duplicate_seconds_in_one_statement_are_removed():
    parsed = parse("Twice " + anchor("02:09:00") + ", " + anchor("02:9:00") + ", " + anchor("00:00:01") + ".\n")
    assert only(parsed).seconds == [7740, 1]
    assert parsed.anchor_count == 3


def test_text_between_anchors_splits_statements_and_leading_punctuation_is_stripped():
    parsed = parse(
        "*   **Cultural norms:** Different norms "
        + anchor("00:27:30")
        + ", including the lack of feedback "
        + anchor("00:27:33")
        + ".\n"
    )
    first, second = parsed.statements
    assert first.text == "Cultural norms: Different norms"
    assert second.text == "including the lack of feedback."
    assert (first.line, second.line) == (8, 8)


@pytest.mark.parametrize(
    "after, text",
    [
        (".", "A claim."),
        ("", "A claim"),
        (":", "A claim:"),
        ("?", "A claim?"),
        (").", "A claim)."),
        ('".', 'A claim".'),
        (". Next sentence without anchor.", "A claim."),
    ],
)
def test_trailing_punctuation(after, text):
    assert only(parse("A claim " + anchor("00:00:10") + after + "\n")).text == text


def test_anchors_with_no_text_of_their_own_cite_the_preceding_text():
    parsed = parse("First " + anchor("00:00:10") + ". " + anchor("00:00:12") + ".\n\n" + anchor("00:00:14") + "\n")
    # The second anchor follows a statement of its block; the third stands alone at the end.
    assert [(s.text, s.seconds) for s in parsed.statements] == [("First.", [10, 12, 14])]
    assert (parsed.anchor_count, parsed.seconds_read, parsed.merged_repeats) == (3, 3, 0)


def test_text_after_the_last_anchor_of_a_block_is_not_a_statement():
    parsed = parse("Cited " + anchor("00:00:10") + ". Trailing words.\n\nNext paragraph " + anchor("00:00:20") + ".\n")
    assert [s.text for s in parsed.statements] == ["Cited.", "Next paragraph."]


def test_paragraph_lines_are_joined():
    parsed = parse("A claim that\nruns over " + anchor("00:00:10") + ". And\nanother " + anchor("00:00:20") + ".\n")
    first, second = parsed.statements
    assert (first.text, first.line) == ("A claim that runs over.", 9)
    assert (second.text, second.line) == ("And another.", 10)


# --------------------------------------------------------------------------- wiki links


def test_wiki_links_in_all_three_forms():
    parsed = parse(
        "Spaced [[Public_Sector_Innovation | public sector innovation]], tight "
        "[[agile nations|Agile Nations]] and bare [[Collective Intelligence]] "
        + anchor("00:00:10")
        + ". Again [[public_sector_innovation | innovation]] "
        + anchor("00:00:20")
        + ".\n"
    )
    first, second = parsed.statements
    assert first.text == ("Spaced public sector innovation, tight Agile Nations and bare Collective Intelligence.")
    assert first.topics == ["public_sector_innovation", "agile_nations", "collective_intelligence"]
    assert second.topics == ["public_sector_innovation"]
    assert parsed.topics == {
        "public_sector_innovation": "public sector innovation",  # the first label seen
        "agile_nations": "Agile Nations",
        "collective_intelligence": "Collective Intelligence",
    }
    assert "[[agile nations|Agile Nations]]" in parsed.body


def test_topics_include_links_outside_statements():
    parsed = parse("## About [[Heading Topic | the heading]]\n\nNo anchor here, [[loose_topic]].\n")
    assert parsed.topics == {"heading_topic": "the heading", "loose_topic": "loose_topic"}
    assert parsed.statements == []


# --------------------------------------------------------------------------- blocks


def test_bullets_nested_bullets_and_continuation_lines():
    parsed = parse(
        "*   **Program:** A methodology " + anchor("01:11:44") + ". It emphasizes\n"
        "    frontline employees " + anchor("01:12:26") + ".\n"
        "    *   **Nested:** Launched in June " + anchor("01:18:35") + ".\n"
        "- Dash bullet " + anchor("01:19:19") + "\n"
    )
    texts = [(s.text, s.line) for s in parsed.statements]
    assert texts == [
        ("Program: A methodology.", 8),
        ("It emphasizes frontline employees.", 9),
        ("Nested: Launched in June.", 10),
        ("Dash bullet", 11),
    ]


def test_nested_bullet_is_a_block_of_its_own():
    parsed = parse("*   Lead-in without anchor:\n    *   Item " + anchor("00:00:10") + ".\n")
    assert only(parsed).text == "Item."


def test_lazy_continuation_line_belongs_to_the_list_item():
    parsed = parse("*   Item " + anchor("00:00:10") + ".\nThe aim was " + anchor("00:00:20") + ".\n")
    assert [s.text for s in parsed.statements] == ["Item.", "The aim was."]


def test_numbered_lists():
    parsed = parse(
        "Three themes " + anchor("00:09:53") + ":\n\n"
        "1.  Societal challenges are complex " + anchor("00:05:49") + ".\n"
        "2.  **Relationships** matter " + anchor("00:05:55") + ".\n"
        "    1.  Sub point " + anchor("00:05:58") + ".\n"
        "10) Tenth " + anchor("00:06:00") + ".\n"
    )
    assert [s.text for s in parsed.statements] == [
        "Three themes:",
        "Societal challenges are complex.",
        "Relationships matter.",
        "Sub point.",
        "Tenth.",
    ]


def test_block_quotes_and_callouts():
    parsed = parse(
        '> "I never felt like a leader." ' + anchor("00:03:14") + "\n"
        "> — Someone\n\n"
        "> [!INFO] Surprising Insights\n"
        "> *   **Youth:** The fastest adapters were children " + anchor("00:21:24") + ".\n\n"
        "[!NOTE] Opportunities\n"
        "Behavioral policy offers savings " + anchor("04:47:04") + ".\n"
    )
    assert [s.text for s in parsed.statements] == [
        '"I never felt like a leader."',
        "Youth: The fastest adapters were children.",
        "Behavioral policy offers savings.",
    ]


def test_heading_path():
    parsed = parse(
        "Intro " + anchor("00:00:01") + ".\n\n"
        "## First [[some_topic | Section]]\n\nA " + anchor("00:00:02") + ".\n\n"
        "### Sub\nB " + anchor("00:00:03") + ".\n\n"
        "#### Deeper\nC " + anchor("00:00:04") + ".\n\n"
        "### Sibling\nD " + anchor("00:00:05") + ".\n\n"
        "## Second ##\nE " + anchor("00:00:06") + ".\n\n"
        "#### Skipped level\nF " + anchor("00:00:07") + ".\n"
    )
    assert [s.heading_path for s in parsed.statements] == [
        [],
        ["First Section"],
        ["First Section", "Sub"],
        ["First Section", "Sub", "Deeper"],
        ["First Section", "Sibling"],
        ["Second"],
        ["Second", "Skipped level"],
    ]
    assert [s.position for s in parsed.statements] == [1, 2, 3, 4, 5, 6, 7]


def test_heading_with_an_anchor_is_a_statement():
    parsed = parse(
        "## [[Barriers topic | Challenges and Barriers]] " + anchor("01:59:57") + "\n\n"
        "Text " + anchor("02:00:10") + ".\n"
    )
    first, second = parsed.statements
    assert (first.text, first.seconds, first.heading_path) == (
        "Challenges and Barriers",
        [7197],
        ["Challenges and Barriers"],
    )
    assert first.topics == ["barriers_topic"]
    assert second.heading_path == ["Challenges and Barriers"]


def test_horizontal_rule_ends_a_block():
    parsed = parse("Words before the rule\n---\n### After\nText " + anchor("00:00:10") + ".\n")
    assert only(parsed).text == "Text."
    assert only(parsed).heading_path == ["After"]


def test_bare_bracket_timestamps_are_read_as_anchors_and_reported():
    parsed = parse(
        "Some documents have no tags [00:45:01]. Two at once [00:45:50][00:46:03].\n"
        "Not these: [[00:12:03]] [00:12:04](https://example.org) [[topic]].\n"
    )
    assert [(s.text, s.seconds) for s in parsed.statements] == [
        ("Some documents have no tags.", [2701]),
        ("Two at once.", [2750, 2763]),
    ]
    assert parsed.anchor_count == 3
    assert parsed.problems == [
        Problem(8, '3 timestamps are bare "[HH:MM:SS]" text without an anchor tag: read as anchors')
    ]
    assert "tags [00:45:01](https://www.youtube.com/watch?v=nGjuo-7sUXM&t=2701s)." in parsed.body


# --------------------------------------------------------------------------- every anchor on its statement


def texts_and_seconds(parsed):
    return [(s.text, s.seconds) for s in parsed.statements]


def url(seconds):
    return youtube_url(VIDEO, seconds)


@pytest.mark.parametrize(
    "cited",
    [
        "[00:10:05, 00:11:40]",
        "[00:10:05,00:11:40]",
        "[ 00:10:05 ; 00:11:40 ]",
        "[00:10:05 and 00:11:40]",
        "[" + anchor("00:10:05") + ", " + anchor("00:11:40") + "]",
        "[" + anchor("00:10:05") + " " + anchor("00:11:40") + "]",
        anchor("00:10:05") + "," + anchor("00:11:40"),
        "[00:10:05], [00:11:40]",
        "(" + anchor("00:10:05") + ", " + anchor("00:11:40") + ")",
    ],
)
def test_a_bracketed_list_of_values_cites_each_value(cited):
    parsed = parse(f"Teams reviewed their list {cited}. This freed budget quickly [00:12:00].\n")
    assert texts_and_seconds(parsed) == [
        ("Teams reviewed their list.", [605, 700]),
        ("This freed budget quickly.", [720]),
    ]
    assert (parsed.anchor_count, parsed.seconds_read, parsed.merged_repeats, parsed.unreadable) == (3, 3, 0, 0)


def test_a_bracketed_list_becomes_one_link_per_value_in_the_body():
    parsed = parse("Teams reviewed their list [00:10:05, 00:11:40].\n")
    assert parsed.body == f"Teams reviewed their list [00:10:05]({url(605)}), [00:11:40]({url(700)}).\n"


@pytest.mark.parametrize(
    "cited",
    [
        "[00:01:30]-[00:02:29]",
        "[00:01:30] - [00:02:29]",
        "[00:01:30]–[00:02:29]",
        "[00:01:30] — [00:02:29]",
        "[00:01:30-00:02:29]",
        "[00:01:30 – 00:02:29]",
        "[00:01:30 to 00:02:29]",
        anchor("00:01:30") + "-" + anchor("00:02:29"),
        anchor("00:01:30") + " – " + anchor("00:02:29"),
        anchor("00:01:30") + "—" + anchor("00:02:29"),
    ],
)
def test_a_range_of_two_anchors_is_one_statement(cited):
    parsed = parse(f"The team presented the draft {cited}.\n")
    assert texts_and_seconds(parsed) == [("The team presented the draft.", [90, 149])]


@pytest.mark.parametrize("closing", ["", ")"])
def test_a_bare_value_followed_by_its_own_anchor_in_parentheses(closing):
    parsed = parse(
        "The lab has grown since 2016 [00:01:27]("
        + anchor("00:01:27")
        + closing
        + ". The next sentence stays visible "
        + anchor("00:01:30")
        + ".\n"
    )
    assert texts_and_seconds(parsed) == [
        ("The lab has grown since 2016.", [87]),
        ("The next sentence stays visible.", [90]),
    ]
    assert parsed.anchor_count == 2
    assert parsed.body == (
        f"The lab has grown since 2016 [00:01:27]({url(87)}). The next sentence stays visible [00:01:30]({url(90)}).\n"
    )


def test_the_text_after_a_value_with_its_own_anchor_stays_visible_on_the_page():
    rendering = pytest.importorskip("cases.rendering")
    parsed = parse("Since 2016 [00:01:27](" + anchor("00:01:27") + ". The rest of the paragraph.\n")
    html = str(rendering.render_markdown(parsed.body))
    assert '<a href="https://www.youtube.com/watch?v=nGjuo-7sUXM&amp;t=87s"' in html
    assert ">00:01:27</a>. The rest of the paragraph." in html


@pytest.mark.parametrize(
    "body, expected",
    [
        # alone on its line, the text it supports on the next line or in the next block
        (anchor("00:01:00") + "\n> Surprising words, quoted.\n", [("Surprising words, quoted.", [60])]),
        (anchor("00:01:00") + "\n\n> One quoted line\n> and another.\n", [("One quoted line and another.", [60])]),
        (anchor("00:01:00") + "\nThe paragraph goes on.\n", [("The paragraph goes on.", [60])]),
        (anchor("00:01:00") + "\n\n*   A bullet it supports.\n", [("A bullet it supports.", [60])]),
        (
            anchor("00:01:00") + "\n\n*   First item " + anchor("00:02:00") + ".\n",
            [("First item.", [60, 120])],
        ),
        ("[00:01:00]\n\n1.  A numbered item.\n", [("A numbered item.", [60])]),
        # at the start of its block, before the text
        ("*   " + anchor("00:01:00") + " The claim of a bullet.\n", [("The claim of a bullet.", [60])]),
        ("> " + anchor("00:01:00") + " A quoted claim.\n", [("A quoted claim.", [60])]),
        (anchor("00:01:00") + " Claim one " + anchor("00:02:00") + ".\n", [("Claim one.", [60, 120])]),
        # a heading that is only an anchor: the section's text
        ("## " + anchor("00:01:00") + "\n\nSection text.\n", [("Section text.", [60])]),
        # after the text of its block, or alone with nothing after it: the preceding text
        ("Cited " + anchor("00:01:00") + ". " + anchor("00:02:00") + "\n", [("Cited.", [60, 120])]),
        ("Cited " + anchor("00:01:00") + ".\n\n" + anchor("00:02:00") + "\n", [("Cited.", [60, 120])]),
        (
            "Words cited by nothing else.\n\n" + anchor("00:01:00") + "\n\n## Next\n",
            [("Words cited by nothing else.", [60])],
        ),
        # a table row
        (
            "| Topic | Insight | Time |\n| --- | :---: | --- |\n"
            "| Budget | Teams freed [[budget_topic | budget]] | " + anchor("00:01:00") + " |\n"
            "| Trust | Trust grew " + anchor("00:02:00") + " |\n",
            [("Budget; Teams freed budget", [60]), ("Trust; Trust grew", [120])],
        ),
    ],
)
def test_anchors_without_text_of_their_own_cite_the_nearest_text(body, expected):
    parsed = parse(body)
    assert texts_and_seconds(parsed) == expected


def test_a_document_of_anchors_alone_cites_its_title():
    parsed = parse_document(doc("## Only a heading\n\n" + anchor("00:00:10") + "\n", title="Webinar"))
    assert texts_and_seconds(parsed) == [("Only a heading", [10])]
    parsed = parse_document(doc(anchor("00:00:10") + "\n", title="Webinar"))
    assert texts_and_seconds(parsed) == [("Webinar", [10])]


def test_a_heading_with_text_and_an_anchor_keeps_its_text():
    parsed = parse("### The heading " + anchor("00:01:00") + " ###\n\nSection " + anchor("00:02:00") + ".\n")
    assert [(s.text, s.seconds, s.heading_path) for s in parsed.statements] == [
        ("The heading", [60], ["The heading"]),
        ("Section.", [120], ["The heading"]),
    ]


def test_markup_never_ends_up_in_statement_text():
    parsed = parse(
        "> [!NOTE]\n> Claim under a callout " + anchor("00:00:10") + ".\n\n"
        "> [!tip]- A callout title " + anchor("00:00:20") + "\n\n"
        "Inline [!WARNING] marker " + anchor("00:00:30") + ".\n\n"
        "> > A nested **quote** " + anchor("00:00:40") + "\n\n"
        "#### Hashes " + anchor("00:00:50") + " ####\n\n"
        "Line one<br/>line two " + anchor("00:01:00") + "\n\n"
        "***Bold italic***, _under_, __strong__ and *it*alic, snake_case kept, 2 * 3 " + anchor("00:01:10") + "\n\n"
        "| Cell **one** | `cell` two " + anchor("00:01:20") + " |\n\n"
        "10) Numbered " + anchor("00:01:30") + "\n"
    )
    assert [s.text for s in parsed.statements] == [
        "Claim under a callout.",
        "A callout title",
        "Inline marker.",
        "A nested quote",
        "Hashes",
        "Line one line two",
        "Bold italic, under, strong and italic, snake_case kept, 2 * 3",
        "Cell one; cell two",
        "Numbered",
    ]


@pytest.mark.parametrize(
    "value, text, seconds",
    [
        ("00:01:02.500", "[00:01:02.500]", 62),
        ("00:02:03,250", "[00:02:03,250]", 123),
        ("00:02:03,250", "[00:02:03]", 123),
        ("1h10m", "[01:10:00]", 4200),
        ("1h10m", "[1h10m]", 4200),
        ("01:10:00", "[1h10m]", 4200),
        ("4200", "[01:10:00]", 4200),
        ("70:00", "[01:10:00]", 4200),
    ],
)
def test_fractions_and_words_name_the_same_second_as_their_text(value, text, seconds):
    parsed = parse("Claim " + anchor(value, text) + ".\n")
    assert only(parsed).seconds == [seconds]
    assert only(parsed).alternatives == {}
    assert parsed.problems == []


@pytest.mark.parametrize(
    "value, seconds", [("00:01:02.500", 62), ("00:02:03,250", 123), ("1h10m", 4200), ("[00:00:07.9]", 7)]
)
def test_parse_timestamp_drops_fractions(value, seconds):
    assert parse_timestamp(value) == seconds


def test_text_that_names_another_time_is_offered_as_an_alternative():
    parsed = parse(
        "Hours " + anchor("25:06:00", "[00:25:06]") + ". Same " + anchor("00:00:05") + ". "
        "Unreadable value " + anchor("--", "[00:00:07]") + ".\n"
    )
    hours, same, unreadable_value = parsed.statements
    assert (hours.seconds, hours.alternatives) == ([90360], {90360: 1506})
    assert (same.seconds, same.alternatives) == ([5], {})
    assert (unreadable_value.seconds, unreadable_value.alternatives) == ([7], {})  # the text is used
    assert (
        Problem(
            8,
            'timestamp "25:06:00" and its text "[00:25:06]" name different times: kept "25:06:00" '
            "unless only the text's time is plausible for the video",
        )
        in parsed.problems
    )


def test_alternatives_are_read_like_the_value_when_minutes_seconds():
    parsed = parse("Shifted " + anchor("14:11:00", "[14:11:11]") + ".\n", minutes_seconds=True)
    # Read as minutes:seconds both name 851 s: nothing to choose.
    assert (only(parsed).seconds, only(parsed).alternatives) == ([851], {})


def test_counters():
    parsed = parse(
        "Twice " + anchor("00:00:01") + ", " + anchor("0:0:1") + ". Bad " + anchor("??", "") + ". "
        "Leading " + anchor("00:00:02") + ". " + anchor("00:00:02") + ".\n\n"
        "[00:00:03, 00:00:04]\n\nFollowing text.\n"
    )
    assert texts_and_seconds(parsed) == [("Twice.", [1]), ("Leading.", [2]), ("Following text.", [3, 4])]
    assert parsed.anchor_count == 7
    assert (parsed.seconds_read, parsed.merged_repeats, parsed.unreadable) == (6, 2, 1)


# --------------------------------------------------------------------------- linear time

ADVERSARIAL = {
    "emphasis runs": lambda n: "*a " * (n // 3),
    "strong runs": lambda n: "**a " * (n // 4),
    "underscore runs": lambda n: "_a " * (n // 3),
    "one long underscore run": lambda n: "_" * n + "a",
    "brackets": lambda n: "[" * n,
    "lines of brackets": lambda n: "\n".join(["[" * (n // 25)] * 25),
    "wiki link openings": lambda n: "[[" * (n // 2),
    "a wiki link of spaces": lambda n: "[[a" + " " * n + "b",
    "tags never closed": lambda n: "<a " * (n // 3),
    "anchors never closed": lambda n: '<a class="yt-timestamp" data-t="00:00:01">[00:00:01] x ' * (n // 56),
    "broken markdown links": lambda n: "[00:00:01](" * (n // 11),
    "an open list of values": lambda n: "[00:00:01, " * (n // 11),
    "a heading of spaces": lambda n: "## a" + " " * n + "b",
    "table cells": lambda n: "| a " * (n // 4),
}


def parse_seconds(text):
    started = time.perf_counter()
    parsed = parse(text + " End " + anchor("00:00:02") + ".\n")  # in the same block: read as text
    return time.perf_counter() - started, parsed


@pytest.mark.parametrize("kind", ADVERSARIAL)
def test_adversarial_megabyte_parses_in_linear_time(kind):
    """Each input, at 1 MB, took from minutes to hours with backtracking patterns.

    Linear: doubling the input at most about doubles the time (3x plus a margin for a busy
    machine; quadratic work would take 4x, and far longer than the margin at this size).
    """
    make = ADVERSARIAL[kind]
    half, parsed = parse_seconds(make(500_000))
    full, parsed = parse_seconds(make(1_000_000))
    if full >= 3 * half + 0.5:  # one retry: the machine may have been busy
        full, parsed = parse_seconds(make(1_000_000))
    assert full < 3 * half + 0.5, (kind, half, full)
    assert 2 in parsed.statements[-1].seconds


# --------------------------------------------------------------------------- shifted documents

SHIFTED = (
    "Opening " + anchor("00:10:00") + ".\n\n"
    "Middle " + anchor("05:51:00") + ".\n\n"
    "Late " + anchor("13:23:00") + ".\n\n"
    "Two-field values do not count " + anchor("56:07") + ".\n"
)


def test_shifted_document_is_flagged():
    parsed = parse(SHIFTED)
    assert parsed.shifted is True
    assert parsed.shift_reason == (
        "3 of 4 timestamps end in :00 and run to 13:23:00: values look shifted one field left (minutes:seconds:00)"
    )
    assert [s.seconds[0] for s in parsed.statements] == [600, 21060, 48180, 3367]


def test_minutes_seconds_rereads_values_but_keeps_the_flag():
    parsed = parse(SHIFTED, minutes_seconds=True)
    assert parsed.shifted is True
    assert parsed.shift_reason
    assert [s.seconds[0] for s in parsed.statements] == [10, 351, 803, 3367]
    assert "[00:13:23](https://www.youtube.com/watch?v=nGjuo-7sUXM&t=803s)" in parsed.body


@pytest.mark.parametrize(
    "values",
    [
        ["00:10:00", "05:51:00", "13:23:01"],  # one value does not end in :00
        ["00:10:00", "01:21:00", "01:59:00"],  # nothing past two hours
        ["05:51:00", "13:23:00"],  # too few values
        ["00:00:10", "00:00:20", "00:01:00"],  # an ordinary document
    ],
)
def test_not_shifted(values):
    parsed = parse("\n\n".join(f"Claim {i} " + anchor(v) + "." for i, v in enumerate(values)) + "\n")
    assert parsed.shifted is False
    assert parsed.shift_reason == ""


def test_shifted_values_mixed_with_correct_ones_are_flagged():
    values = ["00:10:00", "05:51:00", "13:23:00", "00:20:54", "00:31:12"]
    parsed = parse("\n\n".join(f"Claim {i} " + anchor(v) + "." for i, v in enumerate(values)) + "\n")
    assert parsed.shifted is True
    assert parsed.shift_reason == (
        "3 of 5 timestamps end in :00 and run to 13:23:00, the 2 others do not: "
        "shifted values (minutes:seconds:00) mixed with correct ones"
    )
    assert parsed.problems == []


# --------------------------------------------------------------------------- channel index

INDEX = """---
title: oecdobservatoryofpublicsec3116
---
### [Innovation Playbook](https://www.youtube.com/watch?v=MymoO7zOk24)
- [[innovation_strategies | Innovation strategies]]
- [[Playbook for business growth]]

### [Fixing Frictions & Reducing Burdens | OPSI \\[Live\\]](https://www.youtube.com/watch?v=xxMXf0n1Cok&t=3s)
- [[sludge_audits | Sludge audits]]
"""


def test_channel_index():
    assert is_channel_index(INDEX)
    assert not is_channel_index(doc("Text " + anchor("00:00:10") + "."))
    assert not is_channel_index("no front matter at all")
    title, videos = parse_channel_index(INDEX)
    assert title == "oecdobservatoryofpublicsec3116"
    assert videos == [
        IndexedVideo("MymoO7zOk24", "Innovation Playbook", ["innovation_strategies", "playbook_for_business_growth"]),
        IndexedVideo("xxMXf0n1Cok", "Fixing Frictions & Reducing Burdens | OPSI [Live]", ["sludge_audits"]),
    ]


# --------------------------------------------------------------------------- the sample corpus

# Every document of the corpus (the sample corpus, else tests/corpus_fixture), and the synthetic
# one of anchor defects whichever it is.
CORPUS_DOCUMENTS = [p for p in sorted(CORPUS.glob("*.md")) if p.name not in ("README.md", CHANNEL_INDEX)]
DOCUMENT_FILES = CORPUS_DOCUMENTS + (
    [FIXTURE_CORPUS / "synthetic_anchor_defects.md"] if CORPUS != FIXTURE_CORPUS else []
)

# Independent counts, by simple regexes over the raw text.
TAG_ANCHOR = re.compile(r"<a\s[^>]*yt[^>]*>", re.I)
WHOLE_TAG_ANCHOR = re.compile(r"<a\s[^>]*yt[^>]*>[^<]*</a>", re.I)
BARE_STAMP = re.compile(r"(?<!\[)\[\d{1,2}(?::\d{1,2}){1,3}\](?![(\]])")
ONE = r"(?:<a\s[^>]*yt[^>]*>[^<]*</a>|(?<!\[)\[\d{1,2}(?::\d{1,2}){1,3}\](?![(\]]))"
RUN = re.compile(ONE + r"(?:(?:[\s,]|\band\b)*" + ONE + r")*", re.I)


def independent_counts(text):
    """(anchor tags, bare '[HH:MM:SS]' stamps outside tags, repeated values inside one run of anchors)."""
    tags = len(TAG_ANCHOR.findall(text))
    bare = len(BARE_STAMP.findall(WHOLE_TAG_ANCHOR.sub("", text)))
    repeated = 0
    for run in RUN.finditer(text):
        values = re.findall(
            r'data-t="([^"]*)"|(?<!\[)\[(\d{1,2}(?::\d{1,2}){1,3})\](?![(\]])',
            WHOLE_TAG_ANCHOR.sub(lambda m: m.group()[: m.group().index(">") + 1], run.group()),
        )
        keys = [tuple(int(n) for n in re.findall(r"\d+", a or b)) for a, b in values]
        repeated += len(keys) - len(set(keys))
    return tags, bare, repeated


def test_seed_document():
    parsed = parse_document((FIXTURE_CORPUS / SEED).read_text(encoding="utf-8"))
    seconds = [second for statement in parsed.statements for second in statement.seconds]
    assert parsed.title == "Public sector innovation and collaboration"
    assert parsed.video_id == VIDEO
    assert parsed.channel == "oecdobservatoryofpublicsec3116"
    assert parsed.anchor_count == 72
    assert len(parsed.statements) == 72
    assert len(seconds) == 72
    assert len(set(seconds)) == 71
    assert seconds.count(4389) == 2  # 01:13:09 is cited twice
    assert 4201 in seconds  # 01:10:01
    assert 4210 not in seconds  # 01:10:10 is not in it
    assert parsed.problems == []
    assert parsed.shifted is False
    assert parsed.statements[0].text == (
        "Public sector innovation and collaboration and innovation in the public sector are crucial "
        "in a world of continuous change and complex global issues."
    )
    assert parsed.statements[0].topics == ["public_sector_innovation", "collaboration_and_innovation_in_public_sector"]
    deep_space = next(s for s in parsed.statements if 4201 in s.seconds)
    assert deep_space.heading_path == [
        "Examples of Cross-Border Innovation",
        "Surfacing Insights and Collective Intelligence",
    ]
    assert deep_space.text.startswith("This challenge involves parallel prize competitions")
    assert parsed.topics["public_sector_innovation"] == "Public sector innovation"
    assert "oecdobservatoryofpublicsec3116" not in parsed.topics


MARKUP_IN_TEXT = re.compile(r"\[!|<a\b|data-t|\]\(|\||\[\[|\*\*|<br|^(?:#|>|[*+-] |\d+[.)] )", re.I)


@pytest.mark.parametrize("path", DOCUMENT_FILES, ids=lambda p: p.stem)
def test_every_anchor_ends_up_on_a_statement(path):
    text = path.read_text(encoding="utf-8")
    tags, bare, repeated = independent_counts(text)
    parsed = parse_document(text)
    distinct = sum(len(set(statement.seconds)) for statement in parsed.statements)
    unreadable = sum(problem.message.endswith("has no number") for problem in parsed.problems)
    assert parsed.anchor_count == tags + bare
    assert parsed.unreadable == unreadable
    assert parsed.anchor_count == parsed.seconds_read + parsed.unreadable
    assert parsed.seconds_read == distinct + parsed.merged_repeats  # no anchor lost
    assert parsed.merged_repeats == repeated
    for statement in parsed.statements:
        assert statement.seconds and len(set(statement.seconds)) == len(statement.seconds)
        assert any(ch.isalnum() for ch in statement.text), statement  # neither empty nor markup alone
        assert not MARKUP_IN_TEXT.search(statement.text), statement
        assert set(statement.alternatives) <= set(statement.seconds)
    assert [s.position for s in parsed.statements] == list(range(1, len(parsed.statements) + 1))
    assert not TAG_ANCHOR.search(parsed.body)
    assert parsed.body.count("](https://www.youtube.com/watch?v=") == parsed.seconds_read


@needs_sample_corpus
def test_corpus_totals():
    """The figures the evidence audit reports for the sample corpus (checked by the test above)."""
    documents = [parse_document(path.read_text(encoding="utf-8")) for path in CORPUS_DOCUMENTS]
    statements = [statement for parsed in documents for statement in parsed.statements]
    assert len(documents) == 96
    assert sum(parsed.anchor_count for parsed in documents) == 5404
    assert sum(parsed.seconds_read for parsed in documents) == 5404
    assert sum(parsed.merged_repeats for parsed in documents) == 3
    assert sum(parsed.unreadable for parsed in documents) == 0
    assert len(statements) == 4925
    assert sum(len(statement.seconds) for statement in statements) == 5401
    assert sum(len(statement.alternatives) for statement in statements) == 48


def test_shifted_documents_in_the_corpus():
    shifted = sorted(p.name for p in CORPUS_DOCUMENTS if parse_document(p.read_text(encoding="utf-8")).shifted)
    # All of their values shifted one field left, or shifted values mixed with correct ones: those
    # of the sample corpus, as many of them as the corpus at hand holds.
    assert shifted == [name for name in SHIFTED_DOCUMENTS if (CORPUS / name).exists()]
    assert shifted  # tests/corpus_fixture holds three


SHIFTED_DOCUMENTS = [
    "anticorruption_strategies_in_slovakia.md",
    "challenges_and_success_factors_in_crossborder_collaboration.md",
    "collaboration_and_communication_innovations.md",
    "effective_communication_and_citizen_trust_in_crisis.md",
    "experimental_approaches_in_public_administration.md",
    "innovation_and_technology_in_climate_mitigation.md",
    "innovation_in_public_service_delivery.md",
    "intersection_of_ai_and_behavioral_science.md",
    "learning_by_doing_and_capacity_building_in_public_sector.md",
    "public_sector_innovation_strategies.md",
    "role_of_civil_servants_in_anticipatory_innovation.md",
    "role_of_innovation_ecosystems_during_a_crisis.md",
]


def test_channel_index_in_the_corpus():
    text = (FIXTURE_CORPUS / CHANNEL_INDEX).read_text(encoding="utf-8")
    assert is_channel_index(text)
    assert not is_channel_index((FIXTURE_CORPUS / SEED).read_text(encoding="utf-8"))
    title, videos = parse_channel_index(text)
    assert title == "oecdobservatoryofpublicsec3116"
    by_id = {video.video_id: video for video in videos}
    assert len(by_id) == len(videos) == 97
    video = by_id[VIDEO]
    assert video.title == (
        "Surfacing Insights and Experimenting across Borders: OPSI & MBRCGI Report Launch Panel Discussion"
    )
    assert video.documents[0] == "crossborder_government_innovation"
    assert "challenges_and_success_factors_in_crossborder_collaboration" in video.documents
    assert all(video.documents for video in videos)
