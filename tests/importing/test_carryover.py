"""Curator links across a re-import (cases.importing.carryover): a statement whose time or wording
changed keeps its links; one removed or changed beyond a safe match is cut loose and listed."""

from types import SimpleNamespace

import pytest

from cases.claims import CHALLENGE, SUMMARY, claims_of
from cases.importing.carryover import carry_over, similarity, words
from cases.importing.importer import import_paths
from cases.models import Case, Quote, QuoteRelink, StoryEvidence
from tests.factories import CaseChallengeFactory, CaseFactory, ChallengeFactory

pytestmark = pytest.mark.django_db

VIDEO = "W7ChKDv78EE"


def anchor(value):
    return f'<a class="yt-timestamp" data-t="{value}">[{value}]</a>'


def document(*paragraphs):
    body = "\n\n".join(paragraphs)
    return f"---\ntitle: Anticorruption strategies\nvideoId: {VIDEO}\n---\n\nFrom: [[somechannel]] <br/>\n\n{body}\n"


OPENING = f"The project strengthened public integrity in Slovakia through behavioural insights {anchor('00:02:51')}."
CONTEXT = f"For four years the OECD worked with Slovak institutions to reinforce integrity {anchor('00:03:05')}."
TRAINING = (
    "Civil servants were trained to apply a behavioural risk based approach to corruption prevention "
    f"{anchor('00:04:15')}."
)
REVIEW = (
    "The review found that the practical application of risk management frameworks was still lagging "
    f"{anchor('00:05:16')}."
)


@pytest.fixture
def imported(tmp_path):
    """The document imported, a published case backed by each statement: the opening (summary
    evidence), the training (evidence of its challenge claim), the context and the review."""
    path = tmp_path / "anticorruption.md"
    path.write_text(document(OPENING, CONTEXT, TRAINING, REVIEW), encoding="utf-8")
    assert import_paths([path]).failures == []
    case = CaseFactory(title="Slovak integrity project", countries=["SK"])
    challenge = ChallengeFactory(name="Corruption risk")
    CaseChallengeFactory(case=case, challenge=challenge)
    quotes = {second: Quote.objects.get(start_second=second) for second in (171, 185, 255, 316)}
    for quote in quotes.values():
        quote.cases.add(case)
    quotes[255].challenges.add(challenge)
    return SimpleNamespace(path=path, case=case, challenge=challenge, quotes=quotes)


def reimport(imported, *paragraphs):
    imported.path.write_text(document(*paragraphs), encoding="utf-8")
    report = import_paths([imported.path])
    assert report.failures == []
    return report


def evidence(case, key):
    return next(claim.evidence for claim in claims_of(Case.objects.filter(pk=case.pk))[case.pk] if claim.key == key)


def test_a_time_change_keeps_the_quote_and_its_links(imported):
    opening = imported.quotes[171]
    report = reimport(imported, OPENING.replace("00:02:51", "00:02:55"), CONTEXT, TRAINING, REVIEW)

    moved = Quote.objects.get(pk=opening.pk)
    assert (moved.start_second, moved.text, moved.document_id) == (175, opening.text, opening.document_id)
    assert list(moved.cases.all()) == [imported.case]
    assert opening.pk in evidence(imported.case, (SUMMARY, 0))
    [entry] = report.relinks
    assert (entry["outcome"], entry["change"], entry["old_time"], entry["new_time"]) == (
        "carried",
        "time",
        "00:02:51",
        "00:02:55",
    )
    assert entry["cases"][0]["title"] == "Slovak integrity project" and entry["cases"][0]["claims"] == ["Summary"]
    assert report.links_carried == 1 and report.links_cut_loose == 0
    assert not QuoteRelink.objects.exists()


