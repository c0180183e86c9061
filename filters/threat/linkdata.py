"""Reference lists for judging links offline.

Kept as plain data so operators can read what the lexical checks rely on. The lists
are deliberately short and conservative: each entry is a well-known brand that
phishing imitates, a service that hosts anyone's pages for free, a URL shortener,
or a top-level domain that abuse reports rank far above the average.
"""

from __future__ import annotations

# brand -> the registrable domains that really belong to it
BRANDS: dict[str, frozenset[str]] = {
    name: frozenset(domains.split())
    for name, domains in {
        "paypal": "paypal.com paypal.me paypalobjects.com",
        "apple": "apple.com icloud.com icloud-content.com me.com mzstatic.com apple-dns.net cdn-apple.com aaplimg.com",
        "icloud": "icloud.com apple.com icloud-content.com me.com",
        "microsoft": "microsoft.com live.com office.com microsoftonline.com office365.com microsoft365.com office.net "
                     "msn.com bing.com azure.com msft.net live.net skype.com",
        "office365": "office.com microsoft.com office365.com microsoft365.com office.net",
        "outlook": "outlook.com live.com office.com office365.com",
        "google": "google.com googleapis.com googleusercontent.com googlesource.com googlecode.com gstatic.com "
                  "withgoogle.com google-analytics.com googletagmanager.com googlesyndication.com googleadservices.com "
                  "doubleclick.net ggpht.com googlevideo.com android.com gvt1.com",
        "gmail": "gmail.com google.com googlemail.com",
        "amazon": "amazon.com amazon.co.uk amazon.de amazonaws.com media-amazon.com ssl-images-amazon.com "
                  "amazon-adsystem.com awsstatic.com amzn.to a2z.com amazontrust.com",
        "netflix": "netflix.com netflix.net nflxext.com nflximg.net nflxvideo.net nflxso.net",
        "facebook": "facebook.com fb.com fbcdn.net facebook.net fb.me fb.watch messenger.com meta.com",
        "instagram": "instagram.com cdninstagram.com instagr.am",
        "whatsapp": "whatsapp.com whatsapp.net wa.me", "roblox": "roblox.com rbxcdn.com",
        "steam": "steampowered.com steamcommunity.com steamstatic.com",
        "steamcommunity": "steamcommunity.com steampowered.com", "binance": "binance.com binance.us bnbstatic.com",
        "coinbase": "coinbase.com",
        "metamask": "metamask.io", "trezor": "trezor.io", "ledger": "ledger.com", "dhl": "dhl.com dhl.de",
        "fedex": "fedex.com", "usps": "usps.com usps.gov", "chase": "chase.com jpmorganchase.com jpmorgan.com",
        "wellsfargo": "wellsfargo.com wf.com",
        "bankofamerica": "bankofamerica.com bofa.com", "citibank": "citibank.com citi.com", "hsbc": "hsbc.com",
        "allegro": "allegro.pl", "allegrolokalnie": "allegro.pl", "olx": "olx.pl olx.com", "shopee": "shopee.com",
        "mercadolibre": "mercadolibre.com mercadolivre.com.br", "ebay": "ebay.com ebaystatic.com ebayimg.com ebayinc.com",
        "linkedin": "linkedin.com licdn.com",
        "dropbox": "dropbox.com dropboxstatic.com db.tt", "docusign": "docusign.com docusign.net",
        "adobe": "adobe.com adobelogin.com typekit.net adobe.io",
        "spotify": "spotify.com scdn.co spotifycdn.com spoti.fi",
        "discord": "discord.com discord.gg discordapp.com discordapp.net discord.media discordstatus.com",
        "telegram": "telegram.org t.me telegram.me telesco.pe",
        "yahoo": "yahoo.com yimg.com yahoo.net yahooapis.com", "xfinity": "xfinity.com comcast.net", "comcast": "comcast.com comcast.net",
        "att": "att.com att.net", "verizon": "verizon.com verizon.net verizonwireless.com",
        "airbnb": "airbnb.com muscache.com", "booking": "booking.com bstatic.com",
        "twitter": "twitter.com x.com twimg.com", "tiktok": "tiktok.com tiktokcdn.com tiktokv.com", "blockchain": "blockchain.com",
        "kraken": "kraken.com", "revolut": "revolut.com", "santander": "santander.com santanderbank.com",
        "itau": "itau.com.br", "bradesco": "bradesco.com.br", "ups": "ups.com", "inpost": "inpost.pl",
        "pko": "pkobp.pl pko.pl", "mbank": "mbank.pl", "pekao": "pekao.com.pl", "vinted": "vinted.com vinted.pl",
        "orlen": "orlen.pl",
        # more of the brands that phishing reports name most: mail and cloud, parcels, banks, wallets, games
        "onedrive": "live.com microsoft.com", "sharepoint": "sharepoint.com microsoft.com",
        "youtube": "youtube.com google.com youtu.be ytimg.com googlevideo.com youtube-nocookie.com", "wetransfer": "wetransfer.com", "royalmail": "royalmail.com",
        "dpd": "dpd.com dpd.co.uk dpd.pl dpd.de", "gls": "gls-group.com gls-group.eu gls-pakete.de",
        "poczta": "poczta-polska.pl", "pocztapolska": "poczta-polska.pl", "correos": "correos.es",
        "laposte": "laposte.fr laposte.net", "chronopost": "chronopost.fr", "postnl": "postnl.nl",
        "evri": "evri.com", "hermes": "hermes.com", "auspost": "auspost.com.au",
        "canadapost": "canadapost.ca canadapost-postescanada.ca",
        "barclays": "barclays.co.uk barclays.com", "lloyds": "lloydsbank.com lloyds.com",
        "natwest": "natwest.com", "monzo": "monzo.com", "ing": "ing.com ing.pl ing.de ing.nl",
        "pkobp": "pkobp.pl", "millennium": "bankmillennium.pl", "alior": "aliorbank.pl",
        "credit-agricole": "credit-agricole.fr credit-agricole.pl", "bnpparibas": "bnpparibas.com bnpparibas.pl",
        "bbva": "bbva.com bbva.es", "caixabank": "caixabank.es", "nubank": "nubank.com.br",
        "sparkasse": "sparkasse.de", "commerzbank": "commerzbank.de", "postbank": "postbank.de",
        "trustwallet": "trustwallet.com", "phantom": "phantom.app", "opensea": "opensea.io",
        "uniswap": "uniswap.org", "bybit": "bybit.com", "okx": "okx.com", "kucoin": "kucoin.com",
        "epicgames": "epicgames.com", "fortnite": "epicgames.com fortnite.com", "riotgames": "riotgames.com",
        "battlenet": "battle.net blizzard.com", "playstation": "playstation.com", "xbox": "xbox.com microsoft.com",
        "nintendo": "nintendo.com", "disney": "disney.com disneyplus.com", "disneyplus": "disneyplus.com",
        "primevideo": "primevideo.com amazon.com", "aliexpress": "aliexpress.com", "alibaba": "alibaba.com",
        "walmart": "walmart.com walmartimages.com", "costco": "costco.com", "bestbuy": "bestbuy.com", "irs": "irs.gov",
        "hmrc": "hmrc.gov.uk gov.uk", "tmobile": "t-mobile.com t-mobile.pl t-mobile.de t-mobile.nl t-mobile.cz",
        "vodafone": "vodafone.com vodafone.co.uk",
        "okta": "okta.com oktacdn.com", "zoom": "zoom.us zoom.com zoomgov.com", "webex": "webex.com", "aol": "aol.com", "zimbra": "zimbra.com",
        "roundcube": "roundcube.net", "mobywatel": "gov.pl", "epuap": "gov.pl", "allegropay": "allegro.pl",
        "blik": "blik.com", "pge": "gkpge.pl pge.pl pge-obrot.pl", "tauron": "tauron.pl", "lotos": "lotos.pl",
        "mercadopago": "mercadopago.com", "nubankapp": "nubank.com.br", "swisscom": "swisscom.ch",
        "postfinance": "postfinance.ch", "amex": "americanexpress.com", "americanexpress": "americanexpress.com",
        "mastercard": "mastercard.com", "visa": "visa.com", "stripe": "stripe.com", "venmo": "venmo.com",
        "cashapp": "cash.app", "zelle": "zellepay.com", "wise": "wise.com", "klarna": "klarna.com",
        # the brands that the quarterly brand-phishing reports add for other countries, and the
        # ones that subscription, marketplace and AI-service lures use
        "halifax": "halifax.co.uk", "nationwide": "nationwide.co.uk nationwide.com", "nhs": "nhs.uk",
        "dvla": "gov.uk", "rabobank": "rabobank.nl rabobank.com", "abnamro": "abnamro.nl abnamro.com",
        "belfius": "belfius.be", "bpost": "bpost.be", "deutschebank": "deutsche-bank.de db.com",
        "posteitaliane": "poste.it posteitaliane.it", "intesasanpaolo": "intesasanpaolo.com",
        "unicredit": "unicredit.it unicredit.eu unicreditgroup.eu", "societegenerale": "societegenerale.fr "
        "societegenerale.com", "creditmutuel": "creditmutuel.fr", "labanquepostale": "labanquepostale.fr",
        "ameli": "ameli.fr", "impots": "impots.gouv.fr", "antai": "antai.gouv.fr",
        "rakuten": "rakuten.co.jp rakuten.com", "smbc": "smbc.co.jp", "mufg": "mufg.jp",
        "sagawa": "sagawa-exp.co.jp", "japanpost": "japanpost.jp", "naver": "naver.com",
        "kakao": "kakao.com kakaocorp.com", "coupang": "coupang.com", "alipay": "alipay.com", "taobao": "taobao.com",
        "paytm": "paytm.com", "phonepe": "phonepe.com", "hdfcbank": "hdfcbank.com", "icicibank": "icicibank.com",
        "indiapost": "indiapost.gov.in", "correios": "correios.com.br", "caixa": "caixa.gov.br caixa.com.br",
        "bancodobrasil": "bb.com.br", "safaricom": "safaricom.co.ke", "mpesa": "safaricom.co.ke",
        "aramex": "aramex.com", "usaa": "usaa.com", "capitalone": "capitalone.com", "navyfederal": "navyfederal.org",
        "robinhood": "robinhood.com", "bitget": "bitget.com", "pancakeswap": "pancakeswap.finance",
        "exodus": "exodus.com", "interac": "interac.ca", "bancolombia": "bancolombia.com", "banorte": "banorte.com",
        "ziraat": "ziraatbank.com.tr", "akbank": "akbank.com", "yapikredi": "yapikredi.com.tr",
        "absa": "absa.co.za", "standardbank": "standardbank.co.za", "emiratesnbd": "emiratesnbd.com",
        "hotmail": "hotmail.com live.com outlook.com microsoft.com", "github": "github.com github.io "
        "githubusercontent.com github.blog githubstatus.com", "openai": "openai.com chatgpt.com oaistatic.com", "chatgpt": "chatgpt.com openai.com oaistatic.com",
        "shein": "shein.com", "temu": "temu.com", "zalando": "zalando.de zalando.com", "lidl": "lidl.de lidl.com",
        "carrefour": "carrefour.fr carrefour.com", "tesco": "tesco.com", "ikea": "ikea.com",
        # where a crypto holder signs in or hands over a key: wallets, the explorer a token approval is
        # checked on, and the largest exchanges by trading volume beside those above
        "myetherwallet": "myetherwallet.com", "mycrypto": "mycrypto.com", "electrum": "electrum.org",
        "atomicwallet": "atomicwallet.io", "walletconnect": "walletconnect.com walletconnect.org",
        "etherscan": "etherscan.io", "bscscan": "bscscan.com", "etherdelta": "etherdelta.com",
        "localbitcoins": "localbitcoins.com", "bithumb": "bithumb.com", "bitfinex": "bitfinex.com",
        "bittrex": "bittrex.com", "poloniex": "poloniex.com", "huobi": "huobi.com htx.com",
        "bitstamp": "bitstamp.net", "upbit": "upbit.com",
    }.items()
}

