"""English irregular verb forms and their base, so "lost" matches "lose" and "won" "win".

The Snowball stemmer folds regular endings ("resigned", "resigns" → "resign") but leaves
irregular forms apart, and news questions and reports often use different tenses of one verb
("how many soldiers did Russia lose" / "Russia lost 800,000 soldiers").
"""

from __future__ import annotations

# base: past and past participle forms (English grammar; the most common irregular verbs).
_FORMS = {
    "arise": "arose arisen", "awake": "awoke awoken", "bear": "bore borne", "beat": "beaten",
    "become": "became", "begin": "began begun", "bend": "bent", "bet": "", "bind": "bound",
    "bite": "bit bitten", "bleed": "bled", "blow": "blew blown", "break": "broke broken",
    "breed": "bred", "bring": "brought", "build": "built", "burn": "burnt", "buy": "bought",
    "catch": "caught", "choose": "chose chosen", "cling": "clung", "come": "came", "creep": "crept",
    "deal": "dealt", "dig": "dug", "draw": "drew drawn", "dream": "dreamt", "drink": "drank drunk",
    "drive": "drove driven", "eat": "ate eaten", "fall": "fell fallen", "feed": "fed", "feel": "felt",
    "fight": "fought", "find": "found", "flee": "fled", "fling": "flung", "fly": "flew flown",
    "forbid": "forbade forbidden", "forecast": "", "foresee": "foresaw foreseen",
    "forget": "forgot forgotten", "forgive": "forgave forgiven", "freeze": "froze frozen",
    "grow": "grew grown", "hang": "hung", "hear": "heard", "hide": "hid hidden",
    "hold": "held", "keep": "kept", "kneel": "knelt", "lay": "laid", "lead": "led", "lean": "leant",
    "leap": "leapt", "learn": "learnt", "lend": "lent", "lie": "lain", "light": "lit",
    "lose": "lost", "mean": "meant", "meet": "met", "mislead": "misled", "mistake": "mistook mistaken",
    "overcome": "overcame", "oversee": "oversaw overseen", "overtake": "overtook overtaken",
    "overthrow": "overthrew overthrown", "pay": "paid", "prove": "proven", "rebuild": "rebuilt",
    "ride": "rode ridden", "ring": "rang rung", "rise": "risen", "run": "ran", "seek": "sought",
    "sell": "sold", "send": "sent", "sew": "sewn", "shake": "shook shaken", "shine": "shone",
    "shoot": "shot", "show": "shown", "shrink": "shrank shrunk", "sing": "sang sung", "sink": "sank sunk",
    "sit": "sat", "slay": "slew slain", "sleep": "slept", "slide": "slid", "speak": "spoke spoken",
    "speed": "sped", "spend": "spent", "spin": "spun", "spring": "sprang sprung", "stand": "stood",
    "steal": "stole stolen", "stick": "stuck", "sting": "stung", "stink": "stank stunk",
    "strike": "struck stricken", "string": "strung", "strive": "strove striven", "swear": "swore sworn",
    "sweep": "swept", "swim": "swam swum", "swing": "swung", "take": "took taken", "teach": "taught",
    "tear": "tore torn", "think": "thought", "throw": "threw thrown", "undergo": "underwent undergone",
    "understand": "understood", "undertake": "undertook undertaken", "undo": "undid undone",
    "uphold": "upheld", "upset": "", "wake": "woke woken", "wear": "wore worn", "weave": "wove woven",
    "weep": "wept", "win": "won", "withdraw": "withdrew withdrawn",
    "withhold": "withheld", "withstand": "withstood", "write": "wrote written", "fit": "", "quit": "",
    "shut": "", "split": "", "spread": "", "cost": "", "cut": "", "hit": "", "hurt": "", "let": "",
    "put": "", "set": "", "bid": "", "broadcast": "", "burst": "", "cast": "", "shed": "", "thrust": "",
}  # fmt: skip

#: form → base. Forms that are also common words of another meaning ("left", "ground",
#: "wound", "rose", "born", "lay") are left out: merging them would blur more than it finds.
BASE = {form: base for base, forms in _FORMS.items() for form in forms.split() if form != base}
