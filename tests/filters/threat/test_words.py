"""The host-name word reader: names made of the words phishing uses alert, ordinary names do not."""

from __future__ import annotations

import pytest

from filters.threat.feeds import DomainList
from filters.threat.linkdata import BRANDS, CRYPTO_ACTIONS, CRYPTO_OBJECTS, NAME_FILLERS, NAME_WORDS
from filters.threat.links import Link, judge
from filters.threat.words import crypto_lure, read_label, segment, unreadable

NONE = DomainList()


def _score(url: str) -> tuple[float, tuple[str, ...]]:
    verdict = judge(Link(0, len(url), url), NONE, NONE)
    return verdict.score, verdict.reasons


@pytest.mark.parametrize(("run", "words"), [
    ("secureaccountupdate", ["secure", "account", "update"]),
    ("accountingtoday", ["accounting", "to", "d", "a", "y"]),  # an ordinary word that holds a lure word
    ("postgresql", ["postgresql"]),
    ("mywalletrecovery", ["my", "wallet", "recovery"]),
])
def test_a_run_of_letters_is_read_as_the_fewest_unknown_letters(run: str, words: list[str]) -> None:
    assert segment(run) == words


@pytest.mark.parametrize(("label", "words"), [
    ("coffee-house", ()),  # `fee` inside a word nobody reads as a fee
    ("method-lab", ()),  # nor `eth`
    ("waveassistant", ()),  # `assist` of `assistant`
    ("claim-bonus24", ("claim", "bonus")),
    ("zentrocashback", ("cashback",)),  # a long word of the trade beside an invented stem
])
def test_only_words_that_stand_as_words_count(label: str, words: tuple[str, ...]) -> None:
    assert read_label(label).words == words


@pytest.mark.parametrize("url", [
    "secure-account-update.example",
    "https://verifywalletrecovery.example/",
    "parcel-fee-pay24.example",
    "claimbonusnow.example",
    "https://member-billing-support365.example/",
    "unlock-account-help.example",
    "https://wallet-restore-sync.example/",
    "mybankalerts-online.example",
    "konto-weryfikacja-platnosc.example",  # Polish account, verification and payment words
    "crypto-airdrop-claim.example",
    "https://secure-invoice.shop/",  # two words of the trade on a cheap TLD
    "paczkomat-odbior-oplata.example",  # Polish parcel-locker, pick-up and payment words
    "bezpieczna-inwestycja24.example",  # Polish safe and investment words, digits glued on
    "outlet-sale-official.example",  # a fake shop's words
    "cuenta-seguridad-verificacion.example",
    "subscription-renewal-billing.example",  # a subscription lure
    "tax-rebate-claim.example",  # a government-money lure
])
def test_names_made_of_the_words_of_phishing_alert(url: str) -> None:
    score, reasons = _score(url)
    assert score >= 0.5, reasons
    assert score < 0.8 or any(not reason.startswith("lure-name") for reason in reasons)  # words alone never block


@pytest.mark.parametrize("url", [
    "stack-overflow.example", "home-assistant.example", "open-street-map.example", "read-the-docs.example",
    "riverside-tech-support.example", "oakwood-customer-care.example", "greenfield-accounting.example",
    "https://www.community-bank.example/", "coindesk.example", "helpscout.example", "servicenow.example",
    "https://auth0.example/docs", "https://onelogin.example/", "trustpilot.example", "worldbank.example",
    "stackexchange.example", "https://packaging.example/", "paymentsjournal.example", "ashford-car-finance.example",
    "https://service-identity.readthedocs.io/", "https://secure-login.readthedocs.io/", "contact-us.example",
    "codereview.appspot.com", "ideal-home.example", "salesforce.example", "riverside-outlet.example",
    "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
])
def test_ordinary_names_with_a_word_of_the_trade_do_not_alert(url: str) -> None:
    score, reasons = _score(url)
    assert score < 0.5, reasons


def test_a_word_of_the_trade_beside_a_borrowed_brand_blocks() -> None:
    assert _score("https://paypal-secure-account-update.example/")[0] >= 0.8


@pytest.mark.parametrize(("url", "blocked"), [
    ("https://netflixbillingupdate.example/", True),  # a brand glued to words of the trade is a claim
    ("https://paypalsecurecenter.example/", True),
    ("https://pineapple.example/", False),  # a brand inside an unrelated word is not
])
def test_a_brand_glued_to_words_of_the_trade_blocks(url: str, blocked: bool) -> None:
    assert (_score(url)[0] >= 0.8) is blocked


def test_look_alike_letters_are_read_as_the_words_they_pass_for() -> None:
    name = "\u0455ecure-\u0430ccount-update.example".encode("idna").decode("ascii")  # Cyrillic s and a
    assert any(reason.startswith("lure-name:") for reason in _score(f"https://{name}/")[1])


def test_a_long_hyphenated_name_is_strung_together_words() -> None:
    assert "hyphenated-name" in _score("https://renew-your-vault-pickup-now.example/")[1]