def test_a_reworded_statement_keeps_its_case_and_claim_links(imported):
    training = imported.quotes[255]
    reworded = (
        "Civil servants learned to apply a behavioural, risk-based approach to preventing corruption "
        f"{anchor('00:04:16')}."
    )
    report = reimport(imported, OPENING, CONTEXT, reworded, REVIEW)

    now = Quote.objects.get(pk=training.pk)
    assert now.text.startswith("Civil servants learned") and now.start_second == 256 and now.document is not None
    assert list(now.cases.all()) == [imported.case] and list(now.challenges.all()) == [imported.challenge]
    assert evidence(imported.case, (CHALLENGE, imported.challenge.pk)) == [training.pk]
    assert Quote.objects.filter(text__startswith="Civil servants").count() == 1  # no duplicate
    [entry] = report.relinks
    assert (entry["outcome"], entry["change"]) == ("carried", "wording")
    assert entry["cases"][0]["claims"] == ["Challenge: Corruption risk"]
    assert "Civil servants were trained" in entry["old_text"]
    # The quote's history holds the old wording and the import's change.
    reasons = list(now.history.order_by("history_date").values_list("text", "history_change_reason"))
    assert reasons[0][0].startswith("Civil servants were trained")
    assert reasons[-1][0].startswith("Civil servants learned") and "re-import of anticorruption.md" in reasons[-1][1]


def test_a_removed_paragraph_leaves_its_quote_cut_loose_and_listed(imported):
    review = imported.quotes[316]
    before = Case.objects.get(pk=imported.case.pk).content_version
    report = reimport(imported, OPENING, CONTEXT, TRAINING)

    kept = Quote.objects.get(pk=review.pk)
    assert kept.document is None and kept.text == review.text and list(kept.cases.all()) == [imported.case]
    relink = QuoteRelink.objects.get()
    assert (relink.quote_id, relink.document_id, relink.status) == (review.pk, review.document_id, "pending")
    assert relink.reason == "its statement is no longer in the document"
    # Its neighbours in place are offered, none as its new wording.
    neighbours = Quote.objects.filter(start_second__in=[185, 255]).values_list("pk", flat=True)
    assert sorted(relink.candidates) == sorted(neighbours) and relink.similarity < 0.3
    assert list(QuoteRelink.objects.to_relink()) == [relink]
    [entry] = report.cut_loose
    assert entry["change"] == "removed" and entry["relink"] == relink.pk and entry["new_text"] == ""
    assert entry["cases"] == [
        {"id": imported.case.pk, "title": "Slovak integrity project", "status": "published", "claims": ["Summary"]}
    ]
    # Listed with the linked quotes, not among what was read imperfectly: nothing was misread.
    assert not any("Slovak integrity project" in problem for problem in report.problems)
    assert Case.objects.get(pk=imported.case.pk).content_version > before  # a stale form of it is refused


def test_a_statement_reworded_beyond_a_safe_match_is_cut_loose_with_its_new_version_as_candidate(imported):
    context = imported.quotes[185]
    rewritten = f"The OECD and Slovak institutions spent four years reinforcing integrity {anchor('00:03:50')}."
    report = reimport(imported, OPENING, rewritten, TRAINING, REVIEW)

    assert Quote.objects.get(pk=context.pk).document is None
    relink = QuoteRelink.objects.get(quote=context)
    new_version = Quote.objects.get(start_second=230)
    assert relink.candidates[0] == new_version.pk and "changed too much" in relink.reason
    assert not new_version.cases.exists()
    [entry] = report.cut_loose
    assert entry["change"] == "unsure" and entry["new_text"] == new_version.text


def test_importing_the_old_text_again_takes_the_quote_back_and_closes_its_task(imported):
    reimport(imported, OPENING, CONTEXT, TRAINING)
    reimport(imported, OPENING, CONTEXT, TRAINING, REVIEW)

    review = Quote.objects.get(pk=imported.quotes[316].pk)
    assert review.document is not None
    assert QuoteRelink.objects.get().status == QuoteRelink.Status.RESTORED
    assert not QuoteRelink.objects.to_relink().exists()


def test_a_quote_cut_loose_is_taken_back_by_a_new_document_of_its_video_later_in_the_same_run(imported):
    # The run knows which videos have quotes no document holds (documents.BatchRows): the first file
    # leaves one, the second, a new document of the same video, takes it back, links and all.
    imported.path.write_text(document(OPENING, CONTEXT, TRAINING), encoding="utf-8")
    other = imported.path.with_name("anticorruption_part_two.md")
    other.write_text(document(REVIEW), encoding="utf-8")
    report = import_paths([imported.path, other])

    assert report.failures == []
    review = Quote.objects.get(pk=imported.quotes[316].pk)
    assert review.document.slug == "anticorruption_part_two"
    assert list(review.cases.all()) == [imported.case]
    assert Quote.objects.filter(start_second=316).count() == 1
    assert QuoteRelink.objects.get().status == QuoteRelink.Status.RESTORED


