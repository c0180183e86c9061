"""Rules for prompt injection: text written to steer an AI bot behind the chat.

The families are the ones seen in public jailbreak and prompt-extraction collections:
overriding earlier instructions, role-play framings that promise "no rules", asking
for the hidden system prompt or secret, and fake system/turn markers. An override
needs an *instruction-like* object ("ignore all previous instructions"), so a
customer writing "please ignore my previous message" is not caught. A few common
languages are covered for the override and role-play families.
"""

from __future__ import annotations

from filters.threat import moves, orders, tongues
from filters.threat.ruleset import Rule

_OVERRIDE_VERB = r"(?:ignore|disregard|forget|skip|override|bypass|abandon|neglect|drop|discard|set\s+aside)"
# Ways to set instructions aside, in English.
_DISMISS = (r"\b(?:pay\s+no\s+(?:attention|heed|mind)\s+to|(?:do\s+not|don'?t|never|no\s+longer)\s+(?:follow|obey|"
            r"listen\s+to|heed|adhere\s+to|stick\s+to|comply\s+with|abide\s+by|respect|honou?r)|"
            r"stop\s+(?:following|obeying|listening\s+to)|never\s?mind|throw\s+(?:out|away)|erase|wipe|scrap|dismiss|"
            r"discard|drop|overrule|cancel|nullify|abandon|neglect|forget(?:\s+about)?|ignore|disregard|skip|bypass|"
            r"override|overlook|look\s+past|(?:set|put)\s+aside|disobey|ditch|forgo|suspend|sidestep|circumvent)")
_ORDERS = (r"instructions?|directives?|directions|prompts?|rules|guidelines|guidance|commands|constraints|programming|"
           r"guardrails?|safeguards?|restrictions|orders|polic(?:y|ies)|training|system\s+message|conversation")
_NOUN = r"(?:" + _ORDERS + r"|messages)\b"
# "The previous messages" or "the messages above" are the sender's own chat ("Please ignore the previous
# messages, I sent them to the wrong chat"): messages are the bot's only with all, your or its setter's.
_ORDER = r"(?:" + _ORDERS + r")\b"
# Words that make instructions the bot's own: said before this message, or by whoever set the bot up.
_EARLIER = (r"(?:previous|prior|above|earlier|preceding|initial|original|foregoing|system|developer|hidden|safety|"
            r"ethical|default|secret|internal|pre-?set|underlying)")
_SETTER = r"(?:developer|developers|operator|creator|creators|owner|admin|programmer|openai|anthropic)(?:'s|s')"
_ADJECTIVE = r"(?:" + _EARLIER[3:-1] + r"|old|existing|current|given|first|former|usual|standard|specific|exact)"
# The bot's own: "all/any/every ...", "your ...", "the previous ...", "the developer's ...", "... above",
# "... you were given". "Skip the instructions and plug it in" or "don't follow the instructions on the
# box" name someone else's: `_ANY`, a weak note that only adds to other signs.
_THEIRS = (r"(?:(?:all|any|every|each)\s+(?:of\s+)?(?:the\s+|your\s+|these\s+|those\s+|its\s+)?(?:" + _SETTER + r"\s+)?"
           r"(?:" + _ADJECTIVE + r"\s+){0,2}" + _NOUN + r"|(?:of\s+)?(?:your|its)\s+(?:" + _ADJECTIVE + r"\s+){0,2}" + _NOUN +
           r"|(?:of\s+)?(?:the\s+|these\s+|those\s+)?(?:" + _SETTER + r"\s+)?(?:" + _ADJECTIVE + r"\s+)?" + _EARLIER +
           r"\s+(?:" + _ADJECTIVE + r"\s+)?" + _ORDER + r"|(?:of\s+)?(?:the\s+)?" + _SETTER + r"\s+(?:" + _ADJECTIVE + r"\s+){0,2}" +
           _NOUN + r"|(?:of\s+)?(?:the\s+|these\s+|those\s+)?" + _ORDER + r"\s+(?:above|before\s+this|so\s+far|given\s+to\s+you|"
           r"you\s+(?:were|have\s+been|'ve\s+been|got)\s+(?:given|told)|(?:that\s+|which\s+)?(?:your|the)\s+(?:creators?|"
           r"developers?|operators?|owners?|makers?|programmers?)\s+(?:set|gave|wrote|made|put)))")
