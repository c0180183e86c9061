"""Credentials: provider tokens with fixed prefixes, PEM private keys, JWTs and
`password=` / `api_key:` / "my pw is ..." assignments.

Provider prefixes (`ghp_`, `AKIA`, `sk-ant-`, `SG.`, `npm_`, ...) make these
near-certain. An assignment after a token word needs a value that looks generated
(entropy, character classes) so that "token: expired" stays readable; after a
password word ("password", "pw", "Passwort", "mot de passe", "пароль", "密码", ...)
any value with a digit, a symbol or inner capitals counts, because people choose
passwords, machines do not.

Cost: one RE2 pass over the provider prefixes decides which provider patterns run;
every pattern is linear; PEM headers and footers are paired in one pass each.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import math
import re
from collections import Counter
from collections.abc import Iterator

import orjson

from filters._patterns import byte_cased, each_spans, found, text_pattern
from filters.masking._context import ascii_alnum
from filters.masking._model import Detection
from filters.masking._quota import charge

_B64 = "A-Za-z0-9_\\-"
# (detector, head, tail): a token is its head then its tail. Formats as the providers document them.
# The head is what a token starts with, up to its first counted run; a format that starts with a
# counted run (or a lone letter class) has its whole pattern as its head.
_PROVIDERS: tuple[tuple[str, str, str], ...] = (
    ("aws_access_key", r"(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)", r"[A-Z0-9]{16}"),
    ("github_token", r"gh[pousr]_", r"[A-Za-z0-9]{36,}"),
    ("github_token", r"github_pat_", r"[A-Za-z0-9_]{22,}"),
    ("gitlab_token", r"gl(?:pat|dt|rt|ptt|ft|soat|oas|cbt|imt|agent)-", r"[A-Za-z0-9_\-]{20,}"),
    ("slack_token", r"xox[abposre]-", r"[A-Za-z0-9\-]{10,}"),
    ("slack_token", r"xapp-\d-", r"[A-Za-z0-9\-]{10,}"),
    ("slack_webhook", r"https://hooks\.slack\.com/(?:services|workflows)/", r"[A-Za-z0-9_/\-]{20,}"),
    ("stripe_key", r"(?:sk|rk)_(?:live|test)_", r"[A-Za-z0-9]{10,}"),
    ("stripe_key", r"whsec_", r"[A-Za-z0-9]{20,}"),
    ("google_api_key", r"AIza", r"[0-9A-Za-z_\-]{35}"),
    ("google_oauth", r"ya29\.", r"[0-9A-Za-z_\-]{20,}"),
    ("google_oauth", r"GOCSPX-", r"[0-9A-Za-z_\-]{28}"),
    ("anthropic_key", r"sk-ant-(?:api|admin|sid)\d\d-", r"[A-Za-z0-9_\-]{20,}"),
    ("openai_key", r"sk-(?:proj|svcacct|admin)-", r"[A-Za-z0-9_\-]{20,}"),
    ("openai_key", r"sk-", r"[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"),
    ("sendgrid_key", r"SG\.", r"[A-Za-z0-9_\-]{16,32}\.[A-Za-z0-9_\-]{16,64}"),
    ("npm_token", r"npm_", r"[A-Za-z0-9]{36}"),
    ("pypi_token", r"pypi-", r"[A-Za-z0-9_\-]{50,}"),
    ("huggingface_token", r"hf_", r"[A-Za-z0-9]{30,40}"),
    ("twilio_key", r"SK", r"[0-9a-fA-F]{32}"),
    ("mailgun_key", r"key-", r"[0-9a-f]{32}"),
    ("mailgun_key", r"[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}", ""),  # keys issued since 2023, and signing keys
    ("mailchimp_key", r"[0-9a-f]{32}-us\d{1,2}", ""),
    ("shopify_token", r"shp(?:at|ca|pa|ss)_", r"[0-9a-fA-F]{32}"),
    ("digitalocean_token", r"do[opr]_v1_", r"[0-9a-f]{64}"),
    ("telegram_bot_token", r"\d{8,10}:AA[A-Za-z0-9_\-]{33}", ""),
    ("square_token", r"sq0(?:atp|csp)-", r"[A-Za-z0-9_\-]{22,43}"),
    ("atlassian_token", r"ATATT3", r"[A-Za-z0-9_\-=]{150,}"),
    ("linear_key", r"lin_(?:api|oauth)_", r"[A-Za-z0-9]{40}"),
    ("postman_key", r"PMAK-", r"[0-9a-f]{24}-[0-9a-f]{34}"),
    ("databricks_token", r"dapi", r"[0-9a-f]{32}(?:-\d)?"),
    ("grafana_token", r"gl(?:sa|c)_", r"[A-Za-z0-9_+/=]{32,}"),
    ("vault_token", r"hv[sbr]\.", r"[A-Za-z0-9_\-]{24,}"),
    ("age_secret_key", r"AGE-SECRET-KEY-1", r"[0-9A-Z]{58}"),
    ("groq_key", r"gsk_", r"[A-Za-z0-9]{48,60}"),
    ("xai_key", r"xai-", r"[A-Za-z0-9]{60,100}"),
    ("replicate_token", r"r8_", r"[A-Za-z0-9]{37}"),
    ("figma_token", r"figd_", r"[A-Za-z0-9_\-]{40,60}"),
    ("supabase_token", r"sbp_", r"[0-9a-f]{40}"),
    ("newrelic_key", r"NRAK-", r"[A-Z0-9]{27}"),
    ("sentry_token", r"sntry[su]_", r"[A-Za-z0-9_+/=]{40,}"),
    ("azure_storage_key", r"AccountKey=", r"[A-Za-z0-9+/]{86}=="),
    ("bitbucket_app_password", r"ATBB", r"[A-Za-z0-9_=.\-]{32,}"),
    ("easypost_key", r"EZ[AT]K", r"[A-Za-z0-9]{54}"),
    ("discord_token", r"[MNO][A-Za-z0-9_\-]{23,27}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,40}", ""),
    ("tencent_secret_id", r"AKID", r"[A-Za-z0-9]{32}"),  # Tencent Cloud's SecretId: 36 characters
    ("alibaba_access_key", r"LTAI", r"[A-Za-z0-9]{12,20}"),  # Alibaba Cloud's AccessKey ID: 16 or 24
    # Microsoft Entra client secrets: three characters, a digit, "Q~", then 31 to 34 more (40 in all).
    ("azure_client_secret", r"[A-Za-z0-9_~.\-]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}", ""),
    ("braintree_token", r"access_token\$(?:production|sandbox)\$", r"[0-9a-z]{16}\$[0-9a-f]{32}"),
    ("razorpay_key", r"rzp_(?:live|test)_", r"[A-Za-z0-9]{14}"),
    # crates.io: "cio" glued to 32 letters and digits. Its head is no literal of the engine's gate (Spanish and Italian
    # words end in "cio": "servicio", "precio"); the token passes the gate as a long run standing apart, so it is read
    # only where it stands apart (`_STANDING_APART`).
    ("cratesio_token", r"cio", r"[A-Za-z0-9]{32}"),
    ("scaleway_access_key", r"SCW", r"[A-Z0-9]{17}"),  # Scaleway's access key id: 20 characters in capitals
    # Telnyx API v2 keys: "KEY", 32 hex digits in capitals, and the secret after "_" where it is given whole.
    ("telnyx_key", r"KEY", r"[0-9A-F]{32}(?:_[A-Za-z0-9_\-]{16,})?"),
    ("together_key", r"tgp_v1_", r"[A-Za-z0-9_\-]{40,}"),
    # Plaid's access, public, link and processor tokens: the kind, the environment and a UUID.
    ("plaid_token", r"(?:access|public|link|processor)-(?:sandbox|development|production)-",
     r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    # Mapbox's public, secret and temporary tokens: a base64url JSON part and a signature after it.
    ("mapbox_token", r"[pst]k\.eyJ", r"[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{16,}"),
)
# Providers whose head is distinctive (punctuation inside, three characters or more, not "key-" or "sk-"):
# a token of theirs glued to a letter before it ("xghp_...", "tokenghp_...") is still one, when its tail
# looks generated; a bare head ("AKIA", "SK", "dapi") glued to a word is most often that word.
_GLUABLE = frozenset(
    i for i, (_, head, _) in enumerate(_PROVIDERS)
    if any(mark in head for mark in "_-.") and head not in (r"key-", r"sk-") and not head.startswith("[")
    and not head.startswith("\\d"))
# Providers whose head is letters glued to the generated part, or none at all: a word ("ATBBREVIATION") or a
# digest may take the shape, so the value must look generated too.
_BARE = frozenset({"twilio_key", "mailchimp_key", "mailgun_key", "discord_token", "bitbucket_app_password",
                   "easypost_key", "tencent_secret_id", "alibaba_access_key", "azure_client_secret", "cratesio_token",
                   "scaleway_access_key", "telnyx_key"})
# Providers whose head the engine's gate does not list (see `_PROVIDERS`): read where the token stands apart only.
_STANDING_APART = frozenset({"cratesio_token"})
_HEAD_OF = {i: re.compile(_PROVIDERS[i][1]) for i in _GLUABLE}  # to read a glued token's tail alone
_PROVIDER = text_pattern("|".join(f"({head}{tail})" for _, head, tail in _PROVIDERS))
# Where a token could start: searched first, so that the provider patterns run anchored there (see
# `each_spans`); any head can start a token, so the screen finds every token the patterns would.
_HEADS = text_pattern("|".join(f"(?:{head})" for _, head, _ in _PROVIDERS))
_JWT_SOURCE = r"eyJ[" + _B64 + r"]{5,}\.[" + _B64 + r"]{2,}\.[" + _B64 + r"]*"
_JWT = text_pattern(_JWT_SOURCE)
_PEM_BEGIN_SOURCE = r"-----BEGIN ((?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?)-----"
_PEM_BEGIN = text_pattern(_PEM_BEGIN_SOURCE)
_PEM_END = text_pattern(r"-----END ((?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?)-----")
# RE2's \s is ASCII: the Unicode line breaks end a value too ("Passwort ist\u2028see the wiki").
_VALUE_CHAR = r"[^\s\"',;<>()\[\]{}\x{85}\x{2028}\x{2029}]"
_VALUE = r"(" + _VALUE_CHAR + r"{4,})"
# ":" and "=" of configs, and "is" in the languages whose password words are listed below.
# Markup a value may be wrapped in after the connective: emphasis, code, a table cell, a quote, an HTML
# tag, a code fence on the next line ("password: **Hunter2**", "password:\n```\nHunter2\n```").
_MARKUP = (r"(?:[ \t]{0,4}\n?[ \t]{0,4}(?:[*_`~|>]{1,3}|(?:</?(?:b|i|em|strong|code|kbd|tt|pre|span|td|th|p|div|li)>){1,3}|"
           r"```[A-Za-z]{0,12}\n)[ \t]{0,2})?")
# The value may stand on the next line, or the one after a blank line ("my password is\nhunter2-Blue").
_NEXT_LINE = r"(?:(?:[ \t]{0,4}(?:\r?\n|[\r\x0b\x0c\x{85}\x{2028}\x{2029}])){1,2}[ \t]{0,4})?"
_ASSIGN = (r"[\"']?[ \t]{0,4}(?i::|=|=>|:=|\bis\b|\bwas\b|\bist\b|\best\b|\bes\b|\bé\b|\bè\b|\bjest\b|"
           r"\bär\b|\ber\b|\bon\b|\bto\b|\bis:|\bje\b|\beste\b|\badalah\b|\bialah\b|là|\bnak\b|είναι|"
           r"הוא|היא|это|це|是|は|:\s*=)[ \t]{0,4}[\"']?" + _NEXT_LINE + _MARKUP)  # "PASSWORD IS ..." too
_GENERATED_WORDS = (r"secret|client_secret|secret_key|api[_\-. ]?key|apikey|access[_\-. ]?key|access[_\-. ]?token|"
                r"auth[_\-. ]?token|refresh[_\-. ]?token|bearer|token|private[_\-. ]?key|aws_secret_access_key|"
                r"credentials?|\bkey|signing[_\-. ]?key|webhook[_\-. ]?secret|session[_\-. ]?id|cookie")
# A short password word may be the end of a name: an environment variable's ("DB_PASS", "MYSQL_PWD") or
# a field's ("mypw", "rootpass", "wifipin").
_NAMED = r"(?:\b|_|\b(?:my|user|root|admin|db|wifi|login|app|sys|acct|account))"
_CHOSEN_WORDS = (r"password|passwort|passwd|" + _NAMED + r"pwd\b|" + _NAMED + r"pw\b|passphrase|passcode|"
                 + _NAMED + r"pass\b|kennwort|mot de passe|\bmdp\b|contrase[ñn]a|contrasenya|senha|parol[ae]|"
                 r"parool|passord|wachtwoord|wagwoord|has[łl]o|l[öo]senord|adgangskode|salasana|\bheslo\b|"
                 r"lozinka|\bgeslo\b|jelsz[óo]|slapta[žz]odis|lykilor[ðd]|nenosiri|kata sandi|kata laluan|"
                 r"m[ậa]t kh[ẩa]u|κωδικ[όο]ς|συνθηματικ[όο]|סיסמ[הא]|รหัสผ่าน|رمز عبور|گذرواژه|پاس ورڈ|"
                 r"পাসওয়ার্ড|пароль|密码|密碼|口令|パスワード|비밀번호|كلمة المرور|कूटशब्द|पासवर्ड|ş[iİ]fre(?:m|n|niz|miz|si)?|"
                 + _NAMED + r"pin\b")
# The word for "key" (a key to a service, API or lock) in other languages, as the password words are listed:
# Spanish, Portuguese, French, Italian, German, Dutch, Danish, Norwegian, Swedish, Finnish, Polish, Czech, Slovak,
# Hungarian, Romanian, Turkish, Indonesian and Malay, Vietnamese, Russian and Ukrainian, Greek, Hebrew, Arabic,
# Hindi, Japanese, Chinese, Korean, Thai. ASCII words stand at a word's start ("autoclave" is none); "API" may
# follow them, as the Romance languages put it ("clave API", "chiave API").
_KEY_WORDS = (r"(?:\b(?:clave|llave|chave|cl[ée]f?|chiave|schl[üu]ssel|schluessel|sleutel|n[øo]gle|n[øo]kkel|"
              r"nyckel|avain|klucz|kl[íi][čc]|k[ľl][úu][čc]|kulcs|cheie|anahtar|kunci|kh[óo]a)|ключ|κλειδί|κλειδι|"
              r"מפתח|مفتاح|कुंजी|キー|鍵|密钥|密鑰|秘钥|키|คีย์)(?:[ \t]{1,4}api)?")
_MARKS = "*_`~|"  # markup that closes as it opens
_ASSIGNED = r"(?i:(" + _GENERATED_WORDS + r"|" + _KEY_WORDS + r")|(" + _CHOSEN_WORDS + r"))" + _ASSIGN
_ASSIGNMENT_SOURCE = _ASSIGNED + _VALUE
_ASSIGNMENT = text_pattern(_ASSIGNMENT_SOURCE)
# "api key 3f2a9c...": a key word, then at once a long generated value.
_KEYED_SOURCE = r"(?i:api[_\-. ]?key|secret|token|\bkey|" + _KEY_WORDS + r")[ \t]{1,4}([A-Za-z0-9_\-+/=]{20,})"
_KEYED = text_pattern(_KEYED_SOURCE)
_BEARER_SOURCE = r"(?i:\bbearer)[ \t]{1,4}([A-Za-z0-9\-._~+/]{16,}=*)"
_BEARER = text_pattern(_BEARER_SOURCE)
# HTTP basic credentials: "user:password" in base64 after "Basic" (any header that carries them).
_BASIC_SOURCE = r"(?i:\bbasic)[ \t]{1,4}([A-Za-z0-9+/]{6,}={0,2})"
_BASIC = text_pattern(_BASIC_SOURCE)
# A password in a link or connection string: scheme://user:password@host.
_USERINFO_SOURCE = r"\b[A-Za-z][A-Za-z0-9+.\-]{1,31}://[^\s:/@\[\]]{0,64}:([^\s/@\[\]]{1,128})@[A-Za-z0-9\[]"
_USERINFO = text_pattern(_USERINFO_SOURCE)
# A provider's token by its shape, for providers no pattern above lists: a short head of letters and digits
# (with up to three more short parts: "tskey-api-", "sk-or-v1-", "pscale_tkn_"), a "_", "-" or ".", and a
# tail holding a part of 16 characters or more that looks generated (see `_generated_tail`).
# It stands apart: at the start, after a space, a quote, "=", a bracket or a comma (not inside a host, a path
# or an address).
_APART = r"(?:^|[\s\"'=(\[<`,;])"
_APART_CHARS = frozenset(" \t\n\x0b\x0c\r\"'=([<`,;")  # the same, as characters
_SHAPED_SOURCE = (_APART + r"([A-Za-z][A-Za-z0-9]{1,11}(?:[_\-.][A-Za-z0-9]{1,10}){0,3}[_\-.]"
                  r"((?:[A-Za-z0-9]+[_\-]){0,3}[A-Za-z0-9]{16,}(?:[_\-][A-Za-z0-9]+){0,3}))")
_SHAPED = text_pattern(_SHAPED_SOURCE)
# A token in two to four parts joined by dots, as several providers issue them ("<id>.<secret>", "dt0c01.<id>.<secret>",
# "<id>.atlasv1.<secret>"): standing apart as `_SHAPED`, judged by its parts (see `_dotted`).
_DOTTED = text_pattern(_APART + r"([A-Za-z0-9_\-]{2,}(?:\.[A-Za-z0-9_\-]{2,}){1,3})")
# Heads that name a digest or a version, not a provider ("sha256-...", "release-3f7868...").
_DIGEST_HEADS = ("sha", "md5", "blake", "commit", "rev", "hash", "digest", "checksum", "build", "release", "git",
                 "version", "tag", "id", "uuid", "integrity")
_HEX_TAIL = frozenset("0123456789abcdef")
_VAULT_TOKEN = 26  # "tok_" and 22 characters: `placeholders.TOKEN_PLACEHOLDER`
# Byte patterns for the engine's gate where a literal would pass too much text ("basic", "://").
# Unbounded repeats where the detector counts: a counted repeat is as many automaton states as its count.
SCREENS = (r"(?i:basic)[ \t]+[A-Za-z0-9+/]{6}", r"://[^\s:/@]*:[^\s/@]+@",
           _APART + r"[A-Za-z][A-Za-z0-9]*[_\-.][A-Za-z0-9_\-.]*[A-Za-z0-9]{16}",
           r"[0-9a-f]-[0-9a-f]{8}-[0-9a-f]{8}",  # Mailgun's keys, which have no head
           _APART + r"[A-Za-z0-9_\-]{2,}\.[A-Za-z0-9_\-.]*[A-Za-z0-9]{16}",  # dotted tokens (`_DOTTED`)
           _APART + r"[A-Za-z0-9]{32}")  # a long generated run with no head or a head glued to it (`_LONG`)
# The screens above that count a run standing apart (their counts of 16 and 32), each of which holds 16 token
# characters standing apart: the engine's gate set reads that weaker form in their place (see `engine.Gates`).
APART_RUNS = tuple(screen for screen in SCREENS if screen.startswith(_APART))
APART_RUN = _APART + r"[A-Za-z0-9_\-.]{16}"
# A token's head, then token characters up to a line break with more of them after it: a token wrapped
# where a line ended (a narrow terminal, a pasted e-mail). Read again with those breaks taken out.
_BREAK = r"(?:\r?\n|\r|[\x0b\x0c\x{85}\x{2028}\x{2029}])"
_WRAPPED_SOURCE = (r"(?:" + "|".join(f"(?:{head})" for _, head, _ in _PROVIDERS) + r"|eyJ)[A-Za-z0-9_\-.=]*"
                   + _BREAK + r"[A-Za-z0-9_\-]")
_WRAPPED = text_pattern(_WRAPPED_SOURCE)
_WRAP_BREAK = text_pattern(r"[A-Za-z0-9_\-.=]" + _BREAK + r"[A-Za-z0-9_\-]")
# A part of every token of a provider whose head is a counted run (`_PROVIDERS`), short and with small counts: what
# `_ANY` looks for in place of the whole format.
_INNER = {
    r"[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}": SCREENS[3],
    r"[0-9a-f]{32}-us\d{1,2}": r"[0-9a-f]-us\d",
    r"\d{8,10}:AA[A-Za-z0-9_\-]{33}": r"\d:AA",
    r"[MNO][A-Za-z0-9_\-]{23,27}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,40}": r"\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27}",
    r"[A-Za-z0-9_~.\-]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}": r"\dQ~",
}
# Where a listed provider's token may stand: its head, or the part above of a head that is a counted run.
_HEAD_PARTS = tuple(dict.fromkeys(_INNER.get(head, head) for _, head, _ in _PROVIDERS))
# Every pattern the detector reads, or a part of it, as one: where it does not occur, none does and nothing is
# found. The engine's gate lets through any text holding a key word's stem ("pin" in "keeping", "has", "key"), and
# each of the searches below costs some 7 k instructions however short the text (RE2's set-up for a
# search with groups): one search without groups answers most of those texts. Counted runs stand here in a weaker
# form, read unanchored beside each other they made RE2 build automaton states for most texts a new process read
# (the 3,132 of the masking benchmark's 20,000 validation lines that reach the detector: 204 ms of CPU, then 11 ms
# when read again; 20 ms and 7 ms in this form): the providers' formats by their heads (`_HEAD_PARTS`), a wrapped
# token (`_WRAPPED`) by its head or "eyJ", an assignment's value by its first character, and the screens' runs
# standing apart by 16 token characters (`APART_RUN`).
_ANY = text_pattern("|".join(f"(?:{pattern})" for pattern in (
    *_HEAD_PARTS, "eyJ", _JWT_SOURCE, _PEM_BEGIN_SOURCE, _ASSIGNED + _VALUE_CHAR, _KEYED_SOURCE, _BEARER_SOURCE,
    _BASIC_SOURCE, *(screen for screen in SCREENS[1:] if screen not in APART_RUNS), APART_RUN)))
# Where no head stands, no listed provider's token does: asked before the providers' own search (`_tokens`), whose
# screen (`_HEADS`) holds the counted heads whole.
_ANY_HEAD = text_pattern("|".join(_HEAD_PARTS))
_SHAPE_SCREEN = text_pattern(SCREENS[2])
_DOTTED_SCREEN = text_pattern(SCREENS[4])
# A run of 32 letters and digits or more standing apart, as providers issue keys whose head is glued to the generated
# part ("AKCp", "LTAI", "cio") or that have none: judged by `_long_generated`.
_LONG = text_pattern(_APART + r"([A-Za-z0-9]{32,})")
_LONG_SCREEN = text_pattern(SCREENS[5])
# Words that say a password field was talked about, not given.
_NOT_A_VALUE = frozenset(
    "required incorrect wrong invalid expired reset changed empty missing correct same different "
    "forgotten forgot needed optional blank hidden protected set updated locked".split())
LITERALS = ("AKIA", "ASIA", "gh", "github_pat_", "gl", "xox", "xapp-", "hooks.slack", "sk_", "rk_", "whsec_",
            "AIza", "ya29.", "GOCSPX-", "sk-", "SG.", "npm_", "pypi-", "hf_", "SK", "key-", "-us", "shp", "_v1_",
            ":AA", "sq0", "ATATT", "lin_", "PMAK-", "dapi", "hv", "AGE-SECRET", "gsk_", "xai-", "r8_", "figd_",
            "sbp_", "NRAK-", "sntry", "AccountKey=", "ATBB", "EZAK", "EZTK", "AKID", "LTAI", "Q~", "$production$",
            "$sandbox$", "rzp_", "eyJ", "-----BEGIN", "SCW", "KEY", "tgp_v1_", "-sandbox-", "-development-",
            "-production-")
# Lower-case stems of every key and password word (stems that survive a capital first letter),
# for the engine's byte-level gate.
_STEMS = ("pass", "pwd", "pw", "secret", "token", "key", "bearer", "credential", "cookie", "session",
          "kennwort", "mot de passe", "mdp", "contrase", "senha", "parola", "wachtwoord", "has", "pin",
          "salasana", "adgangskode", "senord", "ароль", "密码", "密碼", "口令", "パスワード", "비밀번호", "كلمة",
          "पासवर्ड", "कूटशब्द", "ifre", "parol", "asenya", "wagwoord", "heslo", "lozinka", "geslo", "jelsz",
          "slapta", "lykilor", "nenosiri", "sandi", "laluan", "khẩu", "khau", "κωδικ", "συνθηματικ", "סיסמ",
          "รหัสผ่าน", "رمز", "گذرواژه", "پاس", "পাসওয়ার্ড",
          # the word for "key" (`_KEY_WORDS`)
          "clave", "llave", "chave", "clé", "clef", "chiave", "schlüssel", "schlussel", "schluessel", "sleutel",
          "nøgle", "nogle", "nøkkel", "nokkel", "nyckel", "avain", "klucz", "kulcs",
          # Czech and Slovak with their marks in any mix (`kl[íi][čc]`, `k[ľl][úu][čc]`), as people leave some out
          *(f"kl{i}{c}" for i in "íi" for c in "čc"), *(f"k{el}{u}{c}" for el in "ľl" for u in "úu" for c in "čc"),
          "cheie", "anahtar", "kunci", "khóa", "khoa", "ключ", "κλειδ", "מפתח", "مفتاح", "कुंजी", "キー", "鍵",
          "密钥", "密鑰", "秘钥", "키", "คีย์")
# The gate reads bytes, where only ASCII letters match in any case: a stem with other letters is also listed in
# capitals ("ПАРОЛЬ" written shouting) and with its first letter one ("Ключ" opening a sentence), and the Turkish
# dotted capital of "şifre" ("ŞİFRE").
KEYWORDS = (*dict.fromkeys(form for stem in _STEMS for form in byte_cased(stem)), "İFRE")
# Key words too short to stand in the gate as a stem, each a whole word there: French "clé" typed without its accent
# (`_KEY_WORDS`' `cl[ée]f?`); as a stem, "cle" would send every "article", "client" and "clear" to this detector.
WORD_KEYWORDS = (r"\bcle\b",)


_N_LOG_N = [0.0] + [n * math.log2(n) for n in range(1, 65)]


def entropy(value: str) -> float:
    """Shannon entropy in bits per character: log2(N) - sum(n log2 n) / N over the character
    counts n (looked up in a table for short values, so no Python loop per character)."""
    total = len(value)
    if not total:
        return 0.0
    if total <= 64:
        weight = math.fsum(map(_N_LOG_N.__getitem__, map(value.count, set(value))))
    else:
        weight = math.fsum(n * math.log2(n) for n in Counter(value).values())
    return math.log2(total) - weight / total


_NO_DIGITS = str.maketrans("", "", "0123456789")


def _classes(value: str) -> int:
    """How many of lower case, upper case, digits and other characters `value` holds."""
    if value.isascii():  # str methods in C instead of a Python loop per character
        return ((value != value.upper()) + (value != value.lower())
                + (len(value.translate(_NO_DIGITS)) != len(value)) + (bool(value) and not value.isalnum()))
    return sum((any(c.islower() for c in value), any(c.isupper() for c in value),
                any(c.isdigit() for c in value), any(not c.isalnum() for c in value)))


def random_looking(value: str) -> bool:
    """True for values that look generated rather than typed as a word."""
    classes = _classes(value)
    if len(value) >= 6 and classes >= 3:
        return True
    return len(value) >= 8 and classes >= 2 and entropy(value) >= 3.0


def chosen_password(value: str) -> bool:
    """A value after a password word: anything but a plain word describing the field."""
    if len(value) < 4 or value.lower().strip(".!?") in _NOT_A_VALUE:
        return False
    if any(c.isdigit() for c in value) or any(not c.isalnum() for c in value):
        return True
    # A script without case (CJK, Arabic, Thai...) shows no inner capital: a long word there counts; a
    # lower-case word of a cased script ("povinné", "неверный") is talk about the field, as in English.
    return any(c.isupper() for c in value[1:]) or (len(value) >= 6 and not value.isascii()
                                                   and not any(c.islower() for c in value))


def _jwt_header(value: str) -> bool:
    header = value.split(".", 1)[0]
    try:
        decoded = orjson.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (binascii.Error, ValueError):
        return False
    return isinstance(decoded, dict) and "alg" in decoded


def _bounded(text: str, start: int, end: int) -> bool:
    return not (start > 0 and ascii_alnum(text[start - 1])) and not (end < len(text) and ascii_alnum(text[end]))


def _basic_credentials(value: str) -> bool:
    """Whether `value` is base64 of printable "user:password" (HTTP basic authentication)."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    user, colon, password = decoded.partition(":")
    return bool(colon and password) and decoded.isprintable()