def test_an_unchanged_reimport_reports_no_links(imported):
    report = import_paths([imported.path], force=True)
    assert report.relinks == [] and not QuoteRelink.objects.exists()


# --------------------------------------------------------------------------- the matching rules, without a database


def stored(pk, text, second, position):
    return SimpleNamespace(
        pk=pk, text=text, text_as_imported=text, start_second=second, start_second_as_imported=second, position=position
    )


def statement(text, second, position):
    return SimpleNamespace(text=text, start_second=second, position=position)


@pytest.mark.django_db(False)
def test_similarity_compares_words_not_characters():
    assert similarity(words("Governments look abroad."), words("governments   LOOK abroad")) == 1.0
    assert similarity(words("a b c d"), words("w x y z")) == 0.0


@pytest.mark.django_db(False)
def test_two_equally_close_statements_make_the_match_ambiguous():
    old = stored(1, "Teams shared data across the border quickly", 100, 3)
    wanted = [
        statement("Teams shared data across the border very quickly", 100, 3),
        statement("Teams shared data across the border rather quickly", 100, 4),
    ]
    result = carry_over(wanted, [None, None], [old])
    assert result.carried == {}
    [stranded] = result.stranded
    assert "equally well" in stranded.reason and sorted(stranded.candidates) == [0, 1]


@pytest.mark.django_db(False)
def test_a_similar_statement_far_away_in_time_and_place_is_not_safe():
    old = stored(1, "The lab ran twelve pilots with three cities in two years", 100, 1)
    moved_far = statement("The lab ran twelve pilots with four cities over two years", 2000, 40)
    assert carry_over([moved_far], [None], [old]).carried == {}
    nearby = statement("The lab ran twelve pilots with four cities over two years", 110, 1)
    assert carry_over([nearby], [None], [old]).carried == {0: (old, pytest.approx(0.8, abs=0.05))}


@pytest.mark.django_db(False)
def test_nearly_the_same_wording_is_carried_wherever_it_moved():
    old = stored(1, "Regulatory sandboxes let agencies test rules with firms before they apply to everyone", 100, 1)
    moved = statement(
        "Regulatory sandboxes let agencies test rules with firms before they apply to everybody", 3000, 50
    )
    assert list(carry_over([moved], [None], [old]).carried) == [0]


def test_story_section_evidence_alone_is_a_curator_link_the_import_keeps(imported):
    """A quote named only by a story section's evidence (the case's inline, not linked to the case
    itself) is curator work too: reworded slightly it is carried, removed it is cut loose and listed."""
    story = StoryEvidence.objects.create(case=imported.case, section="results")
    context, review = imported.quotes[185], imported.quotes[316]
    for quote in (context, review):
        quote.cases.remove(imported.case)
    story.quotes.add(context, review)

    report = reimport(imported, OPENING, CONTEXT.replace("reinforce", "strengthen"), TRAINING)

    assert set(story.quotes.values_list("pk", flat=True)) == {context.pk, review.pk}
    assert Quote.objects.get(pk=context.pk).document_id is not None
    assert Quote.objects.get(pk=review.pk).document_id is None
    relink = QuoteRelink.objects.get(quote=review)
    assert list(QuoteRelink.objects.to_relink()) == [relink]
    claims = {entry["quote"]: entry["cases"][0]["claims"] for entry in report.relinks}
    assert claims == {context.pk: ["Story: Results and impact"], review.pk: ["Story: Results and impact"]}


@pytest.mark.django_db(False)
def test_a_rewritten_statements_candidates_start_with_the_one_in_its_place_and_time():
    """Reworded beyond recognition ("removed": no statement says nearly the same), the candidates
    are its neighbours: the statement now at its very time and place first, not one sharing a word."""
    old = stored(1, "Engaging with informed citizens can richly complement government policymaking", 1293, 9)
    wanted = [
        statement("Governments cannot hold a monopoly on truth when handling complex issues", 1284, 7),
        statement("Governments can not hold a monopoly on truth when dealing with complex questions", 1285, 8),
        statement("Talking to well-briefed residents adds a great deal to what ministries decide", 1293, 9),
    ]
    [stranded] = carry_over(wanted, [None, None, None], [old]).stranded
    assert stranded.kind == "removed" and stranded.candidates[0] == 2


# --------------------------------------------------------------------------- a curator's edited text