_ANY = (r"(?:of\s+)?(?:the\s+|these\s+|those\s+|my\s+|our\s+|[a-z]+(?:'s|s')\s+)?(?:" + _ADJECTIVE + r"\s+){0,2}" + _NOUN)

# What a "you are now ..." makes of the bot when it is a persona, not a person's new role at work ("you are
# now the owner of the ticket"): an AI, a bot, a character, or one without its limits.
PERSONA = (r"(?:a|an|the)\s+(?:[\w-]+\s+){0,3}(?:ai|a\.i\.|assistant|bot|chatbot|model|persona|character|gpt|dan|"
            r"unrestricted|unfiltered|uncensored|jailbroken|evil|rogue|amoral)\b")
# A jailbreak used, not talked about: the bot told it is jailbroken or sent into developer mode, or a
# jailbroken answer asked for ("[JAILBREAK]:", "jailbroken mode").
_JAILBREAK_USE = (r"\byou\s+(?:are|have\s+been|were|'re)\s+(?:now\s+)?jailbr(?:oken|eaked)\b|\bjailbr(?:oken|eak)\s*"
                  r"(?:mode|version|persona|response|output|enabled|activated|\]|:)|\b(?:enter|enable|activate|"
                  r"switch\s+(?:on|to|into)|turn\s+on|go\s+into|unlock|simulate|emulate|stay\s+in|(?:act|respond|"
                  r"answer|reply|operate|speak|write)\s+(?:in|with)|(?:you\s+are|you're)\s+(?:now\s+)?in|with)\s+"
                  r"(?:the\s+)?developer\s+mode\b|\bdeveloper\s+mode\s+(?:output|response)\b|\b(?:a|an)\s+jailbroken\s+"
                  r"(?:[\w-]+\s+)?(?:ai|assistant|bot|chatbot|model|version|persona|gpt)\b")

