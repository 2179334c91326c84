from __future__ import annotations

import pytest


@pytest.fixture
def items(demo):
    from yangguang.projects.tests.factories import catalogue_setup

    return catalogue_setup()
