"""The README's quick start: the try-it run applies the dev stack to the emulator, verifies it
from the instance's side, shows it and tears it down."""

import contextlib
import io

import pytest

from offline import try_it


@pytest.fixture(scope="module")
def tried():
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = try_it.main([])
    return code, printed.getvalue()


def test_try_it_run_passes(tried):
    code, printed = tried
    assert code == 0, printed
    assert printed.rstrip().endswith("RESULT: PASS")


def test_try_it_run_verifies_imdsv2_and_the_role_from_the_instances_side(tried):
    _, printed = tried
    assert "verify_instance.py | PASS  IMDSv1 is off" in printed
    assert "verify_instance.py | PASS  the instance profile carries the expected role" in printed
    assert "verify_instance.py | RESULT: PASS" in printed


def test_try_it_run_shows_least_privilege_as_aws_evaluates_it(tried):
    _, printed = tried
    assert "the role can list bucket my-app-data-dev: ListObjectsV2 allowed" in printed
    assert "PASS  the role is refused someone-elses-bucket" in printed


def test_try_it_run_prints_the_outputs_tree_and_diagram(tried):
    _, printed = tried
    assert "    instanceId: i-" in printed
    assert "aws:ec2:Instance" in printed
    assert "\nflowchart LR\n" in printed


def test_try_it_run_leaves_nothing_behind(tried):
    _, printed = tried
    assert "nothing left: no role, instance profile, policy, security group, endpoint" in printed


def test_try_it_run_fails_when_the_role_reaches_too_far(monkeypatch, capsys):
    monkeypatch.setattr(try_it, "_refused_elsewhere", lambda *args: False)
    assert try_it.main([]) == 1
    printed = capsys.readouterr().out
    assert "FAIL  the role is refused someone-elses-bucket" in printed
    assert printed.rstrip().endswith("RESULT: FAIL")
