/*
 * codes_table.h - what the parts of the code table (codes_basic.c,
 * codes_enhanced.c, codes_text.c, codes_local.c, codes_weigh.c) share:
 * the array length and the sentences more than one entry says. Private to
 * those files.
 *
 * How a reply is weighed (codes_weigh() in codes_weigh.c, the only place
 * that does it). The class comes from the basic code's first digit, else
 * from the enhanced code's, else there is none (text alone); it is never
 * overridden. The category and the words come from the first of these
 * that applies, most specific first:
 *
 *  1. Explicit wording: a specific text pattern of codes_text.c ("mailbox
 *     full", "blocked using zen.spamhaus.org") beats every code, because
 *     servers send 550 and 5.1.1 for almost anything but rarely say
 *     "over quota" when they mean something else.
 *     Then a network code that the words contradict: X.4.0-X.4.2 say
 *     the next host did not answer, so a refusal in generic wording
 *     ("Access denied") outweighs them, unless the words are about the
 *     connection ("Connection refused").
 *  2. A known enhanced code with a detail (X.Y.Z, Z not 0: 5.2.2, 5.7.26)
 *     beats the stage and the basic code. Only X.5.Z (syntax) yields to a
 *     stage, which knows which argument was at fault.
 *  3. The stage the reply answered (codes_stage.c: a 554 at the greeting
 *     is "no service here", a 550 to MAIL FROM a refused sender).
 *  4. The enhanced subject (X.Y.0, or a detail the table does not know):
 *     5.7.x is policy, 5.6.x content, 5.3.x the mail system, 5.1.x an
 *     address. It beats a catch-all basic code (550, 554, 450) or an odd
 *     one (571), not a basic code with a meaning of its own (530 5.7.0
 *     is "authentication required").
 *  5. A basic code with one meaning (552, 530, 421).
 *  6. Generic wording (PAT_WEAK: "denied", "rejected", "blocked"): a
 *     refusal that names no cause is a policy, unless what was refused is
 *     a recipient address.
 *  7. A catch-all basic code's usual reading (550: the mailbox is
 *     unavailable), only when nothing above said anything more specific.
 *  8. The class alone (category unknown), with the enhanced code's words
 *     when the table knows them.
 *
 * Success and intermediate replies keep their own category whatever the
 * words. tests/unit/test_codes.c checks each rule on a table of cases.
 */
#ifndef SMTPPROBE_CODES_TABLE_H
#define SMTPPROBE_CODES_TABLE_H

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Sentences more than one entry says: SAY_ for what a reply means, DO_
 * for what to do. */
#define DO_ALLOW_EXTERNAL "Ask the recipient's admin to allow external senders."
#define DO_ANNOUNCED_ONLY                                                      \
	"Use only the commands and extensions the server announces."
#define DO_ASK_OTHER_ADDRESS                                                   \
	"The address cannot receive mail; ask the recipient for "              \
	"another one."
#define DO_BARRACUDA_DELIST                                                    \
	"Check the IP at https://www.barracudacentral.org/lookups and "        \
	"submit a removal request there once the cause is fixed."
#define DO_CHECK_ROUTING                                                       \
	"Check the address with the recipient; if it is right, their "         \
	"admin must check the server's routing for the domain."
#define DO_CHECK_SPELLING                                                      \
	"Check the spelling of the address with the recipient."
#define DO_FIX_ADDRESS_SYNTAX                                                  \
	"Correct the address: one @, no spaces, a valid domain."
#define DO_FROM_ACCEPTS_MAIL                                                   \
	"Use a --from address in a domain that accepts mail."
#define DO_MS_RESTORE_ACCOUNT                                                  \
	"Secure the account (it is probably compromised) and ask "             \
	"Microsoft support to restore its sending."
#define DO_MS_SNDS                                                             \
	"Send less and more steadily, and watch the IP in Microsoft "          \
	"SNDS (https://sendersupport.olc.protection.outlook.com/snds/)."
#define DO_PUBLISH_DMARC                                                       \
	"Publish a DMARC record (at least p=none) for the From: domain."
#define DO_REENABLE_ACCOUNT                                                    \
	"The account owner must ask the provider to re-enable it."
#define DO_RETRY_NOTHING "Retry later; nothing to fix on your side."
#define DO_RETRY_SPACE	 "Retry later; the receiver's admins must free space."
#define DO_SCAN_ATTACHMENT                                                     \
	"Scan the sending system and the attachment; send the file "           \
	"another way if it is a false positive."
#define DO_SMTPUTF8_CLIENT "Use a client that supports SMTPUTF8."
#define SAY_ADDRESS_SYNTAX                                                     \
	"The server considers the address syntactically invalid."
#define SAY_BARRACUDA                                                          \
	"Barracuda Reputation Block List: the IP has a poor reputation "       \
	"in Barracuda's network."
#define SAY_MALWARE "The receiver's scanner found malware in the message."
#define SAY_MS_ACCOUNT_BANNED                                                  \
	"(Microsoft) The sending account is banned after spam was "            \
	"detected from it."
#define SAY_MS_RATE_LIMIT                                                      \
	"(Microsoft) Outlook.com temporarily rate limits the server "          \
	"because of its IP reputation."
#define SAY_NO_SPACE                                                           \
	"The receiving server is short of disk space for its queue."
#define SAY_RCPT_NULL_MX                                                       \
	"The recipient's domain publishes a null MX (RFC 7505): it "           \
	"accepts no mail at all."
#define SAY_SENDER_NULL_MX                                                     \
	"The sender's domain (MAIL FROM) publishes a null MX, so it "          \
	"cannot receive bounces."
#define SAY_UNRECOGNIZED "The server did not recognize the command."

#endif