def test_finance_is_a_word_not_a_typo_of_a_brand() -> None:
    assert not any(reason.startswith("lookalike:") for reason in _score("https://car-finance.example/")[1])


def test_the_vocabulary_is_plain_lower_case_words_each_read_one_way() -> None:
    words = [*NAME_WORDS, *NAME_FILLERS]
    assert [word for word in words if not (word.isascii() and word.isalpha() and word.islower())] == []
    assert set(NAME_WORDS) & NAME_FILLERS == set()  # a word of the trade or padding, not both
    assert set(NAME_WORDS) & set(BRANDS) == set()  # brands are read by brands.py


@pytest.mark.parametrize("run", [
    "schwarzwald", "szczebrzeszyn", "boulangerie", "ayuntamiento", "aggiornamento", "acompanhamento",
    "ijsselmeer", "oakwooddental", "riversidetechsupport", "zalando", "lumorati",
])
def test_words_of_the_languages_read_and_names_made_of_them_hold_no_unreadable_triple(run: str) -> None:
    assert unreadable(run) == 0


@pytest.mark.parametrize(("run", "least"), [("xqjvwkd", 7), ("zqxvbnmt", 7), ("kzmrtq", 3), ("mqtt", 3)])
def test_letters_drawn_at_random_hold_many_triples_no_word_holds(run: str, least: int) -> None:
    assert unreadable(run) >= least


@pytest.mark.parametrize(("labels", "found"), [
    ("wallet-sync", "wallet+sync"),
    ("dapprectify", "dapp+rectify"),
    ("validate.multi-wallet", "wallet+validate"),  # the words of every label the owner chose
    ("ethclaim24", "eth+claim"),
    ("claim-airdrop", "airdrop+claim"),  # an airdrop is held and handed out: one word is not both
    ("method-fix", ""),  # no `eth` inside `method`
    ("wallet-shop", ""),  # an object with nothing asked of it
    ("claim-bonus", ""),  # asked, with nothing held: the word reader's business
    ("supplychain-connect", ""), ("stakeholder-connect", ""), ("node-debug", ""),  # chains, stakes, nodes of other kinds
])
def test_a_name_joining_a_thing_held_in_a_crypto_wallet_with_a_scams_request_is_read(labels: str, found: str) -> None:
    assert crypto_lure(labels) == found


@pytest.mark.parametrize("url", [
    "wallet-sync.example", "https://dapp-rectify.example/", "https://claim-eth.example/connect",
    "validate.multi-wallet.example", "nft-giveaway.example", "https://defi-migrate.example/",
    "seedphrase-restore.example", "rpc-fix.example", "tokenclaim.example", "https://usdt-bonus.example/",
    "walletsync.vercel.app",  # on a free host the tenant's name is read the same way
])
def test_crypto_lure_names_alert(url: str) -> None:
    score, reasons = _score(url)
    assert score >= 0.5, reasons
    assert any(reason.startswith("crypto-lure:") for reason in reasons)


@pytest.mark.parametrize("url", [
    "https://walletconnect.com/", "https://wallet.polygon.technology/", "https://claim.arbitrum.foundation/",
    "https://app.uniswap.org/swap", "https://ethereum.org/en/wallets/", "https://revoke.cash/",
    "https://tokenauth.readthedocs.io/", "https://web3auth.io/docs", "bikechainrepair.example",
    "coindesk.example", "https://leatherwallets.example/",
])
def test_crypto_projects_and_ordinary_names_carry_no_crypto_lure(url: str) -> None:
    score, reasons = _score(url)
    assert score < 0.5, reasons
    assert not any(reason.startswith("crypto-lure:") for reason in reasons)


def test_an_ordinary_name_the_learned_score_is_sure_of_alerts_by_that_score_alone() -> None:
    # `supplychain-connect` reads to the learned score like the wallet-connect scams it learnt from: an alert by
    # that score's floor alone (`links.sure_name`), a false positive the crypto-lure reading adds nothing to.
    score, reasons = _score("https://supplychain-connect.example/")
    assert set(reasons) == {"lexical-score", "lexical-sure"} and score == 0.5


def test_the_crypto_words_are_plain_lower_case_words() -> None:
    words = [*CRYPTO_OBJECTS, *CRYPTO_ACTIONS]
    assert [word for word in words if not (word.isascii() and word.isalpha() and word.islower())] == []


@pytest.mark.parametrize("text", [
    "I need to restore my wallet from the seed phrase, is that safe to do offline?",
    "did you claim the ETH airdrop before the snapshot?",
    "walletconnect won't sync with my phone, I had to reconnect the dapp",
    "the token migration guide says to fix the RPC endpoint in MetaMask first",
])
def test_ordinary_chat_about_crypto_is_not_flagged(text: str) -> None:
    from filters.threat import ThreatFilter

    verdict = ThreatFilter().decide(text)
    assert verdict.action.name == "PASS" and not verdict.hints.alert
