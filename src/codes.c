/*
 * codes.c - the code table: what SMTP replies and local failures mean, in
 * words a mail admin can act on. Pure static data plus lookups; no I/O, no
 * allocation, no global state.
 *
 * Contract (codes.h):
 *  - basic_codes[] is sorted by code and enhanced_codes[] by (subject,
 *    detail), without duplicates; both are searched by bisection. The unit
 *    test checks the order, so keep it when adding entries.
 *  - Categories describe the usual meaning when the reply is a failure; an
 *    enhanced entry does not know the reply's class, so the interpreter
 *    must not take a failure category from it for a 2xx reply.
 *  - patterns[] is scanned in order and the first match wins: keep the
 *    most specific wording first. Needles are matched case-insensitively
 *    (ASCII only) as plain substrings.
 *  - local_errors[] is indexed by enum local_error, so codes_local() is
 *    O(1); the test checks that every value has its entry.
 *
 * Enhanced codes: the IANA "SMTP Enhanced Status Codes" registry (RFC 3463,
 * 3886, 4468, 4954, 5248, 6531, 6710, 7293, 7372, 7505, 8617, 8689 and the
 * X.7.28 registration; the list is tests/data/iana-enhanced-codes.tsv),
 * plus vendor codes marked "(Microsoft)" or "(Gmail)" that real servers
 * send and that the SPEC's categories need.
 *
 * Text patterns: the wording of big receivers, filtering services, MTA
 * defaults and DNSBL citations. tests/data/replies.tsv holds the real
 * replies (with their sources) they were written against; test_replies
 * classifies every one of them through the interpreter.
 */
#include "smtpprobe/codes.h"

#include <stddef.h>
#include <stdlib.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The data tables below are laid out by hand; clang-format would pull
 * them apart. */
/* clang-format off */

/* ------------------------------------------------------------------ */
/* Basic three-digit codes                                             */
/* ------------------------------------------------------------------ */

static const struct code_info basic_codes[] = {
	{ 101, CAT_NETWORK,
	  "Not a reply from a server: some mail tools print 101 when they "
	  "could not open a connection at all.",
	  "The host name did not resolve, the address or port is wrong, or a "
	  "firewall blocks the outgoing connection.",
	  "Check the server name and port, then whether this network lets "
	  "you connect out on that port (many ISPs and clouds block port "
	  "25)." },
	{ 111, CAT_NETWORK,
	  "Not a reply from a server: some mail tools print 111 (ECONNREFUSED "
	  "on Linux) when the connection was refused.",
	  "Nothing listens on that address and port, or a firewall answers "
	  "the connection attempt with a reset.",
	  "Check that the mail service runs and listens on that address and "
	  "port, and that no firewall rejects your address." },
	{ 200, CAT_SUCCESS,
	  "Non-standard success reply (RFC 876) that a few old servers send "
	  "instead of 250.",
	  "The server accepted the command.",
	  "Nothing to fix." },
	{ 211, CAT_SUCCESS,
	  "System status or help reply.",
	  "The server answered a status or HELP request.",
	  "Nothing to fix." },
	{ 214, CAT_SUCCESS,
	  "Help text meant for a human reader.",
	  "The server answered a HELP command.",
	  "Nothing to fix." },
	{ 220, CAT_SUCCESS,
	  "The service is ready: the greeting, or the go-ahead to start TLS "
	  "after STARTTLS.",
	  "The server accepted the connection (or the STARTTLS command).",
	  "Nothing to fix." },
	{ 221, CAT_SUCCESS,
	  "The server is closing the connection.",
	  "The client sent QUIT, or the server ends the session in good order.",
	  "Nothing to fix." },
	{ 235, CAT_SUCCESS,
	  "Authentication succeeded.",
	  "The server accepted the user name and password (or other "
	  "credentials) given with AUTH.",
	  "Nothing to fix." },
	{ 250, CAT_SUCCESS,
	  "The requested action was completed.",
	  "The server accepted the command (for RCPT TO: it will take mail "
	  "for this recipient).",
	  "Nothing to fix." },
	{ 251, CAT_SUCCESS,
	  "The recipient is not local, but the server will forward the "
	  "message.",
	  "The server knows where the mailbox has moved and relays to it.",
	  "Nothing to fix; update the address if the reply names a new one." },
	{ 252, CAT_SUCCESS,
	  "The server cannot verify the user but will accept the message and "
	  "try to deliver it.",
	  "VRFY is disabled, or the server cannot check the mailbox at this "
	  "point.",
	  "Nothing to fix; a later bounce is still possible." },
	{ 334, CAT_INTERMEDIATE,
	  "The server waits for the next step of an AUTH exchange (a base64 "
	  "challenge or prompt).",
	  "An authentication exchange is in progress.",
	  "Nothing to fix; the client answers the challenge." },
	{ 354, CAT_INTERMEDIATE,
	  "The server is ready for the message content after DATA.",
	  "DATA was accepted; smtpprobe never sends DATA, so this is only "
	  "seen when explaining other transcripts.",
	  "Nothing to fix." },
	{ 420, CAT_SERVICE_UNAVAILABLE,
	  "Non-standard: a timeout or connection problem on the receiving "
	  "side.",
	  "The receiving server or a proxy in front of it timed out or lost "
	  "the connection, often under load.",
	  "Retry later; if it persists, look for a proxy or firewall between "
	  "the two servers that cuts connections." },
	{ 421, CAT_SERVICE_UNAVAILABLE,
	  "The service is not available and the server closes the connection.",
	  "The server is overloaded, restarting, or refusing this client for "
	  "now (often connection-rate limits or a temporary block).",
	  "Retry later; if every attempt gets 421, read the reply text for a "
	  "reason such as a rate limit or a block and act on that." },
	{ 422, CAT_MAILBOX_FULL,
	  "Non-standard: the recipient's mailbox has exceeded its storage "
	  "limit.",
	  "The mailbox is full.",
	  "Retry later, and tell the recipient by another channel to free "
	  "space." },
	{ 431, CAT_STORAGE,
	  "Non-standard (Exchange): the receiving server is short of disk "
	  "space or memory.",
	  "The server's queue or mailbox store has run out of resources.",
	  "Retry later; the receiver's administrators must free resources if "
	  "it persists." },
	{ 432, CAT_AUTH_FAILED,
	  "A password transition is needed before this authentication "
	  "mechanism can be used (RFC 4954, 4.7.12).",
	  "The account's stored credentials must be upgraded, typically by "
	  "logging in once with PLAIN over TLS (Exchange also sends 432 "
	  "4.3.2 when it throttles a busy recipient mailbox).",
	  "Log in once with the PLAIN mechanism over TLS, then retry; for "
	  "4.3.2, just retry later." },
	{ 441, CAT_ROUTING,
	  "Non-standard: the next server on the path did not answer (4.4.1).",
	  "The receiving side could not reach the host it relays to.",
	  "Retry later; the receiver's administrators must check the next "
	  "hop if it persists." },
	{ 442, CAT_ROUTING,
	  "Non-standard: the connection was dropped during the transfer "
	  "(4.4.2).",
	  "A network problem or an overloaded server broke the connection "
	  "mid-session.",
	  "Retry later; if it recurs, look for a firewall or proxy that cuts "
	  "long or idle SMTP sessions." },
	{ 446, CAT_ROUTING,
	  "Non-standard: the maximum hop count was exceeded, so the message "
	  "is looping.",
	  "Two servers forward the message to each other, usually through a "
	  "forwarding rule or MX/routing misconfiguration.",
	  "Check the forwarding rules and MX records of the recipient domain "
	  "for a loop." },
	{ 447, CAT_ROUTING,
	  "Non-standard: delivery timed out on the way to the next server "
	  "(4.4.7).",
	  "The message stayed in a queue past its lifetime because the next "
	  "hop did not accept it.",
	  "Check that the recipient domain's mail servers are reachable and "
	  "accept mail, then resend." },
	{ 449, CAT_ROUTING,
	  "Non-standard (Exchange): a routing error.",
	  "The server could not decide where to send the message, typically "
	  "a connector or DNS problem on the receiving side.",
	  "Tell the receiver's administrators; the fix is in their routing "
	  "configuration." },
	{ 450, CAT_POLICY,
	  "The action was not taken because the mailbox is unavailable for "
	  "now (busy, or temporarily blocked by a policy check).",
	  "Typical reasons are greylisting, a failed reverse-DNS or sender "
	  "domain lookup, or a recipient check that could not finish.",
	  "Let the sending MTA retry; if it persists, the reply text names "
	  "the check that failed." },
	{ 451, CAT_SERVICE_UNAVAILABLE,
	  "The action was aborted because of a local error in processing on "
	  "the server.",
	  "The receiving server had an internal problem (a lookup table, "
	  "content scanner or DNS lookup failed); greylisting servers also "
	  "answer 451, usually saying so in the text.",
	  "Let the sending MTA retry; if it persists, send the reply text to "
	  "the receiver's administrators." },
	{ 452, CAT_STORAGE,
	  "The action was not taken because of insufficient system storage "
	  "(also used for too many recipients).",
	  "The server's disk or queue is full, or the message has more "
	  "recipients than it takes in one transaction.",
	  "Retry later (with fewer recipients per message if the text says "
	  "so)." },
	{ 454, CAT_SERVICE_UNAVAILABLE,
	  "A temporary failure on the server side: TLS not available (after "
	  "STARTTLS) or authentication not possible (after AUTH).",
	  "The server's TLS setup (certificate, key) or its authentication "
	  "back end is broken or overloaded.",
	  "Retry later; if it persists, the receiver must fix its TLS "
	  "certificate or authentication service." },
	{ 455, CAT_PROTOCOL,
	  "The server cannot accommodate the parameters given with MAIL FROM "
	  "or RCPT TO for now.",
	  "An ESMTP parameter (SIZE, DSN options and so on) cannot be honoured "
	  "at the moment.",
	  "Retry later, or send without the parameter." },
	{ 458, CAT_ROUTING,
	  "The server cannot queue messages for the requested node (ETRN, RFC "
	  "1985).",
	  "The backup server has no queue for that domain or cannot start it.",
	  "Check the ETRN setup between the primary and backup mail servers." },
	{ 459, CAT_POLICY,
	  "The requested node is not allowed to use ETRN (RFC 1985).",
	  "The server's policy refuses queue runs for that domain or client.",
	  "Ask the server's administrators to permit ETRN for that domain." },
	{ 500, CAT_PROTOCOL,
	  "Syntax error: the command was not recognized (or the line was too "
	  "long).",
	  "The client sent something the server does not understand, or a "
	  "proxy in between mangled the command.",
	  "Check for a firewall doing SMTP inspection (Cisco 'fixup smtp' is a "
	  "known culprit); otherwise report it to the client's developers." },
	{ 501, CAT_PROTOCOL,
	  "Syntax error in the parameters or arguments of the command.",
	  "An address, HELO name or parameter is malformed for this server.",
	  "Read the reply text for the argument it rejects and correct it." },
	{ 502, CAT_PROTOCOL,
	  "The command is not implemented.",
	  "The server does not support this command (for example VRFY or "
	  "AUTH on a port where it is not offered).",
	  "Use only the extensions the server announces in its EHLO reply." },
	{ 503, CAT_PROTOCOL,
	  "Bad sequence of commands.",
	  "A command came out of order (RCPT before MAIL, MAIL before EHLO), "
	  "or an earlier command was rejected.",
	  "Look at the previous reply in the transcript: it usually explains "
	  "why this command was out of place." },
	{ 504, CAT_PROTOCOL,
	  "A command parameter is not implemented.",
	  "The server does not support the parameter given (for example an "
	  "AUTH mechanism), or rejects the HELO name's form.",
	  "Use a parameter the server announces, or fix the HELO name if the "
	  "text mentions it." },
	{ 510, CAT_MAILBOX_UNKNOWN,
	  "Non-standard: bad email address.",
	  "The recipient address does not exist at that domain, often a typo.",
	  "Check the spelling of the address with the recipient." },
	{ 511, CAT_MAILBOX_UNKNOWN,
	  "Non-standard: bad destination mailbox address.",
	  "The mailbox does not exist at the receiving server.",
	  "Check the spelling of the address with the recipient." },
	{ 512, CAT_DOMAIN_UNKNOWN,
	  "Non-standard: the recipient's host or domain could not be found.",
	  "The domain has no DNS records for mail, or it is misspelled.",
	  "Check the domain's spelling and its MX records." },
	{ 513, CAT_BAD_ADDRESS,
	  "Non-standard: the address type or syntax is incorrect.",
	  "The address is malformed (missing @, bad characters, or a local "
	  "part the server does not accept).",
	  "Correct the address syntax." },
	{ 521, CAT_SERVICE_UNAVAILABLE,
	  "This host does not accept mail at all (RFC 7504).",
	  "The host is not a mail server for anyone, or refuses this client "
	  "entirely.",
	  "Check that you are connecting to the domain's real MX hosts." },
	{ 523, CAT_MESSAGE_TOO_LARGE,
	  "Non-standard: the message is larger than the receiver accepts "
	  "(RFC 5248 examples also use 523 for 'encryption needed').",
	  "The size limit of the receiving server or mailbox is lower than "
	  "the message size.",
	  "Send a smaller message (share large files by link instead)." },
	{ 525, CAT_MAILBOX_DISABLED,
	  "The user account is disabled (RFC 5248, 5.7.13).",
	  "An administrator disabled the account (non-payment, abuse, "
	  "suspected break-in).",
	  "The account owner must ask the provider to re-enable it." },
	{ 530, CAT_AUTH_REQUIRED,
	  "Access denied: authentication (or TLS) is required first.",
	  "The server only accepts this command from authenticated clients, "
	  "or only over an encrypted connection.",
	  "Authenticate (--auth) over TLS, or, if the text asks for STARTTLS, "
	  "start TLS first." },
	{ 531, CAT_STORAGE,
	  "Non-standard: the receiving mail system is full.",
	  "The server's storage is exhausted.",
	  "Tell the receiver's administrators; retry once they free space." },
	{ 534, CAT_AUTH_FAILED,
	  "The chosen authentication mechanism is too weak for this server "
	  "(RFC 4954, 5.7.9).",
	  "The server's policy requires a stronger mechanism for this user; "
	  "Gmail also sends 534 when it wants an app password or OAuth.",
	  "Use a stronger mechanism, or the app password / OAuth login the "
	  "provider asks for." },
	{ 535, CAT_AUTH_FAILED,
	  "Authentication credentials are invalid (RFC 4954, 5.7.8).",
	  "Wrong user name or password, a locked account, or a provider that "
	  "requires an app password.",
	  "Check the user name and password (SMTPPROBE_PASSWORD), and whether "
	  "the provider requires an app password or OAuth." },
	{ 538, CAT_TLS_REQUIRED,
	  "This authentication mechanism requires an encrypted connection "
	  "(RFC 4954, 5.7.11).",
	  "AUTH was attempted before TLS was started.",
	  "Start TLS (STARTTLS or port 465) before authenticating." },
	{ 541, CAT_CONTENT_REJECTED,
	  "Non-standard: the recipient's server rejected the message, "
	  "typically through its anti-spam filter.",
	  "Content, sender or IP matched the receiver's filter rules.",
	  "Read the reply text for the rule and ask the recipient to "
	  "whitelist you if the mail is legitimate." },
	{ 550, CAT_MAILBOX_UNKNOWN,
	  "The action was not taken: the mailbox is unavailable (most often it "
	  "does not exist; also used for policy rejections).",
	  "After RCPT TO this usually means no such user; after MAIL FROM or "
	  "at the greeting it is a policy rejection of the sender or IP.",
	  "At RCPT TO check the address with the recipient; otherwise read the "
	  "reply text for the policy that rejected you." },
	{ 551, CAT_RELAY_DENIED,
	  "The user is not local (RFC 5321); servers mostly use 551 to refuse "
	  "relaying.",
	  "The server is not responsible for the recipient's domain and will "
	  "not pass the mail on.",
	  "Send to the recipient domain's own MX hosts, or authenticate if "
	  "this is your submission server." },
	{ 552, CAT_MAILBOX_FULL,
	  "The action was aborted: exceeded storage allocation (mailbox full, "
	  "or message too large).",
	  "The recipient's mailbox quota is used up, or the message exceeds a "
	  "size limit.",
	  "Ask the recipient to free space; if the text mentions size, send a "
	  "smaller message." },
	{ 553, CAT_BAD_ADDRESS,
	  "The action was not taken: the mailbox name is not allowed.",
	  "The address syntax is wrong, or the server refuses that sender or "
	  "recipient address by policy.",
	  "Check the address syntax; if it is valid, read the text for the "
	  "policy involved." },
	{ 554, CAT_POLICY,
	  "Transaction failed; at the greeting it means 'no SMTP service "
	  "here' for this client.",
	  "A policy rejected the client, sender or recipient (blocklists and "
	  "relay refusals often use 554).",
	  "Read the reply text for the reason (blocklist, relay, content) and "
	  "follow its remedy." },
	{ 555, CAT_PROTOCOL,
	  "MAIL FROM or RCPT TO parameters were not recognized or not "
	  "implemented.",
	  "The client used an ESMTP parameter the server did not announce.",
	  "Send only the parameters listed in the server's EHLO reply." },
	{ 556, CAT_SERVICE_UNAVAILABLE,
	  "The domain does not accept mail (RFC 7504).",
	  "The recipient domain publishes no mail service (for example a null "
	  "MX) and an intermediate server reports it.",
	  "Check the recipient's domain; it cannot receive mail as "
	  "configured." },
	{ 571, CAT_POLICY,
	  "Non-standard (old IIS and Exchange): delivery not authorized, "
	  "often with 'unable to relay'.",
	  "The server refuses the sender or the relay attempt by policy.",
	  "Send to the recipient domain's MX hosts, or authenticate on your "
	  "own submission server." },
};

