"""JSON shapes of the API's resources: stable ids and slugs, and absolute URLs of each object's
public page (`url`) and API detail (`api_url`). Every serializer reads only what its view prefetched.

One module per resource family: fields.py (the URL fields), terms.py (the taxonomy), evidence.py
(sources, documents, topics, quotes), cases.py; refs.py holds the short forms other objects name.
The API's views import them from here.
"""

from .cases import (  # noqa: F401
    CaseDetailSerializer,
    CaseSerializer,
    ClaimSerializer,
    ParticipationSerializer,
    StorySectionSerializer,
    SupportingLinkSerializer,
)
from .evidence import (  # noqa: F401
    DocumentDetailSerializer,
    DocumentSerializer,
    EvidenceSerializer,
    QuoteSerializer,
    SourceSerializer,
    TopicSerializer,
)
from .fields import ApiUrl, LinkField, PageUrl, absolute_url, iso_datetime  # noqa: F401
from .refs import (  # noqa: F401
    ApproachRefSerializer,
    CaseRefSerializer,
    OrganisationRefSerializer,
    SourceRefSerializer,
    TermRefSerializer,
    ThemeRefSerializer,
)
from .terms import (  # noqa: F401
    ApproachSerializer,
    ChallengeSerializer,
    CountryRefSerializer,
    CountrySerializer,
    OrganisationSerializer,
    SuccessFactorSerializer,
    TermSerializer,
    ThemeSerializer,
)
