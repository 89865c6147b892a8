"""Rating sets: each format read from a small file written here, stored per set on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from veracity.cli.main import app
from veracity.errors import InputError
from veracity.ratings import RatingStore, outlet_domain, read_ratings
from veracity.store.sql import SqlStore

runner = CliRunner()

RSP = (
    "id,name,status,status_n,wiki_url,urls,urls_n,info\n"
    '1,Reuters,"[""Generally reliable""]",1,https://en.wikipedia.org/wiki/Reuters,"[""www.reuters.com""]",1,'
    '"Reuters is a news agency."\n'
    '2,The Onion,"[""Generally unreliable""]",1,https://en.wikipedia.org/wiki/The_Onion,"[""www.theonion.com""]",1,'
    '"The Onion is a satirical news website."\n'
    '3,Daily Mail,"[""Blacklisted"", ""Deprecated""]",2,x,"[""www.dailymail.co.uk"", ""www.mailonsunday.co.uk""]",2,'
    '"Deprecated in 2017."\n'
    '4,Fox News,"[""No consensus""]",1,x,"[""www.foxnews.com""]",1,"Mixed."\n'
    '5,Nowhere,"[""Generally reliable""]",1,x,"[]",0,"No domain."\n'
    '6,Broken,not json,1,x,"[""broken.example""]",1,"Bad status."\n'
)
LIN = (
    "domain,pc1\nreuters.com,1\nfoxnews.com,0.53\ntheguardian.com/observer,0.9\nnews.bbc.co.uk,0.95\nbad.example,1.7\n"
)
MBFC = (
    "source_url\tsource_url_normalized\tref\tfact\tbias\n"
    "https://www.foxnews.com/\tfoxnews.com\thttps://mediabiasfactcheck.com/fox-news/\tmixed\tright\n"
    "http://www.reuters.com/\treuters.com\tx\thigh\tcenter\n"
    "http://fury.news/\tfury.news\tx\tlow\textreme-right\n"
    "http://odd.example/\todd.example\tx\tsomewhat\tcenter\n"
)
PLAIN = (
    "domain,rating,kind\nexample-news.org,0.8,\nbabylonbee.com,satire,satire\nhoax.example,unreliable,\n"
    "q.example,maybe,\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def by_domain(path: Path, fmt: str) -> tuple[dict[str, tuple[str, float | None, bool]], list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    found = {r.domain: (r.value, r.reliability, r.satire) for r in read_ratings(path, fmt, errors)}
    return found, errors


def test_outlet_domain_is_the_registered_domain() -> None:
    assert outlet_domain("https://www.news.bbc.co.uk/story?id=1") == "bbc.co.uk"
    assert outlet_domain("WWW.Reuters.com") == "reuters.com"
    assert outlet_domain("theguardian.com/observer") == "theguardian.com/observer"  # a section keeps its path
    assert outlet_domain("localhost") == "localhost"
    assert outlet_domain("") is None and outlet_domain(None) is None


def test_wikipedia_rsp(tmp_path: Path) -> None:
    found, errors = by_domain(write(tmp_path, "rsp.csv", RSP), "wikipedia-rsp")
    assert found["reuters.com"] == ("Generally reliable", 0.9, False)
    assert found["theonion.com"] == ("Generally unreliable", 0.2, True)  # satire from the summary text
    assert found["dailymail.co.uk"] == ("Blacklisted; Deprecated", 0.05, False)
    assert found["mailonsunday.co.uk"][1] == 0.05 and found["foxnews.com"][1] == 0.5
    assert {e[0].rsplit(":", 1)[1] for e in errors} == {"6", "7"}  # no domain; status not JSON


def test_lin2023(tmp_path: Path) -> None:
    found, errors = by_domain(write(tmp_path, "lin.csv", LIN), "lin2023")
    assert found["reuters.com"] == ("1", 1.0, False) and found["foxnews.com"][1] == 0.53
    assert "theguardian.com/observer" in found and "theguardian.com" not in found
    assert found["bbc.co.uk"][1] == 0.95
    assert len(errors) == 1 and "bad.example" in errors[0][1]


def test_mbfc_baly(tmp_path: Path) -> None:
    found, errors = by_domain(write(tmp_path, "corpus.tsv", MBFC), "mbfc-baly")
    assert found["foxnews.com"] == ("fact=mixed bias=right", 0.45, False)
    assert found["reuters.com"][1] == 0.85 and found["fury.news"][1] == 0.15
    assert len(errors) == 1 and "odd.example" in errors[0][1]


def test_plain_csv(tmp_path: Path) -> None:
    found, errors = by_domain(write(tmp_path, "mine.csv", PLAIN), "csv")
    assert found["example-news.org"] == ("0.8", 0.8, False)
    assert found["babylonbee.com"] == ("satire", None, True)
    assert found["hoax.example"][1] == 0.2
    assert len(errors) == 1 and "q.example" in errors[0][1]


def test_bad_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing column"):
        read_ratings(write(tmp_path, "x.csv", "site,score\na.com,1\n"), "lin2023")
    with pytest.raises(InputError, match="no ratings"):
        read_ratings(write(tmp_path, "e.csv", "domain,pc1\n"), "lin2023")
    with pytest.raises(InputError, match="unknown rating format"):
        read_ratings(write(tmp_path, "f.csv", LIN), "newsguard")
    with pytest.raises(InputError, match="cannot read"):
        read_ratings(tmp_path / "absent.csv", "lin2023")


def test_sets_stored_apart_and_reimport_replaces(store: SqlStore, tmp_path: Path) -> None:
    ratings = RatingStore(store.engine)
    now = datetime(2024, 1, 1)
    ratings.import_set(
        "rsp", "wikipedia-rsp", "rsp.csv", read_ratings(write(tmp_path, "r.csv", RSP), "wikipedia-rsp"), now
    )
    ratings.import_set("lin", "lin2023", "lin.csv", read_ratings(write(tmp_path, "l.csv", LIN), "lin2023"), now)
    fox = {r.set_name: r.reliability for r in ratings.for_domain("https://www.foxnews.com/politics/x")}
    assert fox == {"lin": 0.53, "rsp": 0.5}
    assert ratings.for_domain("unknown.example") == []
    ratings.import_set(
        "lin",
        "lin2023",
        "lin.csv",
        read_ratings(write(tmp_path, "l2.csv", "domain,pc1\nfoxnews.com,0.2\n"), "lin2023"),
        now,
    )
    assert [(s.name, s.entries) for s in ratings.sets()] == [("lin", 1), ("rsp", 5)]
    assert {r.set_name: r.reliability for r in ratings.for_domain("foxnews.com")} == {"lin": 0.2, "rsp": 0.5}
    assert ratings.for_domain("reuters.com")[0].set_name == "rsp"


def test_ratings_commands(db_url: str, tmp_path: Path) -> None:
    rsp, lin = write(tmp_path, "r.csv", RSP), write(tmp_path, "l.csv", LIN)
    result = runner.invoke(app, ["ratings", "import", str(rsp), "--format", "wikipedia-rsp", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "imported=5 skipped=2 set=wikipedia-rsp" in result.output
    result = runner.invoke(app, ["ratings", "import", str(lin), "--format", "lin2023", "--name", "lin", "--db", db_url])
    assert "imported=4 skipped=1 set=lin" in result.output
    again = runner.invoke(app, ["ratings", "import", str(lin), "--format", "lin2023", "--name", "lin", "--db", db_url])
    assert "imported=4" in again.output
    listed = json.loads(runner.invoke(app, ["ratings", "list", "--json", "--db", db_url]).output)
    assert [(s["name"], s["entries"]) for s in listed] == [("lin", 4), ("wikipedia-rsp", 5)]
    shown = runner.invoke(app, ["ratings", "show", "www.foxnews.com", "--db", db_url]).output
    assert "lin" in shown and "No consensus" in shown and "disagree" not in shown
    shown = runner.invoke(app, ["ratings", "show", "reuters.com", "--json", "--db", db_url]).output
    assert {r["set_name"]: r["reliability"] for r in json.loads(shown)["ratings"]} == {"lin": 1.0, "wikipedia-rsp": 0.9}
    unknown = runner.invoke(app, ["ratings", "show", "nowhere.example", "--db", db_url]).output
    assert "unknown" in unknown and "not unreliable" in unknown
    bad = runner.invoke(app, ["ratings", "import", str(lin), "--format", "csv", "--db", db_url])
    assert bad.exit_code == 1 and "missing column" in bad.output
    assert runner.invoke(app, ["ratings", "remove", "lin", "--db", db_url]).exit_code == 0
    assert runner.invoke(app, ["ratings", "remove", "lin", "--db", db_url]).exit_code == 1


def test_disagreement_is_shown(db_url: str, tmp_path: Path) -> None:
    runner.invoke(
        app, ["ratings", "import", str(write(tmp_path, "r.csv", RSP)), "--format", "wikipedia-rsp", "--db", db_url]
    )
    mine = write(tmp_path, "m.csv", "domain,rating\ndailymail.co.uk,0.9\n")
    runner.invoke(app, ["ratings", "import", str(mine), "--format", "csv", "--db", db_url])
    shown = runner.invoke(app, ["ratings", "show", "dailymail.co.uk", "--db", db_url]).output
    assert "the sets disagree: reliability from 0.05 to 0.90" in shown