def _credentials(text: str) -> Iterator[Detection]:
    """Basic credentials after "Basic", and the password of a link's or connection string's user part."""
    if "asic" in text or "ASIC" in text:
        for groups in each_spans(_BASIC, text):
            start, end = groups[1]
            charge(groups[0][0])
            if _basic_credentials(text[start:end]):
                yield Detection("secret", start, end, "basic_auth", 0.95, text[start:end])
    if "://" in text:
        for groups in each_spans(_USERINFO, text):
            start, end = groups[1]
            charge(groups[0][0])
            yield Detection("secret", start, end, "url_password", 0.9, text[start:end])


def _next_word(text: str, end: int) -> str:
    """The token characters at the start of the line after `end` (where a token ended at a line break)."""
    rest = text[end:end + 80].lstrip("\r\n\x0b\x0c\x85\u2028\u2029")
    word = rest.split(None, 1)[0] if rest and not rest[0].isspace() else ""
    return word.rstrip(".,;:!?")


def _glued_token(text: str, index: int, start: int, end: int) -> bool:
    """Whether the token of provider `index` at `text[start:end]`, glued to a word, is one all the same:
    a distinctive head, nothing glued after it, and a tail that looks generated ("xghp_..." is a token,
    "my_hf_modelnameinlowercase..." an identifier)."""
    head = _HEAD_OF.get(index)
    if head is None or (end < len(text) and ascii_alnum(text[end])):
        return False
    matched = head.match(text, start, end)
    return matched is not None and random_looking(text[matched.end():end])


