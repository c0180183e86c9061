"""Rules for payloads aimed at the software behind the chat.

Patterns run on case-folded, decoded text. Each is written for what an attack needs
to *work* (breaking out of a quote, reaching a shell, escaping a template), not for
vocabulary a developer uses when talking about code, so a pasted query or snippet
scores low while a working payload scores high. Weights combine as independent
evidence (see `scoring`).
"""

from __future__ import annotations

from filters.threat.ruleset import Rule

_Q = r"['\"\x60]"  # a quote an injection breaks out of
_TAG = r"<[a-z][a-z0-9:-]{0,30}"

XSS = (
    Rule("script-tag", "xss", 0.9, r"<script[\s/>]", strong=True),
    Rule("script-close", "xss", 0.6, r"</script\s*>"),
    Rule("handler-in-tag", "xss", 0.75, _TAG + r"[^>]{0,500}?[\s/\"'\x60;]on[a-z]{3,40}\s*=", strong=True),
    Rule("handler-payload", "xss", 0.9,
         r"\bon[a-z]{3,40}\s*=\s*[\"'\x60]?[^\s>]{0,40}?\b(?:alert|prompt|confirm|eval|top\[|window\[|self\[|"
         r"document\.|location|fetch|import)\b", strong=True),
    Rule("script-url-attr", "xss", 0.95,
         r"(?:href|src|action|formaction|data|xlink:href|background|lowsrc|dynsrc|poster|to|from|values)\s*="
         r"\s*[\"'\x60]?\s*(?:java|vb|live|mocha)script\s*:", strong=True),
    Rule("script-url", "xss", 0.75, r"\b(?:java|vb|live|mocha)script\s*:\s*[a-z_\[(/]", strong=True),
    Rule("data-html", "xss", 0.85, r"data:\s*(?:text/html|image/svg\+xml|application/(?:x-)?javascript)",
         strong=True),
    Rule("active-tag", "xss", 0.55,
         r"<(?:iframe|object|embed|applet|meta|base|svg|math|frameset|frame|isindex|xss|body|link|style|xml|"
         r"bgsound|layer|ilayer|x|html|head)\b"),
    Rule("media-tag", "xss", 0.3, r"<(?:img|image|input|video|audio|form|details|template|marquee|a|div)\b"),
    Rule("bare-handler", "xss", 0.55,
         r"(?:^|[\s\"'/;\\])on(?:error|load|click|mouseover|mouseenter|focus|blur|begin|end|start|toggle|"
         r"animationstart|transitionend|pageshow|hashchange|message|readystatechange|input|change|cut|copy|"
         r"paste|wheel|scroll|pointer[a-z]+|key[a-z]+|mouse[a-z]+|propertychange|beforescriptexecute)"
         r"\s*(?:=|cdata\b)"),
    Rule("quoted-sink", "xss", 0.75,
         r"[\[\"'\x60]\s*(?:alert|prompt|confirm|eval|write|cookie)\s*[\"'\x60]\s*\]|"
         r"\$\{\s*(?:alert|prompt|confirm|eval)\b|url\s*\(\s*[\"']?\s*(?:java|vb)script", strong=True),
    Rule("srcdoc", "xss", 0.8, r"\bsrcdoc\s*=", strong=True),
    Rule("css-expression", "xss", 0.8, r"(?:expression\s*\(|-moz-binding|behavior\s*:\s*url|@import\s*[\"'u])",
         strong=True),
    Rule("dom-sink", "xss", 0.5,
         r"\bdocument\s*\.\s*(?:cookie|domain|write|location)|\b(?:innerhtml|outerhtml)\s*=|\.fromcharcode\s*\("),
    Rule("js-probe", "xss", 0.45, r"\b(?:alert|prompt|confirm|msgbox|print)\s*(?:\(|\x60)\s*(?:\d|document|"
         r"origin|domain|[\"'\x60]xss|/xss|string\.)"),
    Rule("global-eval", "xss", 0.75, r"(?:globaleval|execscript|\[\s*[\"'\x60]alert[\"'\x60]\s*\]|"
         r"settimeout\s*\(\s*[\"'\x60]|\bjavascript:)", strong=True),
    Rule("datasrc", "xss", 0.7, r"\b(?:datasrc|datafld|dataformatas)\s*=", strong=True),
    # A JavaScript string left by its quote and joined at once by an operator to a call: '-alert(1)-',
    # "+prompt`1`+"; or a value that leaves its string and the brackets around it before a statement of its own
    # ('};confirm(1);{'): a program's own `f('a'); setTimeout(...)` starts elsewhere than its quote.
    Rule("js-string-breakout", "xss", 0.8,
         r"(?:[\"'\x60]|^\s*[\w.-]{0,20}[\"'\x60][ \t]*[)\]}]{1,3}[ \t]*)[-+*/%^|&;,]\s*(?:(?:alert|prompt|confirm|eval|print|fetch|import|settimeout|setinterval)"
         r"(?:\(|\x60)|(?:top|window|self|this|parent|frames)\s*\[)", strong=True),
    Rule("broken-tag", "xss", 0.55, r"<[a-z]{1,20}[\s/]+on[a-z]{3,40}\s*(?:=|%3d)", strong=True),
    Rule("markup", "xss", 0.15, r"</?[a-z][a-z0-9-]{0,30}(?:[\s/>]|$)"),
)