# The blockchains a multi-chain wallet supports, by an outside criterion: every chain of Trust Wallet's
# `wallet-core` registry (github.com/trustwallet/wallet-core, `docs/registry.md` at commit
# 01bb6baae5f4d67558790741459b605fc906dd71, read on 7 December 2026: the table generated from `registry.json`,
# name, symbol, homepage), named without the words that name one of
# its variants (Chain, Hub, EVM, Native, Mainnet, Era, Nova, Pacific, Phoenix, eSpace...), kept when the
# name has five letters or more, its homepage's registered name holds it (`komodoplatform.com` for Komodo),
# and no English word (Debian's `wamerican`) is it, holds it or lies one typo from it (`linea` is a typo of
# `linear`, `stratis` of `straits`, `canto` is inside `canton`). Scam pages for a chain's holders are named
# for the chain (`polkadot-claim`, `wanchain.cloud`). Name -> the homepage's registered domain, plus the
# project's own domains where it has more: its foundation's site (`solana.org`, `arbitrum.foundation`, whose
# subdomains hand out the chain's airdrops), its newer home (`polkadot.com`). A tenant of a shared platform
# (`polkadot.js.org`) is no registered domain: it is judged as the platform's tenants are.
CHAINS: dict[str, frozenset[str]] = {
    name: frozenset(domains.split())
    for name, domains in {
        "litecoin": "litecoin.org", "dogecoin": "dogecoin.com", "viacoin": "viacoin.org",
        "groestlcoin": "groestlcoin.org", "digibyte": "digibyte.io", "monacoin": "monacoin.org",
        "syscoin": "syscoin.org", "ethereum": "ethereum.org ethereum.foundation", "ethereumclassic": "ethereumclassic.org",
        "rootstock": "rootstock.io", "komodo": "komodoplatform.com", "bitcoincash": "bitcoincash.org",
        "bitcoingold": "bitcoingold.org", "ravencoin": "ravencoin.org", "internetcomputer": "internetcomputer.org",
        "nimiq": "nimiq.com", "algorand": "algorand.com algorand.foundation", "iotex": "iotex.io", "zilliqa": "zilliqa.com",
        "polkadot": "polkadot.network polkadot.com", "everscale": "everscale.network", "kusama": "kusama.network",
        "filecoin": "filecoin.io", "bluzelle": "bluzelle.com", "solana": "solana.com solana.org", "agoric": "agoric.com",
        "aptos": "aptoslabs.com", "acala": "acala.network", "vechain": "vechain.org", "thorchain": "thorchain.org",
        "bitcoindiamond": "bitcoindiamond.org", "thundercore": "thundercore.com", "conflux": "confluxnetwork.org",
        "tezos": "tezos.com tezos.foundation", "cardano": "cardano.org", "lightlink": "lightlink.io", "hedera": "hedera.com",
        "gochain": "gochain.io", "wanchain": "wanchain.org", "fantom": "fantom.foundation", "zksync": "zksync.io",
        "coreum": "coreum.com", "metis": "metis.io", "zetachain": "zetachain.com", "klaytn": "klaytn.foundation",
        "arbitrum": "arbitrum.io arbitrum.foundation", "akash": "akash.network", "axelar": "axelar.network", "kujira": "kujira.app",
    }.items()
}
BRANDS.update(CHAINS)