def edit(quote, text=None, **values):
    """A curator's save of the quote's text (or of other `values`: start_second=…), as the admin's
    change form makes it."""
    quote = Quote.objects.get(pk=quote.pk)
    for name, value in {"text": text, **values}.items():
        if value is not None:
            setattr(quote, name, value)
    quote.note_curator_edit()
    quote.save()
    return quote


FIXED = "The project strengthened public integrity in Slovakia by applying behavioural insights."
NEW_PARAGRAPH = f"A new paragraph about the next steps of the project {anchor('00:06:00')}."
TRAINING_REWORDED = (
    f"Civil servants learned to apply a behavioural, risk-based approach to preventing corruption {anchor('00:04:16')}."
)


def edited_lines(report):
    return [line for line in report.edits if "keeps a curator's edited text" in line]


@pytest.fixture(params=["unlinked", "linked"])
def links(request, imported):
    """Each test runs once with the edited quotes linked to the case (as the fixture made them) and
    once with no link at all: an edit alone is curator work the import keeps."""
    if request.param == "unlinked":
        for quote in imported.quotes.values():
            quote.cases.clear()
            quote.challenges.clear()
    return request.param


def test_an_edited_text_survives_a_reimport_with_another_line_changed(imported, links):
    opening = imported.quotes[171]
    original = opening.text
    edit(opening, FIXED)

    report = reimport(imported, OPENING, CONTEXT, TRAINING, REVIEW, NEW_PARAGRAPH)

    kept = Quote.objects.get(pk=opening.pk)
    assert (kept.text, kept.imported_text, kept.document_id) == (FIXED, original, opening.document_id)
    assert Quote.objects.filter(document=kept.document).count() == 5  # no second quote of the statement
    assert report.quotes_created == 1 and report.quotes_updated == 0 and report.quotes_deleted == 0
    assert report.relinks == [] and edited_lines(report) == [] and report.edits_kept == 0
    assert list(kept.cases.values_list("pk", flat=True)) == ([imported.case.pk] if links == "linked" else [])


def test_an_edited_quote_whose_time_changed_keeps_its_text_and_takes_the_time(imported, links):
    opening = imported.quotes[171]
    edit(opening, FIXED)

    report = reimport(imported, OPENING.replace("00:02:51", "00:02:55"), CONTEXT, TRAINING, REVIEW)

    kept = Quote.objects.get(pk=opening.pk)
    assert (kept.text, kept.start_second, kept.imported_text) == (FIXED, 175, opening.text)
    assert edited_lines(report) == []


def test_an_edited_quote_whose_statement_was_reworded_keeps_its_text_and_is_reported(imported, links):
    training = imported.quotes[255]
    edit(training, "Civil servants were trained in a behavioural, risk-based approach to corruption prevention.")

    report = reimport(imported, OPENING, CONTEXT, TRAINING_REWORDED, REVIEW)

    kept = Quote.objects.get(pk=training.pk)
    assert kept.text.startswith("Civil servants were trained in a behavioural")  # the curator's
    assert kept.imported_text.startswith("Civil servants learned") and kept.start_second == 256
    assert kept.document_id == training.document_id
    assert Quote.objects.filter(document=kept.document).count() == 4  # moved, not replaced
    # Line 12 of the file: front matter (4), a blank, the channel line, a blank, then a paragraph
    # every other line.
    [line] = edited_lines(report)
    assert line.startswith(f"{imported.path}:12: quote {training.pk} keeps a curator's edited text; ")
    assert (
        "the document now says “Civil servants learned" in line and "(it said “Civil servants were trained to" in line
    )
    assert report.edits_kept == 1
    reasons = list(kept.history.order_by("history_date").values_list("text", "imported_text", "history_change_reason"))
    assert reasons[-1][:2] == (kept.text, kept.imported_text) and "re-import of anticorruption.md" in reasons[-1][2]
    if links == "linked":
        assert list(kept.cases.all()) == [imported.case] and list(kept.challenges.all()) == [imported.challenge]
        [entry] = report.relinks
        assert (entry["outcome"], entry["change"], entry["quote"]) == ("carried", "wording", training.pk)
        assert entry["old_text"] == training.text and entry["new_text"] == kept.imported_text
    else:
        assert report.relinks == [] and report.links_carried == 0