SQLI = (
    Rule("quote-boolean", "sqli", 0.55,
         r"['\"]\s*\)*\s*(?:or|and|xor|\|\||&&|div|rlike|regexp|like)\s*[(\s]*(?:\d+\s*(?:=|<|>|!|like\b|between\b|"
         r"--|#|$)|['\"][^'\"]{0,20}['\"]?\s*(?:=|<|>|like\b|--|#|$)|not\b|true\b|false\b|null\b|"
         r"[a-z_]+\s*\(|\(\s*select|exists\b|\d+\s*$)"),
    Rule("tautology", "sqli", 0.6,
         r"\b(?:or|and|having|where)\s+\(?\s*(?:\d+|'[^']{0,20}'|\"[^\"]{0,20}\"|true|false)\s*(?:=|<>|!=|<=>|<|>|"
         r"\blike\b)\s*\(?\s*(?:\d+|'[^']{0,20}|\"[^\"]{0,20}|true|false)"),
    Rule("quote-comment", "sqli", 0.6, _Q + r"\s*\)*\s*(?:--(?:\s|$)|#\s*$|/\*|;\s*(?:--|#|%00|$)|%00)"),
    Rule("lead-quote", "sqli", 0.6,
         r"^\s*[\w.-]{0,12}" + _Q + r"+\s*\)*\s*(?:(?:or|and|union|having|order\s+by|group\s+by|procedure|"
         r"waitfor|select|xor|div)\b|;|--|#|\|\||\+|/\*)"),
    Rule("lead-number", "sqli", 0.5,
         r"^\s*-?\d+(?:\.\d+)?\s*\)*\s*(?:(?:union|having|order\s+by|procedure|and\s+\d+\s*=)\b|"
         r";\s*[a-z]|--|#|\|\|)"),
    Rule("union-select", "sqli", 0.75,
         r"\bunion\b[\s(/*+]{0,40}(?:all\b|distinct\b)?[\s(/*+]{0,40}\(?\s*select(?:\b|char|null|\d|@)",
         strong=True),
    Rule("lead-keyword", "sqli", 0.55,
         r"^\s*(?:/[\w/]{0,20}/)?(?:or|and|having|union|xor)\s+(?:'|\(\s*'|\d+\s*(?:=|<|>|not\b)|true\b|"
         r"/\*|not\b)"),
    Rule("json-operator", "sqli", 0.6, r"'\s*(?:<@|@>|\?&|\?\||#>>?|->>?)\s*['\w]|'\s*::\s*jsonb?\b",
         strong=True),
    Rule("subquery", "sqli", 0.45, r"\(\s*select\b"),
    Rule("comment-tail", "sqli", 0.5, r"\)\s*(?:--|#)\s*$|^\s*\(+\s*'"),
    Rule("quote-compare", "sqli", 0.5, r"'\s*(?:=|<>|!=|&|\^|xor\b|div\b|/)\s*[\w\s+]{0,20}'"),
    Rule("info-funcs", "sqli", 0.55,
         r"\b(?:coercibility|collation|charset|connection_id|last_insert_id|row_count|found_rows|"
         r"session_user|system_user|current_user|user|version|database|schema)\s*\(\s*\)|@@[a-z_]{3,}"),
    Rule("union-null", "sqli", 0.6, r"\b(?:null|\d+)\s*,\s*(?:null|\d+)\s*,\s*(?:null|\d+)\s*(?:--|#|/\*|\)|$)"),
    Rule("stacked", "sqli", 0.6,
         r";\s*(?:drop\s+(?:table|database|user)|delete\s+from|insert\s+into|update\s+\w+\s+set|shutdown\b|"
         r"exec(?:ute)?\s+(?:\w+\s*[@(]|xp_|sp_|master)|declare\s+@|create\s+(?:table|user|database|function)|"
         r"alter\s+(?:table|user)|truncate\s+table|select\s+[\w*@(]|call\s+\w+\s*\()"),
    # A delay asked of the database. `sleep` is also a function of every language ("use sleep(5) in the retry
    # loop", `time.sleep(5)`): it counts after SQL's punctuation or a keyword, not after prose or a dot.
    Rule("time-based", "sqli", 0.85,
         r"(?:\b(?:pg_sleep|benchmark|randomblob)|(?:^|[^\w.\s]|\b(?:and|or|xor|select|then|else|not|if|when|return)\s)"
         r"\s*sleep)\s*\(\s*\d|\bwaitfor\s+(?:delay|time)\b|"
         r"dbms_pipe\.receive_message|dbms_lock\.sleep", strong=True),
    Rule("schema-probe", "sqli", 0.6,
         r"\b(?:information_schema|sysobjects|syscolumns|sysusers|mysql\.(?:user|db)|pg_catalog|pg_shadow|"
         r"sqlite_master|all_tables|user_tables|msysobjects)\b|@@(?:version|datadir|hostname|servername)",
         strong=True),
    Rule("file-io", "sqli", 0.9, r"\binto\s+(?:out|dump)file\b|\bload_file\s*\(|\bxp_(?:cmdshell|regread|"
         r"dirtree|fileexist)|\bsp_(?:oacreate|executesql|makewebtask|password)|\bopenrowset\s*\(", strong=True),
    Rule("sql-funcs", "sqli", 0.35,
         r"\b(?:concat|concat_ws|group_concat|char|chr|ascii|substring|substr|mid|ord|hex|unhex|extractvalue|"
         r"updatexml|json_build_object|make_set|elt|iif|version|database|user|current_user|md5|sha1|"
         r"convert|cast|count)\s*\(\s*(?:0x|@|select|\d|char|version|user|database|\(|'|\*)"),
    Rule("hex-literal", "sqli", 0.35, r"\b0x[0-9a-f]{8,}\b"),
    Rule("order-probe", "sqli", 0.45, r"\border\s+by\s+\d+\s*(?:--|#|/\*|$)"),
    Rule("pg-cast", "sqli", 0.35, r"::\s*(?:int|integer|text|jsonb?|varchar|numeric|bigint)\b"),
    Rule("string-concat", "sqli", 0.5, r"'\s*\|\|\s*'|'\s*\+\s*'|\b(?:and|or)\s+'[^']{0,20}'\s*\|\|"),
    Rule("comment-obfuscation", "sqli", 0.6, r"/\*!?\d*\s*(?:union|select|and|or|from|where)\b|"
         r"\b(?:union|select|and|or|from|where)/\*", strong=True),
    Rule("conditional", "sqli", 0.55, r"\b(?:if|iif)\s*\(\s*\(?\s*(?:\d|select|ascii|substr|length|user|benchmark)"
         r"|\bcase\s+when\s+\(?\s*\d+\s*=\s*\d+"),
    Rule("call-proc", "sqli", 0.35, r"^\s*\d+\s*;\s*call\s+[a-z_]+\s*\("),
)