# Brands that run a site under most country codes (`google.de`, `amazon.co.jp`, `hsbc.co.uk`).
COUNTRY_SITES = frozenset("google amazon ebay apple paypal microsoft yahoo hsbc santander ing dhl ups vodafone "
                          "booking samsung bbva bnpparibas olx shopee mercadolibre rakuten shein temu "
                          "zalando lidl carrefour ikea".split())

# Federations of independent regional institutions, each on a domain of the federation's name and its
# place under the home country's code (`sparkasse-koelnbonn.de`): brand -> that country code.
FEDERATIONS = {"sparkasse": "de"}

# A chain's name is an ecosystem's: independent wallets, explorers and forums are named for it
# (`ethereum-magicians.org`, `polkadot.subscan.io`), so alone on another host it claims as little as an everyday
# word; beside a lure word, glued to one, misspelt, or as the whole name under another suffix it claims the chain.
ECOSYSTEMS = frozenset(CHAINS)

# Brands that are everyday words too: alone on someone else's host they claim little.
WORD_BRANDS = frozenset("apple booking chase steam ledger kraken phantom hermes wise zoom visa orange shell "
                        "target blik poczta evri halifax nationwide exodus caixa".split())

FREE_HOSTING = frozenset("""
vercel.app netlify.app github.io gitlab.io pages.dev workers.dev blogspot.com weebly.com wixsite.com
webflow.io godaddysites.com firebaseapp.com web.app herokuapp.com glitch.me 000webhostapp.com repl.co
replit.app ngrok.io ngrok-free.app duckdns.org hf.space run.app edgeone.dev onrender.com surge.sh
square.site wordpress.com sites.google.com framer.website framer.app carrd.co page.gd ipfs.io
cloudflare-ipfs.com azurewebsites.net web.core.windows.net appspot.com mybluehost.me weeblysite.com
jimdosite.com yolasite.com strikingly.com myshopify.com digiblogbox.com tiiny.site codepen.io
cloudfront.net amazonaws.com storage.googleapis.com firebasestorage.app r2.dev blob.core.windows.net
translate.goog b-cdn.net backblazeb2.com dweb.link fleek.co on.fleek.co pinata.cloud w3s.link
notion.site gitbook.io webnode.page site123.me wixstudio.io mystrikingly.com sharepoint.com
""".split())

