"""National identity numbers of Europe: python-stdnum's validator for each scheme it knows, a hand-written one
for each it lacks.

Hand-written, as python-stdnum 2.2 has no module for them: Sweden's samordningsnummer (its `se.personnummer`
refuses the day + 60), Hungary's TAJ number and Russia's SNILS. Each check takes the number compacted (separators
out, letters in capitals); see `_checksums`.
"""

from __future__ import annotations

from filters.masking._checksums import digits_of, stdnum, weighted

# --- Europe -------------------------------------------------------------------------------------------------------

es_dni = stdnum("es.dni", "es.nie")  # Spain's DNI and NIE
pt_nif = stdnum("pt.nif")
nl_bsn = stdnum("nl.bsn")
be_nn = stdnum("be.nn", "be.bis")  # Belgium's national register number and BIS number (both INSZ / NISS)
fr_nir = stdnum("fr.nir")
# Italy's codice fiscale of a person: stdnum's module also takes a company's 11 digits, which the name does not say.
it_codice_fiscale = stdnum("it.codicefiscale", accept=lambda number: len(number) == 16)
pl_pesel = stdnum("pl.pesel")
pl_nip = stdnum("pl.nip")
cz_rodne_cislo = stdnum("cz.rc", "sk.rc")
ro_cnp = stdnum("ro.cnp")
bg_egn = stdnum("bg.egn")
ee_isikukood = stdnum("ee.ik", "lt.asmens")  # Estonia's isikukood, Lithuania's asmens kodas
jmbg = stdnum("si.emso")  # the former Yugoslav JMBG, Slovenia's EMŠO: one layout and check
hr_oib = stdnum("hr.oib")
de_idnr = stdnum("de.idnr")
at_svnr = stdnum("at.vnr")
ch_ahv = stdnum("ch.ssn")
_hetu = stdnum("fi.hetu")


def fi_hetu(number: str) -> bool:
    """Finland's henkilötunnus. Compacted, the century sign "-" (the 1900s) may have gone with the separators."""
    if len(number) == 10 and number[:9].isdigit():
        number = number[:6] + "-" + number[6:]
    return _hetu(number)


_personnummer = stdnum("se.personnummer")
_luhn = stdnum("luhn")


def se_personnummer(number: str) -> bool:
    """Sweden's personnummer (stdnum) and samordningsnummer: the same layout with the day + 60, Luhn over the last
    10 digits (hand-written: stdnum refuses the day)."""
    if _personnummer(number):
        return True
    if number[-5:-4] in ("-", "+"):
        number = number[:-5] + number[-4:]
    if not digits_of(number, 10, 12):
        return False
    number = number[-10:]
    return 1 <= int(number[2:4]) <= 12 and 61 <= int(number[4:6]) <= 91 and _luhn(number)


no_fodselsnummer = stdnum("no.fodselsnummer")
dk_cpr = stdnum("dk.cpr")
is_kennitala = stdnum("is_.kennitala")
gr_amka = stdnum("gr.amka")
ie_pps = stdnum("ie.pps")
gb_nhs = stdnum("gb.nhs")


def hu_taj(number: str) -> bool:
    """Hungary's TAJ number: 9 digits, weights 3 and 7 mod 10 (hand-written: no stdnum module)."""
    return digits_of(number, 9) and weighted(number, (3, 7) * 4) % 10 == int(number[8])


def ru_snils(number: str) -> bool:
    """Russia's SNILS: 9 digits, a check number of 2 (weights 9..1, mod 101, 100 as 00) (hand-written: no stdnum
    module)."""
    if not digits_of(number, 11):
        return False
    return weighted(number[:9], range(9, 0, -1)) % 101 % 100 == int(number[9:])


ru_inn = stdnum("ru.inn")
tr_kimlik = stdnum("tr.tckimlik")