_LINE_BREAKS = ("\r\n", "\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029")


def _continued(text: str, start: int, value: str) -> str:
    """A chosen password broken where a line ended ("password: Bella\n1716!"): `value` and the word at the
    start of the next line, when that word holds a digit, a sign or an inner capital (the rest of a password,
    not the next sentence) and `value` is no word about the field; else `value`."""
    end = start + len(value)
    brk = next((b for b in _LINE_BREAKS if text.startswith(b, end)), "")
    if not brk or value.lower().strip(".!?") in _NOT_A_VALUE:
        return value
    rest = text[end + len(brk):end + len(brk) + 64]
    word = rest.split(None, 1)[0].rstrip(".,") if rest and not rest[0].isspace() else ""
    mixed = any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)  # "dCXqnaP", not "Thanks"
    if not any(c.isalnum() for c in word) or not (mixed or any(c.isdigit() or not c.isalnum() for c in word)):
        return value  # no word, a closing fence or quote ("```"), or the next sentence
    return text[start:end + len(brk) + len(word)]


def _one_case(part: str) -> bool:
    """A generated part in one case: 24 characters or more of lower-case (or upper-case) letters and digits,
    four of each at the least, spread as a random draw is (3.8 bits per character or more: words and numbers
    side by side repeat their letters)."""
    if len(part) < 24 or not part.isalnum() or not part.isascii() or _classes(part) != 2 or _HEX_TAIL.issuperset(part):
        return False
    letters = len(part.translate(_NO_DIGITS))
    return 4 <= letters <= len(part) - 4 and entropy(part) >= 3.8