# Free hosts that the list above lacked, by kind, each from the provider's own documentation of the names it hands
# out (7 December): site builders and free web hosts (Tilda, Jimdo's free plan, Webnode, uCoz, Neocities, the free
# PHP hosts of iFastNet / InfinityFree, ByetHost and AwardSpace), application and static hosts (Vercel's old `now.sh`,
# Replit, Fly, Railway, Deno Deploy, Azure Static Web Apps, CodeSandbox, StackBlitz, Tencent EdgeOne, Lovable).
FREE_HOSTING |= frozenset("""
tilda.ws jimdofree.com webnode.com ucoz.net ucoz.ru ucoz.com narod.ru neocities.org rf.gd epizy.com wuaze.com
great-site.net 42web.io free.nf infinityfreeapp.com lovestoblog.com atwebpages.com altervista.org
now.sh replit.dev fly.dev up.railway.app deno.dev azurestaticapps.net csb.app codesandbox.io stackblitz.io
edgeone.app lovable.app
""".split()) | frozenset(f"byethost{number}.com" for number in range(1, 34))  # ByetHost's numbered servers

# Tunnels: a name that reaches a service on someone's own machine through the provider's relay, handed out per run
# with no account or with a free one (Cloudflare's quick tunnels, ngrok's free and paid domains, localtunnel, Serveo,
# localhost.run, Pinggy, Microsoft's dev tunnels, PageKite, Tunnelmole, Telebit). Nothing is registered, and the name
# is gone when the tunnel closes.
TUNNELS = frozenset("""
trycloudflare.com ngrok.io ngrok-free.app ngrok.app ngrok-free.dev ngrok.dev loca.lt localtunnel.me serveo.net
serveousercontent.com lhr.life localhost.run pinggy.link pinggy.online devtunnels.ms pagekite.me tunnelmole.net
telebit.io
""".split())