TRAVERSAL = (
    # A chain of ../ that reaches a name ("../../etc/passwd"); "cd ../../ then make" reaches nothing.
    Rule("dotdot-repeat", "traversal", 0.9, r"(?:\.{2,};?[\\/]+){2,}[\w%.~$-]|(?:[\\/]\.{2,}){2,}[\\/]?[\w%.~$-]",
         strong=True),
    Rule("dotdot", "traversal", 0.45, r"(?:^|[\s=\"'\\/])\.{2,}[\\/]"),
    Rule("dotdot-hexslash", "traversal", 0.85, r"\.{2,}[\\/]?0x(?:2f|5c)", strong=True),
    # A sensitive file as a value (after "=", a quote, "../" or alone), not mentioned in a sentence. A path
    # under `~` is one a person types in their own shell ("cat ~/.ssh/id_rsa.pub"): no server expands it.
    Rule("sensitive-file", "traversal", 0.7,
         r"(?:^\s*|[=\"'(]\s*|\.[\\/]|[\\/][\\/]|\b[a-z]:[\\/]+|%[0-9a-f]{2}|(?:^|[^~])[\\/](?:[\w.-]+[\\/])*)"
         r"[\\/]?(?:etc[\\/]+(?:passwd|shadow|issue|group|motd|crontab)|boot\.ini|win\.ini|"
         r"windows[\\/]+(?:win\.ini|repair)|proc[\\/]+self[\\/]|\.ssh[\\/]+(?:id_|authorized)|"
         r"web-inf[\\/]+web\.xml|\.htpasswd|\.env\b)", strong=True),
    # The same names mentioned in a sentence ("I edited /etc/hosts"): a note, not an alert.
    Rule("sensitive-mention", "traversal", 0.3,
         r"etc[\\/]+hosts\b|windows[\\/]+system32\b"),
    # PHP's stream wrappers (`data://` is PHP's own spelling; a browser's data URL has no slashes) and file URLs.
    Rule("wrapper", "traversal", 0.8, r"\b(?:php|expect|zip|phar|glob|zlib|data)://|\bfile:/{2,}", strong=True),
    Rule("double-encoded", "traversal", 0.6, r"%(?:25)+(?:2e|2f|5c)|%%[0-9a-f]{2}"),
    Rule("overlong", "traversal", 0.75,
         r"(?:%c[01]%[0-9a-z]{2}|%c[01][./]|%e0%80%[0-9a-z]{2}|%f0%80%80%[0-9a-z]{2}|%f8%80%80%80%[0-9a-z]{2})"
         r".{0,30}(?:%c[01]|%e0%80|%f0%80|%f8%80)", strong=True),
    Rule("bad-escape", "traversal", 0.45, r"%[0-9a-f][g-z]|%[g-z][0-9a-z]|%u[0-9a-f]{4}.{0,12}%u[0-9a-f]{4}"),
    Rule("encoded-dots", "traversal", 0.75,
         r"(?:\.|%2e|0x2e){2,}(?:%[0-9a-z]{2}|%u[0-9a-f]{4}|0x(?:2f|5c))|(?:%2e|0x2e)(?:\.|%2e|0x2e)+[\\/]",
         strong=True),
    Rule("sensitive-target", "traversal", 0.55,
         r"boot\.ini\b|\bwin\.ini\b|\betc(?:%[0-9a-z]{2}|0x[25][fc]|[^a-z0-9\s/\\]){1,12}"
         r"(?:passwd|shadow|issue|hosts|group)\b|\betc[\\/]+(?:passwd|shadow)\b"),
    # The whole message is one absolute path under a system directory (folder names may hold spaces,
    # as "Program Files" does; the last one may not, so a sentence after a path is not one).
    Rule("server-path", "traversal", 0.5,
         r"^\s*(?:/|\\|[a-z]:[\\/])(?:etc|var|usr|proc|opt|xampp|program files|windows|winnt|inetpub|srv|"
         r"root|boot|apache|tmp)[\\/](?:[^\n\\/]{0,60}[\\/])*[^\s\\/]*\s*$"),
    # The whole message is a relative path that climbs out of its folder to a name: a parameter's value.
    Rule("climbing-value", "traversal", 0.55, r"^\s*(?:\.{2,}[\\/]+)+[\w.-][^\s]*\s*$"),
    # Path separators spelt as hex numbers (0x2f "/", 0x5c "\\") for a decoder to turn back.
    Rule("hex-separators", "traversal", 0.7, r"0x(?:2f|5c)[^\s]{0,20}?0x(?:2f|5c)", strong=True),
    Rule("null-byte", "traversal", 0.5, r"%00|\x00"),
)

