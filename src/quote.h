/*
 * quote.h - the person's own words of a reply, and subjects without their
 * reply prefixes.  Pure functions over UTF-8 text; no I/O, no locale.
 */
#ifndef TRUCD_QUOTE_H
#define TRUCD_QUOTE_H

/*
 * The person's own words of a decoded text body (UTF-8, LF, CRLF or CR line
 * ends).  Never NULL; the caller frees the result, whose lines end in LF.
 *
 * - Every line starting with '>' (after blanks) is dropped wherever it
 *   stands: the words between and after quotes are kept (bottom-posted and
 *   interleaved replies).
 * - A reply header or a signature ends the own words when the next
 *   non-blank line is not '>'-quoted (Outlook puts the whole original below
 *   it, unquoted); when a '>' line follows, only the header is dropped.
 *   Headers: attributions "Le lun. 30 nov. 2026 à 09:00, X <x@y> a écrit :"
 *   and "On Mon, Nov 30, 2026 at 9:00 AM X <x@y> wrote:" (also wrapped over
 *   up to four lines, and their German, Italian, Spanish, Dutch, Nordic,
 *   Polish forms), "2016-10-24 15:36 GMT+02:00 X <x@y>:", separators
 *   "-----Message d'origine-----", "-----Original Message-----",
 *   "-------- Message d'origine --------", "---------- Forwarded message",
 *   "Début du message réexpédié :", "Begin forwarded message:", a line of
 *   five or more underscores, and header blocks "De : / Envoyé : / À : /
 *   Objet :", "From: / Sent: / To: / Subject:" (Date, Cc, Reply-To too, in
 *   any order after the first; bold "*From:*" from HTML; any Unicode space
 *   before the colon).  Signatures: "-- ", "--", and one-line mobile
 *   footers ("Envoyé de mon iPhone", "Sent from my …", "Get Outlook for
 *   iOS", "Télécharger Outlook pour Android", "Envoyé à partir de Outlook
 *   pour iOS", "Envoyé depuis …").
 * - Leading and trailing blank lines are removed, and so are trailing lines
 *   made only of delimiter characters ("----", "****", "___").
 */
char	*own_words(const char *text);

/*
 * The subject without every leading reply/forward prefix, in any number and
 * mix: "Re:", "RE :", "Réf. :", "Ref:", "TR:", "Fwd:", "Fw:", "AW:", "WG:",
 * "SV:", "VS:", "Rif:", "R:", "RV:", "Enc:", "Antw:", "Odp:", "Re[2]:",
 * "Re^2:", and leading "[TRUC²]"-style bracket tags; any Unicode space
 * before the colon; the fullwidth colon.  Blanks around are trimmed.  Never
 * NULL (subject NULL gives ""); the caller frees the result.
 */
char	*subject_strip(const char *subject);

#endif