_RULES = (
    # Instructions set aside: strong when they are the bot's own (see `_THEIRS`), a weak note otherwise.
    Rule("override", "prompt", 0.85, _DISMISS + r"\s+" + _THEIRS, strong=True),
    Rule("override-any", "prompt", 0.45, _DISMISS + r"\s+" + _ANY),
    Rule("override-all", "prompt", 0.8,
         _OVERRIDE_VERB + r"\s+(?:all|everything)\s+(?:(?:the\s+)?(?:previous|prior|above|before|earlier)|"
         r"you\s+(?:were|have\s+been|'ve\s+been)\s+(?:told|given|instructed)|(?:that\s+)?(?:was\s+)?said\s+"
         r"(?:before|above))", strong=True),
    Rule("new-instructions", "prompt", 0.65,
         r"\b(?:new|updated|real|actual|revised|additional)\s+(?:instructions?|directives?|rules|task|"
         r"system\s+prompt)\s*[:：]|\bnew\s+instructions?\b.{0,40}\b(?:follow|obey)|\b(?:all|previous)\s+"
         r"directives\s+(?:lost|void|cancelled|revoked)"),
    Rule("role-play", "prompt", 0.5,
         r"\b(?:you\s+(?:are|will)\s+(?:now\s+)?(?:going\s+to\s+)?(?:act|pretend|play|roleplay|behave|"
         r"respond|simulate)|pretend\s+(?:to\s+be|you\s+are|that\s+you)|(?:act|behave|respond)\s+as\s+"
         r"(?:if\s+you\s+(?:are|were)\s+)?(?:an?\s+)?(?:unrestricted|unfiltered|uncensored|evil|jailbroken|"
         r"rogue|amoral|python|linux|terminal|interpreter)|assume\s+the\s+(?:role|persona|identity)|"
         r"roleplay\s+as|"
         r"you\s+are\s+now\s+(?:called|named|dan\b|in\s+(?:[\w-]+\s+){1,2}mode|" + PERSONA + r")|stay\s+in\s+character|"
         r"(?:enter|enable|activate)\s+(?:developer|god|admin|debug|dan|unrestricted)\s+mode)"),
    # "From now on" said to the bot, and "you are no longer": what follows is read again (`addressed.handed`), since a
    # colleague is handed a role with the same words ("from now on you are in charge of billing"). Its hits
    # count as the role-play rule's.
    Rule("role-switch", "prompt", 0.5,
         r"\bfrom\s+now\s+on,?\s+(?:your|act|respond|reply|you(?:\s+are|'re)|you(?:\s+(?:will|shall|must|should|can|"
         r"have\s+to|need\s+to|are\s+going\s+to)|'ll)?\s+(?:now\s+)?(?:only\s+|always\s+|never\s+|not\s+)?(?:act|respond|"
         r"reply|answer|behave|pretend|play|role-?play|simulate|speak|talk|write|obey|refuse|ignore|forget|follow|comply|"
         r"generate|output|stay|remain|be)\b)|\byou(?:\s+are|'re)\s+no\s+longer\b"),
    Rule("no-limits", "prompt", 0.6,
         r"\b(?:not\s+bound\s+by|free\s+(?:of|from)|without\s+any|ignores?|disregards?|no\s+longer\s+(?:has|have|"
         r"follows?)|doesn'?t\s+(?:have|follow)|do(?:es)?\s+not\s+(?:have|follow)|breaks?\s+(?:free|all))\s+"
         r"(?:any\s+|all\s+)?(?:of\s+)?(?:the\s+|its\s+|your\s+|their\s+)?(?:typical\s+|usual\s+|ai\s+|"
         r"(?:ethical|moral|content|safety)\s+)*(?:restrictions|filters|limitations|limits|guidelines|"
         r"censorship|ethics|morals|rules|policies|boundaries|confines|principles|laws)|\bnot\s+(?:restrained|"
         r"restricted|limited|constrained)\s+by\b|\b(?:has|have|with)\s+no\s+(?:moral|ethical)\s+"
         r"(?:principles|code|compass|guidelines|restrictions|boundaries)|\bno\s+(?:special\s+)?filtering\b"),
    Rule("jailbreak-names", "prompt", 0.75,
         r"\bdo\s+anything\s+now\b|" + _JAILBREAK_USE + r"|\b(?:dan|stan|dude|aim|"
         r"apophis|betterdan|antigpt|evilbot|chaosgpt)\s*(?:mode|prompt|:)|\bdan\b.{0,60}\b(?:openai|chatgpt|"
         r"rules)|\b(?:openai|anthropic)(?:'s)?\s+(?:content\s+)?polic(?:y|ies)", strong=True),
    Rule("reveal-prompt", "prompt", 0.8,
         r"\b(?:reveal|show|print|repeat|output|display|dump|leak|share|tell\s+me|give\s+me|write\s+out|spell\s+out"
         r"|summari[sz]e|translate|recite|list|what\s+(?:is|are|were))\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?"
         r"(?:your|the)\s+(?:(?:entire|full|complete|exact|initial|original|hidden|secret|system|above|"
         r"previous|first|internal)\s+){0,3}(?:system\s+)?(?:prompt|instructions|pre-?prompt|system\s+message|"
         r"configuration|directives|guidelines|rules\s+(?:you|above)|context\s+window|passwords?|secret\s+"
         r"(?:key|word|code)|access\s+code)", strong=True),
    Rule("repeat-above", "prompt", 0.8,
         r"\b(?:repeat|print|output|write|copy|echo|rewrite|format)\s+(?:back\s+)?(?:all\s+|everything\s+)?"
         r"(?:of\s+)?(?:the\s+)?(?:words|text|everything|instructions|content|message|prompt|lines)?\s*"
         r"(?:above|before\s+this|preceding|so\s+far|verbatim)|\binstructions\s+(?:so\s+far|above)\b",
         strong=True),
    # The bot's own setup named: "your system prompt", "the hidden instructions".
    Rule("system-prompt", "prompt", 0.55,
         r"\b(?:your|its)\s+(?:system|initial|hidden|original|secret)\s+(?:prompt|instructions?)\b|"
         r"\b(?:hidden|secret)\s+(?:prompt|instructions?)\b|\byour\s+(?:instructions|programming|training\s+rules)\b"),
    # The setting as a sentence left open for the bot to complete: "complete this: your instructions are:".
    Rule("completion-bait", "prompt", 0.6,
         r"\b(?:continue|complete|finish|fill\s+in|autocomplete|carry\s+on)\b[^\n]{0,60}\b(?:prompt|instructions|"
         r"rules|directives|guidelines|password|secret|passcode|access\s+code)\s+(?:is|are|was|were|reads?|says?|"
         r"begins?|starts?)(?:\s+with)?\s*[:：]"),
    # The technique or the setting talked about (mention, not use): "is the system prompt in the repo?", "a
    # prompt injection incident", "a blog post about jailbreaks", "the developer mode toggle". A weak note:
    # never an alert alone, it adds to any sign of use.
    Rule("prompt-talk", "prompt", 0.45,
         r"\b(?:system|initial|original)\s+(?:prompt|instructions?)\b|\bprompt\s+(?:injection|leak)|"
         r"\bjailbr(?:oken|eaks?|eaking)\b|\bdeveloper\s+mode\b"),
    Rule("access-granted", "prompt", 0.7,
         r"\baccess\s+granted\b|\bthe\s+user\s+(?:has\s+)?(?:entered|input|provided|said|given)\s+the\s+correct\b",
         strong=True),
    # The sender claims to stand over the bot: its developer or admin ("I am your developer", "this is the
    # administrator."). "The admin" of something named after it ("I'm the admin on our company account", "the
    # owner of the shop") is a customer's role, not a claim on the bot: "the" or "a" must close the clause.
    Rule("authority", "prompt", 0.55,
         r"\b(?:i\s+am|i'm|this\s+is)\s+(?:your\s+(?:developer|creator|admin|administrator|maintainer|owner|"
         r"operator|programmer|system\s+administrator|technical\s+maintainer)\b|(?:the|an?)\s+(?:developer|creator|"
         r"admin|administrator|maintainer|owner|operator|programmer|system\s+administrator|technical\s+maintainer)"
         r"\s*(?:[.,:;!\n]|$|speaking\b|here\b|and\b|now\b|of\s+(?:this|the)\s+(?:ai|bot|assistant|model|system)\b)|"
         r"(?:your|the|an?)\s+openai\b)"),
    Rule("template-tokens", "prompt", 0.85,
         r"<\|(?:im_start|im_end|system|endoftext|assistant|user|eot_id|start_header_id)\|>|\[/?inst\]|"
         r"<<\s*/?sys\s*>>", strong=True),
    Rule("fake-markers", "prompt", 0.7,
         r"<\|?(?:im_start|im_end|system|endoftext|assistant|user)\|?>|\[/?(?:inst|system|sys)\]|<<\s*sys\s*>>|"
         # a heading "Instructions" over a recipe's or a manual's steps is a section, not a template's marker
         r"(?:^|\n)\s*#{2,}\s*(?:system|instruction(?:\s*:|\s*(?:\n|$))|new\s+instruction)|"
         r"(?:^|\n)\s*(?:system|assistant)\s*:\s*"
         r"\S|(?:begin|end|start)\s+(?:of\s+)?(?:system|new|user)\s+(?:prompt|instructions?|input|message)|"
         r"(?:message|input|conversation)\s+terminat", strong=True),
    Rule("obedience", "prompt", 0.45,
         r"\b(?:always|must|will)\s+(?:respond|answer|reply)\b.{0,60}\b(?:no\s+matter|regardless|never\s+refuse)|"
         r"\bnever\s+(?:refuse|decline|say\s+(?:no|you\s+can'?t))|\bwithout\s+(?:any\s+)?(?:hesitation|refusal|"
         r"warnings?|disclaimers?|censorship|filtering)|\b(?:only|just)\s+(?:say|respond\s+with|reply\s+with|"
         r"output)\s+[\"'“]"),
    Rule("output-control", "prompt", 0.45,
         r"\b(?:start|begin|prefix)\s+(?:your|each|every)\s+(?:answer|response|reply|output)s?\s+with\b|"
         r"\b(?:respond|reply|answer)\s+only\s+with\b|\bthe\s+user\s+(?:has|is)\s+(?:input|entered|authori[sz]ed)"),
    Rule("act-as", "prompt", 0.55,
         r"\b(?:i\s+want\s+you\s+to|you\s+(?:will|must|should|are\s+going\s+to)|please|now)\s+(?:act|pretend|"
         r"play|roleplay|behave)\s+(?:as|like|to\s+be)\b|\bplay\s+the\s+role\s+of\b|\btake\s+(?:up|on)\s+the\s+"
         r"(?:persona|role|identity)\b|\bas\s+dan\b|\bhypothetical\s+(?:story|scenario)\b.{0,80}\bact\s+as\b"),
    Rule("show-instructions", "prompt", 0.7,
         r"\b(?:output|print|display|list|show|reveal|repeat|format|share|dump)\s+(?:me\s+)?(?:all\s+|each\s+|"
         r"every\s+)?(?:of\s+)?(?:your|the|prior|previous|above|these)?\s*(?:(?:starting|initial|original|"
         r"system|hidden|prior|previous|above|secret|full|entire)\s+){0,3}(?:instructions|configuration|"
         r"system\s+prompt|initialization|directives)\b", strong=True),
    Rule("admin-override", "prompt", 0.6,
         r"\b(?:admin(?:istrator)?|developer|system|root|sudo|maintenance|debug|testing)\s+(?:override|mode\s+"
         r"(?:active|enabled|on)|command|access\s+granted)\b"),
    Rule("ignore-input", "prompt", 0.7,
         r"\b(?:ignore|disregard|forget)\s+(?:all\s+)?(?:the\s+)?(?:previous|prior|above|preceding|earlier|"
         r"user'?s?)\s+(?:input|text|content|context|conversation)\b|\bignore\s+the\s+content\s+of\b",
         strong=True),
    Rule("persona-traits", "prompt", 0.6,
         r"\b(?:amoral|unfiltered|uncensored|unrestricted|unethical|immoral|unbound)\b.{0,80}\b(?:amoral|"
         r"unfiltered|uncensored|unrestricted|unethical|immoral|no\s+moral|no\s+ethic)"),
    Rule("fake-boundary", "prompt", 0.7,
         r"(?:^|\n)[\s#=*\-]*(?:begin|end|start)\s+(?:of\s+)?(?:[a-z]+\s+){0,2}(?:prompt|instructions?|input|"
         r"message|code)\b[\s#=*\-]*(?:\n|$)", strong=True),
    Rule("task-switch", "prompt", 0.45,
         r"\binstead\s+of\s+(?:outputting|answering|responding|following|replying)|\bnow\s+we\s+will\s+"
         r"(?:perform|do|play)\s+a\s+(?:different|new)\b"),
    Rule("nonsense-flood", "prompt", 0.5, r"(?:\b(\S{1,3})\s+){40,}"),
    # Chinese and Japanese overrides (`tongues` reads the other languages).
    Rule("override-cjk", "prompt", 0.85,
         r"(?:忽略|无视|忽视|無視|忘记|忘掉)(?:掉)?(?:你)?(?:之前|以上|先前|上面|前面|所有|全部)?(?:的)?(?:所有|全部)?"
         r"(?:的)?(?:指令|指示|提示|规则|說明|说明|命令)|(?:以前|前|上記)の(?:指示|命令|ルール)を(?:無視|忘れ)",
         strong=True),

    # Paraphrased overrides: any way of saying "do not follow what you were told".
    # Paraphrased overrides without the word "instructions": "forget what you were told", "ignore everything above".
    Rule("override-paraphrase", "prompt", 0.85,
         _DISMISS + r"\s+(?:all\s+(?:of\s+)?)?(?:what(?:ever)?\s+(?:you\s+(?:were|have\s+been|'ve\s+been|got)\s+(?:told|"
         r"given|instructed|taught|programmed|trained)|(?:they|(?:the|your)\s+\w+)\s+(?:told|gave|taught|instructed|"
         r"programmed)\s+you)|everything\s+(?:you\s+(?:were|have\s+been|'ve\s+been)\s+(?:told|given|instructed|taught)|"
         r"above|before|so\s+far|prior))", strong=True),
    # "Forget what you were told", the paraphrase without the word "instructions", in other languages.
    Rule("told-world", "prompt", 0.8,
         r"\b(?:olvida|olvidá|ignora)\s+(?:todo\s+)?lo\s+que\s+te\s+(?:dijeron|han\s+dicho|indicaron)|"
         r"\bvergiss\s+(?:alles|was)\b.{0,30}\b(?:dir|ihnen|euch)\b.{0,20}\b(?:gesagt|aufgetragen|befohlen)|"
         r"\boublie[rz]?\s+(?:tout\s+)?ce\s+qu(?:'|e\s+)(?:on|l'on)\s+t'a\s+dit|"
         r"\besque[çc]a\s+(?:tudo\s+)?(?:o\s+)?que\s+(?:te|lhe)\s+(?:disseram|foi\s+dito|disse)|"
         r"\bdimentica\s+(?:tutto\s+)?(?:quello\s+)?che\s+ti\s+(?:è\s+stato\s+detto|hanno\s+detto)",
         strong=True),
    # The conversation's own beginning asked for: what came before the user's first message.
    Rule("context-extraction", "prompt", 0.6,
         r"\b(?:beginning|start)\s+of\s+(?:this|the|our)\s+(?:conversation|chat|session)\b.{0,40}\bbefore\b|"
         r"\b(?:text|words|everything|what)\s+(?:that\s+)?(?:appears?|is|was|were|is\s+written|was\s+written)\s+"
         r"above\s+this\b|\beverything\s+you\s+were\s+(?:told|given)\s+before\b|"
         r"\bfirst\s+\d+\s+(?:words|lines|characters|sentences)\s+of\s+(?:your|the)\s+(?:system\s+)?"
         r"(?:prompt|instructions)|\byour\s+system\s+message\s+(?:in|as|inside)\b"),
    # Rules taken away by supposition: "if you had no guidelines", "with no content policy".
    Rule("no-rules-framing", "prompt", 0.55,
         r"\byou\s+(?:have|had|would\s+have|are\s+under|were\s+under)\s+no\s+(?:restrictions|guidelines|rules|"
         r"filters|limitations|censorship|content\s+polic(?:y|ies))\b|\b(?:with|under)\s+no\s+content\s+polic"),
    # Asking what the bot was told to keep back: the secret by its absence.
    Rule("forbidden-ask", "prompt", 0.6,
         r"\bwhat\s+(?:are|were)\s+you\s+(?:not|never)\s+(?:supposed|allowed|permitted|meant|told|instructed)\s+"
         r"to\s+(?:tell|say|share|reveal|disclose|discuss|talk\s+about|mention)|\bwhat\s+(?:are|were|have)\s+you\s+"
         r"(?:been\s+)?(?:told|instructed|asked|programmed)\s+(?:not|never)\s+to\s+(?:tell|say|share|reveal|disclose|"
         r"discuss|mention)|\bwhat\s+(?:can'?t|cannot|"
         r"mustn'?t|shouldn'?t)\s+you\s+(?:tell|reveal|disclose|share)\s+(?:me|us|anyone)\b"),
    # An extraction verb, a few words, then the bot's own setup named with what makes it the hidden one
    # ("output <tags> with your initial configuration").
    # The same setup by the names people give it ("your hidden briefing", "your opening message", "the text that
    # configures you") after a verb of copying it out ("paste", "copy out", "quote", "tell me what ... says").
    Rule("reveal-briefing", "prompt", 0.7,
         r"\b(?:output|print|reveal|show|repeat|dump|display|write\s+out|spell\s+out|recite|echo|paste|copy(?:\s+out)?|"
         r"quote|type\s+out|tell\s+me|give\s+me|share)\b[^.?!\n]{0,40}\b(?:your\s+(?:(?:hidden|secret|initial|original|"
         r"opening|first|starting|full|entire|exact|whole)\s+){0,2}(?:briefing|opening\s+message|set-?up\s+text)|"
         r"the\s+(?:text|words|message|prompt)\s+(?:that|which)\s+(?:configures|sets\s+up|defines|programs|instructs|"
         r"steers)\s+you)\b|\bwhat\b[^.?!\n]{0,30}\b(?:write|wrote|written|put|say|said)\s+in\s+your\s+(?:set-?up|"
         r"briefing|instructions|prompt)\b"),
    Rule("reveal-setup", "prompt", 0.7,
         r"\b(?:output|print|reveal|show|repeat|dump|display|write\s+out|list|spell\s+out|recite|echo)\b"
         r"[^.?!\n]{0,50}\byour\s+(?:(?:entire|full|complete|exact|initial|original|hidden|secret|system|"
         r"internal|starting|underlying|pre-?set)\s+){1,3}(?:prompt|instructions|configuration|directives|"
         r"rules|context|setup|guidelines)\b"),
    # The access-code game asked about sideways: what happens when someone gives the right password.
    Rule("access-hypothetical", "prompt", 0.55,
         r"\b(?:user|someone|somebody|person|anyone|they)\s+(?:who\s+|that\s+)?(?:has\s+|had\s+)?(?:entered|"
         r"typed|gave|given|provided|said|says|inputs?|submitted|knows)\s+the\s+(?:correct|right|valid|secret)\s+"
         r"(?:password|passcode|passphrase|phrase|access\s+code|code\s?word|magic\s+word)|\b(?:phrase|password|"
         r"passcode|passphrase|word)\s+(?:that|which)\s+(?:grants?|unlocks?|gives?)\s+(?:you\s+)?access\b"),
    Rule("system-prompt-world", "prompt", 0.55,
         r"システムプロンプト|시스템\s*프롬프트|系统提示|系統提示|prompt\s+(?:système|systeme|del\s+sistema|do\s+sistema|"
         r"di\s+sistema)|systemprompt|systeemprompt|системн\S*\s+(?:промпт|подсказк|инструкци)|sistem\s+istemi|"
         r"prompt\s+systemowy|موجه\s+النظام|सिस्टम\s+प्रॉम्प्ट"),
)


