"""Moderators adding, fixing and removing a server's articles; members refused."""

import pytest

from .fake_discord import GUILD_A, GUILD_B, MOD_ROLE

ARTICLE = b"""---
title: "Harbour ferry fares rise for the first time in a decade"
outlet: "Test Gazette"
author: "Ada Lovelace"
published: 2025-03-02
---

Ferry fares across the harbour will rise by ten percent in April, the transport board said on Sunday.

Commuters said the rise would hurt, and one council member said @everyone should write to the board.
"""


def upload(harness, name: str, data: bytes, size: int | None = None, who: str = "mod", guild: int = GUILD_A):
    url = f"https://cdn.discordapp.com/attachments/1/2/{name}"
    harness.fake.cdn[url] = data
    resolved = {
        "attachments": {
            "77": {
                "id": "77",
                "filename": name,
                "size": size or len(data),
                "url": url,
                "proxy_url": url,
                "content_type": "text/plain",
            }
        }
    }
    return harness.slash("article add", who=who, guild=guild, file="77", resolved=resolved)


def test_add_a_file_shows_what_was_extracted_and_refuses_duplicates(harness):
    sent = upload(harness, "ferry.md", ARTICLE)
    report = sent[-1]
    assert report.ephemeral and report.embed["title"] == "Article added"
    value = report.embed["fields"][0]["value"]
    assert "Harbour ferry fares rise" in value and "Test Gazette" in value
    assert "2 Mar 2025" in value and "Paragraphs: 2" in value
    assert report.buttons[0]["label"].startswith("Remove A")
    again = upload(harness, "ferry.md", ARTICLE)[-1]
    assert again.embed["title"] == "Nothing new added" and "not added twice" in again.embed["description"]
    assert not again.buttons


def test_article_text_with_everyone_never_pings(harness):
    article_id = upload(harness, "ferry.md", ARTICLE)[-1].button("Remove A")["custom_id"].split(":")[-1]
    shown = harness.slash("source", citation=f"A{article_id}¶2", public=True)[0]
    assert "@\u200beveryone" in shown.embed["description"] and "@everyone" not in shown.embed["description"]
    assert shown.body["allowed_mentions"]["parse"] == [] and not shown.ephemeral


def test_remove_button_asks_then_removes(harness):
    report = upload(harness, "ferry.md", ARTICLE)[-1]
    article_id = report.button("Remove A")["custom_id"].split(":")[-1]
    confirm = harness.click(report, "Remove A", who="mod")[0]
    assert confirm.ephemeral and "Harbour ferry fares" in confirm.content
    assert harness.click(confirm, "Remove", who="member")[0].content.startswith("This command is for moderators")
    done = harness.click(confirm, "Remove", who="mod")[0]
    assert done.type == 7 and done.content.startswith(f"Removed `A{article_id}`")
    gone = harness.slash("source", article=article_id)[0]
    assert gone.ephemeral and not gone.embeds
    history = harness.slash("article history", who="mod")[0].embed["description"]
    assert f"**removed** `A{article_id}`" in history and f"**added** `A{article_id}`" in history


def test_bad_attachments_are_refused_with_the_reason(harness):
    binary = upload(harness, "photo.txt", b"\x89PNG\x00\x00\x00binary")[-1]
    assert "binary file" in binary.content
    huge = upload(harness, "big.txt", b"Headline\nText here.", size=50 * 1024 * 1024)[-1]
    assert "more than the" in huge.content
    wrong = upload(harness, "report.pdf", b"%PDF-1.4")[-1]
    assert "unsupported file type .pdf" in wrong.content


def test_members_are_refused_and_a_moderator_role_lets_them_in(harness):
    refused = upload(harness, "ferry.md", ARTICLE, who="member")
    assert len(refused) == 1 and refused[0].ephemeral and "for moderators" in refused[0].content
    assert "for moderators" in harness.slash("gaps", who="member")[0].content
    assert "for moderators" in harness.slash("config qa-channel list", who="member")[0].content
    assert "Manage Server" in harness.slash("config moderator-role", who="mod", role=str(MOD_ROLE))[0].content
    harness.slash(
        "config moderator-role",
        who="admin",
        role=str(MOD_ROLE),
        resolved={
            "roles": {
                str(MOD_ROLE): {
                    "id": str(MOD_ROLE),
                    "name": "Fact checkers",
                    "color": 0,
                    "hoist": False,
                    "position": 1,
                    "permissions": "0",
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            }
        },
    )
    added = upload(harness, "ferry.md", ARTICLE, who="rolemod")[-1]
    assert added.embed["title"] == "Article added"


def test_url_adds_are_checked_and_rate_limited(harness):
    first = harness.slash("article add", who="mod", url="http://127.0.0.1/admin")[-1]
    assert "Skipped:" in first.embed["fields"][0]["value"]
    second = harness.slash("article add", who="mod", url="https://example.com/news")
    assert len(second) == 1 and "try again in" in second[0].content
    assert "either a url or a file" in harness.slash("article add", who="mod")[0].content


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://", "the URL 'https://' has no host"),
        ("javascript:alert(1)", "the URL must start with http:// or https://, not 'javascript:alert(1)'"),
    ],
)
def test_a_url_that_cannot_be_an_article_is_refused_by_the_librarys_rule(harness, url, message):
    """The same rule (and words) as every other URL an article is stored under, before any fetch."""
    [refused] = harness.slash("article add", who="mod", url=url)
    assert refused.ephemeral and refused.content == message


def test_paste_modal_adds_an_article(harness):
    modal = harness.slash("article paste", who="mod", date="2025-03-04")[0]
    assert modal.type == 9
    sent = harness.submit(
        modal,
        {
            "Headline": "Lighthouse reopens after repairs",
            "Outlet": "Test Gazette",
            "Text (a blank line between paragraphs)": (
                "The lighthouse reopened on Tuesday.\n\nVisitors queued from dawn to see it."
            ),
        },
    )
    report = sent[-1]
    assert report.embed["title"] == "Article added"
    assert "4 Mar 2025" in report.embed["fields"][0]["value"] and "Paragraphs: 2" in report.embed["fields"][0]["value"]


def test_edit_modal_fixes_metadata_and_the_history_says_who(harness):
    article_id = upload(harness, "ferry.md", ARTICLE)[-1].button("Remove A")["custom_id"].split(":")[-1]
    modal = harness.slash("article edit", who="mod", id=f"A{article_id}")[0]
    assert modal.type == 9
    fields = {
        row.get("label") or row["components"][0]["label"]: (row.get("component") or row["components"][0])
        for row in modal.body["components"]
    }
    assert fields["Outlet"]["value"] == "Test Gazette"
    done = harness.submit(modal, {"Outlet": "The Test Gazette"})[-1]
    assert "outlet: Test Gazette → The Test Gazette" in done.content
    history = harness.slash("article history", who="mod")[0].embed["description"]
    assert f"**edited** `A{article_id}` by <@102>" in history


def test_seeds_and_other_servers_articles_cannot_be_removed_from_a_server(harness):
    assert harness.slash("article remove", who="mod", id="A1")[0].content == "no article with id 1"
    assert not harness.slash("article remove", who="mod", guild=GUILD_B, id="A3")[0].buttons
