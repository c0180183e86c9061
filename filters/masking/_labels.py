"""Labels that say what a number is when it is no card and no phone: an order's, a ticket's, a parcel's, a
booking's ("order number 4111 ...", "Bestellnummer:", "n° de commande", "przesyłka nr", "spedizione n.").

Sixteen digits pass the Luhn check under a card prefix often enough (one in ten of those prefixes) that such a
label outweighs the prefix (`cards`), and a word that only says "number" ("numero", "numara", "номер") names no
phone beside one (`phone`).
"""

from __future__ import annotations

from filters._patterns import text_pattern

# Stems of 24 languages, read at a word's start ("border" names no order); the rest of the word is any characters
# but spaces and digits (`ORDER_LABEL`), not Unicode's letter class, whose automaton a fresh process would build
# state by state (53 k instructions per message of the corpus).
LABEL_STEMS = (
    r"order|ticket|tracking|track|parcel|package|shipment|consignment|waybill|booking|reservation|reference|"
    r"\bref|invoice|receipt|confirmation|case|incident|claim|"
    r"bestel|auftrag|sendung|paket|buchung|vorgang|rechnung|kundennummer|"
    r"pedido|seguimiento|env[íi]o|paquete|reserva|localizador|factura|referencia|incidencia|expediente|"
    r"commande|suivi|colis|r[ée]servation|dossier|facture|r[ée]f[ée]rence|envoi|"
    r"ordine|spedizione|pacco|prenotazione|fattura|riferimento|pratica|"
    r"zending|pakket|boeking|factuur|referentie|"
    r"encomenda|rastreio|rastreamento|pacote|chamado|fatura|protocolo|"
    r"zam[óo]wieni|przesy[łl]k|paczk|zg[łl]oszeni|rezerwacj|faktur|"
    r"sipari[şs]|kargo|takip|talep|rezervasyon|bilet|"
    r"best[äa]llning|f[öo]rs[äa]ndelse|[äa]rende|bokning|ordre|bestilling|forsendelse|pakke|"
    r"tilau|l[äa]hetys|paketti|varaus|lasku|objedn[áa]vk|z[áa]silk|bal[íi]k|rezervace|"
    r"comand[aă]|colet|rendel[ée]s|csomag|pesanan|resi\b|tiket|[đd]ơn h[àa]ng|v[ậa]n [đd]ơn|"
    r"заказ|отправлени|посылк|трек|заявк|бронировани|замовлення|посилк|παραγγελ|δέμα|"
    r"注文|追跡|伝票|予約|チケット|订单|訂單|单号|單號|运单|運單|快递|工单|预订|주문|송장|예약|티켓|"
    r"طلب|شحن|تتبع|حجز|הזמנ|משלוח|ऑर्डर|ट्रैकिंग")
# A word for "number" after the label, abbreviations included ("n.", "n°", "n.º", which folding writes "n.o", "nr", "no", "№").
_NUMBER_LABEL = (r"(?:number|numbers|num|nr|no|n\.?[°ºo]?|nummer|numero|n[úu]mero|num[ée]ro|numer|numarası|numarasi|"
                 r"номер|№|id|code|kod|kodu|código|codice|#|番号|号|번호)")
# The label's word just before the number, followed at most by a word for "number" and a mark.
ORDER_LABEL = text_pattern(
    r"(?:^|[^A-Za-z])(?:" + LABEL_STEMS + r")[^\s\d]{0,14}(?:[ \t]*(?:de|del|di|do|da|du|van|der)?[ \t]*"
    + _NUMBER_LABEL + r")?[ \t]*[:#.\-\x{2013}=]?[ \t]*\z")