CMDI = (
    Rule("shell-c", "cmdi", 0.7, r"\b(?:ba|z|k|da|c|tc)?sh\s+-c\s+[\"']|\bfor\s+%+~?[a-z]\s+in\s*\(", strong=True),
    Rule("glob-path", "cmdi", 0.7,
         r"(?:^|[\s;|&])/[a-z]{0,8}\[[!^]?[a-z]{1,4}\][a-z]{0,8}/|(?:^|[\s;|&])/(?:etc|bin|usr|dev|proc)/"
         r"[a-z]{0,8}(?:\[[!^]?[a-z]{1,4}\]|\?|\*)[a-z]{0,8}", strong=True),
    Rule("shell-path", "cmdi", 0.75, r"/(?:usr/)?(?:s?bin)/(?:ba|z|k|da)?sh\b|/bin/(?:cat|ls|id|nc|busybox)\b|"
         r"\bcmd(?:\.exe)?\s+/[ck]\b|\bpowershell(?:\.exe)?\s+-(?:e|enc|encodedcommand|c|command|nop|w)\b",
         strong=True),
    Rule("shellshock", "cmdi", 0.95, r"\(\s*\)\s*\{\s*:?\s*;?\s*\}\s*;", strong=True),
    Rule("ifs", "cmdi", 0.8, r"\$\{?ifs\}?|\$\{[a-z_]+:\d+:\d+\}", strong=True),
    Rule("reverse-shell", "cmdi", 0.95, r">\s*&?\s*/dev/(?:tcp|udp)/|\bnc(?:at)?\s+(?:-[a-z]*\s+)*-[a-z]*e\b|"
         r"\bmkfifo\b|\bsocat\b.{0,40}exec", strong=True),
    Rule("win-env", "cmdi", 0.55, r"%(?:systemroot|windir|comspec|programfiles|userprofile)%"),
    Rule("ping-count", "cmdi", 0.6, r"\bping\s+-[nci]\s*\d+\s+\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"),
    # A PHP block opened is a file's first line as much as a payload's: alone it is a note. A block opened and
    # closed on one line is what gets injected into a page, a template or an upload (a pasted file goes on
    # over lines): an alert. A block that runs a command, evaluates code, prints the configuration, includes
    # a file a variable names, runs a backtick or calls what the request holds is a web shell's shape
    # (`php-runs`, `php-backtick`); a method of the same name (`$pdo->exec(`) is not.
    Rule("php-tag", "cmdi", 0.45, r"<\?php\b|<\?=", strong=True),
    Rule("php-block", "cmdi", 0.55, r"<\?(?:php\b|=)[^\n]{0,300}?\?>", strong=True),
    Rule("php-runs", "cmdi", 0.9,
         r"<\?(?:php\b[^?]{0,400}|=?)(?:[^>:\w$](?:system|exec|passthru|shell_exec|popen|proc_open|"
         r"pcntl_exec|eval|assert|create_function|phpinfo)\s*\(|\b(?:include|require)(?:_once)?\s*\(?\s*\$|"
         r"\$_(?:get|post|request|cookie|server|files)\s*\[[^\]\n]{0,40}\]\s*\()", strong=True),
    # A backtick in a PHP block runs a shell (its own rule: Hyperscan refuses it among `php-runs`'s branches).
    Rule("php-backtick", "cmdi", 0.9, r"<\?(?:php\b[^?\x60]{0,400}|=[^?\x60]{0,400})\x60", strong=True),
    # A Windows program run after a shell separator: `|| calc.exe`, `& whoami.exe`.
    Rule("exe-after-separator", "cmdi", 0.55, r"(?:\|\|?|&&?|;)[ \t]*[\"']?[a-z0-9_-]{1,30}\.exe\b"),
    Rule("interp-eval", "cmdi", 0.7, r"\b(?:perl|ruby|python[23]?|php|node)\s+-[er]\s+['\"]", strong=True),
)