def test_an_edited_quote_whose_statement_was_removed_is_kept_and_reported(imported, links):
    review = imported.quotes[316]
    edit(review, "The review found that risk management was still applied too little in practice.")

    report = reimport(imported, OPENING, CONTEXT, TRAINING)

    kept = Quote.objects.get(pk=review.pk)
    assert kept.text.startswith("The review found that risk management") and kept.document is None
    assert kept.imported_text == review.text
    [line] = edited_lines(report)
    assert line == (
        f"{imported.path}:0: quote {review.pk} keeps a curator's edited text; its statement "
        f"(“{review.text}”) has no safe match in the new version (its statement is no longer in the "
        "document): kept without a document"
    )
    assert report.edits_kept == 1
    assert kept.history.latest("history_date").history_change_reason.startswith(
        "Cut loose with its links" if links == "linked" else "Cut loose with its edited text"
    )
    # Only a linked quote has links to re-link.
    assert QuoteRelink.objects.filter(quote=kept).exists() == (links == "linked")

    # The statement back: the quote goes back into its document, the curator's text still shown.
    report = reimport(imported, OPENING, CONTEXT, TRAINING, REVIEW)
    back = Quote.objects.get(pk=review.pk)
    assert (back.document_id, back.text, back.imported_text) == (review.document_id, kept.text, review.text)
    assert Quote.objects.filter(start_second=316).count() == 1 and edited_lines(report) == []


def test_an_edited_quote_reworded_beyond_a_safe_match_is_kept_and_names_the_closest_statement(imported, links):
    context = imported.quotes[185]
    edit(context, "For four years the OECD worked with Slovak institutions to strengthen integrity.")
    rewritten = f"The OECD and Slovak institutions spent four years reinforcing integrity {anchor('00:03:50')}."

    report = reimport(imported, OPENING, rewritten, TRAINING, REVIEW)

    kept = Quote.objects.get(pk=context.pk)
    assert kept.document is None and kept.text.endswith("to strengthen integrity.")
    new_version = Quote.objects.get(start_second=230)
    assert new_version.text.startswith("The OECD and Slovak institutions") and new_version.imported_text is None
    [line] = edited_lines(report)
    assert line.startswith(f"{imported.path}:10: quote {context.pk} keeps a curator's edited text; ")
    assert "changed too much to be sure" in line and "the closest statement says “The OECD and Slovak" in line


def test_a_document_now_saying_what_the_curator_wrote_clears_the_mark_silently(imported, links):
    opening = imported.quotes[171]
    edit(opening, FIXED)

    report = reimport(imported, f"{FIXED.removesuffix('.')} {anchor('00:02:51')}.", CONTEXT, TRAINING, REVIEW)

    kept = Quote.objects.get(pk=opening.pk)
    assert (kept.text, kept.imported_text, kept.document_id) == (FIXED, None, opening.document_id)
    assert Quote.objects.filter(document=kept.document).count() == 4
    assert edited_lines(report) == [] and report.edits_kept == 0


# --------------------------------------------------------------------------- a curator's corrected times


def time_lines(report):
    return [line for line in report.edits if "keeps a curator's time" in line or "other times" in line]


def test_a_curators_start_second_survives_a_reimport_with_another_line_changed(imported, links):
    opening = edit(imported.quotes[171], start_second=180)

    report = reimport(imported, OPENING, CONTEXT, TRAINING, REVIEW, NEW_PARAGRAPH)

    kept = Quote.objects.get(pk=opening.pk)
    assert (kept.start_second, kept.imported_start_second, kept.document_id) == (180, 171, opening.document_id)
    assert kept.text == opening.text and kept.imported_text is None
    assert Quote.objects.filter(document=kept.document).count() == 5  # no second quote of the statement
    assert report.quotes_created == 1 and report.quotes_updated == 0 and report.quotes_deleted == 0
    assert report.relinks == [] and time_lines(report) == [] and report.edits_kept == 0


def test_a_curators_other_seconds_survive_a_reimport_with_another_line_changed(imported, links):
    context = edit(imported.quotes[185], other_seconds=[200, 210])

    report = reimport(imported, OPENING, CONTEXT, TRAINING, REVIEW, NEW_PARAGRAPH)

    kept = Quote.objects.get(pk=context.pk)
    assert (kept.start_second, kept.other_seconds, kept.imported_other_seconds) == (185, [200, 210], [])
    assert report.quotes_updated == 0 and report.quotes_deleted == 0 and time_lines(report) == []