/* ------------------------------------------------------------------ */
/* Enhanced codes (subject.detail)                                     */
/* ------------------------------------------------------------------ */

/* Microsoft 365 / Outlook.com 5.7.606-5.7.649: the same meaning for the
 * whole range. */
#define MS_BANNED_MEANING \
	"(Microsoft) Access denied, banned sending IP: the connecting IP " \
	"is on Microsoft's own blocklist (451 4.7.500-699 is its throttling " \
	"of new senders instead)."
#define MS_BANNED_REMEDY \
	"Request delisting at https://sender.office.com after stopping " \
	"whatever sent spam from that IP; a 4xx in this range only needs " \
	"slow, steady sending."
#define MS_BANNED(d) { 7, (d), CAT_IP_BLOCKLISTED, MS_BANNED_MEANING, \
		       MS_BANNED_REMEDY }
#define MS_BANNED4(d) MS_BANNED(d), MS_BANNED((d) + 1), MS_BANNED((d) + 2), \
		      MS_BANNED((d) + 3)

static const struct enhanced_info enhanced_codes[] = {
	/* X.0 other */
	{ 0, 0, CAT_UNKNOWN,
	  "Other or undefined status: only the class (success, temporary, "
	  "permanent) is known.",
	  "Read the reply text; the code itself says nothing more." },
	{ 0, 350, CAT_POLICY,
	  "(Microsoft) A generic rejection by the recipient's organisation, "
	  "for example a rule about nested attachments or a header that is "
	  "too long.",
	  "Read the text that follows the code; the recipient's admin can "
	  "tell which rule matched." },
	/* X.1 addressing */
	{ 1, 0, CAT_BAD_ADDRESS,
	  "Something about an address (sender or recipient) caused the "
	  "problem.",
	  "Check both addresses for typos and read the reply text." },
	{ 1, 1, CAT_MAILBOX_UNKNOWN,
	  "Bad destination mailbox: the part left of the @ does not exist at "
	  "that domain.",
	  "Check the spelling with the recipient by another channel." },
	{ 1, 2, CAT_DOMAIN_UNKNOWN,
	  "Bad destination system: the part right of the @ does not exist or "
	  "cannot take mail.",
	  "Check the domain's spelling and that it has working MX records." },
	{ 1, 3, CAT_BAD_ADDRESS,
	  "The destination address is syntactically invalid.",
	  "Correct the address format (one @, no spaces or stray "
	  "characters)." },
	{ 1, 4, CAT_BAD_ADDRESS,
	  "The destination address is ambiguous: it matches more than one "
	  "mailbox.",
	  "Use the recipient's full, exact address." },
	{ 1, 5, CAT_SUCCESS,
	  "The destination address is valid.",
	  "Nothing to fix." },
	{ 1, 6, CAT_MAILBOX_UNKNOWN,
	  "The mailbox has moved and there is no forwarding address.",
	  "Ask the recipient for their new address." },
	{ 1, 7, CAT_BAD_ADDRESS,
	  "The sender's address (MAIL FROM) is syntactically invalid.",
	  "Correct the reverse-path given with --from." },
	{ 1, 8, CAT_BAD_ADDRESS,
	  "The sender's domain (MAIL FROM) does not exist or cannot receive "
	  "mail, so bounces could not be returned.",
	  "Use a sender address whose domain has MX or A records." },
	{ 1, 9, CAT_SUCCESS,
	  "The message was relayed to a system that does not support "
	  "delivery reports (RFC 3886).",
	  "Nothing to fix; further delivery status may not be reported." },
	{ 1, 10, CAT_DOMAIN_UNKNOWN,
	  "The recipient domain has a null MX (RFC 7505): it declares that it "
	  "accepts no mail.",
	  "The address cannot receive mail; ask the recipient for another "
	  "one." },
	/* X.2 mailbox */
	{ 2, 0, CAT_UNKNOWN,
	  "Something about the recipient's mailbox caused the problem "
	  "(greylisting also often uses 4.2.0).",
	  "Read the reply text; for a 4xx, let the sending MTA retry." },
	{ 2, 1, CAT_MAILBOX_DISABLED,
	  "The mailbox exists but is disabled and does not accept messages.",
	  "Contact the recipient by another channel; the account may be "
	  "closed or suspended." },
	{ 2, 2, CAT_MAILBOX_FULL,
	  "The recipient's mailbox is full.",
	  "Retry later and tell the recipient to free space." },
	{ 2, 3, CAT_MESSAGE_TOO_LARGE,
	  "The message is larger than the recipient's per-message limit.",
	  "Send a smaller message or share large files by link." },
	{ 2, 4, CAT_ROUTING,
	  "The recipient is a mailing list whose expansion failed.",
	  "Tell the list's owner; the list configuration is broken." },
	{ 2, 121, CAT_RATE_LIMITED,
	  "(Microsoft) The sender exceeded the number of messages one "
	  "recipient may receive from it per hour.",
	  "Send fewer messages per hour to this recipient (batch automated "
	  "notifications)." },
	{ 2, 122, CAT_RATE_LIMITED,
	  "(Microsoft) The recipient exceeded the number of messages it may "
	  "receive per hour from all senders.",
	  "Retry later; nothing to fix on your side." },
	/* X.3 mail system */
	{ 3, 0, CAT_SERVICE_UNAVAILABLE,
	  "Something on the receiving mail system caused the problem.",
	  "Retry later; report it to the receiver if it persists." },
	{ 3, 1, CAT_STORAGE,
	  "The receiving mail system is out of storage.",
	  "Retry later; the receiver's administrators must free space." },
	{ 3, 2, CAT_SERVICE_UNAVAILABLE,
	  "The receiving system is not accepting network messages (shutting "
	  "down or overloaded).",
	  "Retry later." },
	{ 3, 3, CAT_PROTOCOL,
	  "The receiving system cannot provide a feature the message needs.",
	  "Send without the feature (for example 8BITMIME or DSN options)." },
	{ 3, 4, CAT_MESSAGE_TOO_LARGE,
	  "The message is larger than the receiving system accepts.",
	  "Send a smaller message; the SIZE value in the EHLO reply is the "
	  "limit." },
	{ 3, 5, CAT_SERVICE_UNAVAILABLE,
	  "The receiving system is incorrectly configured.",
	  "Report it to the receiver's administrators with the reply text." },
	{ 3, 6, CAT_SUCCESS,
	  "The requested priority was changed (RFC 6710 MT-PRIORITY).",
	  "Nothing to fix; the message travels at another priority." },
	/* X.4 network and routing */
	{ 4, 0, CAT_ROUTING,
	  "Something on the network or in routing caused the problem.",
	  "Retry later; check the recipient domain's MX records if it "
	  "persists." },
	{ 4, 1, CAT_ROUTING,
	  "No answer from the next host: the connection attempt timed out.",
	  "Check that the next hop is up and reachable on port 25." },
	{ 4, 2, CAT_ROUTING,
	  "The connection to the next host broke during the transfer.",
	  "Retry later; look for firewalls cutting SMTP sessions." },
	{ 4, 3, CAT_ROUTING,
	  "A directory or DNS lookup failed while routing the message.",
	  "Retry later; check the recipient domain's DNS if it persists." },
	{ 4, 4, CAT_ROUTING,
	  "Unable to route: no usable mail host was found for the "
	  "destination.",
	  "Check the recipient domain's MX and A/AAAA records." },
	{ 4, 5, CAT_ROUTING,
	  "The mail system is congested and cannot take the message now.",
	  "Retry later." },
	{ 4, 6, CAT_ROUTING,
	  "A routing loop was detected: the message passed the same hosts "
	  "too many times.",
	  "Look for forwarding rules or MX/smarthost settings that send the "
	  "mail in a circle." },
	{ 4, 7, CAT_ROUTING,
	  "The delivery time expired before the message could be delivered.",
	  "Find why the destination was unreachable for so long, then "
	  "resend." },
	{ 4, 14, CAT_ROUTING,
	  "(Microsoft) A routing loop was detected: the message went round "
	  "between the same servers too many times.",
	  "Check forwarding rules, connectors and MX records on both sides "
	  "for the cycle." },
	{ 4, 300, CAT_ROUTING,
	  "(Microsoft) The message expired in the queue: the destination "
	  "never accepted it in time.",
	  "Find why the destination was unreachable, then resend." },
	{ 4, 310, CAT_DOMAIN_UNKNOWN,
	  "(Microsoft) The recipient's domain does not exist in DNS.",
	  "Check the domain's spelling and its registration." },
	/* X.5 protocol */
	{ 5, 0, CAT_PROTOCOL,
	  "A problem in the SMTP dialogue itself.",
	  "Read the reply text for the command it objects to." },
	{ 5, 1, CAT_PROTOCOL,
	  "Invalid command: not recognized, not allowed here, or out of "
	  "sequence.",
	  "Check the command order in the transcript." },
	{ 5, 2, CAT_PROTOCOL,
	  "Syntax error in a command (Postfix also uses 5.5.2 for a rejected "
	  "HELO name).",
	  "Correct the command or, if the text names HELO, the --helo name." },
	{ 5, 3, CAT_RATE_LIMITED,
	  "Too many recipients for one message.",
	  "Split the recipients over several messages." },
	{ 5, 4, CAT_PROTOCOL,
	  "Invalid command arguments.",
	  "Correct the argument the reply text names." },
	{ 5, 5, CAT_PROTOCOL,
	  "Wrong protocol version.",
	  "Use a protocol the server supports (SMTP, ESMTP, LMTP)." },
	{ 5, 6, CAT_PROTOCOL,
	  "An authentication exchange line is too long (RFC 4954).",
	  "Use a shorter initial response or another mechanism." },
	/* X.6 message content or media */
	{ 6, 0, CAT_CONTENT_REJECTED,
	  "Something about the message content caused the problem.",
	  "Read the reply text for the part of the content it objects to." },
	{ 6, 1, CAT_CONTENT_REJECTED,
	  "A media type in the message is not supported at the destination.",
	  "Send the content in another format." },
	{ 6, 2, CAT_CONTENT_REJECTED,
	  "A conversion is needed but prohibited by the message or the "
	  "sender.",
	  "Send the content in a form the destination accepts." },
	{ 6, 3, CAT_CONTENT_REJECTED,
	  "A conversion is needed but not supported (for example 8-bit to "
	  "7-bit).",
	  "Send the message encoded as 7-bit (base64 or quoted-printable)." },
	{ 6, 4, CAT_CONTENT_REJECTED,
	  "A conversion was done with loss of data (a warning on success, an "
	  "error if lossy conversion was forbidden).",
	  "Send content that needs no conversion." },
	{ 6, 5, CAT_CONTENT_REJECTED,
	  "A required conversion failed.",
	  "Send the content in a simpler format." },
	{ 6, 6, CAT_CONTENT_REJECTED,
	  "The message content could not be fetched from a remote system "
	  "(BURL, RFC 4468).",
	  "Check the URL and access rights for the referenced content." },
	{ 6, 7, CAT_BAD_ADDRESS,
	  "Non-ASCII addresses are not permitted for that sender or "
	  "recipient (RFC 6531).",
	  "Use an ASCII address, or a path whose servers support SMTPUTF8." },
	{ 6, 8, CAT_PROTOCOL,
	  "A UTF-8 reply is required but the client did not allow it (RFC "
	  "6531).",
	  "Use a client that supports SMTPUTF8." },
	{ 6, 9, CAT_PROTOCOL,
	  "A message with UTF-8 header fields cannot be passed on because "
	  "the next hop lacks SMTPUTF8 (RFC 6531).",
	  "Send the message with ASCII headers, or via SMTPUTF8-capable "
	  "servers." },
	{ 6, 10, CAT_PROTOCOL,
	  "A UTF-8 reply is required but the client did not allow it (a "
	  "deprecated duplicate of X.6.8).",
	  "Use a client that supports SMTPUTF8." },
	/* X.7 security or policy */
	{ 7, 0, CAT_POLICY,
	  "A security or policy reason, not further specified.",
	  "Read the reply text for the policy; it often names the fix." },
	{ 7, 1, CAT_POLICY,
	  "Delivery not authorized, message refused: the receiver's policy "
	  "does not let this sender or host send to this recipient.",
	  "Read the reply text for the reason (relay, blocklist, sender "
	  "policy) and fix that cause." },
	{ 7, 2, CAT_POLICY,
	  "The sender may not send to this mailing list.",
	  "Ask the list owner to allow your address." },
	{ 7, 3, CAT_POLICY,
	  "A conversion between secure messaging formats was required but "
	  "not possible (Exchange also uses 5.7.3 for failed AUTH).",
	  "Send without the security wrapping, or check the credentials if "
	  "this answered AUTH." },
	{ 7, 4, CAT_POLICY,
	  "A security feature the message or session needs is not supported.",
	  "Send without that feature, or use a server that supports it." },
	{ 7, 5, CAT_POLICY,
	  "A cryptographic operation failed (a key was missing or invalid).",
	  "Check certificates and keys on both sides." },
	{ 7, 6, CAT_POLICY,
	  "A cryptographic algorithm is not supported.",
	  "Use an algorithm both sides support." },
	{ 7, 7, CAT_POLICY,
	  "Message integrity check failed: the message was altered in "
	  "transit.",
	  "Find what modifies the message on the way (gateway, footer)." },
	{ 7, 8, CAT_AUTH_FAILED,
	  "Authentication credentials are invalid (RFC 4954).",
	  "Check the user name and password, or the app password the "
	  "provider requires." },
	{ 7, 9, CAT_AUTH_FAILED,
	  "The authentication mechanism is too weak for this server (RFC "
	  "4954).",
	  "Use a stronger mechanism." },
	{ 7, 10, CAT_TLS_REQUIRED,
	  "Encryption is needed before this can proceed (RFC 5248).",
	  "Start TLS first (STARTTLS or port 465)." },
	{ 7, 11, CAT_TLS_REQUIRED,
	  "The authentication mechanism requires an encrypted connection "
	  "(RFC 4954).",
	  "Start TLS before AUTH." },
	{ 7, 12, CAT_AUTH_FAILED,
	  "A password transition is needed (RFC 4954).",
	  "Log in once with PLAIN over TLS so the server can upgrade the "
	  "stored credentials." },
	{ 7, 13, CAT_MAILBOX_DISABLED,
	  "The user account is disabled (RFC 5248).",
	  "The account owner must ask the provider to re-enable it." },
	{ 7, 14, CAT_POLICY,
	  "A trust relationship with a third-party server is required (RFC "
	  "5248, BURL).",
	  "Configure the trust between submission and IMAP servers." },
	{ 7, 15, CAT_POLICY,
	  "The message's priority is too low for the receiver right now (RFC "
	  "6710).",
	  "Retry later or send with a higher MT-PRIORITY." },
	{ 7, 16, CAT_MESSAGE_TOO_LARGE,
	  "The message is too big for its priority (RFC 6710).",
	  "Send a smaller message or at another priority." },
	{ 7, 17, CAT_MAILBOX_UNKNOWN,
	  "The mailbox owner has changed since the date the sender gave (RFC "
	  "7293 RRVS).",
	  "Confirm with the intended person that the address is still "
	  "theirs." },
	{ 7, 18, CAT_DOMAIN_UNKNOWN,
	  "The domain owner has changed since the date the sender gave (RFC "
	  "7293 RRVS).",
	  "Confirm the recipient's current address by another channel." },
	{ 7, 19, CAT_POLICY,
	  "The RRVS test cannot be completed (RFC 7293).",
	  "Decide whether to resend without RRVS protection." },
	{ 7, 20, CAT_SENDER_AUTH,
	  "No passing DKIM signature was found (RFC 7372).",
	  "Sign outgoing mail with DKIM and check the selector's DNS record." },
	{ 7, 21, CAT_SENDER_AUTH,
	  "No acceptable DKIM signature was found (RFC 7372).",
	  "Sign with a key and algorithm the receiver accepts (2048-bit RSA "
	  "or Ed25519 alongside RSA)." },
	{ 7, 22, CAT_SENDER_AUTH,
	  "No valid DKIM signature matches the author's (From:) domain (RFC "
	  "7372).",
	  "Sign with the domain of the From: address (d= must align)." },
	{ 7, 23, CAT_SENDER_AUTH,
	  "SPF validation failed: the sending IP is not authorized by the "
	  "sender domain's SPF record.",
	  "Add the sending server to the domain's SPF record, or send "
	  "through a server it already lists." },
	{ 7, 24, CAT_SENDER_AUTH,
	  "SPF validation hit an error (a broken record or DNS failure).",
	  "Fix the SPF record (syntax, at most 10 DNS lookups, a single TXT "
	  "record)." },
	{ 7, 25, CAT_REVERSE_DNS,
	  "Reverse DNS validation failed: the sending IP has no PTR record, "
	  "or its name does not resolve back to it.",
	  "Ask the owner of the IP (your ISP or host) to set a PTR whose name "
	  "resolves back to the IP." },
	{ 7, 26, CAT_SENDER_AUTH,
	  "Several authentication checks failed (SPF, DKIM, DMARC; Gmail "
	  "uses 5.7.26 for DMARC failures).",
	  "Make SPF and DKIM pass and align with the From: domain." },
	{ 7, 27, CAT_SENDER_AUTH,
	  "The sender's domain has a null MX, so it could not receive bounces "
	  "(RFC 7505; Gmail uses 7.27 for SPF failures).",
	  "Use a sender domain that accepts mail; if the text mentions SPF, "
	  "fix the SPF record." },
	{ 7, 28, CAT_RATE_LIMITED,
	  "Mail flood detected: the receiver sees an abnormal volume of "
	  "similar mail from this source.",
	  "Slow down and check for a compromised account or script sending "
	  "in bulk." },
	{ 7, 29, CAT_SENDER_AUTH,
	  "ARC validation failed (RFC 8617).",
	  "The forwarding intermediary's ARC sealing must be fixed." },
	{ 7, 30, CAT_TLS_REQUIRED,
	  "REQUIRETLS support is required but the next hop lacks it (RFC "
	  "8689; Gmail uses 7.30 for DKIM failures).",
	  "Route the message through servers that support REQUIRETLS; if the "
	  "text mentions DKIM, fix DKIM signing." },
	{ 7, 31, CAT_SENDER_AUTH,
	  "(Gmail) The sender's domain has no DMARC policy, which Gmail "
	  "requires of bulk senders.",
	  "Publish a DMARC record (at least p=none) for the From: domain." },
	/* Vendor codes seen in the wild */
	{ 7, 32, CAT_SENDER_AUTH,
	  "(Gmail) The From: domain is not aligned with the domain that "
	  "passed SPF or DKIM.",
	  "Sign with DKIM for the From: domain, or send with a MAIL FROM "
	  "domain that matches it." },
	{ 7, 40, CAT_SENDER_AUTH,
	  "(Gmail) The sender's domain has no usable DMARC record.",
	  "Publish a DMARC record (at least p=none) for the From: domain." },
	{ 7, 54, CAT_RELAY_DENIED,
	  "(Microsoft) Unable to relay: the recipient's domain is not an "
	  "accepted domain on this server.",
	  "Send to the recipient domain's own MX hosts, or have the admin add "
	  "the domain or a relay connector." },
	{ 7, 57, CAT_AUTH_REQUIRED,
	  "(Microsoft) The client was not authenticated to send anonymous "
	  "mail (a submission endpoint such as smtp.office365.com).",
	  "Authenticate (--auth) or probe the domain's MX host instead." },
	{ 7, 60, CAT_POLICY,
	  "(Microsoft) The authenticated user may not send as this sender "
	  "address.",
	  "Use the mailbox's own address or grant Send As permission." },
	{ 7, 64, CAT_RELAY_DENIED,
	  "(Microsoft) TenantAttribution: relay access denied because no "
	  "inbound connector matches this connection.",
	  "Fix the Microsoft 365 inbound connector (IP or certificate) used "
	  "for relaying." },
	{ 7, 124, CAT_POLICY,
	  "(Microsoft) The sender is not in the recipient group's "
	  "allowed-senders list.",
	  "Ask the group owner to allow external or your specific sender." },
	{ 7, 133, CAT_POLICY,
	  "(Microsoft) The recipient group only accepts mail from senders "
	  "inside its organisation.",
	  "Ask the group owner or the recipient's admin to allow external "
	  "senders." },
	{ 7, 134, CAT_POLICY,
	  "(Microsoft) The recipient mailbox only accepts mail from senders "
	  "inside its organisation.",
	  "Ask the recipient's admin to allow external senders." },
	{ 7, 135, CAT_POLICY,
	  "(Microsoft) The recipient public folder only accepts mail from "
	  "senders inside its organisation.",
	  "Ask the recipient's admin to allow external senders." },
	{ 7, 136, CAT_POLICY,
	  "(Microsoft) The recipient mail user only accepts mail from "
	  "senders inside its organisation.",
	  "Ask the recipient's admin to allow external senders." },
	{ 7, 139, CAT_AUTH_FAILED,
	  "(Microsoft) Authentication unsuccessful: SMTP AUTH is disabled for "
	  "the tenant or mailbox, or security defaults block it.",
	  "A Microsoft 365 admin must enable Authenticated SMTP for the "
	  "mailbox or use another sending method." },
	{ 7, 350, CAT_CONTENT_REJECTED,
	  "(Microsoft) The remote server Microsoft 365 delivered to rejected "
	  "the message as spam; its own reply follows the code.",
	  "Read the remote reply quoted after the code; ask the recipient to "
	  "allow your address if the mail is wanted." },
	{ 7, 500, CAT_REPUTATION,
	  "(Microsoft) 4.7.500-699: Microsoft 365 temporarily restricts mail "
	  "from this source after detecting suspicious activity or a new, "
	  "unknown sending pattern.",
	  "Let the MTA retry and keep the volume low and steady; the "
	  "restriction lifts when the traffic proves legitimate." },
	{ 7, 501, CAT_REPUTATION,
	  "(Microsoft) The sending account is banned after spam was detected "
	  "from it.",
	  "Secure the account (it is probably compromised) and ask Microsoft "
	  "support to restore its sending." },
	{ 7, 502, CAT_REPUTATION,
	  "(Microsoft) The sending account is banned after spam was detected "
	  "from it.",
	  "Secure the account (it is probably compromised) and ask Microsoft "
	  "support to restore its sending." },
	{ 7, 503, CAT_REPUTATION,
	  "(Microsoft) The sending account is banned after spam was detected "
	  "from it.",
	  "Secure the account (it is probably compromised) and ask Microsoft "
	  "support to restore its sending." },
	{ 7, 504, CAT_MAILBOX_UNKNOWN,
	  "(Microsoft) The recipient address is not valid at this "
	  "organisation.",
	  "Check the address with the recipient." },
	{ 7, 505, CAT_MAILBOX_DISABLED,
	  "(Microsoft) The recipient is banned from receiving mail.",
	  "Reach the recipient by another channel." },
	{ 7, 506, CAT_HELO_REJECTED,
	  "(Microsoft) Access denied, bad HELO: the name sent in EHLO/HELO is "
	  "rejected.",
	  "Send a fully qualified host name that resolves (--helo)." },
	{ 7, 507, CAT_IP_BLOCKLISTED,
	  "(Microsoft) The recipient's organisation blocks the sending IP.",
	  "Only the recipient's admins can lift the block; ask them by "
	  "another channel." },
	{ 7, 508, CAT_RATE_LIMITED,
	  "(Microsoft) The sending IP has exceeded the permitted limits for "
	  "its range.",
	  "Slow down sending and spread it over time." },
	{ 7, 509, CAT_SENDER_AUTH,
	  "(Microsoft) The sending domain fails DMARC and publishes p=reject.",
	  "Make SPF or DKIM pass aligned with the From: domain." },
	{ 7, 510, CAT_POLICY,
	  "(Microsoft) The recipient domain does not accept mail over IPv6.",
	  "Send over IPv4 (-4)." },
	{ 7, 511, CAT_IP_BLOCKLISTED,
	  "(Microsoft) Access denied, banned sender: the IP is on "
	  "Microsoft's blocklist with manual delisting.",
	  "Follow the delisting instructions in the reply text (Microsoft "
	  "asks for the NDR to be sent to its delist address)." },
	{ 7, 512, CAT_CONTENT_REJECTED,
	  "(Microsoft) The message must have a valid From: header (RFC 5322 "
	  "section 3.6.2).",
	  "Add a correct From: header to the message." },
	{ 7, 513, CAT_IP_BLOCKLISTED,
	  "(Microsoft) The recipient organisation blocks the connecting IP "
	  "with its own customer block list.",
	  "Only the recipient's admins can lift it; ask them by another "
	  "channel." },
	{ 7, 515, CAT_SENDER_AUTH,
	  "(Microsoft) The sending domain does not meet the authentication "
	  "level required of bulk senders to Outlook.com.",
	  "Publish DMARC and make both SPF and DKIM pass, aligned with the "
	  "From: domain." },
	MS_BANNED4(606), MS_BANNED4(610), MS_BANNED4(614), MS_BANNED4(618),
	MS_BANNED4(622), MS_BANNED4(626), MS_BANNED4(630), MS_BANNED4(634),
	MS_BANNED4(638), MS_BANNED4(642), MS_BANNED4(646),
	{ 7, 650, CAT_REPUTATION,
	  "(Microsoft) Outlook.com temporarily rate limits the server because "
	  "of its IP reputation.",
	  "Send less and more steadily, and watch the IP in Microsoft SNDS "
	  "(https://sendersupport.olc.protection.outlook.com/snds/)." },
	{ 7, 651, CAT_REPUTATION,
	  "(Microsoft) Outlook.com temporarily rate limits the server because "
	  "of its IP reputation.",
	  "Send less and more steadily, and watch the IP in Microsoft SNDS "
	  "(https://sendersupport.olc.protection.outlook.com/snds/)." },
	{ 7, 652, CAT_RATE_LIMITED,
	  "(Microsoft) The server has exceeded the number of connections "
	  "Outlook.com accepts from one IP.",
	  "Open fewer parallel connections to Outlook.com and let the MTA "
	  "retry." },
	{ 7, 703, CAT_POLICY,
	  "(Microsoft) The sender's organisation blocks this recipient with "
	  "its Tenant Allow/Block List.",
	  "An admin of the sending organisation must remove the block "
	  "entry." },
	{ 7, 705, CAT_REPUTATION,
	  "(Microsoft) The tenant sent too much spam or bulk mail and its "
	  "outgoing mail is blocked.",
	  "Clean up compromised accounts or open relays, then ask Microsoft "
	  "support to lift the block." },
	{ 7, 708, CAT_REPUTATION,
	  "(Microsoft) Outgoing mail from this low-reputation IP pool is not "
	  "accepted (typical for new tenants).",
	  "Make SPF, DKIM and DMARC pass, check for abuse, and ask Microsoft "
	  "support to release the tenant." },
	{ 7, 750, CAT_POLICY,
	  "(Microsoft) The tenant is blocked from sending with From: domains "
	  "it has not registered.",
	  "Add and verify the sending domains in the Microsoft 365 admin "
	  "center." },
	{ 7, 800, CAT_REPUTATION,
	  "(Microsoft) The sender domain (EHLO, envelope or From:) is banned "
	  "after spam was detected from it.",
	  "Stop the abuse and ask Microsoft support to restore the domain." },
};