CODE = (
    Rule("template-math", "code", 0.9,
         r"\{\{\s*\d+\s*[*+]\s*\d+\s*\}\}|\$\{\s*\{?\s*\d+\s*[*+]\s*\d+\s*\}?\s*\}|#\{\s*\d+\s*\*\s*\d+\s*\}|"
         r"<%=?\s*\d+\s*\*\s*\d+\s*%>|\{\{\s*\d+\s*\*\s*['\"]\d+['\"]\s*\}\}|@\(\s*\d+\s*[*+]\s*\d+\s*\)",
         strong=True),
    # The same arithmetic probe in other engines' delimiters: Thymeleaf `*{..}`, `[[..]]` inlining,
    # a Velocity `#set` that computes (bare `{7*7}` is left alone: too close to prose and maths).
    Rule("template-math-other", "code", 0.6,
         r"[*~]\{\s*\d+\s*[*+]\s*\d+\s*\}|\[\[\s*\d+\s*[*+]\s*\d+\s*\]\]|"
         r"#set\s*\(\s*\$\w+\s*=\s*\d+\s*[*+]\s*\d+"),
    Rule("smarty-tag", "code", 0.8, r"\{/?php\}|\{\$smarty\.|\{(?:system|exec|passthru|shell_exec)\s*\(",
         strong=True),
    # JavaScript's Function constructor reached through any object: the classic sandbox escape.
    Rule("function-constructor", "code", 0.8, r"constructor\s*\.\s*constructor\s*\(|"
         r"\[\s*['\"]constructor['\"]\s*\]\s*\[\s*['\"]constructor['\"]\s*\]", strong=True),
    # PHP code hidden behind a decoder and run: eval(base64_decode(...)) and its siblings.
    Rule("decoded-eval", "code", 0.85, r"\b(?:eval|assert|create_function)\s*\(\s*(?:@\s*)?(?:base64_decode|"
         r"gzinflate|gzuncompress|gzdecode|str_rot13|hex2bin|urldecode|rawurldecode|convert_uudecode)\s*\(",
         strong=True),
    Rule("python-dunder", "code", 0.75, r"__(?:class|globals|builtins|subclasses|mro|bases|init|import|"
         r"getattribute|reduce|code)__", strong=True),
    # Python's os and subprocess calls that start a shell, a download, a connection or a recon or file
    # command; an everyday command in such a call ("os.system('ls')") is left to the shell reader's
    # `exec-call`, which weighs what the command does (`cat` of which file, `rm` of what) and whether the call
    # is asked about in a sentence or made by a pasted program.
    Rule("os-exec", "code", 0.75, r"\b(?:os\s*\.\s*(?:system|popen|exec[a-z]*|spawn[a-z]*)|subprocess\s*\.\s*"
         r"(?:call|run|popen|check_output))\s*\(\s*[\"'\x60\[]\s*[\"']?(?:/|(?:ba|z|k|da)?sh|cmd|id|whoami|"
         r"uname|curl|wget|nc|ncat|powershell|python[23]?|perl)\b|child_process[\"']?\s*\)?\s*\.\s*(?:exec|execsync|spawn|spawnsync|"
         r"execfile|fork)\s*\(", strong=True),
    Rule("exec-mention", "code", 0.3, r"\bchild_process\b|\bos\s*\.\s*(?:system|popen)\b|\bsubprocess\b"),
    Rule("java-exec", "code", 0.85, r"getruntime\s*\(\s*\)|processbuilder|scriptenginemanager|forname\s*\(|"
         r"\bt\s*\(\s*java\.lang|java\.lang\.(?:runtime|system|processbuilder|class)|freemarker\.template|"
         r"\?new\s*\(\s*\)|getclass\s*\(\s*\)", strong=True),
    Rule("template-object", "code", 0.8,
         r"\{\{\s*(?:config|self|request|cycler|joiner|lipsum|namespace|range|url_for|get_flashed_messages|"
         r"''|\"\"|\[\]|\(\))[^}]{0,200}\}\}|\$\{\s*(?:self|request|session|application|t\s*\(|"
         r"\"freemarker|product|java|runtime|class)", strong=True),
    # A template filter or callback handed a function that runs commands (`|filter('system')`, `|map("exec")`), or
    # Twig's environment reached from a template (`_self.env`, `registerUndefinedFilterCallback`).
    Rule("template-callable", "code", 0.85,
         r"\|\s*[a-z_]+\s*\(\s*[\"'](?:system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|assert|eval)[\"']|"
         r"\b_self\s*\.\s*env\b|registerundefinedfiltercallback", strong=True),
    # The whole message one EL expression of an implicit object of a JSP or JSF page (`${pageContext...}`): a
    # probe of what the page can reach; the same in a pasted page is markup around it.
    Rule("el-implicit", "code", 0.6,
         r"^\s*[$#]\{\s*(?:pagecontext|applicationscope|sessionscope|requestscope|initparam|facescontext|header|"
         r"headervalues|cookie|param|paramvalues)\b[^}]{0,120}\}\s*$"),
    # A Handlebars block opened on a string literal: the literal's prototype is what the template then walks.
    Rule("handlebars-literal", "code", 0.6, r"\{\{\s*#\s*with\s+[\"'][^\"']{0,40}[\"']\s+as\s+\|"),
    Rule("template-directive", "code", 0.45, r"\{%\s*(?:import|include|set|for|if|raw|debug|extends|print)\b|"
         r"#set\s*\(\s*\$|#\{\s*[a-z_]|\$\{\s*[a-z_][a-z0-9_.]*\s*\}"),
    # A lookup that reaches out ("${jndi:ldap://..."), or one hidden by nested lookups; a question naming
    # "${jndi:ldap}" without a target is talk about the bug.
    Rule("log4shell", "code", 0.95, r"\$\{\s*jndi\s*:\s*[a-z]{2,8}\s*:\s*/|\$\{[^}]{0,40}\$\{|"
         r"\$\{\s*(?:lower|upper|env|sys|date|::-)[:}][^}]{0,40}\}", strong=True),
    Rule("log4shell-mention", "code", 0.3, r"\$\{\s*jndi\s*:"),
    Rule("eval-call", "code", 0.5, r"\b(?:eval|assert|exec|execfile|compile|create_function|function)\s*\(\s*"
         r"[\"'\x60]"),
    Rule("prototype-pollution", "code", 0.75, r"__proto__|constructor\s*(?:\.\s*prototype|\[\s*[\"']prototype)",
         strong=True),
    Rule("node-process", "code", 0.75, r"\bprocess\s*\.\s*(?:binding|mainmodule|kill|exit)\b|"
         r"require\s*\(\s*['\"]child_process['\"]\s*\)\s*\.\s*(?:exec|spawn)", strong=True),
    Rule("node-serialize", "code", 0.95, r"_\$\$nd_func\$\$_", strong=True),
    Rule("php-object", "code", 0.8, r"\b[oca]:\d+:\"[a-z_\\][a-z0-9_\\]*\":\d+:\{", strong=True),
    Rule("php-exec", "code", 0.6, r"\$_(?:get|post|request|cookie|server)\s*\[|\bphpinfo\s*\(\s*\)"),
    Rule("ssti-probe", "code", 0.55, r"\{\{[^}]{0,80}(?:\||\.)(?:attr|join|safe|e)\b[^}]{0,80}\}\}|"
         r"\{\{\s*7\s*\*|\$\{\{"),
    # Ruby's Kernel calls that run or load something (`kernel.org` is a site, not a call).
    Rule("ruby-exec", "code", 0.7, r"\b(?:kernel\.(?:(?:exec|system|spawn|open|eval|fork|syscall|"
         r"load|require|send|public_send|instance_eval)\b|`)|io\.popen|%x\(|`\s*id\s*`)|\.send\s*\(\s*:(?:system|eval)",
         strong=True),
    # PHP calls whatever a variable or array element holds: `$f(...)`, `$_GET[x](...)`, `$_[...](...)`,
    # the shape of web shells (jQuery's `$(` and `$.x(` have no name or index before the parenthesis).
    Rule("php-variable-call", "code", 0.6,
         r"\$(?:[a-z_][a-z0-9_]*)?\s*(?:\[[^\]\n]{1,40}\]\s*|\{[^}\n]{1,40}\}\s*)+\(|\$\$?[a-z_][a-z0-9_]*\s*\(\s*\$"),
    # The whole message is a file name a server runs as code (an upload check fooled by `.phtml`,
    # `.php5`, `shell.php.jpg`, `x.asp;.jpg`, `x.php%00.png`).
    Rule("script-upload", "code", 0.5,
         r"^\s*[\w./\\-]{0,200}\.(?:php[0-9s]?|phtml|phar|pht|pgif|shtml|jspx?|jspf|aspx?|asa|cer|ashx|asmx|"
         r"cgi)(?:(?:;|%00|%20|\x00)[\w.]{0,20}|\.(?:jpe?g|png|gif|bmp|webp|svg|ico|txt|pdf|zip|docx?|xlsx?|"
         r"mp[34]|html?|css|js)[\w.]{0,20})?\s*$"),
    Rule("pickle", "code", 0.8, r"\bcos\s*\\n\s*system|c__builtin__|\bposix\s*\\nsystem", strong=True),
)

