"""The claim-retrieval evaluation: standard file names, optional headers, absent files, the metric."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from veracity.cli.main import app
from veracity.evaluate.claim_retrieval import DataMissing, load_split, score

VCLAIMS = [
    ("vclaim-sno-moon", "The moon landing was filmed in a studio.", "Was the Moon Landing Faked?"),
    ("vclaim-sno-shark", "A shark swam on a flooded highway in Houston.", "Highway Shark"),
    ("vclaim-sno-fries", "McDonald's offers fries of any size for one dollar.", "Dollar Fries"),
]


def _task(tmp_path: Path, header: bool) -> Path:
    folder = tmp_path / "2022_task2a_en_tweets"
    folder.mkdir()
    with (folder / "vclaims.jsonl").open("w") as fh:
        for vid, claim, title in VCLAIMS:
            fh.write(json.dumps({"vclaim_id": vid, "vclaim": claim, "title": title}) + "\n")
    head = "iclaim_id\ticlaim\n" if header else ""
    (folder / "CT2022-Task2A-EN-Dev-Test_Queries.tsv").write_text(
        head + "t-1\tLOL the moon landing was filmed in a studio pic.twitter.com/x — Joe (@joe) May 1, 2020\n"
        't-2\t"a ""shark"" on the highway in Houston, flooded"\nt-3\tnothing relevant\n'
    )
    (folder / "CT2022-Task2A-EN-Dev-Test_QRELs.tsv").write_text(
        ("iclaim_id\t0\tvclaim_id\trelevance\n" if header else "")
        + "t-1\t0\tvclaim-sno-moon\t1\nt-2\t0\tvclaim-sno-shark\t1\nt-2\t0\tvclaim-sno-shark\t1\n"
    )
    return tmp_path


@pytest.mark.parametrize("header", [True, False])
def test_load_split_reads_standard_files(tmp_path: Path, header: bool) -> None:
    data = load_split(_task(tmp_path, header), "2a", "dev-test")
    assert data.qrels == {"t-1": {"vclaim-sno-moon"}, "t-2": {"vclaim-sno-shark"}}  # repeated line counted once
    assert data.queries["t-2"] == 'a "shark" on the highway in Houston, flooded'
    assert len(data.vclaims) == 3


def test_absent_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataMissing, match=r"CT2022-Task2A-EN-Test_QRELs_gold\.tsv"):
        load_split(_task(tmp_path, True), "2a", "test")
    result = CliRunner().invoke(
        app, ["evaluate", "claim-retrieval", "--task", "2a", "--split", "test", "--data", str(tmp_path)]
    )
    assert result.exit_code == 2 and "Test_QRELs_gold.tsv not found" in result.stderr


def test_score_map5_mrr_p1() -> None:
    qrels = {"a": {"x"}, "b": {"y", "z"}, "c": {"w"}}
    rankings = {"a": ["x", "q"], "b": ["q", "y", "r", "z"], "c": ["1", "2", "3", "4", "5", "w"]}
    s = score(rankings, qrels)
    assert s.map5 == pytest.approx((1.0 + (1 / 2 + 2 / 4) / 2 + 0.0) / 3)
    assert s.mrr == pytest.approx((1.0 + 0.5 + 1 / 6) / 3)
    assert s.p1 == pytest.approx(1 / 3)


def test_command_prints_baseline_and_last_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["evaluate", "claim-retrieval", "--task", "2a", "--split", "dev-test", "--data", str(_task(tmp_path, True))],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert any(line.startswith("BM25 (bm25s, baseline)") for line in lines)
    assert lines[-1] == "MAP@5=1.000 MRR=1.000 P@1=1.000"


def test_dates_of_vclaims_and_queries() -> None:
    from datetime import date

    from veracity.evaluate.claim_retrieval import parse_date, query_date

    assert parse_date("26 May 2015") == date(2015, 5, 26).toordinal()  # Snopes
    assert parse_date("stated on October 22, 2019 in a speech:") == date(2019, 10, 22).toordinal()  # PolitiFact
    assert parse_date("no date here") != parse_date("no date here")  # NaN
    assert query_date("20160926_1pres_0012", "anything") == date(2016, 9, 26).toordinal()  # 2B: the debate's
    assert query_date("t-1", "the moon — Joe (@joe) May 1, 2020") == date(2020, 5, 1).toordinal()  # tweet signature
    assert query_date("t-2", "no signature, May 1, 2020 in the text") != query_date("t-2", "x")  # NaN: not a signature


def test_speaker_prior_reads_the_collection() -> None:
    from veracity.evaluate.claim_retrieval import VClaim, speaker_prior

    vclaims = [VClaim("a", "", "", speaker="A"), VClaim("b", "", "", speaker="A"), VClaim("c", "", "", speaker="B")]
    prior = speaker_prior([*vclaims, VClaim("d", "", "")])
    assert prior[0] == prior[1] == 1.0 and 0 < prior[2] < 1 and prior[3] == 0.0
