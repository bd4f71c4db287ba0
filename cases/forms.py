"""The public case submission form of /submit/ (cases.submissions stores what it accepts).

Every field has a size limit; markdown is kept as source and sanitised when shown
(cases.rendering); no file is uploaded. A honeypot field, hidden from people, catches robots
that fill in every field.
"""

from django import forms

from .models import STORY_FIELDS, WEB_URL, Case, StorySection, SupportingLink

SUMMARY_LENGTH = 1_000
PUBLIC_SECTION_LENGTH = 6_000  # characters of one story section sent from the public form
LINK_ROWS = 3  # supporting links offered by the form
HONEYPOT = "homepage"

SECTION_HELP = {
    StorySection.PROBLEM: "What problem or opportunity did the initiative address, and for whom?",
    StorySection.INNOVATION: "What did you do, and what is new about it compared with what existed?",
    StorySection.STAKEHOLDERS: "Who used it, who benefited, and who took part (governments, partners, citizens)?",
    StorySection.RESULTS: "What changed? Say what was measured and how, or what you expect.",
    StorySection.FAILURES: "What went wrong or was harder than expected, and what did you do about it?",
    StorySection.CONDITIONS: "What made it work: people, money, rules, timing, partnerships?",
    StorySection.REPLICATION: "Could others do the same elsewhere? Has anyone?",
    StorySection.LESSONS: "What would you tell a public servant starting something similar?",
}


def unix_newlines(text):
    """Browsers post textareas with CRLF; stored markdown keeps LF, so an untouched text stays unchanged."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


class SubmissionForm(forms.Form):
    """A case story as its people tell it, and who they are (kept private)."""

    title = forms.CharField(max_length=200, help_text="The initiative's name.")
    summary = forms.CharField(
        max_length=SUMMARY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One paragraph, plain text: what it is, where, since when.",
    )
    level_of_government = forms.ChoiceField(
        label="Level of government",
        required=False,
        choices=[("", "—"), *Case.LevelOfGovernment.choices],
    )
    website = forms.URLField(
        label="The initiative's website", required=False, max_length=200, assume_scheme="https", validators=[WEB_URL]
    )
    contact_email = forms.EmailField(
        label="Organisational contact address",
        required=False,
        max_length=254,
        help_text="A shared address of the organisation (such as innovation@city.example), shown on the case page. "
        "Not a person's.",
    )
    results_evidence = forms.ChoiceField(
        label="Are the results…",
        required=False,
        choices=[("", "—"), *Case.ResultsEvidence.choices],
    )
    submitter_name = forms.CharField(label="Your name", max_length=200)
    submitter_email = forms.EmailField(label="Your e-mail address", max_length=254)
    submitter_role = forms.CharField(label="Your role in the initiative", max_length=200, required=False)
    agree = forms.BooleanField(
        label="I took part in this initiative or speak for it, and the text may be published under the "
        "library's licence once curators have reviewed it.",
    )
    homepage = forms.CharField(
        label="Leave this field empty",
        required=False,
        max_length=200,
        help_text="It is here to catch spam robots.",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for section in StorySection:
            self.fields[section.field_name] = forms.CharField(
                label=section.label,
                required=False,
                max_length=PUBLIC_SECTION_LENGTH,
                widget=forms.Textarea(attrs={"rows": 5}),
                help_text=SECTION_HELP[section] + " Markdown allowed.",
            )
        for number in range(1, LINK_ROWS + 1):
            self.fields[f"link_{number}_title"] = forms.CharField(label="Title", required=False, max_length=300)
            self.fields[f"link_{number}_url"] = forms.URLField(
                label="Address (URL)", required=False, max_length=500, assume_scheme="https", validators=[WEB_URL]
            )
            self.fields[f"link_{number}_kind"] = forms.ChoiceField(
                label="Kind", required=False, choices=SupportingLink.Kind.choices
            )

    @property
    def story_fields(self):
        """The bound fields of the story sections, in their order (for the template)."""
        return [self[name] for name in STORY_FIELDS]

    @property
    def link_rows(self):
        """[(number, title field, url field, kind field)] of the supporting-link rows."""
        return [
            (number, self[f"link_{number}_title"], self[f"link_{number}_url"], self[f"link_{number}_kind"])
            for number in range(1, LINK_ROWS + 1)
        ]

    def clean_homepage(self):
        if self.cleaned_data.get(HONEYPOT):
            raise forms.ValidationError("Leave this field empty: it is there to catch robots.")
        return ""

    def clean(self):
        cleaned = super().clean()
        for name in ("summary", *STORY_FIELDS):
            if cleaned.get(name):
                cleaned[name] = unix_newlines(cleaned[name]).strip()
        if not any(cleaned.get(name) for name in STORY_FIELDS):
            raise forms.ValidationError("Tell at least one part of the story (the problem, the innovation…).")
        for number in range(1, LINK_ROWS + 1):
            title, url = cleaned.get(f"link_{number}_title"), cleaned.get(f"link_{number}_url")
            if url and not title:
                self.add_error(f"link_{number}_title", "Give the link a title.")
            elif title and not url:
                self.add_error(f"link_{number}_url", "Give the link's address.")
        urls = [cleaned.get(f"link_{n}_url") for n in range(1, LINK_ROWS + 1) if cleaned.get(f"link_{n}_url")]
        if len(urls) != len(set(urls)):
            raise forms.ValidationError("Give each supporting link once.")
        return cleaned

    def case_fields(self):
        """The draft case's fields, from a valid form."""
        data = self.cleaned_data
        names = [
            "title",
            "summary",
            "level_of_government",
            "website",
            "contact_email",
            "results_evidence",
            *STORY_FIELDS,
        ]
        return {name: data.get(name) or "" for name in names}

    def links(self):
        """[(title, url, kind)] of the filled link rows, from a valid form."""
        data = self.cleaned_data
        return [
            (data[f"link_{n}_title"], data[f"link_{n}_url"], data.get(f"link_{n}_kind") or SupportingLink.Kind.REPORT)
            for n in range(1, LINK_ROWS + 1)
            if data.get(f"link_{n}_url")
        ]