/* 606 + 11 * 4 - 1 = 649: keep the range exactly 5.7.606-5.7.649. */
_Static_assert(606 + 11 * 4 - 1 == 649, "Microsoft banned-IP range");

static const struct enhanced_subject_info enhanced_subjects[] = {
	{ 0, "Other or undefined status" },
	{ 1, "Addressing status: something about the sender or recipient "
	     "address" },
	{ 2, "Mailbox status: something about the recipient's mailbox" },
	{ 3, "Mail system status: something about the receiving mail system" },
	{ 4, "Network and routing status: reaching or routing to the next "
	     "host" },
	{ 5, "Mail delivery protocol status: the SMTP dialogue itself" },
	{ 6, "Message content or media status: the message's format or "
	     "content" },
	{ 7, "Security or policy status: authentication, encryption or local "
	     "policy" },
};

/* ------------------------------------------------------------------ */
/* Text patterns, most specific first                                  */
/* ------------------------------------------------------------------ */

/* The joined text a pattern sees is every line's text after its
 * "NNN-"/"NNN " prefix, joined by single spaces: the enhanced code of each
 * line is part of it (so "5.4.1" can be a needle), and a phrase that a
 * server broke across two lines is not contiguous. Needles are therefore
 * short phrases that stay on one line in the real replies of
 * tests/data/replies.tsv, which the unit tests classify one by one. */

#define P1(a) { (a), NULL, NULL, NULL }
#define P2(a, b) { (a), (b), NULL, NULL }
#define P3(a, b, c) { (a), (b), (c), NULL }

#define GREY_EXPL \
	"The receiver greylists: it defers the first attempt from an " \
	"unknown combination of sending IP, sender and recipient, and " \
	"accepts a retry after a delay."
#define GREY_REMEDY \
	"Nothing to fix: a real MTA retries within minutes and gets " \
	"through; probe again after 5-15 minutes, and if your outgoing mail " \
	"leaves from a pool of IPs, ask the receiver to whitelist them."

#define SPAMHAUS_CHECK "https://check.spamhaus.org"

#define DNSBL_EXPL \
	"The receiver rejects the connecting IP because a DNS blocklist " \
	"lists it (the list is usually named in the text)."
#define DNSBL_REMEDY \
	"Look the IP up on the named list's web site (or a multi-list " \
	"checker such as https://mxtoolbox.com/blacklists.aspx), fix why it " \
	"was listed, then follow that list's delisting steps."

#define MS_IPBLOCK_EXPL \
	"Outlook.com/Hotmail blocks the IP or the network range the mail " \
	"comes from (S3140/S3150 and similar codes are Microsoft's " \
	"references for such a block)."
#define MS_IPBLOCK_REMEDY \
	"Check the IP in Microsoft SNDS " \
	"(https://sendersupport.olc.protection.outlook.com/snds/) and open " \
	"a delisting request with Outlook.com sender support " \
	"(https://olcsupport.office.com); if the range belongs to your ISP, " \
	"send through its relay instead."

#define CLOUDMARK_EXPL \
	"Cloudmark Sender Intelligence (CSI), the IP reputation service used " \
	"by Orange, GoDaddy, Proofpoint and other receivers, lists the " \
	"connecting IP as a spam source."
#define CLOUDMARK_REMEDY \
	"Stop whatever sent spam from that IP, then request a reset at " \
	"https://csi.cloudmark.com/reset-request/ (the reply usually links " \
	"the form with the IP filled in)."

#define PROOFPOINT_EXPL \
	"Proofpoint's IP reputation service (Proofpoint Dynamic Reputation) " \
	"refuses the connecting IP; many large receivers behind Proofpoint " \
	"share it."
#define PROOFPOINT_REMEDY \
	"Look the IP up and request delisting at https://ipcheck.proofpoint.com " \
	"once the cause (spam, a compromised account, a sudden volume) is " \
	"gone."

#define RELAY_EXPL \
	"The server will not accept mail for this recipient from you: it " \
	"only takes mail for its own domains, or relays for authenticated " \
	"users."
#define RELAY_REMEDY \
	"If this is the recipient domain's MX, it does not consider the " \
	"domain local, so its admin must fix the MX records or accepted " \
	"domains; if it is your own server, authenticate (--auth) on the " \
	"submission port."

#define TLSREQ_EXPL \
	"The server requires an encrypted connection before it accepts " \
	"this command."