# Dynamic DNS: a free name that follows a home or rented machine's changing address (No-IP's free domains, Dyn's
# legacy ones, Dynu's, Duck DNS, deSEC, YDNS, FreeDNS's best-known shared domains): a server under nobody's
# registered name.
DYNAMIC_DNS = frozenset("""
ddns.net hopto.org zapto.org sytes.net myftp.org myftp.biz no-ip.org no-ip.biz no-ip.info no-ip.ca no-ip.co.uk
noip.me noip.us servehttp.com serveftp.com servebeer.com servegame.com servehalflife.com serveblog.net
redirectme.net bounceme.net webhop.me myvnc.com ddnsking.com 3utilities.com onthewifi.com gotdns.ch
dyndns.org homeip.net dynalias.com dynalias.org dynalias.net dnsalias.com dnsalias.net dnsalias.org is-a-geek.com
selfip.com dynu.net dynu.com freeddns.org ddnsfree.com kozow.com mywire.org accesscam.org camdvr.org
duckdns.org dedyn.io ydns.eu mooo.com us.to chickenkiller.com crabdance.com strangled.net twilightparadox.com
ignorelist.com jumpingcrab.com
""".split())

# Object storage: a bucket's files served under the provider's name (virtual-hosted buckets and account names;
# path-style buckets on the provider's own host are `STORAGE_HOSTS` below). A bucket holds files; a page there is a
# page someone uploaded as a file.
OBJECT_STORAGE = frozenset("""
s3.amazonaws.com r2.dev blob.core.windows.net web.core.windows.net firebasestorage.app backblazeb2.com
digitaloceanspaces.com linodeobjects.com wasabisys.com aliyuncs.com myqcloud.com
""".split())
# The providers' own hosts that serve a bucket named first in the path (`storage.googleapis.com/<bucket>/...`).
STORAGE_HOSTS = frozenset("""
storage.googleapis.com firebasestorage.googleapis.com s3.amazonaws.com storage.cloud.google.com
""".split())
FREE_HOSTING |= TUNNELS | DYNAMIC_DNS | OBJECT_STORAGE