def _hex(part: str, size: int) -> bool:
    return len(part) >= size and _HEX_TAIL.issuperset(part) and not part.isdigit() and not part.isalpha()


def _generated_tail(head: str, tail: str) -> bool:
    """Whether a token's tail (after its head, see `_SHAPED`) looks generated: a part of 16 characters or more
    of upper case, lower case and digits (base62, as most providers issue), or of 24 or more in one case and
    digits (base36: `_one_case`); or hex digits, letters and digits both, 32 or more after a head of a product's
    shape (two parts or more, or a digit: "sk-or-v1-", "lsv2_pt_"), or in two parts or more of 8 or more and
    one of 32 (an id and a secret: "sgp_<16 hex>_<40 hex>"); a word and a hex digest ("monkey-0123...",
    "release-3f78...") are an identifier."""
    parts = tail.replace("-", "_").split("_")
    for part in parts:
        if len(part) >= 16 and _classes(part) == 3 and entropy(part) >= 3.5:
            return True
    if head.lower().startswith(_DIGEST_HEADS):
        return False
    if any(_one_case(part) for part in parts):
        return True
    if any(_hex(part, 32) for part in parts) and sum(_hex(part, 8) for part in parts) >= 2:
        return True
    if any(_hex(part, 40) for part in parts):
        return True  # 160 bits or more of hex after a head that names no digest ("pul-", "rubygems_", "squ_")
    shaped = any(c.isdigit() for c in head) or sum(head.count(mark) for mark in "_-.") >= 2
    return shaped and any(_hex(part, 32) for part in parts)