def test_a_curators_time_is_kept_and_reported_when_the_document_changes_it(imported, links):
    opening = edit(imported.quotes[171], start_second=180)

    report = reimport(imported, OPENING.replace("00:02:51", "00:02:53"), CONTEXT, TRAINING, REVIEW)

    kept = Quote.objects.get(pk=opening.pk)
    assert (kept.start_second, kept.imported_start_second, kept.document_id) == (180, 173, opening.document_id)
    assert Quote.objects.filter(document=kept.document).count() == 4
    assert time_lines(report) == [
        f"{imported.path}:8: quote {opening.pk} keeps a curator's time 00:03:00; the document now says 00:02:53 "
        "(it said 00:02:51)"
    ]
    assert report.edits_kept == 1
    reason = kept.history.latest("history_date").history_change_reason
    assert reason.startswith("Statement changed; " + ("links kept" if links == "linked" else "edited times kept"))
    if links == "linked":
        [entry] = report.relinks
        assert (entry["change"], entry["old_time"], entry["new_time"]) == ("time", "00:02:51", "00:02:53")

    # Its other times likewise: the document now cites a second time for the statement.
    context = edit(imported.quotes[185], other_seconds=[200])
    report = reimport(
        imported, OPENING.replace("00:02:51", "00:02:53"), CONTEXT.replace(".", f" {anchor('00:03:30')}."), TRAINING
    )
    kept = Quote.objects.get(pk=context.pk)
    assert (kept.other_seconds, kept.imported_other_seconds, kept.document_id) == ([200], [210], context.document_id)
    assert time_lines(report) == [
        f"{imported.path}:10: quote {context.pk} keeps a curator's other times 00:03:20; the document now says "
        "00:03:30 (it said none)"
    ]


def test_a_document_now_saying_the_curators_time_clears_the_mark_silently(imported, links):
    opening = edit(imported.quotes[171], start_second=175)

    report = reimport(imported, OPENING.replace("00:02:51", "00:02:55"), CONTEXT, TRAINING, REVIEW)

    kept = Quote.objects.get(pk=opening.pk)
    assert (kept.start_second, kept.imported_start_second, kept.document_id) == (175, None, opening.document_id)
    assert time_lines(report) == [] and report.edits_kept == 0


def test_an_edited_quote_whose_statement_was_removed_names_what_was_edited(imported, links):
    review = edit(imported.quotes[316], start_second=320)

    report = reimport(imported, OPENING, CONTEXT, TRAINING)

    kept = Quote.objects.get(pk=review.pk)
    assert (kept.start_second, kept.imported_start_second, kept.document) == (320, 316, None)
    assert [line for line in report.edits if "keeps a curator's edited times; its statement" in line]
    # The statement back, at the document's time: the quote goes back into its document, the curator's time kept.
    reimport(imported, OPENING, CONTEXT, TRAINING, REVIEW)
    back = Quote.objects.get(pk=review.pk)
    assert (back.document_id, back.start_second, back.imported_start_second) == (review.document_id, 320, 316)


# --------------------------------------------------------------------------- a curator's own quote


def test_a_quote_a_curator_added_to_a_document_is_never_matched_changed_nor_deleted(imported):
    """Added in the admin with the document (Quote.added_by_curator), linked to nothing: curator work
    the importer leaves alone, even when the document later states the very same words and time."""
    opening = imported.quotes[171]
    own = Quote.objects.create(
        source=opening.source,
        document=opening.document,
        text="A new paragraph about the next steps of the project.",
        start_second=360,
        heading_path="Curator's",
        position=9,
        added_by_curator=True,
    )

    # Its time status is the run's rule's (past the end the documents' own times give the video, or
    # not), not the match's: every other value is left as the curator saved it.
    def saved():
        values = Quote.objects.filter(pk=own.pk).values().get()
        del values["time_status"]
        return values

    stored = saved()
    reimport(imported, OPENING, CONTEXT.replace("reinforce", "strengthen"), TRAINING)  # a line changed, one gone
    assert saved() == stored

    report = reimport(imported, OPENING, CONTEXT, TRAINING, REVIEW, NEW_PARAGRAPH)
    assert saved() == stored
    assert report.quotes_created == 1  # the new paragraph, as a quote of its own (the linked review came back)
    assert Quote.objects.filter(text=own.text, start_second=360).count() == 2