# The free hosts above that are no-code site builders (a page made in a browser from a template, published under
# the builder's name), as against hosts of code, documentation, blogs and storage.
SITE_BUILDERS = frozenset("""
weebly.com wixsite.com webflow.io godaddysites.com square.site sites.google.com framer.website framer.app carrd.co
mybluehost.me weeblysite.com jimdosite.com yolasite.com strikingly.com mystrikingly.com webnode.page site123.me
wixstudio.io tiiny.site page.gd 000webhostapp.com tilda.ws jimdofree.com webnode.com ucoz.net ucoz.ru ucoz.com
narod.ru lovable.app
""".split())

# Platforms whose subdomains are account names, one per account (`google.github.io` is the
# `google` organisation's pages): a brand's exact name there is the brand's own account.
ACCOUNT_PLATFORMS = frozenset({"github.io", "gitlab.io"})

SHORTENERS = frozenset("""
bit.ly tinyurl.com t.co goo.gl is.gd cutt.ly rb.gy ow.ly buff.ly shorturl.at t.ly tiny.cc bl.ink
rebrand.ly s.id v.gd lnkd.in 1url.at qr.net shorte.st adf.ly clck.ru u.to surl.li
""".split()) | frozenset("""
j.mp bit.do tiny.one rotf.lol x.gd cutt.us soo.gd short.gy t2m.io qrco.de kutt.it tny.im gg.gg vk.cc
ouo.io ouo.press bc.vc sh.st exe.io shrinkme.io dlvr.it ift.tt trib.al hubs.ly hubs.la
page.link app.link onelink.me
""".split())  # 7 December: more public services that shorten any link for anyone (Bitly's and TinyURL's other
# domains, free and ad-paid shorteners, social schedulers' and automation services' link domains, and the deep-link
# services that app makers point anywhere: Firebase Dynamic Links, Branch, AppsFlyer OneLink). Services that lead
# only to their owner's own pages (`youtu.be`, `amzn.to`, `forms.gle`) are left out: their destination is known.

# Top-level domains with far more abuse than average: weight by how lopsided the reports are. The
# first group: cheap or free TLDs where abuse reports (Spamhaus's most-abused TLDs, Interisle's phishing
# landscape studies) find a large share of all registered names in phishing or malware use. The second:
# cheap new gTLDs that those reports rank among the ten or twenty with the most phishing domains (far
# above their share of registrations), and the third, gTLDs somewhat above the average. None alerts
# alone in the last two groups; with one sign of a machine-made or borrowed name it does.
RISKY_TLDS: dict[str, float] = {
    **dict.fromkeys("sbs click lat lol cfd cyou icu buzz rest monster quest autos bond zip mov gq tk ml ga cf "
                    "loan racing bid review country kim men party science stream download accountant cricket "
                    "faith webcam date win top xyz".split(), 0.55),
    **dict.fromkeys("shop online site store live club vip cam".split(), 0.4),
    **dict.fromkeys("space website fun pro fyi guru study support info biz today best life world work link "
                    "help digital one".split(), 0.35),
}

# Country-code TLDs with the same excess, counted for names registered directly under them: their second levels
# (`edu.cn`, `gov.cn`, a province's) are registered under other rules. `.cn` has ranked among the five TLDs with the
# most phishing domains reported in several of Interisle's yearly Phishing Landscape studies, at about 8 % of
# `.com`'s size (in the Cybercrime Information Center's August-October 2021 table, 32,786 phishing domains of
# 9.85 million, seven times `.com`'s share).
RISKY_CCTLDS: dict[str, float] = {"cn": 0.35}

# Common top-level domains: what a brand's name may be glued to (`paypal-de`), and where bare
# (scheme-less) links end, beside every other TLD the Public Suffix List names (`hosts.icann_tlds`).
KNOWN_TLDS = frozenset(
    """com net org edu gov mil int io co uk de fr pl ru br es it nl be ch at se no fi dk cz sk pt gr ro hu bg
    tr ua by kz in cn jp kr tw hk sg au nz ca us mx ar cl pe ve ec uy py bo za ng ke eg ma sa ae il ir pk
    id my th vn ph me tv cc ly gg to ai app dev page blog news xyz top club site online shop store live
    info biz pro fyi guru study sbs click lat lol cfd cyou icu buzz rest monster quest autos bond zip mov
    gq tk ml ga cf eu asia tech cloud space website fun link help today world life work vip one best cam
    digital support email media agency network systems solutions services finance bank money""".split()
)