#define TLSREQ_REMEDY \
	"Use STARTTLS (--starttls auto or require) or port 465; if STARTTLS " \
	"itself fails, the transcript shows why."

#define AUTHREQ_EXPL \
	"The server only accepts this from authenticated clients: it is a " \
	"submission server, not an MX for the recipient."
#define AUTHREQ_REMEDY \
	"Authenticate with --auth over TLS, or probe the recipient domain's " \
	"MX hosts instead of this server."

#define AUTHFAIL_EXPL \
	"The server rejected the user name and password given with AUTH."
#define AUTHFAIL_REMEDY \
	"Check the user name and SMTPPROBE_PASSWORD; many providers require " \
	"an app password or OAuth instead of the account password."

#define SPF_EXPL \
	"The receiver checked the sender domain's SPF record and the " \
	"sending IP is not authorized (or the record is broken)."
#define SPF_REMEDY \
	"Add this sending server to the SPF record of the MAIL FROM domain " \
	"(one TXT record, at most 10 DNS lookups), or send through a server " \
	"it lists."

#define SENDAUTH_EXPL \
	"The receiver requires the mail to be authenticated (SPF or DKIM " \
	"passing for the sender's domain) and this mail passes neither."
#define SENDAUTH_REMEDY \
	"Publish an SPF record that lists every server sending for the " \
	"domain and sign with DKIM for the From: domain; bulk senders also " \
	"need a DMARC record."

#define RDNS_EXPL \
	"The receiver requires a reverse DNS (PTR) name for the sending IP " \
	"that resolves back to the same IP, and this IP fails that check."
#define RDNS_REMEDY \
	"Ask whoever owns the IP (ISP, cloud or hosting provider) to set a " \
	"PTR record to a name whose A/AAAA record points back to the IP."

#define HELO_EXPL \
	"The receiver rejected the name given in EHLO/HELO: it must be a " \
	"fully qualified host name (ideally the one the PTR record names)."
#define HELO_REMEDY \
	"Send a real fully qualified name with --helo (for a mail server: " \
	"its public name, matching the PTR record)."

#define RATE_EXPL \
	"The receiver limits how many connections, messages or recipients " \
	"it accepts from one source in a period, and this client exceeded it."
#define RATE_REMEDY \
	"Send more slowly: fewer parallel connections and recipients per " \
	"message; a normal MTA's retries will get through later."

#define RCPT_RATE_EXPL \
	"The recipient's mailbox is receiving mail faster than its provider " \
	"allows; this is about the recipient, not about your sending."
#define RCPT_RATE_REMEDY \
	"Let the MTA retry later; if it lasts, the mailbox may be under a " \
	"mail bomb or abandoned: reach the recipient by another channel."

#define REP_EXPL \
	"The receiver refuses or defers mail because of the poor reputation " \
	"of the sending IP or domain (complaints, spam-trap hits, sudden " \
	"volume)."
#define REP_REMEDY \
	"Check the provider's postmaster tools, stop any unwanted or "	\
	"unexpected sending, keep volume steady and only mail people who " \
	"asked for it."

#define YAHOO_EXPL \
	"Yahoo (and AOL, AT&T, Verizon mailboxes it hosts) defers or refuses " \
	"mail from this IP because of complaints, unexpected volume or a new " \
	"IP without sending history (the TS/TSS code names the reason)."
#define YAHOO_REMEDY \
	"Slow down and retry later, remove recipients who never engage, and " \
	"follow https://senders.yahooinc.com; for a lasting block use its " \
	"sender support form."

#define MS_ACCOUNT_EXPL \
	"Microsoft 365 has blocked the sending account, tenant or domain " \
	"after detecting spam or abuse from it (typically a compromised " \
	"account)."
#define MS_ACCOUNT_REMEDY \
	"Secure the account (reset credentials, check forwarding rules and " \
	"connectors), then ask Microsoft support to lift the block."

#define FULL_EXPL \
	"The recipient's mailbox is over its storage quota."
#define FULL_REMEDY \
	"Retry later and tell the recipient by another channel to free " \
	"space; nothing is wrong on your side."

#define DISABLED_EXPL \
	"The recipient's mailbox exists but is disabled or inactive (closed, " \
	"suspended, or unused for a long time)."
#define DISABLED_REMEDY \
	"Contact the recipient by another channel for a current address; " \
	"stop mailing this one."

#define UNKNOWN_EXPL \
	"The receiving server says no mailbox exists under this address."
#define UNKNOWN_REMEDY \
	"Check the spelling of the local part (left of the @) with the " \
	"recipient; remove the address from lists if it is old."

#define DOMAIN_EXPL \
	"The recipient's domain does not exist in DNS or has no mail setup."
#define DOMAIN_REMEDY \
	"Check the domain's spelling and its MX and A/AAAA records."

#define SENDER_DOMAIN_EXPL \
	"The receiver cannot find the sender's domain (MAIL FROM) in DNS, " \
	"so it could not return bounces."
#define SENDER_DOMAIN_REMEDY \
	"Use a --from address whose domain has MX or A records (or the " \
	"null sender <>); fix the DNS of the bounce domain if it is yours."

#define SIZE_EXPL \
	"The message is larger than the receiving server or mailbox accepts."
#define SIZE_REMEDY \
	"Send a smaller message, or share large files by link; the EHLO " \
	"reply's SIZE value shows the server's limit."

#define SPAM_EXPL \
	"The receiver's content filter classified the message (or its " \
	"sender) as spam."
#define SPAM_REMEDY \
	"Review the content, links and sending practices; ask the recipient " \
	"to whitelist you if the mail is wanted."

#define ATTACH_EXPL \
	"The receiver refuses a file attached to the message (an executable " \
	"or script type, or a structure it considers dangerous)."
#define ATTACH_REMEDY \
	"Send the file another way (a link, or an archive type the receiver " \
	"accepts) and check it is not infected."

#define LOOP_EXPL \
	"The message is going round in a mail loop between servers."
#define LOOP_REMEDY \
	"Check the recipient domain's MX records, forwarding rules and " \
	"smarthost settings for a cycle."

#define POLICY_BLOCK_EXPL \
	"The recipient (or its organisation) has blocked this sender, " \
	"domain or IP with its own rule; it is not a public blocklist."
#define POLICY_BLOCK_REMEDY \
	"Only the recipient side can lift it: ask the recipient by another " \
	"channel to allow your address or domain."

#define SVC_EXPL \
	"The receiving service is temporarily unavailable (overloaded, " \
	"restarting or failing internally)."
#define SVC_REMEDY \
	"Let the sending MTA retry later; if it lasts for hours, tell the " \
	"receiver's postmaster."

