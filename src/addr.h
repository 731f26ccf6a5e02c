/*
 * addr.h - e-mail addresses as people type them into spreadsheets, mail
 * headers and command lines.  Pure functions, no I/O.
 */
#ifndef TRUCD_ADDR_H
#define TRUCD_ADDR_H

/*
 * The bare addr-spec of IN, or NULL when IN is not a plausible address:
 *   "  Jean Dupont <Jean.Dupont@Ville.EXAMPLE> " -> "Jean.Dupont@ville.example"
 * A display name (plain or "quoted") and the angle brackets are removed,
 * surrounding blanks cut, the domain lower-cased; the local part is kept as
 * written (RFC 5321 lets a server tell cases apart, so we store what the
 * person wrote and only compare without case).
 * Accepted: a local part that is a dot-atom (atext and single inner dots) or
 * a quoted string ("jean dupont"@x.fr: the only place a space may stand),
 * at most 64 bytes; one '@' outside quotes; a domain of at least two
 * dot-separated labels of letters, digits and inner '-' (UTF-8 letters too,
 * for internationalised domains), at most 63 bytes each; at most 254 bytes
 * in all; valid UTF-8; no control characters.  Not accepted: domain
 * literals ([192.0.2.1]), comments, source routes, groups.
 * IN may be NULL (result NULL).  The caller frees the result.
 */
char	*addr_normalise(const char *in);

/*
 * 1 when A and B are both plausible addresses (as above, so display names
 * may be present) naming the same mailbox: compared without regard to
 * ASCII case in the local part too, as real mail servers do.  0 otherwise,
 * including when either is NULL or not an address.
 */
int	 addr_equal(const char *a, const char *b);

/*
 * A pointer into ADDR just after its last '@' (the domain of a normalised
 * address), or NULL when ADDR is NULL or holds no '@'.
 */
const char *addr_domain(const char *addr);

#endif