KEYWORDS = ("login", "log-in", "signin", "sign-in", "logon", "verify", "verification", "validate",
            "account", "secure", "security", "update", "confirm", "wallet", "unlock", "suspend", "banking",
            "password", "webscr", "authenticate", "auth", "recover", "billing", "invoice", "refund", "prize",
            "reward", "giveaway", "gift", "claim", "airdrop", "support", "helpdesk", "parcel", "delivery",
            "tracking", "customs", "payment", "clone", "oauth", "token", "seed", "restore",
            # Polish, German, French, Spanish, Portuguese lures: pay, delivery, verify, refund, parcel
            "platnosc", "oplata", "dostawa", "weryfikacja", "odbierz", "paczka", "zwrot", "logowanie",
            "zahlung", "lieferung", "bestaetigen", "paiement", "livraison", "colis", "remboursement",
            "pago", "entrega", "verificar", "reembolso", "pagamento", "encomenda",
            # the words for account, sign-in, confirm, surcharge and parcel in more languages (Polish,
            # German, Dutch, Scandinavian, French, Spanish, Italian, Portuguese, Turkish, Indonesian)
            "konto", "zaloguj", "potwierdz", "doplata", "przesylka", "odblokuj", "anmelden", "anmeldung",
            "sicherheit", "sendung", "inloggen", "bevestig", "bankid", "compte", "connexion", "identifiant",
            "cuenta", "acceso", "iniciar", "accedi", "accesso", "acesso", "giris", "hesap", "dogrula",
            "masuk", "verifikasi",
            # prize and lottery lures: winner, draw, prize in English, Indonesian, Spanish, Portuguese,
            # Polish, German, French, Turkish, Italian
            "winner", "lottery", "jackpot", "pemenang", "undian", "hadiah", "ganador", "sorteo", "premio",
            "ganhador", "sorteio", "nagroda", "wygrana", "gewinnspiel", "gagnant", "tirage", "kazanan",
            "cekilis", "vincitore")

