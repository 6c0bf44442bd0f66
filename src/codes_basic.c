/*
 * codes_basic.c - the basic three-digit reply codes (RFC 5321 4.2.2 and
 * 4.2.3, RFC 7504, and old non-standard codes real servers still send):
 * what each usually means before context. Sorted by code, searched by
 * bisection (test_codes checks the order).
 */
#include "smtpprobe/codes.h"

#include <stddef.h>
#include <stdlib.h>

#include "codes_table.h"

/* The data tables below are laid out by hand; clang-format would pull
 * them apart. */
/* clang-format off */

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
	  DO_CHECK_SPELLING },
	{ 511, CAT_MAILBOX_UNKNOWN,
	  "Non-standard: bad destination mailbox address.",
	  "The mailbox does not exist at the receiving server.",
	  DO_CHECK_SPELLING },
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
	  DO_REENABLE_ACCOUNT },
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

/* clang-format on */

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

size_t codes_basic_count(void)
{
	return ARRAY_LEN(basic_codes);
}

const struct code_info *codes_basic_at(size_t i)
{
	return i < ARRAY_LEN(basic_codes) ? &basic_codes[i] : NULL;
}
