"""Per-address throttling of the API, counted by the pages' limits machinery (cases.views.limits)."""

from rest_framework.throttling import BaseThrottle

from cases.views.limits import retry_after


class AddressRateThrottle(BaseThrottle):
    """At most RATE_LIMITS["api"] requests per client address ("120/m" by default, RATE_LIMIT_API),
    in the same shared cache and windows as the exports, search and compare limits. Over it DRF
    answers 429 with Retry-After (seconds to the end of the window); RATELIMIT_ENABLE=0 or an
    empty rate lifts the limit."""

    group = "api"

    def allow_request(self, request, view):
        self.wait_seconds = retry_after(request, self.group)
        return self.wait_seconds is None

    def wait(self):
        return self.wait_seconds