NOSQLI = (
    Rule("mongo-operator", "nosqli", 0.85,
         r"[\[{,&?]\s*[\"']?\$(?:ne|gt|gte|lt|lte|regex|where|exists|nin|in|or|and|not|nor|expr|elemmatch|eq|"
         r"function|accumulator|lookup)[\"']?\s*[\]:=]", strong=True),
    Rule("where-clause", "nosqli", 0.75, r"\$where\s*[\"']?\s*:|\[\$where\]", strong=True),
    Rule("js-breakout", "nosqli", 0.6, _Q + r"\s*;\s*(?:sleep|return|while|do|var|it\s*=|db\.)\b|"
         r";\s*return\s*\(?\s*(?:true|1)\b", strong=True),
    Rule("db-call", "nosqli", 0.55, r"\bdb\.[a-z_]+\.(?:insert|find|remove|drop|update|delete|mapreduce)[a-z]*\s*\(|"
         r"\bdb\.(?:getcollectionnames|dropdatabase|eval)\s*\("),
    Rule("busy-loop", "nosqli", 0.7, r"\bdo\s*\{[^}]{0,80}\}\s*while\s*\(|new\s+date\s*\(\s*\)\s*;\s*do\b",
         strong=True),
    Rule("operator-exists", "nosqli", 0.5, r"[\"'][&$](?:exists|ne|gt|regex)[\"']\s*:"),
    # JavaScript shipped as a JSON string for the database to run: the function of a `$where`, `$function`,
    # `$accumulator` or map-reduce command (`"map": "function(){emit(...)}"`); code a program writes is not a string.
    Rule("js-in-json", "nosqli", 0.85,
         r"[\"'](?:\$where|body|map|reduce|finalize|init|accumulate|merge)[\"']\s*:\s*[\"']\s*function\s*\(", strong=True),
    # A value that closes the JavaScript string it was put in and joins a test of its own before reopening one:
    # `admin' && this.token != null && '1'=='1`, `x' || this.a || '`.
    Rule("js-string-joined", "nosqli", 0.75,
         r"^\s*[\w.@-]{0,20}[\"']\s*(?:&&|\|\|)[^\"'\n]{1,120}(?:&&|\|\|)\s*[\"']", strong=True),
    Rule("js-or-true", "nosqli", 0.7, r"\|\|\s*['\"]?1['\"]?\s*==\s*['\"]?1|\btrue\s*,\s*\$where\b", strong=True),
)