# The words a host name's words are read against (`words.py`), by what they ask of the reader. Phishing
# and scam hosts are named from these: a service or account word joined with a sign-in, security,
# payment, delivery, prize or investment word (`secure-account-update`, `parcel-fee-pay24`,
# `claim-airdrop`). `access` words (signing in, proving, unlocking, an account in trouble) weigh twice
# the others; words that head many ordinary names (`free`, `mint`, `node`, `bridge`, `market`, `mail`,
# `desk`) are left out.
NAME_WORDS: dict[str, str] = {
    word: group
    for group, words in {
        "access": "login logon signin signon account accounts verify verification verified validate validation "
                  "confirm confirmation unlock unblock reactivate reactivation activate activation recover "
                  "recovery restore reset password passcode credential credentials webscr authenticate "
                  "authentication authorize authorization auth secure security identity update updates "
                  "suspend suspended suspension locked restricted limited disabled expired unusual urgent "
                  "alert alerts warning appeal dispute rectify migrate migration wallet wallets claim redeem "
                  "airdrop seed "
                  # account, secure, confirm, activate in Polish, German, French, Spanish, Italian, Portuguese
                  "konto bezpieczny bezpieczna bezpieczne potwierdzenie aktywacja sicher sicherheit "
                  "bestaetigung verifizierung compte securite confirmer cuenta seguridad verificacion "
                  "confirmar sicurezza verifica conferma conta seguranca verificacao",
        "service": "support help helpdesk helpline service services center centre care team customer customers "
                   "client clients member members portal access online official notice notification "
                   "notifications info webmail assist assistance safe protect protection guard collect "
                   "receive kundenservice obsluga klient seguro atencion",
        "money": "pay payment payments billing bill bills invoice invoices refund refunds fee fees fine fines "
                 "toll tolls tax taxes card cards bank banking transfer deposit withdraw withdrawal cash "
                 "cashback money loan loans credit debit checkout charge renew renewal subscription "
                 "membership unpaid overdue outstanding penalty settlement violation citation summons "
                 # pay, transfer, invoice, money, loan in the same languages
                 "platnosci przelew bramka pieniadze kredyt pozyczka rechnung geld kredit facture argent "
                 "factura dinero pagamento dinheiro fatura fattura soldi",
        "delivery": "parcel parcels package delivery redelivery deliver shipment shipping tracking track courier "
                    "postal customs reschedule logistics dispatch "
                    "paczkomat kurier wysylka odbior paket zustellung envio paquete spedizione consegna",
        "prize": "prize prizes reward rewards gift gifts giftcard bonus giveaway promo voucher vouchers coupon "
                 "winner winners lucky lottery jackpot benefit benefits rebate stimulus allowance compensation "
                 "wygraj konkurs losowanie prezent geschenk cadeau concours regalo vincita",
        "invest": "crypto coin coins token tokens bitcoin btc eth usdt nft defi dapp dapps staking invest "
                  "investment investments investor profit profits trade trading trader broker forex finance "
                  "fund funds wealth income earn earning yield exchange capital "
                  # invest, profit, earn, stock exchange in the same languages
                  "inwestycje inwestycja inwestuj inwestor zysk zyski zarabiaj zarobek zarobki gielda dochod "
                  "fundusz investieren investition gewinn rendite boerse investir investissement bourse gagner "
                  "invertir inversion ganancia ganancias investire investimento guadagno guadagnare lucro ganhar",
        # what fake shops are named with: a sale, a discount, an outlet, an order
        "shop": "outlet outlets sale sales discount discounts clearance wholesale cheap deals bargain offer "
                "offers sklep tanie tanio wyprzedaz promocja promocje rabat okazja oferta zamowienie ogloszenie "
                "transakcja angebot bestellung rabatt commande offre soldes pedido rebajas descuento offerta "
                "ordine sconto saldi desconto promocao",
    }.items()
    for word in words.split()
}
# Other words a name is read through, so that letters are not taken for a word of the trade: little
# words phishing names pad with (`my`, `get`, `24`), and ordinary words that hold one of the trade
# (`accounting`, `passport`, `postgres`, `signal`, `securities`).
NAME_FILLERS = frozenset("""
my e i get go the of and to for your our on in at by now new one all net web app apps hub pro plus
global world group id us eu uk co ltd inc org gov user users home mobile site
accounting accountant accountancy accountants passport passports payroll payload payloads paypal postgres
postgresql postfix poster posters signal signals signature design designs designer assign
helpful securities tokenizer tokenizers tokenize checker checkers checksum checkpoint tracker trackers
trackpad banker bankers bankruptcy mailer cardinal cardiff cardio updater exchanger cashier feedback
fundamental fundamentals funding incoming trademark trades tradition traditional capitalism carefully career
careers careful servicenow packaging packagist packager translate transit transfers charger chargers
contact contacts contacto contato ideal ideas salesforce wholesaler
""".split())

# What a crypto scam's name joins (`wallet-sync`, `dapp-rectify`, `claim-eth`): a thing a holder keeps in a
# wallet or reaches through one (these, and the chains above), and what the scam asks the holder to do to it. The scam needs the holder to
# sign or hand over a key, so its name says the wallet is out of step or broken (sync, rectify, fix,
# repair, migrate, restore, recover), must be proved (validate, verify, auth), opened (connect, unlock),
# or that something is waiting (claim, bonus, gift, giveaway, drop, airdrop, reward). A project names itself for
# what it offers (`uniswap`, `chainlink`, `walletconnect` is a brand of its own); swaps, bridges and
# faucets are what projects offer, so they are neither object nor action here. Words that name other things
# as often are left out: a chain (supply chains, bike chains), a node (Node.js), a stake (stakeholders), a seed.
CRYPTO_OBJECTS = frozenset("""
wallet wallets dapp dapps defi blockchain token tokens nft nfts rpc mainnet coin coins crypto eth btc usdt bnb
dao seedphrase validator validators staking airdrop airdrops
""".split())
CRYPTO_ACTIONS = frozenset("""
sync synchronize synchronise rectify rectification validate validation verify verification auth authorize
authorise authenticate connect renew recover recovery restore migrate migration fix repair resolve solve
debug unlock unblock reactivate whitelist claim claims redeem bonus gift gifts giveaway giveaways donate
donation donates drop drops airdrop airdrops reward rewards
""".split())
