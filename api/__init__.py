"""The read-only JSON API of the published library (/api/v1/, issue 19): thin views over the domain's querysets."""
