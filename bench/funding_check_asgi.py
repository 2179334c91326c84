"""ASGI entry point for bench/funding_check.py's server when GC_FREEZE=1: the product's application, with
every URL module imported and then ``gc.freeze()``. A Django process holds ~130,000 long-lived objects
(models, URL patterns, translations, pydantic schemas); a full (generation 2) garbage collection walks all
of them — 30–40 ms on this machine, a pause every request in flight waits for. Frozen objects are never
scanned again, so the occasional full collection only walks what requests allocated. The product's
``yangguang/asgi.py`` could do the same (see docs/performance-musttrade.md)."""

import gc

from django.urls import get_resolver

from yangguang.asgi import application

get_resolver().url_patterns  # noqa: B018 - import every view module now, before freezing
gc.freeze()

__all__ = ["application"]
