"""The package's command, `ec2-instance-role` (components/cli.py): it dispatches to its one
subcommand and says what it takes otherwise."""

from __future__ import annotations

import sys

import pytest

from components import cli

USAGE = (
    "usage: ec2-instance-role COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  least-privilege   the policy an instance role's CloudTrail records show it needs, and what\n"
    "                    it is granted in vain (ec2-instance-role least-privilege --help)\n"
)


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_prints_the_usage_and_exits_0(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run([flag]) == 0
    assert capsys.readouterr() == (USAGE, "")


def test_no_command_exits_2_with_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run([]) == 2
    assert capsys.readouterr() == ("", f"ec2-instance-role: no command given.\n{USAGE}")


def test_an_unknown_command_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["lest-privilege"]) == 2
    assert (
        capsys.readouterr().err == f"ec2-instance-role: unknown command 'lest-privilege'.\n{USAGE}"
    )


def test_least_privilege_gets_the_rest_of_the_arguments_and_its_program_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as done:
        cli.run(["least-privilege", "--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("usage: ec2-instance-role least-privilege ")


def test_arguments_default_to_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["ec2-instance-role", "--help"])
    assert cli.run() == 0
    assert capsys.readouterr().out == USAGE


def test_main_exits_with_the_commands_status(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["ec2-instance-role"])
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 2
