"""Project middleware: requests whose address or form data hold characters no database can store."""

from django.http import JsonResponse
from django.shortcuts import render

from cases.characters import storable

MESSAGE = "The address or form holds a character the library cannot store (such as NUL, %00)."
# The JSON API's paths (api/urls.py under kb/urls.py); CORS_URLS_REGEX names the same prefix.
API_PREFIX = "/api/"


class RefuseUnstorableCharactersMiddleware:
    """Answers 400 to a request with NUL or a lone surrogate in its path or in a parameter's name or
    value (query string, or a posted form that is not a file upload).

    PostgreSQL refuses such text with an error, which a lookup (`/sources/%00/`, an admin filter or
    autocomplete term) would turn into a 500. Under API_PREFIX the 400 is JSON, `{"detail": MESSAGE}`,
    as the API's own 400s are; elsewhere the site's 400 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.acceptable(request):
            if request.path_info.startswith(API_PREFIX):
                return JsonResponse({"detail": MESSAGE}, status=400)
            return render(request, "400.html", {"message": MESSAGE}, status=400)
        return self.get_response(request)

    @staticmethod
    def acceptable(request):
        texts = [request.path, request.path_info]
        data = [request.GET]
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            data.append(request.POST)
        for query in data:
            for key, values in query.lists():
                texts.append(key)
                texts.extend(values)
        return all(storable(text) for text in texts)