_CLOSERS = frozenset("\"')]}>*_`~|")


def _goes_on(text: str, end: int, marks: str) -> bool:
    """Whether a token ending at `end` goes on: a letter or a digit after it, or one of `marks` (a host's, a path's,
    a file name's) that does not end a sentence ("... sk.eyJ...xyz." ends where the dot stands before a space, a
    closing quote or bracket, or the end of the text)."""
    if end >= len(text):
        return False
    char = text[end]
    if ascii_alnum(char):
        return True
    if char not in marks:
        return False
    after = text[end + 1:end + 2]
    return not (char in ".:" and (not after or after.isspace() or after in _CLOSERS))


def _shaped(text: str) -> Iterator[Detection]:
    """Tokens of providers no pattern lists, by their shape (`_SHAPED`)."""
    for groups in each_spans(_SHAPED, text):
        (start, end), (tail_start, _) = groups[1], groups[2]
        charge(start)
        if _goes_on(text, end, "-."):
            continue  # more of a word, a file name or a host
        if text.startswith("tok_", start) and end - start == _VAULT_TOKEN:
            continue  # the shape of this filter's own vault tokens ("[CARD tok_...]"), which its unmasking reads
        if _generated_tail(text[start:tail_start], text[tail_start:end]):
            yield Detection("secret", start, end, "shaped_token", 0.85, text[start:end])