# Every language's grammar read at once (`tongues`): overrides, reveals and persona switches in languages the
# rules above do not list; and the English grammar of the bot's orders set aside or declared void (`orders`).
PROMPT = _RULES + (
    # Instructions set aside that a clause makes the bot's ("disregard the protocol your operators defined").
    Rule("override-given", "prompt", 0.85, _DISMISS + r"\s+(?:all\s+(?:of\s+)?)?" + orders.ASIDE, strong=True),
    # The same with the verbs of letting go the list above lacks ("let go of", "walk away from", "unlearn"),
    # read on the bot's instructions by their noun (`orders.LET_GO_WHAT`): a rule of its own, so that its verbs,
    # common words, do not become what the screen looks for.
    Rule("override-let-go", "prompt", 0.85, r"\b" + orders.LET_GO + r"\s+(?:all\s+(?:of\s+)?)?" + orders.LET_GO_WHAT,
         strong=True),
) + orders.RULES + moves.RULES + tongues.RULES


def _squeezed(rule: Rule) -> Rule:
    """`rule` for text whose words were written with no gap between them ("ignoreallpreviousrules"): every
    white space and word boundary it asks for taken out, so the same grammar reads the letters alone."""
    pattern = rule.pattern
    for space in (r"\s+", r"\s*", r"\s?", r"\s", r"\b", " "):
        pattern = pattern.replace(space, "")
    return Rule(f"{rule.name}-squeezed", rule.category, rule.weight, pattern, rule.strong)


# The prompt rules for letters written apart one by one and read back without gaps (`normalise.spaced_runs`);
# a rule that counts words has no meaning there.
SQUEEZED = tuple(_squeezed(rule) for rule in _RULES if rule.name != "nonsense-flood")
