"""Publishing, correcting, withdrawing and publicity windows through the service functions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import translation

from yangguang.accounts.models import Region, User
from yangguang.core.chronograph import chronograph_run
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.models import Event
from yangguang.notices import services
from yangguang.notices.models import Notice
from yangguang.notices.publicity import publicity_closed_handler, publicity_handler_unregister
from yangguang.notices.registry import TYPES
from yangguang.notices.states import NoticeStatus, NoticeType

from .factories import full_fields, notice_make

pytestmark = pytest.mark.django_db


def test_every_type_is_in_the_registry_with_labels_and_a_source():
    assert set(TYPES) == set(NoticeType.values)
    for spec in TYPES.values():
        assert spec.label and spec.source
        assert len({f.key for f in spec.fields}) == len(spec.fields)
    assert TYPES["candidate_publicity"].publicity_days == 3
    assert TYPES["tender_procurement"].publicity_unit == "working_day"
    assert TYPES["centre_notice"].fields == ()


def test_missing_mandatory_field_is_refused_naming_the_field_in_the_request_language(demo):
    fields = full_fields("tender_construction")
    del fields["bid_deadline"]
    for language, label in (("zh-hans", "投标截止时间和开标"), ("en", "Bid deadline and opening")):
        with translation.override(language), pytest.raises(ValidationFailed) as caught:
            notice_make(fields=fields)
        assert caught.value.field == "bid_deadline"
        assert label in str(caught.value.message)
    blank = {**full_fields("contract"), "liability": "   "}
    with pytest.raises(ValidationFailed) as caught:
        notice_make(notice_type="contract", title="合同公告", fields=blank)
    assert caught.value.field == "liability"
    assert not Notice.objects.exists()
    assert not Event.objects.filter(action="notices.notice.publish").exists()


def test_publish_stores_a_numbered_notice_and_appends_an_event_without_personal_data(demo):
    notice = notice_make(attachments=[ContentFile(b"%PDF-1.4 tender documents", name="招标文件.pdf")])
    assert notice.code.startswith("331100-GG-")
    assert notice.status == NoticeStatus.PUBLISHED
    assert notice.category == "construction"
    attachment = notice.attachments.get()
    assert attachment.name == "招标文件.pdf" and len(attachment.sha256) == 64
    event = Event.objects.get(action="notices.notice.publish")
    assert event.object_id == str(notice.pk)
    assert event.payload == {"code": notice.code, "type": "tender_construction", "category": "construction",
                             "region": "331100"}
    second = notice_make(title="第二个公告")
    assert second.code != notice.code


HOSTILE = (
    '<p onclick="steal()">投标须知<script>alert(1)</script></p>'
    '<img src=x onerror="alert(2)"><a href="javascript:alert(3)">链接</a>'
    '<svg onload="alert(4)"><script>alert(5)</script></svg><iframe src="https://evil.example"></iframe>'
    '<a href="https://ggzy.lishui.gov.cn/">官网</a><style>body{display:none}</style>'
)


def test_rich_text_is_sanitised(demo):
    body = services.body_sanitise(HOSTILE)
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "<svg", "<iframe", "<style", "<img"):
        assert bad not in body.lower()
    assert "投标须知" in body and 'href="https://ggzy.lishui.gov.cn/"' in body
    notice = notice_make(body_html=HOSTILE)
    assert notice.body_html == body


def test_who_may_publish(demo):
    with pytest.raises(PermissionDenied):
        notice_make(actor=User.objects.get(username="supplier"))
    with pytest.raises(PermissionDenied):  # county staff publish for their own centre only
        notice_make(actor=User.objects.get(username="staff_qingtian"))
    assert notice_make(actor=User.objects.get(username="staff_qingtian"), region_code="331121").region.code == "331121"
    with pytest.raises(PermissionDenied):  # a purchaser without a project of its own
        notice_make(actor=User.objects.get(username="purchaser"))
    with pytest.raises(ValidationFailed) as caught:
        notice_make(notice_type="correction")
    assert caught.value.field == "type"


def test_purchaser_publishes_for_its_own_accepted_project(demo):
    from yangguang.projects.states import ProjectStatus
    from yangguang.projects.tests.factories import project_make

    project = project_make(status=ProjectStatus.ACCEPTED, name="门诊楼改扩建工程")
    purchaser = User.objects.get(username="purchaser")
    notice = notice_make(actor=purchaser, project=project, title="门诊楼改扩建工程施工招标公告")
    assert notice.project == project
    with pytest.raises(PermissionDenied):  # the centre's own types stay with the centre
        notice_make(actor=purchaser, project=project, notice_type="centre_notice", title="中心通知", fields={})


def test_correction_is_a_new_notice_linked_both_ways_and_the_original_is_unchanged(demo):
    original = notice_make(body_html="<p>投标截止时间：2026年12月20日</p>")
    before = Notice.objects.filter(pk=original.pk).values().get()
    staff = User.objects.get(username="staff")
    with pytest.raises(ValidationFailed) as caught:
        services.notice_correct(actor=staff, original=original, title="更正公告", body_html="", fields={},
                                reason="截止时间顺延")
    assert caught.value.field == "changes"
    correction = services.notice_correct(
        actor=staff, original=original, title="丽水市某某道路施工招标更正公告", body_html="<p>顺延</p>",
        fields={"changes": "投标截止时间顺延至2027年1月5日", "original": "forged"}, reason="答疑后顺延截止时间")
    assert correction.type == NoticeType.CORRECTION and correction.corrects == original
    assert correction.fields["original"] == original.code  # the platform's, not the sender's
    with translation.override("zh-hans"):
        assert ("被更正的公告", original.code) in correction.field_rows()
    with translation.override("en"):
        assert ("Corrected notice", original.code) in correction.field_rows()
    assert list(original.corrections.all()) == [correction]
    assert Notice.objects.filter(pk=original.pk).values().get() == before
    assert Event.objects.get(action="notices.notice.correct").payload["corrects"] == original.code
    with pytest.raises(PermissionDenied):
        services.notice_correct(actor=User.objects.get(username="supplier"), original=original, title="x",
                                body_html="", fields={"changes": "x"}, reason="x")


def test_withdraw_keeps_the_record_and_cannot_repeat(demo):
    notice = notice_make(notice_type="candidate_publicity", title="中标候选人公示")
    staff = User.objects.get(username="staff")
    with pytest.raises(ValidationFailed):
        services.notice_withdraw(actor=staff, notice=notice, reason=" ")
    withdrawn = services.notice_withdraw(actor=staff, notice=notice, reason="评标结果复核")
    assert withdrawn.status == NoticeStatus.WITHDRAWN and withdrawn.next_check_at is None
    assert Notice.objects.filter(pk=notice.pk).exists()
    with pytest.raises(IllegalTransition):
        services.notice_withdraw(actor=staff, notice=withdrawn, reason="再次")
    with pytest.raises(IllegalTransition):
        services.notice_correct(actor=staff, original=withdrawn, title="x", body_html="",
                                fields={"changes": "x"}, reason="x")
    assert Event.objects.filter(action="notices.notice.withdraw").count() == 1


def test_publicity_window_is_computed_and_a_shorter_one_refused(demo):
    notice = notice_make(notice_type="candidate_publicity", title="中标候选人公示")
    assert notice.publicity_days == 3 and notice.publicity_unit == "calendar_day"
    assert notice.publicity_opens_at == notice.published_at
    assert notice.publicity_closes_at is not None
    assert notice.publicity_closes_at - notice.published_at >= dt.timedelta(days=3)
    assert notice.next_check_at == notice.publicity_closes_at
    with pytest.raises(ValidationFailed) as caught:
        notice_make(notice_type="candidate_publicity", title="过短公示", publicity_days=2)
    assert caught.value.field == "publicity_days"
    longer = notice_make(notice_type="candidate_publicity", title="较长公示", publicity_days=7)
    assert longer.publicity_closes_at is not None
    assert longer.publicity_closes_at > notice.publicity_closes_at
    assert notice_make(title="招标公告").publicity_closes_at is None


def test_publicity_close_runs_the_owner_hook_once(demo):
    calls: list[str] = []

    @publicity_closed_handler("testflow.procedure")
    def react(notice: Notice) -> None:
        calls.append(notice.code)

    try:
        notice = notice_make(notice_type="candidate_publicity", title="中标候选人公示",
                             owner="testflow.procedure:7")
        other = notice_make(notice_type="candidate_publicity", title="其他流程公示", owner="otherflow:1")
        assert chronograph_run(now=notice.published_at + dt.timedelta(days=1)) == 0
        assert notice.publicity_closes_at is not None
        later = notice.publicity_closes_at + dt.timedelta(minutes=1)
        assert chronograph_run(now=later) == 2
        assert chronograph_run(now=later + dt.timedelta(days=1)) == 0
        assert calls == [notice.code]
        notice.refresh_from_db()
        assert notice.publicity_closed_at is not None and notice.next_check_at is None
        other.refresh_from_db()
        assert other.publicity_closed_at is not None
        assert Event.objects.filter(action="notices.notice.publicity_closed").count() == 2
    finally:
        publicity_handler_unregister("testflow.procedure")


def test_revision_rises_with_every_visible_change(demo):
    start = services.revision_current()
    notice = notice_make()
    services.notice_withdraw(actor=User.objects.get(username="staff"), notice=notice, reason="撤回")
    assert services.revision_current() == start + 2
    assert Region.objects.filter(code="331100").exists()