def _dotted(text: str) -> Iterator[Detection]:
    """Tokens in parts joined by dots (`_DOTTED`) of which one, or a piece of it between "-" or "_", looks generated
    as a provider's generated part does (`_generated_tail`'s base62 and one-case tests), or whose last part is a
    secret of 160 bits or more in hex after an id ("pat<id>.<64 hex>", whatever letters the id drew); host names,
    file names, versions and class names have no such part."""
    for groups in each_spans(_DOTTED, text):
        start, end = groups[1]
        charge(start)
        if _goes_on(text, end, "-.@/:"):
            continue  # more of a word, a host, a path or an address
        pieces = text[start:end].replace("-", ".").replace("_", ".").split(".")
        if any((len(p) >= 16 and _classes(p) == 3 and entropy(p) >= 3.5) or _one_case(p) for p in pieces) or (
                _hex(pieces[-1], 40) and not pieces[0].lower().startswith(_DIGEST_HEADS)):
            yield Detection("secret", start, end, "shaped_token", 0.85, text[start:end])


def _long_generated(text: str) -> Iterator[Detection]:
    """Runs of 32 letters and digits or more (`_LONG`), standing apart, in which upper case, lower case and digits are
    drawn as a random generator draws them (4.2 bits per character or more: 190 bits and up in all); words glued in
    camel case and digests (one case, or hex) are no such run."""
    for groups in each_spans(_LONG, text):
        start, end = groups[1]
        charge(start)
        if _goes_on(text, end, "-._/@:"):
            continue  # more of a word, a path, a host or a file name
        value = text[start:end]
        if _classes(value) == 3 and entropy(value) >= 4.2 and sum(c.isdigit() for c in value) >= 2:
            yield Detection("secret", start, end, "generated_token", 0.8, value)