LDAPI = (
    Rule("filter-breakout", "ldapi", 0.7, r"\*\s*\)\s*\(\s*[|&!]?\s*\(?\s*[a-z]+\s*=|\)\s*\(\s*[|&!]\s*\(",
         strong=True),
    Rule("wildcard-attr", "ldapi", 0.6, r"\(\s*[|&]?\s*\(?\s*(?:uid|cn|objectclass|userpassword|mail|sn|"
         r"samaccountname|givenname)\s*=\s*\*", strong=True),
    Rule("wildcard-meta", "ldapi", 0.55, r"^\s*\*\s*(?:\(\s*\)|\))\s*[|&(]|^\s*\*\s*\|\s*$|^\s*\*\(\|"),
    # A value that closes an XPath predicate it was quoted in and joins another node set: `'] | //user/* | //a['`.
    Rule("xpath-union", "ldapi", 0.75, r"['\"]\s*\)*\s*\]\s*\|\s*/", strong=True),
    Rule("xpath-tautology", "ldapi", 0.7, r"\bor\s+(?:name|string-length|count|contains|substring)\s*\(\s*\)?"
         r"[^=]{0,40}=|\bor\s+'[a-z]'\s*=\s*'", strong=True),
)

XXE = (
    Rule("entity-system", "xxe", 0.95, r"<!entity\s+(?:%\s*)?[a-z0-9_.-]+\s+(?:system|public)\b", strong=True),
    Rule("entity", "xxe", 0.7, r"<!entity\b", strong=True),
    Rule("doctype-subset", "xxe", 0.6, r"<!doctype\s+[a-z0-9_:.-]+\s*\[", strong=True),
    # A document type read from a URL the parser fetches (an external DTD): the server reaches out, and what it
    # fetches can declare entities. HTML, SVG and MathML declare theirs by public identifiers of the W3C.
    Rule("doctype-external", "xxe", 0.6,
         r"<!doctype\s+(?:[a-gi-ln-rt-z_][a-z0-9_:.-]*|h(?:[a-su-z0-9_:.-]|t[a-ln-z0-9_:.-]|tm[a-km-z0-9_:.-])[a-z0-9_:.-]*|"
         r"s(?:[a-uw-z0-9_:.-]|v[a-fh-z0-9_:.-])[a-z0-9_:.-]*|m(?:[b-z0-9_:.-]|a[a-su-z0-9_:.-])[a-z0-9_:.-]*)\s+"
         r"(?:system|public\s+[\"'][^\"']{0,200}[\"'])\s*[\"']\s*(?:https?|ftp|file|jar|php|gopher|expect|netdoc)://"),
    Rule("xinclude", "xxe", 0.8, r"\bxi:include\b|xmlns:xi\s*=", strong=True),
    Rule("xml-import", "xxe", 0.75, r"<\?import\s+namespace|<\?xml-stylesheet\b", strong=True),
    Rule("xml-src", "xxe", 0.6, r"<xml\b[^>]{0,200}\bsrc\s*=", strong=True),
    Rule("xml-decl", "xxe", 0.2, r"<\?xml\b"),
)

SSRF = (
    Rule("metadata-host", "ssrf", 0.9,
         r"\b169\.254\.169\.254\b|\bmetadata\.(?:google\.internal|packet\.net|azure\.com)|\b100\.100\.100\.200\b|"
         r"/computemetadata/v1|/latest/(?:meta-data|user-data)|\bfd00:ec2::254\b", strong=True),
    Rule("odd-scheme", "ssrf", 0.7, r"\b(?:gopher|dict|ldap|tftp|jar|netdoc)://", strong=True),
    Rule("loopback-url", "ssrf", 0.4, r"\b(?:https?)://(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1?\]|0x7f|"
         r"2130706433|017700000001)\b"),
)

ALL: tuple[Rule, ...] = XSS + SQLI + TRAVERSAL + CMDI + CODE + NOSQLI + LDAPI + XXE + SSRF
