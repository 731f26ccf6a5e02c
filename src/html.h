/*
 * html.h - HTML mail bodies to plain text, for reading commands.
 *
 * Pure and forgiving: any bytes in (treated as UTF-8), readable text out.
 * Tags are removed; entities (the common named ones and all numeric ones)
 * are decoded, &nbsp; to a plain space; <br> <p> <div> <li> <tr> <h1>..
 * and the other blocks become line breaks (at most one blank line in a
 * row); <head> <style> <script> <title> and comments are dropped; <pre>
 * keeps its spacing; trailing blanks are cut from every line.
 *
 * Quotes come out as "> " lines so that quote detection downstream sees
 * them: the content of <blockquote> (any type, nesting adds a level), of
 * an element whose class holds "gmail_quote" or "yahoo_quoted", and
 * everything from Outlook's reply header to the end of the document
 * (#divRplyFwdMsg, #appendonsend, #mail-editor-reference-message-container,
 * Hotmail's <hr id="stopSpelling">, Outlook desktop's
 * <div style="border:none;border-top:solid ..."> separator).
 */
#ifndef TRUCD_HTML_H
#define TRUCD_HTML_H

#include <stddef.h>

/* Returns a new UTF-8 string ("" for empty input); the caller frees it. */
char	*html_to_text(const char *html, size_t len);

#endif