static const struct text_pattern patterns[] = {
	/* Greylisting: only meaningful as a temporary failure. */
	{ P1("greylist"), PAT_4XX, CAT_GREYLISTED, GREY_EXPL, GREY_REMEDY },
	{ P1("grey-list"), PAT_4XX, CAT_GREYLISTED, GREY_EXPL, GREY_REMEDY },
	{ P1("graylist"), PAT_4XX, CAT_GREYLISTED, GREY_EXPL, GREY_REMEDY },
	{ P1("gray-list"), PAT_4XX, CAT_GREYLISTED, GREY_EXPL, GREY_REMEDY },
	{ P1("postgrey"), PAT_4XX, CAT_GREYLISTED, GREY_EXPL, GREY_REMEDY },
	{ P1("internal resource temporarily unavailable"), PAT_4XX,
	  CAT_GREYLISTED,
	  "Mimecast defers mail from senders it does not know yet with this "
	  "wording; it works like greylisting.",
	  "Let the sending MTA retry (it must retry from the same IP); "
	  "delivery normally succeeds within an hour." },
	{ P1("4.7.1 try again later"), PAT_4XX, CAT_GREYLISTED,
	  "A bare \"4.7.1 Try again later\" is what rspamd (behind Postfix, "
	  "Mailu, mailcow and others) answers when it greylists a message.",
	  "Nothing to fix: retry after a few minutes from the same IP, as a "
	  "real MTA does; if it never clears, ask the receiver to check its "
	  "rspamd greylist settings." },

	/* Microsoft 365 / Exchange Online / Outlook.com */
	{ P1("banned sending ip"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "Microsoft 365 (Exchange Online Protection) has put the sending IP "
	  "on its own blocklist.",
	  "Stop the cause (compromised account, bulk mail), then request "
	  "removal at https://sender.office.com." },
	{ P1("network is on our block list"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  MS_IPBLOCK_EXPL, MS_IPBLOCK_REMEDY },
	{ P1("s3140"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  MS_IPBLOCK_EXPL, MS_IPBLOCK_REMEDY },
	{ P1("customer block list"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "The recipient organisation (a Microsoft 365 customer) blocks your "
	  "IP with its own block list, not Microsoft's.",
	  "Only the recipient's admins can remove the block; ask them by "
	  "another channel." },
	{ P1("tenant allow block list"), PAT_ERR, CAT_POLICY,
	  "The sender's own Microsoft 365 organisation blocks mail to this "
	  "address or domain with its Tenant Allow/Block List.",
	  "An admin of the sending organisation must remove the block entry "
	  "in the Microsoft 365 Defender portal." },
	{ P1("as(201806281)"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  "Microsoft 365 directory-based edge blocking: the recipient is not "
	  "in the tenant's directory, so the mailbox does not exist.",
	  "Check the address with the recipient; their admin must add it if "
	  "it should exist." },
	{ P3("5.4.1", "recipient address rejected", "access denied"), PAT_ERR,
	  CAT_MAILBOX_UNKNOWN,
	  "Microsoft 365 directory-based edge blocking (5.4.1 \"Recipient "
	  "address rejected: Access denied\"): the tenant does not know this "
	  "recipient, so the mailbox does not exist there.",
	  "Check the address with the recipient; if it is right, their admin "
	  "must create it or fix the domain's accepted-domain settings." },
	{ P1("recipientnotfound"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  "Exchange found no recipient with this SMTP address "
	  "(RESOLVER.ADR.RecipientNotFound).",
	  "Check the address with the recipient; old Outlook autocomplete "
	  "entries are a common source of such addresses." },
	{ P1("domainnonexistent"), PAT_ERR, CAT_DOMAIN_UNKNOWN,
	  "Microsoft 365 could not find the recipient's domain in DNS "
	  "(InfoDomainNonexistent).",
	  "Check the domain's spelling; if it is right, its owner must renew "
	  "or fix the registration and delegation." },
	{ P1("tenantattribution"), PAT_ERR, CAT_RELAY_DENIED,
	  "Microsoft 365 could not tie this connection to a tenant through an "
	  "inbound connector, so it refuses to relay.",
	  "Fix the connector's sender IPs or TLS certificate name in the "
	  "Microsoft 365 admin center, or send to the recipient's MX." },
	{ P1("not authenticated to send anonymous mail"), PAT_ERR,
	  CAT_AUTH_REQUIRED,
	  "This Microsoft 365 endpoint (such as smtp.office365.com) only "
	  "accepts authenticated submission, not anonymous delivery.",
	  "Authenticate with --auth, or probe the domain's MX host "
	  "(*.mail.protection.outlook.com) instead." },
	{ P1("client was not authenticated"), PAT_ERR, CAT_AUTH_REQUIRED,
	  "The Exchange server does not accept anonymous mail on this "
	  "connector: the client must authenticate first.",
	  "Authenticate with --auth, or deliver to the domain's public MX "
	  "host, which accepts anonymous mail." },
	{ P2("sender", "not authenticated"), PAT_ERR, CAT_POLICY,
	  "The recipient (a mailbox, group or public folder in Exchange) only "
	  "accepts mail from senders inside its own organisation.",
	  "Only the recipient's admin or the group owner can allow external "
	  "senders; contact the recipient by another channel." },
	{ P1("smtpclientauthentication is disabled"), PAT_ERR,
	  CAT_AUTH_FAILED,
	  "SMTP AUTH is switched off for this Microsoft 365 tenant or "
	  "mailbox, so even correct passwords are refused.",
	  "A Microsoft 365 admin must enable Authenticated SMTP for the "
	  "mailbox, or use another way to send." },
	{ P1("basic authentication is disabled"), PAT_ERR, CAT_AUTH_FAILED,
	  "The provider has disabled password (basic) authentication for "
	  "SMTP.",
	  "Use OAuth or an app password, or ask the admin to allow SMTP "
	  "AUTH for the account." },
	{ P1("required authentication level"), PAT_ERR, CAT_SENDER_AUTH,
	  "Outlook.com requires bulk senders' From: domains to pass SPF, DKIM "
	  "and DMARC, and this domain does not.",
	  "Publish a DMARC record and make SPF and DKIM both pass, aligned "
	  "with the From: domain; the reply lists which check failed." },
	{ P2("server busy", "try again later from"), PAT_4XX,
	  CAT_RATE_LIMITED,
	  "Microsoft 365 throttles an IP whose sending pattern is new or has "
	  "changed (451 4.7.500-699).",
	  "Let the MTA retry and increase volume gradually over days; it "
	  "clears as the IP builds a sending history." },
	{ P1("spam abuse detected"), PAT_ERR, CAT_REPUTATION,
	  MS_ACCOUNT_EXPL, MS_ACCOUNT_REMEDY },
	{ P1("bad outbound sender"), PAT_ERR, CAT_REPUTATION,
	  MS_ACCOUNT_EXPL, MS_ACCOUNT_REMEDY },
	{ P1("tenant has exceeded threshold"), PAT_ERR, CAT_REPUTATION,
	  MS_ACCOUNT_EXPL, MS_ACCOUNT_REMEDY },
	{ P1("traffic not accepted from this ip"), PAT_ERR, CAT_REPUTATION,
	  "Microsoft 365 refuses outgoing mail from this IP: it belongs to a "
	  "low-reputation pool (typical for new tenants or after abuse).",
	  "Check the tenant for compromised accounts, make SPF, DKIM and "
	  "DMARC pass, and ask Microsoft support to release the tenant." },
	{ P1("unregistered domains"), PAT_ERR, CAT_POLICY,
	  "Microsoft 365 stopped this tenant from sending with From: domains "
	  "it has not added and verified.",
	  "Add and verify every domain the tenant sends from in the "
	  "Microsoft 365 admin center." },
	{ P1("transport.rules"), PAT_ERR, CAT_POLICY,
	  "A mail flow (transport) rule of the recipient's Exchange "
	  "organisation rejected the message.",
	  "Only the recipient's admins know the rule; ask them by another "
	  "channel which condition matched." },
	{ P1("policy violation detected"), PAT_ERR, CAT_POLICY,
	  "Exchange Online's generic policy rejection (5.0.350): a rule at "
	  "the recipient's organisation, often about nested attachments or "
	  "message structure.",
	  "Ask the recipient's admin which rule matched; resending without "
	  "attachments shows whether they are the cause." },
	{ P1("thread limit exceeded"), PAT_ERR, CAT_RATE_LIMITED,
	  "Exchange throttles deliveries to this mailbox because it is "
	  "receiving too many messages at once.",
	  "Nothing to fix on your side: a normal MTA's retries get through "
	  "once the burst is over." },
	{ P1("queue quota exceeded"), PAT_ERR, CAT_RATE_LIMITED,
	  "The recipient organisation's queue at Microsoft is over its quota "
	  "(it receives more than it can take right now).",
	  "Retry later; nothing to fix on your side." },
	{ P1("submission quota"), PAT_ERR, CAT_RATE_LIMITED,
	  "The sending account has exceeded its provider's message or "
	  "recipient limits (often a sign of a compromised account).",
	  "Wait for the limit to reset, and check the account for unwanted "
	  "sending before raising limits." },
	{ P1("daily limit"), PAT_ERR, CAT_RATE_LIMITED,
	  "The sending account has reached its daily limit of recipients.",
	  "Wait until the limit resets; if the volume is unexpected, check "
	  "the account for compromise." },
	{ P1("limit for the number of messages"), PAT_ERR, CAT_RATE_LIMITED,
	  "Exchange Online limits how many messages one recipient may "
	  "receive per hour (from this sender or from everyone).",
	  "Send fewer messages to this recipient per hour; an automated "
	  "sender should batch its notifications." },
	{ P1("maximum number of connections"), PAT_ERR, CAT_RATE_LIMITED,
	  RATE_EXPL, RATE_REMEDY },
	{ P1("message expired"), PAT_ERR, CAT_ROUTING,
	  "The message stayed in a queue until it expired: the next server "
	  "never accepted it in time.",
	  "Find why the destination was unreachable (DNS, firewall, the "
	  "receiver's errors), then resend." },

	/* Yahoo, AOL */
	{ P1("[ph01]"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "Yahoo refuses the message on suspicion of phishing (PH01): links, "
	  "images or the sender identity look like an impersonation.",
	  "Review the URLs and branding in the content, make sure the From: "
	  "domain authenticates, and ask Yahoo sender support for a review." },
	{ P1("tss0"), PAT_ERR, CAT_REPUTATION, YAHOO_EXPL, YAHOO_REMEDY },
	{ P1("[ts0"), PAT_ERR, CAT_REPUTATION, YAHOO_EXPL, YAHOO_REMEDY },
	{ P1("not accepted for policy reasons"), PAT_ERR, CAT_POLICY,
	  "Yahoo refuses the message for policy reasons it does not detail "
	  "(content, authentication or sender practices).",
	  "Check the sender requirements at https://senders.yahooinc.com "
	  "(SPF, DKIM, DMARC, unsubscribe) and contact Yahoo sender support "
	  "if it persists." },
	{ P1("max message per connection"), PAT_ERR, CAT_RATE_LIMITED,
	  "The receiver accepts only so many messages per connection.",
	  "Open a new connection for further messages; a normal MTA does "
	  "this by itself." },
	{ P1("(rtr:du)"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "AOL refuses the IP as part of a dynamic or residential range "
	  "(RTR:DU) that should not deliver mail directly.",
	  "Send through your ISP's or provider's relay, or from a static IP "
	  "with proper reverse DNS." },

	/* Gmail */
	{ P1("send email directly"), PAT_ERR,
	  CAT_IP_BLOCKLISTED,
	  "Gmail does not take mail directly from this IP: it is in a range "
	  "Google treats as not meant to run mail servers (residential, "
	  "dynamic or without proper DNS).",
	  "Send through your provider's relay (smarthost), or give the "
	  "server a static IP with matching PTR and A records and SPF." },
	{ P2("unsolicited mail", "rate limited"), PAT_4XX, CAT_RATE_LIMITED,
	  "Gmail rate limits this IP (4.7.28) because an unusual share of "
	  "its mail looks unsolicited.",
	  "Send slower and only to people who asked for it, check Google "
	  "Postmaster Tools, and let the MTA retry; the limit lifts as the "
	  "reputation recovers." },
	{ P1("likely unsolicited"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The receiver's filter judged this particular message to be "
	  "unsolicited bulk mail.",
	  "Review the content, links and list practices (consent, "
	  "unsubscribe); authenticate with SPF, DKIM and DMARC." },
	{ P1("nature of the content"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "Gmail refuses the message because of its content or the links in "
	  "it.",
	  "Check the links' domains against blocklists and review the "
	  "content; link shorteners and newly registered domains are common "
	  "causes." },
	{ P1("ipv6 sending guidelines"), PAT_ERR, CAT_REVERSE_DNS,
	  "Over IPv6 Gmail requires the sending IP to have a PTR record "
	  "matching its host name and the mail to pass SPF or DKIM; this "
	  "message misses one of them.",
	  "Give the IPv6 address a PTR whose name resolves back to it and "
	  "authenticate with SPF/DKIM, or send over IPv4 (-4)." },
	{ P1("authentication information"), PAT_ERR, CAT_SENDER_AUTH,
	  SENDAUTH_EXPL, SENDAUTH_REMEDY },
	{ P1("authentication checks"), PAT_ERR, CAT_SENDER_AUTH,
	  SENDAUTH_EXPL, SENDAUTH_REMEDY },
	{ P1("from: header"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The receiver requires a valid From: header with one address.",
	  "Fix the message's From: header (one mailbox, properly formed)." },
	{ P1("not in whitelist"), PAT_ERR, CAT_POLICY,
	  "The recipient domain only accepts mail from IPs on its own allow "
	  "list (a Google Workspace inbound gateway setting).",
	  "Ask the recipient's admin to add your sending IP, or deliver "
	  "through the gateway they designated." },
	{ P1("too many login attempts"), PAT_ERR, CAT_RATE_LIMITED,
	  "The server temporarily refuses logins after too many attempts.",
	  "Wait before trying again and check the password once; repeated "
	  "failures can lock the account." },
	{ P1("application-specific password"), PAT_ERR, CAT_AUTH_FAILED,
	  "The account uses two-step verification, so the server refuses the "
	  "normal password for SMTP and wants an app password.",
	  "Create an app password in the account's security settings and "
	  "use it in SMTPPROBE_PASSWORD (or use OAuth)." },

	/* Apple iCloud */
	{ P1("[cs01]"), PAT_ERR, CAT_POLICY,
	  "iCloud refuses the message under its local policy (CS01), usually "
	  "a content or sender reputation filter.",
	  "Check https://support.apple.com/en-us/HT204137 and Apple's sender "
	  "requirements; the recipient marking you as a contact or VIP can "
	  "override it." },
	{ P1("excessive volume"), PAT_ERR, CAT_RATE_LIMITED,
	  RCPT_RATE_EXPL, RCPT_RATE_REMEDY },

	/* Spamhaus, zone by zone, then the name alone */
	{ P1("open resolver"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "The receiver rejected you citing Spamhaus, but the answer was an "
	  "error code: its DNSBL queries go through a public resolver, which "
	  "Spamhaus refuses. Your IP is not necessarily listed.",
	  "Check the IP at " SPAMHAUS_CHECK "; if it is clean, tell the "
	  "receiver's postmaster to query Spamhaus through its own resolver "
	  "or the Spamhaus DQS service." },
	{ P1("listed by css"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "Spamhaus CSS (part of ZEN and SBL): the IP sent low-reputation or "
	  "snowshoe spam, or its mail shows signs of a misconfigured server.",
	  "Fix the cause (authentication, bounces, list practices), then "
	  "request removal at " SPAMHAUS_CHECK "; CSS listings also expire "
	  "when the behaviour stops." },
	{ P2("spamhaus", "pbl"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "Spamhaus PBL: the IP is in a range its owner (usually an ISP) "
	  "marks as not meant to send mail directly, such as dynamic or "
	  "residential addresses.",
	  "Send through your ISP's or provider's relay (smarthost); for a "
	  "real mail server on a static IP with a proper PTR, request "
	  "removal at " SPAMHAUS_CHECK "." },
	{ P2("spamhaus", "xbl"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "Spamhaus XBL (which includes the former CBL): the IP showed "
	  "signs of a compromised machine, such as malware or an open proxy "
	  "behind it.",
	  "Find and clean the infected host behind that IP, allow outgoing "
	  "port 25 only from your mail server, then request removal at "
	  SPAMHAUS_CHECK "." },
	{ P1("cbl.abuseat"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "CBL (now part of Spamhaus XBL): the IP showed signs of a "
	  "compromised machine sending spam.",
	  "Find and clean the infected host behind that IP, then request "
	  "removal at " SPAMHAUS_CHECK "." },
	{ P2("spamhaus", "sbl"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "Spamhaus SBL: the IP or its range is listed as a source of spam "
	  "or spam support, usually after manual investigation.",
	  "Read the SBL record via " SPAMHAUS_CHECK " for the reason, fix it, "
	  "and involve your hosting provider if it names their range." },
	{ P2("spamhaus", "dbl"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "Spamhaus DBL: a domain in the envelope, the HELO name or the "
	  "message (not the IP) is on the Domain Block List.",
	  "Check your sender, HELO and link domains at " SPAMHAUS_CHECK
	  " and request delisting after fixing the cause." },
	{ P1("zen.spamhaus"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "Spamhaus ZEN (SBL, XBL, PBL and CSS combined): the connecting IP "
	  "is on at least one of these lists.",
	  "Look the IP up at " SPAMHAUS_CHECK " to see which list and why; "
	  "if it is clean there, the receiver's DNSBL queries are failing "
	  "(Spamhaus refuses queries via public resolvers), so tell its "
	  "postmaster." },
	{ P1("spamhaus"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "A Spamhaus blocklist lists the connecting IP or a domain used in "
	  "the mail.",
	  "Look the IP and domains up at " SPAMHAUS_CHECK " and follow the "
	  "removal steps shown for the list concerned." },

	/* Other well-known blocklists and reputation services */
	{ P1("barracudacentral"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "Barracuda Reputation Block List: the IP has a poor reputation in "
	  "Barracuda's network.",
	  "Check the IP at https://www.barracudacentral.org/lookups and "
	  "submit a removal request there once the cause is fixed." },
	{ P2("barracuda", "reputation"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "Barracuda Reputation Block List: the IP has a poor reputation in "
	  "Barracuda's network.",
	  "Check the IP at https://www.barracudacentral.org/lookups and "
	  "submit a removal request there once the cause is fixed." },
	{ P1("spamcop"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "SpamCop Blocking List: SpamCop users or spam traps recently "
	  "reported mail from this IP.",
	  "Check https://www.spamcop.net/bl.shtml; listings expire on their "
	  "own about a day after reports stop, so stop the source." },
	{ P1("uceprotect"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "UCEPROTECT: level 1 lists single IPs that hit its traps; levels 2 "
	  "and 3 list whole ranges or provider networks for neighbours' "
	  "behaviour.",
	  "Check https://www.uceprotect.net/en/rblcheck.php; level 1 expires "
	  "7 days after the spam stops, and for levels 2/3 ask the receiver "
	  "not to reject on them." },
	{ P1("sorbs"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "The receiver cites SORBS, a blocklist its owner (Proofpoint) shut "
	  "down in June 2024.",
	  "Ask the receiver's postmaster to remove SORBS from its "
	  "configuration; there is nothing to delist." },
	{ P1("psbl"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "PSBL (Passive Spam Block List): the IP sent mail to PSBL's spam "
	  "traps.",
	  "Look the IP up at https://psbl.org and use its self-service "
	  "removal once the source is fixed." },
	{ P1("mailspike"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "Mailspike: the IP has a bad reputation score or took part in a "
	  "recent spam wave.",
	  "Check the IP at https://mailspike.io/ip_verify and request "
	  "delisting after cleaning up." },
	{ P1("cloudmark"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  CLOUDMARK_EXPL, CLOUDMARK_REMEDY },
	{ P1("ipcheck.proofpoint"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  PROOFPOINT_EXPL, PROOFPOINT_REMEDY },
	{ P1("prs.proofpoint"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  PROOFPOINT_EXPL, PROOFPOINT_REMEDY },
	{ P1("proofpoint.com/dnsbl"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  PROOFPOINT_EXPL, PROOFPOINT_REMEDY },
	{ P1("senderscore"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "Validity Sender Score (RTBL): the IP's reputation score is too "
	  "low for this receiver.",
	  "Look the IP up at https://senderscore.org and improve the sending "
	  "practices behind it (complaints, unknown users, spam traps)." },
	{ P1("comcast block"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "Comcast blocks the IP on its own blocklist for spam.",
	  "Follow the link in the reply to Comcast's postmaster pages and "
	  "request removal once the cause is fixed." },
	{ P1("blocked by earthlink"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "EarthLink blocks the IP on its own blocklist.",
	  "Follow earthlink.net/block (named in the reply) to request "
	  "removal." },
	{ P1("blocked using"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  DNSBL_EXPL, DNSBL_REMEDY },
	{ P1("listed at"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  DNSBL_EXPL, DNSBL_REMEDY },
	{ P1("dnsbl"), PAT_ERR, CAT_IP_BLOCKLISTED, DNSBL_EXPL, DNSBL_REMEDY },
	{ P1("rbl"), PAT_ERR, CAT_IP_BLOCKLISTED, DNSBL_EXPL, DNSBL_REMEDY },
	{ P1("blacklist"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  DNSBL_EXPL, DNSBL_REMEDY },
	{ P1("black list"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  DNSBL_EXPL, DNSBL_REMEDY },
	{ P1("blocklist"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  DNSBL_EXPL, DNSBL_REMEDY },
	{ P1("block list"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  DNSBL_EXPL, DNSBL_REMEDY },

	/* Relaying */
	{ P1("allowed rcpthosts"), PAT_ERR, CAT_RELAY_DENIED,
	  "qmail refuses the recipient's domain: it is not in the server's "
	  "rcpthosts list, so the server neither hosts it nor relays for "
	  "you.",
	  "If this is the recipient's MX, its admin must add the domain to "
	  "rcpthosts; if it is your own server, authenticate before "
	  "sending." },
	{ P1("as a relay"), PAT_ERR, CAT_RELAY_DENIED, RELAY_EXPL,
	  RELAY_REMEDY },
	{ P2("relay", "denied"), PAT_ERR, CAT_RELAY_DENIED,
	  RELAY_EXPL, RELAY_REMEDY },
	{ P2("relay", "not permitted"), PAT_ERR, CAT_RELAY_DENIED,
	  RELAY_EXPL, RELAY_REMEDY },
	{ P2("relay", "not allowed"), PAT_ERR, CAT_RELAY_DENIED,
	  RELAY_EXPL, RELAY_REMEDY },
	{ P2("relay", "prohibited"), PAT_ERR, CAT_RELAY_DENIED,
	  RELAY_EXPL, RELAY_REMEDY },
	{ P1("unable to relay"), PAT_ERR, CAT_RELAY_DENIED,
	  RELAY_EXPL, RELAY_REMEDY },
	{ P1("do not relay"), PAT_ERR, CAT_RELAY_DENIED,
	  RELAY_EXPL, RELAY_REMEDY },

	/* The sender address (MAIL FROM) rather than the recipient */
	{ P2("sender address rejected", "domain not found"), PAT_ERR,
	  CAT_BAD_ADDRESS, SENDER_DOMAIN_EXPL, SENDER_DOMAIN_REMEDY },
	{ P2("sender address rejected", "undeliverable"), PAT_ERR,
	  CAT_BAD_ADDRESS,
	  "The receiver verified the sender address (MAIL FROM) by asking "
	  "its own mail server, and that server refused it: bounces could "
	  "not be returned.",
	  "Send with a --from address that exists and accepts mail." },
	{ P2("sender address rejected", "null mx"), PAT_ERR, CAT_BAD_ADDRESS,
	  "The sender's domain (MAIL FROM) publishes a null MX, so it cannot "
	  "receive bounces.",
	  "Use a --from address in a domain that accepts mail." },
	{ P2("sender address rejected", "nullmx"), PAT_ERR, CAT_BAD_ADDRESS,
	  "The sender's domain (MAIL FROM) publishes a null MX, so it cannot "
	  "receive bounces.",
	  "Use a --from address in a domain that accepts mail." },
	{ P2("sender address rejected", "fully-qualified"), PAT_ERR,
	  CAT_BAD_ADDRESS,
	  "The sender address (MAIL FROM) is not a full address with a "
	  "domain.",
	  "Give --from as user@domain.example." },
	{ P1("domain of sender address"), PAT_ERR, CAT_BAD_ADDRESS,
	  SENDER_DOMAIN_EXPL, SENDER_DOMAIN_REMEDY },
	{ P1("sender verify failed"), PAT_ERR, CAT_BAD_ADDRESS,
	  "Exim's sender verification failed: the receiver could not confirm "
	  "that the sender address (MAIL FROM) accepts mail.",
	  "Send with a --from address that exists and whose domain's MX "
	  "hosts accept mail for it." },
	{ P1("invalid sender"), PAT_ERR, CAT_BAD_ADDRESS,
	  "The receiver considers the sender address (MAIL FROM) invalid.",
	  "Send with a valid --from address of a domain you control, whose "
	  "return path is aligned with SPF." },
	{ P1("invalid dns mx"), PAT_ERR, CAT_BAD_ADDRESS,
	  "The sender's domain has no usable MX or A/AAAA record, so the "
	  "receiver could not return replies or bounces.",
	  "Give the --from domain working MX (or A/AAAA) records." },
	{ P1("blocked by this recipient"), PAT_ERR, CAT_POLICY,
	  POLICY_BLOCK_EXPL, POLICY_BLOCK_REMEDY },
	{ P1("not owned by user"), PAT_ERR, CAT_POLICY,
	  "The authenticated user may not send with this sender address.",
	  "Use the address that belongs to the account you logged in with." },
	{ P1("not logged in"), PAT_ERR, CAT_AUTH_REQUIRED,
	  "The server only allows this sender address after login.",
	  "Authenticate with --auth, or use a sender address outside the "
	  "server's own domains." },

	/* TLS required, before authentication wording */
	{ P1("must issue a starttls"), PAT_ERR, CAT_TLS_REQUIRED,
	  TLSREQ_EXPL, TLSREQ_REMEDY },
	{ P2("tls", "required"), PAT_ERR, CAT_TLS_REQUIRED,
	  TLSREQ_EXPL, TLSREQ_REMEDY },
	{ P2("encryption", "required"), PAT_ERR, CAT_TLS_REQUIRED,
	  TLSREQ_EXPL, TLSREQ_REMEDY },

	/* Authentication */
	{ P1("when not advertised"), PAT_ERR, CAT_PROTOCOL,
	  "The client sent AUTH although the server did not offer it (AUTH "
	  "is only announced in reply to EHLO, often only after STARTTLS).",
	  "Send EHLO (not HELO), start TLS, then authenticate only if AUTH "
	  "is listed." },
	{ P1("authentication failed"), PAT_ERR, CAT_AUTH_FAILED,
	  AUTHFAIL_EXPL, AUTHFAIL_REMEDY },
	{ P1("authentication unsuccessful"), PAT_ERR, CAT_AUTH_FAILED,
	  AUTHFAIL_EXPL, AUTHFAIL_REMEDY },
	{ P1("invalid credentials"), PAT_ERR, CAT_AUTH_FAILED,
	  AUTHFAIL_EXPL, AUTHFAIL_REMEDY },
	{ P1("credentials invalid"), PAT_ERR, CAT_AUTH_FAILED,
	  AUTHFAIL_EXPL, AUTHFAIL_REMEDY },
	{ P1("password not accepted"), PAT_ERR, CAT_AUTH_FAILED,
	  AUTHFAIL_EXPL, AUTHFAIL_REMEDY },
	{ P1("incorrect authentication data"), PAT_ERR, CAT_AUTH_FAILED,
	  AUTHFAIL_EXPL, AUTHFAIL_REMEDY },
	{ P1("authentication required"), PAT_ERR, CAT_AUTH_REQUIRED,
	  AUTHREQ_EXPL, AUTHREQ_REMEDY },
	{ P1("authentication is required"), PAT_ERR, CAT_AUTH_REQUIRED,
	  AUTHREQ_EXPL, AUTHREQ_REMEDY },
	{ P1("must authenticate"), PAT_ERR, CAT_AUTH_REQUIRED,
	  AUTHREQ_EXPL, AUTHREQ_REMEDY },
	{ P1("auth first"), PAT_ERR, CAT_AUTH_REQUIRED,
	  AUTHREQ_EXPL, AUTHREQ_REMEDY },

	/* Sender authentication: SPF, DKIM, DMARC */
	{ P1("sender is unauthenticated"), PAT_ERR, CAT_SENDER_AUTH,
	  "The receiver (Gmail words it this way) requires SPF or DKIM to "
	  "pass for the sender, and this mail passed neither.",
	  "Publish an SPF record listing the sending servers and sign with "
	  "DKIM for the From: domain." },
	{ P1("dmarc"), PAT_ERR, CAT_SENDER_AUTH,
	  "The From: domain's DMARC check failed: neither SPF nor DKIM "
	  "passed for a domain aligned with the From: address.",
	  "Make DKIM sign with the From: domain, or SPF pass for a MAIL FROM "
	  "domain matching it; check DMARC reports for which sources fail." },
	{ P1("dkim"), PAT_ERR, CAT_SENDER_AUTH,
	  "The receiver needs a valid DKIM signature and the message has "
	  "none, or it does not verify.",
	  "Enable DKIM signing for the sending domain and check the public "
	  "key at selector._domainkey in DNS." },
	{ P1("spf"), PAT_ERR, CAT_SENDER_AUTH, SPF_EXPL, SPF_REMEDY },
	{ P1("sender policy framework"), PAT_ERR, CAT_SENDER_AUTH,
	  SPF_EXPL, SPF_REMEDY },
	{ P1("does not designate"), PAT_ERR, CAT_SENDER_AUTH,
	  SPF_EXPL, SPF_REMEDY },
	{ P1("arc validation"), PAT_ERR, CAT_SENDER_AUTH,
	  "The receiver could not validate the ARC chain added by a "
	  "forwarder or mailing list.",
	  "The forwarding intermediary must fix its ARC sealing." },
	{ P1("unauthenticated"), PAT_ERR, CAT_SENDER_AUTH,
	  "The receiver requires mail to be authenticated with SPF or DKIM, "
	  "and this mail passes neither.",
	  "Publish SPF for the sending servers and sign with DKIM for the "
	  "From: domain." },

	/* Protocol sequence, before the HELO wording */
	{ P1("wrong state"), PAT_ERR, CAT_PROTOCOL,
	  "The command came in a state the server does not allow it in "
	  "(for example a second HELO after EHLO).",
	  "Greet once per session and follow the command order; check the "
	  "client for duplicated commands." },

	/* HELO/EHLO name */
	{ P1("helo command rejected"), PAT_ERR, CAT_HELO_REJECTED,
	  HELO_EXPL, HELO_REMEDY },
	{ P1("fully-qualified hostname"), PAT_ERR, CAT_HELO_REJECTED,
	  HELO_EXPL, HELO_REMEDY },
	{ P1("fully qualified hostname"), PAT_ERR, CAT_HELO_REJECTED,
	  HELO_EXPL, HELO_REMEDY },
	{ P1("invalid helo"), PAT_ERR, CAT_HELO_REJECTED,
	  HELO_EXPL, HELO_REMEDY },
	{ P1("bad helo"), PAT_ERR, CAT_HELO_REJECTED,
	  HELO_EXPL, HELO_REMEDY },
	{ P1("helo name"), PAT_ERR, CAT_HELO_REJECTED,
	  HELO_EXPL, HELO_REMEDY },

	/* Reverse DNS */
	{ P1("cannot find your reverse hostname"), PAT_ERR, CAT_REVERSE_DNS,
	  "The sending IP has no reverse DNS (PTR) record at all.",
	  RDNS_REMEDY },
	{ P1("cannot find your hostname"), PAT_ERR, CAT_REVERSE_DNS,
	  "The sending IP's PTR name is missing or does not resolve back to "
	  "the same IP (Postfix's forward-confirmed reverse DNS check).",
	  RDNS_REMEDY },
	{ P1("reverse dns"), PAT_ERR, CAT_REVERSE_DNS, RDNS_EXPL, RDNS_REMEDY },
	{ P1("rdns"), PAT_ERR, CAT_REVERSE_DNS, RDNS_EXPL, RDNS_REMEDY },
	{ P1("ptr"), PAT_ERR, CAT_REVERSE_DNS, RDNS_EXPL, RDNS_REMEDY },

	/* Reputation, before rate and spam wording that often follows it */
	{ P1("too many invalid recipients"), PAT_ERR, CAT_REPUTATION,
	  "The receiver blocked the IP for a while because it tried too many "
	  "addresses that do not exist (it looks like address harvesting or "
	  "an old list).",
	  "Remove unknown addresses from the list, then wait for the block "
	  "to expire (an hour to a day)." },
	{ P1("too many messages containing"), PAT_ERR, CAT_REPUTATION,
	  "The receiver blocked the IP for a while because too many of its "
	  "messages were judged to be spam.",
	  "Find what sent spam from the IP (a compromised account or form), "
	  "stop it, and wait for the block to expire." },
	{ P1("unsolicited mail"), PAT_ERR, CAT_REPUTATION,
	  REP_EXPL, REP_REMEDY },
	{ P1("reputation"), PAT_ERR, CAT_REPUTATION, REP_EXPL, REP_REMEDY },
	{ P1("suspected spam"), PAT_ERR, CAT_REPUTATION,
	  REP_EXPL, REP_REMEDY },
	{ P1("user complaints"), PAT_ERR, CAT_REPUTATION,
	  REP_EXPL, REP_REMEDY },

	/* Rate limits */
	{ P1("rate that prevents additional messages"), PAT_ERR,
	  CAT_RATE_LIMITED, RCPT_RATE_EXPL, RCPT_RATE_REMEDY },
	{ P1("too quickly"), PAT_ERR, CAT_RATE_LIMITED,
	  RCPT_RATE_EXPL, RCPT_RATE_REMEDY },
	{ P1("too much email"), PAT_ERR, CAT_RATE_LIMITED,
	  RCPT_RATE_EXPL, RCPT_RATE_REMEDY },
	{ P1("too many recent messages"), PAT_ERR, CAT_RATE_LIMITED,
	  RCPT_RATE_EXPL, RCPT_RATE_REMEDY },
	{ P1("frequency limited"), PAT_ERR, CAT_RATE_LIMITED,
	  RATE_EXPL, RATE_REMEDY },
	{ P1("max number of messages"), PAT_ERR, CAT_RATE_LIMITED,
	  "The receiver accepts only so many messages per session.",
	  "Open a new session for further messages; a normal MTA does this "
	  "by itself." },
	{ P1("sending quota"), PAT_ERR, CAT_RATE_LIMITED,
	  "The sending account has used up its sending quota for the period.",
	  "Wait for the quota to reset or ask the provider for a higher "
	  "limit." },
	{ P1("too many connections"), PAT_ERR, CAT_RATE_LIMITED,
	  RATE_EXPL, RATE_REMEDY },
	{ P1("concurrent connections"), PAT_ERR, CAT_RATE_LIMITED,
	  RATE_EXPL, RATE_REMEDY },
	{ P1("too many sessions"), PAT_ERR, CAT_RATE_LIMITED,
	  RATE_EXPL, RATE_REMEDY },
	{ P1("rate limit"), PAT_ERR, CAT_RATE_LIMITED, RATE_EXPL, RATE_REMEDY },
	{ P1("rate-limit"), PAT_ERR, CAT_RATE_LIMITED, RATE_EXPL, RATE_REMEDY },
	{ P1("ratelimit"), PAT_ERR, CAT_RATE_LIMITED, RATE_EXPL, RATE_REMEDY },
	{ P1("throttl"), PAT_ERR, CAT_RATE_LIMITED, RATE_EXPL, RATE_REMEDY },
	{ P1("too many recipients"), PAT_ERR, CAT_RATE_LIMITED,
	  "The message has more recipients than the receiver accepts in one "
	  "transaction.",
	  "Send to fewer recipients per message; a normal MTA sends the rest "
	  "in another transaction." },
	{ P1("too many messages"), PAT_ERR, CAT_RATE_LIMITED,
	  RATE_EXPL, RATE_REMEDY },

	/* Mailbox full, disabled, unknown (in that order: texts overlap) */
	{ P1("over quota"), PAT_ERR, CAT_MAILBOX_FULL, FULL_EXPL, FULL_REMEDY },
	{ P1("overquota"), PAT_ERR, CAT_MAILBOX_FULL, FULL_EXPL, FULL_REMEDY },
	{ P1("quota exceeded"), PAT_ERR, CAT_MAILBOX_FULL,
	  FULL_EXPL, FULL_REMEDY },
	{ P2("exceeded", "quota"), PAT_ERR, CAT_MAILBOX_FULL,
	  FULL_EXPL, FULL_REMEDY },
	{ P1("quota violation"), PAT_ERR, CAT_MAILBOX_FULL,
	  FULL_EXPL, FULL_REMEDY },
	{ P1("mailbox full"), PAT_ERR, CAT_MAILBOX_FULL,
	  FULL_EXPL, FULL_REMEDY },
	{ P1("mailbox is full"), PAT_ERR, CAT_MAILBOX_FULL,
	  FULL_EXPL, FULL_REMEDY },
	{ P1("out of storage space"), PAT_ERR, CAT_MAILBOX_FULL,
	  FULL_EXPL, FULL_REMEDY },
	{ P1("mailbox size limit"), PAT_ERR, CAT_MAILBOX_FULL,
	  FULL_EXPL, FULL_REMEDY },
	{ P1("exceeded storage allocation"), PAT_ERR, CAT_MAILBOX_FULL,
	  FULL_EXPL, FULL_REMEDY },
	{ P2("account", "disabled"), PAT_ERR, CAT_MAILBOX_DISABLED,
	  DISABLED_EXPL, DISABLED_REMEDY },
	{ P2("mailbox", "disabled"), PAT_ERR, CAT_MAILBOX_DISABLED,
	  DISABLED_EXPL, DISABLED_REMEDY },
	{ P1("inactive"), PAT_ERR, CAT_MAILBOX_DISABLED,
	  DISABLED_EXPL, DISABLED_REMEDY },
	{ P1("inactivity"), PAT_ERR, CAT_MAILBOX_DISABLED,
	  DISABLED_EXPL, DISABLED_REMEDY },
	{ P1("deactivated"), PAT_ERR, CAT_MAILBOX_DISABLED,
	  DISABLED_EXPL, DISABLED_REMEDY },

	/* Domains, before "does not exist" */
	{ P1("null mx"), PAT_ERR, CAT_DOMAIN_UNKNOWN,
	  "The recipient's domain publishes a null MX (RFC 7505): it "
	  "accepts no mail at all.",
	  "The address cannot receive mail; ask the recipient for another "
	  "one." },
	{ P1("nullmx"), PAT_ERR, CAT_DOMAIN_UNKNOWN,
	  "The recipient's domain publishes a null MX (RFC 7505): it "
	  "accepts no mail at all.",
	  "The address cannot receive mail; ask the recipient for another "
	  "one." },
	{ P1("host or domain name not found"), PAT_ERR, CAT_DOMAIN_UNKNOWN,
	  DOMAIN_EXPL, DOMAIN_REMEDY },
	{ P1("domain not found"), PAT_ERR, CAT_DOMAIN_UNKNOWN,
	  DOMAIN_EXPL, DOMAIN_REMEDY },
	{ P1("domain does not exist"), PAT_ERR, CAT_DOMAIN_UNKNOWN,
	  DOMAIN_EXPL, DOMAIN_REMEDY },
	{ P1("no such domain"), PAT_ERR, CAT_DOMAIN_UNKNOWN,
	  DOMAIN_EXPL, DOMAIN_REMEDY },
	{ P1("host unknown"), PAT_ERR, CAT_DOMAIN_UNKNOWN,
	  "Sendmail could not find the recipient's host (the part after the "
	  "@) in DNS.",
	  DOMAIN_REMEDY },

	/* Unknown mailboxes */
	{ P1("user unknown"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("unknown user"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("addressee unknown"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("no such user"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("no such mailbox"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("no such recipient"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("no such address"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("no mailbox"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("unknown recipient"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("recipient unknown"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("recipient not found"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("user not found"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("mailbox not found"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("invalid recipient"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("invalid-recipient"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("invalid mailbox"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("not in recipient list"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  "The filtering gateway in front of the recipient's server has no "
	  "such address in its recipient list.",
	  UNKNOWN_REMEDY },
	{ P1("marked as invalid"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  "The filtering gateway (Proofpoint) remembered that the recipient's "
	  "own server refused this address, and refuses it itself.",
	  "Check the address; if it is right, the recipient's admin must "
	  "clear it from the gateway's invalid-address list." },
	{ P1("no longer valid"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  "The address used to exist but is no longer valid.",
	  "Remove the address and ask the recipient for a current one." },
	{ P1("recipient cannot be verified"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  "The receiving server could not verify the recipient, which for "
	  "this wording means it does not know the address.",
	  UNKNOWN_REMEDY },
	{ P1("not listed in"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  "The receiving server (typically HCL/Lotus Domino) has no entry "
	  "for this address in its directory.",
	  UNKNOWN_REMEDY },
	{ P2("doesn't have a", "account"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("unrouteable address"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  "Exim found no way to deliver to this address: usually the mailbox "
	  "does not exist there (or the domain is not handled).",
	  "Check the address with the recipient; if it is right, their admin "
	  "must check the server's routing for the domain." },
	{ P1("unroutable address"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  "The server found no way to deliver to this address: usually the "
	  "mailbox does not exist there.",
	  "Check the address with the recipient; if it is right, their admin "
	  "must check the server's routing for the domain." },
	{ P1("does not exist"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("doesn't exist"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("mailbox unavailable"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  "The server says the mailbox is unavailable, which at RCPT TO "
	  "usually means it does not exist.",
	  UNKNOWN_REMEDY },

	/* Address syntax */
	{ P1("fully-qualified address"), PAT_ERR, CAT_BAD_ADDRESS,
	  "The address lacks a domain part; the server needs user@domain.",
	  "Give the full address, user@domain.example." },
	{ P1("valid rfc-5321 address"), PAT_ERR, CAT_BAD_ADDRESS,
	  "The server considers the address syntactically invalid under "
	  "RFC 5321.",
	  "Correct the address: one @, no spaces or stray characters, a "
	  "valid domain." },
	{ P1("address syntax"), PAT_ERR, CAT_BAD_ADDRESS,
	  "The server considers the address syntactically invalid.",
	  "Correct the address: one @, no spaces, a valid domain." },
	{ P1("invalid address"), PAT_ERR, CAT_BAD_ADDRESS,
	  "The server considers the address syntactically invalid.",
	  "Correct the address: one @, no spaces, a valid domain." },
	{ P1("malformed address"), PAT_ERR, CAT_BAD_ADDRESS,
	  "The server considers the address syntactically invalid.",
	  "Correct the address: one @, no spaces, a valid domain." },

	/* Size */
	{ P1("message size exceeds"), PAT_ERR, CAT_MESSAGE_TOO_LARGE,
	  SIZE_EXPL, SIZE_REMEDY },
	{ P1("maximum message size"), PAT_ERR, CAT_MESSAGE_TOO_LARGE,
	  SIZE_EXPL, SIZE_REMEDY },
	{ P1("max message size"), PAT_ERR, CAT_MESSAGE_TOO_LARGE,
	  SIZE_EXPL, SIZE_REMEDY },
	{ P1("size limit"), PAT_ERR, CAT_MESSAGE_TOO_LARGE,
	  SIZE_EXPL, SIZE_REMEDY },
	{ P1("too large"), PAT_ERR, CAT_MESSAGE_TOO_LARGE,
	  SIZE_EXPL, SIZE_REMEDY },
	{ P1("too big"), PAT_ERR, CAT_MESSAGE_TOO_LARGE,
	  SIZE_EXPL, SIZE_REMEDY },

	/* A recipient's own block, before the content wording */
	{ P1("blocked senders"), PAT_ERR, CAT_POLICY,
	  POLICY_BLOCK_EXPL, POLICY_BLOCK_REMEDY },
	{ P1("envelope blocked"), PAT_ERR, CAT_POLICY,
	  POLICY_BLOCK_EXPL, POLICY_BLOCK_REMEDY },
	{ P1("administrative prohibition"), PAT_ERR, CAT_POLICY,
	  "The receiver's policy (Exim's \"administrative prohibition\", or "
	  "Mimecast's blocked-senders and SPF policies) refuses this sender.",
	  "Ask the recipient's admin which policy matched; check the sender "
	  "domain's SPF if the receiver is Mimecast." },
	{ P1("anti-spoofing"), PAT_ERR, CAT_POLICY,
	  "The receiver's anti-spoofing policy refuses mail that claims to "
	  "come from the recipient's own domain but arrives from outside "
	  "(typical when a third-party service sends as that domain).",
	  "The recipient's admin must allow the sending service (by IP or "
	  "authentication) in its anti-spoofing policy." },
	{ P1("restricted by policy"), PAT_ERR, CAT_POLICY,
	  "The recipient domain's own filter rules refuse the message.",
	  "Contact the recipient by another channel so their admin can "
	  "adjust the filter." },
	{ P1("due to local policy"), PAT_ERR, CAT_POLICY,
	  "The receiver refuses the message under its local policy, without "
	  "saying which rule.",
	  "Ask the receiver's postmaster which policy matched." },

	/* Content */
	{ P1("virus"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The receiver's scanner found malware in the message.",
	  "Scan the sending system and the attachment; send the file another "
	  "way if it is a false positive." },
	{ P1("malware"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The receiver's scanner found malware in the message.",
	  "Scan the sending system and the attachment; send the file another "
	  "way if it is a false positive." },
	{ P1("phishing"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The receiver's filter classified the message as phishing.",
	  "Check links and sender identity in the message; a compromised "
	  "account may be sending it." },
	{ P1("spoofed"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The receiver's filter thinks the message impersonates another "
	  "sender or a known brand.",
	  "Check the From: name and address, the links and the logos in the "
	  "message for anything that looks like someone else's identity." },
	{ P1("attachment"), PAT_ERR, CAT_CONTENT_REJECTED,
	  ATTACH_EXPL, ATTACH_REMEDY },
	{ P1("dangerous"), PAT_ERR, CAT_CONTENT_REJECTED,
	  ATTACH_EXPL, ATTACH_REMEDY },
	{ P1("not rfc"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The receiver refuses the message because its headers or structure "
	  "break the message format standard (RFC 5322/2822).",
	  "Check the headers the sending software writes (From:, Date:, "
	  "Message-ID:, no duplicates) and fix the software." },
	{ P1("spam"), PAT_ERR, CAT_CONTENT_REJECTED, SPAM_EXPL, SPAM_REMEDY },
	{ P1("banned content"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "A content rule of the receiver matched something in the message.",
	  "Review the wording, links and attachments; ask the recipient's "
	  "admin which rule matched." },
	{ P1("content denied"), PAT_ERR, CAT_CONTENT_REJECTED,
	  SPAM_EXPL, SPAM_REMEDY },
	{ P1("content rejected"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "A content rule of the receiver (headers, body or attachments) "
	  "rejected the message.",
	  "Ask the recipient's admin which rule matched, or change the "
	  "content." },
	{ P1("message filtered"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The receiver's filter (a spam or content rule) stopped the "
	  "message.",
	  "Ask the recipient's admin to check the filter log for the rule "
	  "that matched." },
	{ P1("rejected by destination domain"), PAT_ERR,
	  CAT_CONTENT_REJECTED,
	  "The recipient domain's own mail filters rejected the message.",
	  "Contact the recipient by another channel so their admin can "
	  "check the filter." },
	{ P1("message rejected"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The receiver rejected the message itself, usually by a content or "
	  "spam rule.",
	  "Read the rest of the text for the rule; ask the recipient to "
	  "whitelist you if the mail is wanted." },

	/* Routing loops and misrouting */
	{ P1("loops back to myself"), PAT_ERR, CAT_ROUTING,
	  "The server is the destination of its own MX or relay path (Postfix "
	  "says this when the domain is not listed as local).",
	  "The receiver's admin must add the domain to the server's local or "
	  "virtual domains, or fix the MX records." },
	{ P1("local configuration error"), PAT_ERR, CAT_ROUTING,
	  "Sendmail found that delivering the message would send it to "
	  "itself: the domain's MX points here but the domain is not "
	  "configured as local.",
	  "The receiver's admin must list the domain as local (Cw / "
	  "local-host-names) or fix the MX records." },
	{ P1("loop detected"), PAT_ERR, CAT_ROUTING, LOOP_EXPL, LOOP_REMEDY },
	{ P1("mail loop"), PAT_ERR, CAT_ROUTING, LOOP_EXPL, LOOP_REMEDY },
	{ P1("too many hops"), PAT_ERR, CAT_ROUTING, LOOP_EXPL, LOOP_REMEDY },
	{ P1("hop count"), PAT_ERR, CAT_ROUTING, LOOP_EXPL, LOOP_REMEDY },

	/* Service and storage */
	{ P1("no smtp service"), PAT_ERR, CAT_SERVICE_UNAVAILABLE,
	  "The server refuses any SMTP service to this client, usually "
	  "because an earlier check at connect time rejected it.",
	  "Read the other reply lines for the reason; check your IP's "
	  "blocklist status and reverse DNS." },
	{ P1("does not accept mail"), PAT_ERR, CAT_SERVICE_UNAVAILABLE,
	  "The host or domain declares that it does not accept mail.",
	  "Check that you are sending to the right domain and its real MX "
	  "hosts." },
	{ P1("license expired"), PAT_ERR, CAT_SERVICE_UNAVAILABLE,
	  "The recipient's filtering appliance (Barracuda) refuses mail "
	  "because its licence has expired.",
	  "Only the recipient's admins can fix this; tell them by another "
	  "channel." },
	{ P1("server configuration"), PAT_ERR, CAT_SERVICE_UNAVAILABLE,
	  "The receiving server has a configuration error and defers mail "
	  "until its admin fixes it.",
	  "Retry later; if it lasts, tell the receiver's postmaster (the "
	  "error is in their server's log)." },
	{ P1("server busy"), PAT_ERR, CAT_SERVICE_UNAVAILABLE,
	  SVC_EXPL, SVC_REMEDY },
	{ P1("service unavailable"), PAT_ERR, CAT_SERVICE_UNAVAILABLE,
	  SVC_EXPL, SVC_REMEDY },
	{ P1("currently unavailable"), PAT_ERR, CAT_SERVICE_UNAVAILABLE,
	  SVC_EXPL, SVC_REMEDY },
	{ P1("insufficient system storage"), PAT_ERR, CAT_STORAGE,
	  "The receiving server is short of disk space for its queue.",
	  "Retry later; the receiver's admins must free space." },
	{ P1("disk full"), PAT_ERR, CAT_STORAGE,
	  "The receiving server is short of disk space for its queue.",
	  "Retry later; the receiver's admins must free space." },

	/* Protocol */
	{ P1("improper use of smtp command pipelining"), PAT_ERR,
	  CAT_PROTOCOL,
	  "The client sent commands before the server's reply without "
	  "PIPELINING (or Postfix's pre-greeting test caught it).",
	  "Wait for each reply (or for the greeting) before sending; check "
	  "for a proxy that rewrites the dialogue." },
	{ P1("before smtp greeting"), PAT_ERR, CAT_PROTOCOL,
	  "The client spoke before the server's greeting, which servers "
	  "treat as the mark of a spam bot.",
	  "Wait for the 220 greeting before sending EHLO." },
	{ P1("too many errors"), PAT_ERR, CAT_PROTOCOL,
	  "The server counts protocol errors in a session and closed this "
	  "one after too many of them.",
	  "Look at the earlier replies in the transcript for the failing "
	  "commands." },
	{ P1("protocol violation"), PAT_ERR, CAT_PROTOCOL,
	  "The server saw the client break the SMTP protocol (for example "
	  "commands pipelined after STARTTLS or without PIPELINING).",
	  "Follow the command sequence of RFC 5321 and RFC 3207; check for a "
	  "proxy that alters the dialogue." },
	{ P1("bad sequence"), PAT_ERR, CAT_PROTOCOL,
	  "A command arrived out of order.",
	  "Check the earlier replies in the transcript for the step that "
	  "failed." },
	{ P1("line too long"), PAT_ERR, CAT_PROTOCOL,
	  "A command or header line exceeded the server's length limit.",
	  "Keep lines under 1000 octets including CRLF." },
	{ P1("line is too long"), PAT_ERR, CAT_PROTOCOL,
	  "A line of the message exceeded the server's limit (RFC 5321 "
	  "allows 1000 octets per line).",
	  "Make the sending software wrap long lines or use "
	  "quoted-printable or base64 encoding." },
	{ P1("command unrecognized"), PAT_ERR, CAT_PROTOCOL,
	  "The server did not recognize the command.",
	  "Use only the commands and extensions the server announces." },
	{ P1("command not recognized"), PAT_ERR, CAT_PROTOCOL,
	  "The server did not recognize the command.",
	  "Use only the commands and extensions the server announces." },
	{ P1("syntax error"), PAT_ERR, CAT_PROTOCOL,
	  "The server found a syntax error in the command.",
	  "Read the text for the argument it rejects and correct it." },
};

/* ------------------------------------------------------------------ */
/* Local failures                                                      */
/* ------------------------------------------------------------------ */

#define LE(e, n, c, x, r) [e] = { (e), (n), (c), (x), (r) }

static const struct local_error_info local_errors[LE__COUNT] = {
	LE(LE_DNS_NXDOMAIN, "nxdomain", CAT_DNS,
	   "The domain does not exist in DNS (NXDOMAIN): no name server "
	   "knows it.",
	   "Check the spelling of the domain; if it is new or just renewed, "
	   "check its registration and delegation with whois and the "
	   "parent zone's NS records."),
	LE(LE_DNS_NODATA, "nodata", CAT_DNS,
	   "The name exists but has no records of the type asked for "
	   "(NODATA).",
	   "Add the missing MX (or A/AAAA) records to the domain's zone."),
	LE(LE_DNS_SERVFAIL, "servfail", CAT_DNS,
	   "The resolver could not get an answer (SERVFAIL): the domain's "
	   "name servers are down, lame, or DNSSEC validation fails.",
	   "Query the domain's authoritative servers directly (dig +trace); "
	   "fix broken delegation or DNSSEC signatures, or retry later."),
	LE(LE_DNS_REFUSED, "dns_refused", CAT_DNS,
	   "The DNS server refused to answer (REFUSED): it does not serve "
	   "this client or this zone.",
	   "Use a resolver that allows your queries (--dns-server), or fix "
	   "the domain's delegation if an authoritative server refuses."),
	LE(LE_DNS_TIMEOUT, "dns_timeout", CAT_DNS,
	   "No DNS answer arrived within the timeout (c-ares ETIMEOUT; "
	   "ECANCELLED or EDESTRUCTION when the run's deadline cut the "
	   "query): the resolver or the domain's name servers did not "
	   "respond.",
	   "Check that the resolver is reachable (UDP/TCP port 53 not "
	   "blocked), try another with --dns-server, or raise --timeout."),
	LE(LE_DNS_MALFORMED, "dns_malformed", CAT_DNS,
	   "The DNS exchange was malformed: the answer could not be parsed "
	   "(c-ares EBADRESP), the server called the query malformed "
	   "(EFORMERR), or the name asked for is not a valid DNS name "
	   "(EBADNAME, e.g. an MX target with illegal characters).",
	   "For a bad name, the receiver must fix its MX record; otherwise "
	   "try another resolver with --dns-server, since a middlebox "
	   "mangling DNS is a likely cause."),
	LE(LE_DNS_NULL_MX, "null_mx", CAT_DNS,
	   "The domain publishes a null MX (RFC 7505): it states that it "
	   "accepts no mail at all.",
	   "The domain cannot receive mail by design; use another address, "
	   "or remove the null MX if the domain should receive mail."),
	LE(LE_DNS_NO_ADDRESS, "no_address", CAT_DNS,
	   "The MX host name has no A or AAAA record, so there is no address "
	   "to connect to.",
	   "Add address records for the MX host, or point the MX record at a "
	   "host that has them (an MX must not point to a CNAME or IP)."),
	LE(LE_DNS_NO_SERVER, "dns_no_server", CAT_DNS,
	   "No DNS resolver could be contacted: the configured resolvers "
	   "refused or did not exist (c-ares ECONNREFUSED, ENOSERVER).",
	   "Check the nameserver lines of /etc/resolv.conf (or "
	   "--dns-server) and that this host may reach them on port 53."),
	LE(LE_DNS_NOT_IMPLEMENTED, "dns_not_implemented", CAT_DNS,
	   "The DNS server does not implement this kind of query (NOTIMP).",
	   "Use a full recursive resolver with --dns-server; some home "
	   "routers and filtering proxies answer only A queries."),
	LE(LE_DNS_BAD_NAME, "dns_bad_name", CAT_DNS,
	   "The name to look up is not a valid DNS name (for example an MX "
	   "target with spaces or illegal characters).",
	   "The receiver must correct the record that contains the bad "
	   "name (usually its MX record)."),
	LE(LE_DNS_CONFIG, "dns_config", CAT_DNS,
	   "The resolver configuration could not be read (c-ares EFILE or "
	   "ENOTINITIALIZED).",
	   "Check that /etc/resolv.conf exists and is readable, or name a "
	   "resolver with --dns-server."),
	LE(LE_DNS_NO_MEMORY, "dns_no_memory", CAT_DNS,
	   "The DNS library ran out of memory.",
	   "Free memory on this host and retry."),
	LE(LE_DNS_ERROR, "dns_error", CAT_DNS,
	   "The DNS lookup failed for a less common reason, which the detail "
	   "names: no resolver could be contacted (c-ares ECONNREFUSED), the "
	   "resolver does not implement the query (ENOTIMP), no resolver is "
	   "configured or the configuration is unreadable (ENOSERVER, EFILE, "
	   "ENOTINITIALIZED), the answer ended early (EOF), or memory ran "
	   "out (ENOMEM).",
	   "Check /etc/resolv.conf (or --dns-server) and that this host can "
	   "reach the resolver on port 53; retry, and report the detail if it "
	   "is an internal error (EBADQUERY, EBADFAMILY, EBADFLAGS)."),
	LE(LE_CONN_REFUSED, "connection_refused", CAT_NETWORK,
	   "The host answered but refused the connection: nothing listens on "
	   "that port, or a firewall rejects it.",
	   "Check that the mail service runs and listens on that address and "
	   "port, and that no firewall rule rejects your source address."),
	LE(LE_CONN_TIMEOUT, "connection_timed_out", CAT_NETWORK,
	   "No answer to the connection attempt within the timeout: "
	   "something on the path silently drops packets, typically a "
	   "firewall (yours blocking outbound port 25, or the receiver's).",
	   "Try another port or network to see which side blocks (many ISPs "
	   "and clouds block outbound port 25); check the receiver's "
	   "firewall for your address."),
	LE(LE_CONN_UNREACHABLE, "unreachable", CAT_NETWORK,
	   "The address cannot be reached from here, as the detail says: no "
	   "route to the network or host (ENETUNREACH, EHOSTUNREACH, "
	   "EHOSTDOWN), the local interface is down (ENETDOWN), this host "
	   "has no source address of that family (EADDRNOTAVAIL), or the "
	   "family is disabled in the kernel (EAFNOSUPPORT). The usual case "
	   "is an IPv6 address tried from a host without IPv6 connectivity.",
	   "Check this host's routing and interfaces (ip route, ip addr); if "
	   "only IPv6 fails, use -4 until the IPv6 path is fixed."),
	LE(LE_CONN_RESET, "connection_reset", CAT_NETWORK,
	   "The connection was reset by the peer or by a device on the path.",
	   "Retry; if it repeats, look for a firewall or intrusion prevention "
	   "system resetting SMTP sessions, or a server that drops this "
	   "client on purpose."),
	LE(LE_CONN_CLOSED, "connection_closed", CAT_NETWORK,
	   "The server closed the connection without a reply.",
	   "Servers do this to clients they reject silently (blocklisted IP, "
	   "too many connections); retry later or from another IP to compare."),
	LE(LE_CONN_NO_SOURCE_ADDRESS, "no_source_address", CAT_NETWORK,
	   "This host has no usable source address of that family "
	   "(EADDRNOTAVAIL): typically no global IPv6 address while the MX "
	   "host has an AAAA record.",
	   "Use -4 until this host has IPv6 connectivity, or fix its address "
	   "configuration."),
	LE(LE_CONN_FAMILY_UNSUPPORTED, "family_unsupported", CAT_NETWORK,
	   "The address family is not supported on this host "
	   "(EAFNOSUPPORT): IPv6 is disabled in the kernel.",
	   "Use -4, or enable IPv6 on this host."),
	LE(LE_CONN_FORBIDDEN, "connection_forbidden", CAT_NETWORK,
	   "This host's own firewall or security policy forbade the "
	   "outgoing connection (EACCES/EPERM); nothing left the machine.",
	   "Check the local firewall (nftables, iptables, a container's "
	   "network policy) and SELinux/AppArmor rules for outbound "
	   "port 25."),
	LE(LE_CONN_NO_RESOURCES, "no_resources", CAT_NETWORK,
	   "The system ran out of sockets, file descriptors or buffers "
	   "(EMFILE, ENFILE, ENOBUFS).",
	   "Raise the open-file limit (ulimit -n) or probe fewer hosts at "
	   "once."),
	LE(LE_CONN_ERROR, "connection_error", CAT_NETWORK,
	   "The connection failed with a less common operating system error, "
	   "which the detail names: most often a local firewall or security "
	   "policy forbids the outgoing connection (EACCES, EPERM), or the "
	   "process ran out of sockets or buffers (EMFILE, ENFILE, ENOBUFS).",
	   "For EACCES/EPERM check this host's own firewall (nftables, "
	   "iptables) and SELinux/AppArmor rules for outbound port 25; for "
	   "resource errors raise the limits or probe fewer hosts at once."),
	LE(LE_REPLY_TIMEOUT, "reply_timeout", CAT_NETWORK,
	   "Connected, but the server did not send the expected reply within "
	   "the timeout.",
	   "Some servers delay the greeting or replies on purpose (tarpitting "
	   "suspected spammers); raise --timeout to see whether it answers "
	   "at all. A silent greeting can also mean the port expects "
	   "implicit TLS (like 465): try it with -p 465."),
	LE(LE_TLS_HANDSHAKE, "tls_handshake_failed", CAT_TLS,
	   "The TLS handshake failed; the detail gives OpenSSL's reason: no "
	   "protocol version in common (\"unsupported protocol\", a server "
	   "stuck at TLS 1.0/1.1), no cipher in common (\"no shared "
	   "cipher\"), or the server ended the handshake with an alert "
	   "(\"alert handshake failure\", \"alert internal error\").",
	   "The receiver must enable TLS 1.2 or 1.3 with current ciphers and "
	   "a valid certificate and key; an alert right after the hello often "
	   "means a broken certificate setup on the server."),
	LE(LE_TLS_TIMEOUT, "tls_timeout", CAT_TLS,
	   "The TLS handshake did not finish within the timeout.",
	   "Look for a middlebox that blocks or stalls TLS on this port, or "
	   "raise --timeout."),
	LE(LE_TLS_VERIFY, "tls_verify_failed", CAT_TLS,
	   "The server's certificate did not verify; the detail gives the "
	   "reason: expired (\"certificate has expired\"), not yet valid "
	   "(a clock is wrong on one side), self-signed, issued by a CA this "
	   "host does not trust or sent without its intermediate certificate "
	   "(\"unable to get local issuer certificate\"), or a chain longer "
	   "than the verifier accepts.",
	   "Renew an expired certificate; check the clocks for \"not yet "
	   "valid\"; serve the full chain (leaf plus intermediates) from a "
	   "public CA; for a private CA pass it with --ca-file."),
	LE(LE_TLS_NAME, "tls_name_mismatch", CAT_TLS,
	   "The certificate is valid but is not issued for the host name "
	   "connected to.",
	   "Put the MX host name in the certificate's subjectAltName, or "
	   "point the MX record at a name the certificate covers."),
	LE(LE_TLS_NOT_OFFERED, "starttls_not_offered", CAT_TLS,
	   "TLS was required, but the server does not offer STARTTLS.",
	   "Enable STARTTLS on the server, or check whether a firewall strips "
	   "STARTTLS from the EHLO reply."),
	LE(LE_TLS_REFUSED, "starttls_refused", CAT_TLS,
	   "The server announced STARTTLS but answered the command with an "
	   "error.",
	   "The server's TLS setup is broken (missing certificate or key); "
	   "its admin must check the mail server's log."),
	LE(LE_TLS_CERT_EXPIRED, "tls_cert_expired", CAT_TLS,
	   "The server's certificate has expired.",
	   "The receiver must renew the certificate (and automate renewal, "
	   "e.g. with ACME)."),
	LE(LE_TLS_CERT_NOT_YET_VALID, "tls_cert_not_yet_valid", CAT_TLS,
	   "The server's certificate is not valid yet: its start date is in "
	   "the future as seen from here.",
	   "Check this host's clock first (NTP); if it is right, the "
	   "server's certificate was issued with a wrong date."),
	LE(LE_TLS_SELF_SIGNED, "tls_self_signed", CAT_TLS,
	   "The server presents a self-signed certificate (or a chain ending "
	   "in a self-signed root this host does not trust).",
	   "The receiver should use a certificate from a public CA; to trust "
	   "a private one for this probe, pass it with --ca-file."),
	LE(LE_TLS_UNKNOWN_CA, "tls_unknown_ca", CAT_TLS,
	   "The certificate was issued by a CA this host does not trust, or "
	   "the server did not send the intermediate certificate that links "
	   "it to a trusted root.",
	   "The receiver must serve the full chain (leaf plus "
	   "intermediates); for a private CA pass it with --ca-file."),
	LE(LE_TLS_CHAIN_TOO_LONG, "tls_chain_too_long", CAT_TLS,
	   "The certificate chain is longer than the verifier accepts.",
	   "The receiver should serve a shorter chain from a public CA (drop "
	   "extra cross-signed certificates)."),
	LE(LE_TLS_NO_SHARED_PROTOCOL, "tls_no_shared_protocol", CAT_TLS,
	   "The two sides have no TLS version in common (typically a server "
	   "limited to TLS 1.0/1.1 against a client that requires 1.2).",
	   "The receiver must enable TLS 1.2 and 1.3."),
	LE(LE_TLS_NO_SHARED_CIPHER, "tls_no_shared_cipher", CAT_TLS,
	   "The two sides have no cipher suite in common.",
	   "The receiver must enable current cipher suites (AES-GCM, "
	   "ChaCha20-Poly1305) and a certificate type they can use."),
	LE(LE_TLS_ALERT, "tls_alert", CAT_TLS,
	   "The server aborted the handshake with a TLS alert (named in the "
	   "detail).",
	   "The alert names the server's complaint; a \"handshake failure\" "
	   "or \"internal error\" alert usually means a broken certificate "
	   "or key setup on the server."),
	LE(LE_TLS_ON_PLAIN_PORT, "tls_on_plain_port", CAT_TLS,
	   "The server sent TLS bytes where a plain SMTP greeting belongs: "
	   "the port speaks implicit TLS (as on 465), not STARTTLS.",
	   "Probe the port as implicit TLS (like 465), or configure it for "
	   "plain SMTP with STARTTLS."),
	LE(LE_TLS_PLAINTEXT_ON_IMPLICIT, "plaintext_on_implicit_tls", CAT_TLS,
	   "The port was expected to speak TLS from the start (implicit TLS, "
	   "like 465), but the server sent plain text (OpenSSL reports "
	   "\"wrong version number\").",
	   "Probe this port without implicit TLS (it speaks SMTP with "
	   "STARTTLS, like 25 and 587), or configure it for implicit TLS."),
	LE(LE_PROTO_MALFORMED, "malformed_reply", CAT_PROTOCOL,
	   "The server sent something that is not a valid SMTP reply; when "
	   "the detail says TLS bytes came instead of a greeting, the port "
	   "expects implicit TLS (as on 465), not plain SMTP with STARTTLS.",
	   "For TLS bytes, probe the port as implicit TLS (-p 465 style); "
	   "otherwise check that the port runs an SMTP server and not "
	   "another service or a broken proxy."),
	LE(LE_PROTO_LINE_TOO_LONG, "line_too_long", CAT_PROTOCOL,
	   "A reply line was longer than the limit smtpprobe accepts.",
	   "The server or something in between is misbehaving; check for a "
	   "non-SMTP service on this port."),
	LE(LE_PROTO_TOO_MANY_LINES, "too_many_lines", CAT_PROTOCOL,
	   "A reply had more lines or bytes than smtpprobe accepts, so it was "
	   "cut.",
	   "The server sends an endless or oversized reply; its admin should "
	   "check what produces it."),
	LE(LE_PROTO_INJECTION, "starttls_injection", CAT_PROTOCOL,
	   "Extra bytes followed the server's 220 reply to STARTTLS before "
	   "TLS started; they were discarded as a possible injection attack.",
	   "Update or fix the server or middlebox that sends data after the "
	   "STARTTLS reply (a known attack pattern or a broken proxy)."),
	LE(LE_PROTO_UNSOLICITED, "unsolicited_data", CAT_PROTOCOL,
	   "The server sent data nobody asked for, for example before its "
	   "greeting or between replies.",
	   "A broken server or proxy is the likely cause; check what listens "
	   "on the port."),
	LE(LE_PROTO_UNEXPECTED, "unexpected_reply", CAT_PROTOCOL,
	   "The server sent a reply code that makes no sense at this step.",
	   "The server does not follow the protocol; report the transcript "
	   "to its admin."),
	LE(LE_PROTO_CLOSED_MID_REPLY, "closed_mid_reply", CAT_PROTOCOL,
	   "The connection closed in the middle of a multi-line reply.",
	   "The server crashed or a middlebox cut the session; retry and "
	   "compare."),
	LE(LE_RUN_DEADLINE, "run_deadline", CAT_NETWORK,
	   "The run's overall time limit ended this probe before it finished.",
	   "The hosts answer too slowly for the budget; raise --timeout or "
	   "probe fewer ports."),
	LE(LE_AUTH_UNAVAILABLE, "auth_unavailable", CAT_PROTOCOL,
	   "--auth was given, but the server offers no authentication "
	   "mechanism smtpprobe can use (PLAIN or LOGIN) at this point.",
	   "Many servers offer AUTH only after STARTTLS or only on the "
	   "submission ports: probe with -p 587,465 and check the server's "
	   "AUTH settings."),
	LE(LE_SMTPUTF8_UNAVAILABLE, "smtputf8_unavailable", CAT_PROTOCOL,
	   "The address has a non-ASCII local part, which needs the SMTPUTF8 "
	   "extension (RFC 6531), and the server does not offer it.",
	   "This server cannot take mail for the address as written: use an "
	   "ASCII alias of the mailbox, or the receiver must enable "
	   "SMTPUTF8."),
};

_Static_assert(ARRAY_LEN(local_errors) == LE__COUNT,
	       "one local_errors slot per enum local_error value");
_Static_assert(ARRAY_LEN(enhanced_subjects) == 8,
	       "enhanced subjects 0..7");

/* clang-format on */

/* ------------------------------------------------------------------ */
/* Lookups                                                             */
/* ------------------------------------------------------------------ */

static int cmp_basic(const void *key, const void *elem)
{
	int k = *(const int *)key;
	const struct code_info *c = elem;

	return (k > c->code) - (k < c->code);
}

const struct code_info *codes_basic(int code)
{
	return bsearch(&code, basic_codes, ARRAY_LEN(basic_codes),
		       sizeof(basic_codes[0]), cmp_basic);
}

struct enh_key {
	int subject;
	int detail;
};

static int cmp_enhanced(const void *key, const void *elem)
{
	const struct enh_key *k = key;
	const struct enhanced_info *e = elem;

	if (k->subject != e->subject)
		return (k->subject > e->subject) - (k->subject < e->subject);
	return (k->detail > e->detail) - (k->detail < e->detail);
}

const struct enhanced_info *codes_enhanced(int subject, int detail)
{
	struct enh_key k = {subject, detail};

	return bsearch(&k, enhanced_codes, ARRAY_LEN(enhanced_codes),
		       sizeof(enhanced_codes[0]), cmp_enhanced);
}

const struct enhanced_subject_info *codes_enhanced_subject(int subject)
{
	if (subject < 0 || (size_t)subject >= ARRAY_LEN(enhanced_subjects))
		return NULL;
	return &enhanced_subjects[subject];
}

static int ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Whether needle occurs in hay, ignoring ASCII case. An empty needle never
 * matches, so a broken table entry cannot match everything. */
static int contains_nocase(const char *hay, const char *needle)
{
	size_t i;

	if (!needle[0])
		return 0;
	for (; *hay; hay++) {
		for (i = 0; needle[i]; i++) {
			if (!hay[i] ||
			    ascii_lower((unsigned char)hay[i]) !=
				ascii_lower((unsigned char)needle[i]))
				break;
		}
		if (!needle[i])
			return 1;
	}
	return 0;
}

static unsigned class_mask(enum reply_class cls)
{
	switch (cls) {
	case CLASS_SUCCESS: return PAT_2XX;
	case CLASS_TRANSIENT: return PAT_4XX;
	case CLASS_PERMANENT: return PAT_5XX;
	case CLASS_NONE:
		/* No code known (text alone): any pattern may apply. */
		return PAT_2XX | PAT_4XX | PAT_5XX;
	case CLASS_INTERMEDIATE:
	default: return 0;
	}
}

const struct text_pattern *codes_match_text(const char *text,
					    enum reply_class cls)
{
	unsigned mask = class_mask(cls);
	size_t i, n;

	if (!text || !mask)
		return NULL;
	for (i = 0; i < ARRAY_LEN(patterns); i++) {
		const struct text_pattern *p = &patterns[i];

		if (!(p->classes & mask) || !p->needles[0])
			continue;
		for (n = 0; n < 3 && p->needles[n]; n++) {
			if (!contains_nocase(text, p->needles[n]))
				break;
		}
		if (n == 3 || !p->needles[n])
			return p;
	}
	return NULL;
}

const struct local_error_info *codes_local(enum local_error e)
{
	if (e <= LE_NONE || e >= LE__COUNT || !local_errors[e].name)
		return NULL;
	return &local_errors[e];
}

size_t codes_basic_count(void)
{
	return ARRAY_LEN(basic_codes);
}

const struct code_info *codes_basic_at(size_t i)
{
	return i < ARRAY_LEN(basic_codes) ? &basic_codes[i] : NULL;
}

size_t codes_enhanced_count(void)
{
	return ARRAY_LEN(enhanced_codes);
}

const struct enhanced_info *codes_enhanced_at(size_t i)
{
	return i < ARRAY_LEN(enhanced_codes) ? &enhanced_codes[i] : NULL;
}

size_t codes_pattern_count(void)
{
	return ARRAY_LEN(patterns);
}

const struct text_pattern *codes_pattern_at(size_t i)
{
	return i < ARRAY_LEN(patterns) ? &patterns[i] : NULL;
}