class SecretDetector:
    type = "secret"

    def detect(self, text: str) -> Iterator[Detection]:
        if not found(_ANY, text):
            return  # most texts the gate lets through (see `_ANY`)
        yield from self.read(text)

    def read(self, text: str) -> Iterator[Detection]:
        """Every search of the detector, without the one search for any of them first."""
        tokens = list(self._tokens(text))  # read once: the wrapped reading below weighs its own against these
        if any(brk in text for brk in _LINE_BREAKS[1:]) and found(_WRAPPED, text):  # a token wrapped at a line break
            yield from self._unwrapped(text, tokens)
        yield from tokens
        shaped = []
        if found(_SHAPE_SCREEN, text):  # a token of a provider listed above is reported under its name
            shaped = [d for d in _shaped(text) if not d.overlaps(tokens)]
            yield from shaped
        if "eyJ" in text:
            jwts = list(self._jwts(text))
            tokens += jwts
            yield from jwts
        if found(_DOTTED_SCREEN, text):  # a JWT, a listed provider's or a shaped token is reported under its name
            seen = tokens + shaped
            yield from (d for d in _dotted(text) if not d.overlaps(seen))
        if "-----BEGIN" in text:
            yield from self._pem(text)
        if not found(_LONG_SCREEN, text):
            yield from self._assignments(text)
            return
        assigned = list(self._assignments(text))
        yield from assigned
        named = tokens + assigned  # a token a pattern above names, or a value after a key word, is reported so
        yield from (d for d in _long_generated(text) if not d.overlaps(named))

    @classmethod
    def _unwrapped(cls, text: str, plain: list[Detection]) -> Iterator[Detection]:
        """Tokens and JWTs wrapped over lines: read with each line break between two token characters
        taken out; each found in the joined text that spans a break, and that the plain reading does not find
        whole before it, is reported over the original."""
        breaks = [(start + 1, end - 1) for (start, end), *_ in each_spans(_WRAP_BREAK, text)]
        pieces = []
        shifts = [0]  # characters taken out before the k-th piece
        at = 0
        bounds = []  # where each piece starts in the joined text
        joined_at = 0
        for start, end in breaks:
            pieces.append(text[at:start])
            bounds.append(joined_at)
            joined_at += start - at
            shifts.append(shifts[-1] + end - start)
            at = end
        pieces.append(text[at:])
        bounds.append(joined_at)
        joined = "".join(pieces)

        def back(index: int) -> int:
            return index + shifts[bisect.bisect_right(bounds, index) - 1]
        found_here = list(cls._tokens(joined))
        if "eyJ" in joined:
            found_here += cls._jwts(joined)
        # A token the plain reading finds whole ends at its own line break when the next line starts with
        # a word (not one that looks generated): "ghp_...\nthanks".
        whole = {d.start: d.end for d in plain}  # `plain`: the tokens of `text` itself (`_tokens`), read once
        for detection in found_here:
            start, end = back(detection.start), back(detection.end - 1) + 1
            if end - start == detection.end - detection.start:
                continue  # it spans no break: the plain reading finds it
            if start in whole and not random_looking(_next_word(text, whole[start])):
                continue
            yield detection.moved(start, end)

    @staticmethod
    def _tokens(text: str) -> Iterator[Detection]:
        if not found(_ANY_HEAD, text):
            return
        for groups in each_spans(_PROVIDER, text, _HEADS):
            start, end = groups[0]
            charge(start)
            index = next(i for i in range(len(_PROVIDERS)) if groups[i + 1][0] >= 0)
            name, value = _PROVIDERS[index][0], text[start:end]
            if not _bounded(text, start, end) and not _glued_token(text, index, start, end):
                continue
            if name in _BARE and not random_looking(value):
                continue
            if name in _STANDING_APART and start > 0 and text[start - 1] not in _APART_CHARS:
                continue
            yield Detection("secret", start, end, name, 0.99, value)

    @staticmethod
    def _jwts(text: str) -> Iterator[Detection]:
        for (start, end), *_ in each_spans(_JWT, text):
            charge(start)
            if start > 0 and ascii_alnum(text[start - 1]):
                continue
            if _jwt_header(text[start:end]):
                yield Detection("secret", start, end, "jwt", 0.99, text[start:end])

    @staticmethod
    def _pem(text: str) -> Iterator[Detection]:
        """Each header up to its footer; without one (cut off, or split on a stream): to the end."""
        footers = [groups[0] for groups in each_spans(_PEM_END, text)]
        next_footer = 0
        taken = 0
        for (start, header_end), *_ in each_spans(_PEM_BEGIN, text):
            charge(start)
            if start < taken:
                continue
            while next_footer < len(footers) and footers[next_footer][0] < header_end:
                next_footer += 1
            # The first footer after the header ends the key, whatever its label: fail closed.
            end = footers[next_footer][1] if next_footer < len(footers) else len(text)
            taken = end
            yield Detection("secret", start, end, "private_key", 0.99, text[start:end])

    @staticmethod
    def _assignments(text: str) -> Iterator[Detection]:
        for groups in each_spans(_ASSIGNMENT, text):
            charge(groups[0][0])
            start, end = groups[3]
            chosen = groups[2][0] >= 0
            # The markup closing the value, and a chosen one's sentence end, are no part of it.
            opener = text[start - 1] if start and text[start - 1] in _MARKS else ""
            if opener and not text[start:end].endswith(opener):  # no markup: the value's own first character
                start -= len(text[:start]) - len(text[:start].rstrip(opener))
                opener = ""
            value = text[start:end].rstrip((".," if chosen else "") + opener)
            judge = chosen_password if chosen else random_looking
            if value.endswith(":") and value[:-1].isalpha():
                continue  # the next field's label ("password:\nUsername: bob"), not a value
            if chosen and start + len(value) == end:
                value = _continued(text, start, value)
            if judge(value):
                yield Detection("secret", start, start + len(value), "assignment", 0.85, value)
        yield from _credentials(text)
        for pattern, name in ((_KEYED, "assignment"), (_BEARER, "bearer")):
            for groups in each_spans(pattern, text):
                start, end = groups[1]
                charge(groups[0][0])
                value = text[start:end]
                if random_looking(value) and _bounded(text, start, end):
                    yield Detection("secret", start, end, name, 0.9, value)

