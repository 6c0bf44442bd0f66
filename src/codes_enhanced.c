/*
 * codes_enhanced.c - RFC 3463 enhanced codes, keyed by subject.detail:
 * the IANA "SMTP Enhanced Status Codes" registry (RFC 3463, 3886, 4468,
 * 4954, 5248, 6531, 6710, 7293, 7372, 7505, 8617, 8689 and the X.7.28
 * registration; the list is tests/data/iana-enhanced-codes.tsv), plus
 * vendor codes marked "(Microsoft)" or "(Gmail)" that real servers send.
 * Sorted by (subject, detail), searched by bisection. An entry does not
 * know the reply's class, so the interpreter never takes a failure
 * category from it for a 2xx reply.
 */
#include "smtpprobe/codes.h"

#include <stddef.h>
#include <stdlib.h>

#include "codes_table.h"

/* The data tables below are laid out by hand; clang-format would pull
 * them apart. */
/* clang-format off */


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
	  DO_ASK_OTHER_ADDRESS },
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
	  DO_RETRY_NOTHING },
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
	/* RFC 3463 words X.4.4 as "unable to route"; in practice it is
	 * the DNS verdict on the destination domain: Postfix's "Host or
	 * domain name not found", Exchange's
	 * SMTPSEND.DNS.NonExistentDomain. */
	{ 4, 4, CAT_DOMAIN_UNKNOWN,
	  "Unable to route: DNS gives the destination domain no usable "
	  "mail host (the domain does not exist, or has no MX and no "
	  "address record).",
	  "Check the domain's spelling; if it is right, its owner must fix "
	  "its registration or its MX and A/AAAA records." },
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
	  DO_SMTPUTF8_CLIENT },
	{ 6, 9, CAT_PROTOCOL,
	  "A message with UTF-8 header fields cannot be passed on because "
	  "the next hop lacks SMTPUTF8 (RFC 6531).",
	  "Send the message with ASCII headers, or via SMTPUTF8-capable "
	  "servers." },
	{ 6, 10, CAT_PROTOCOL,
	  "A UTF-8 reply is required but the client did not allow it (a "
	  "deprecated duplicate of X.6.8).",
	  DO_SMTPUTF8_CLIENT },
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
	  DO_REENABLE_ACCOUNT },
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
	  DO_PUBLISH_DMARC },
	/* Vendor codes seen in the wild */
	{ 7, 32, CAT_SENDER_AUTH,
	  "(Gmail) The From: domain is not aligned with the domain that "
	  "passed SPF or DKIM.",
	  "Sign with DKIM for the From: domain, or send with a MAIL FROM "
	  "domain that matches it." },
	{ 7, 40, CAT_SENDER_AUTH,
	  "(Gmail) The sender's domain has no usable DMARC record.",
	  DO_PUBLISH_DMARC },
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
	  DO_ALLOW_EXTERNAL },
	{ 7, 135, CAT_POLICY,
	  "(Microsoft) The recipient public folder only accepts mail from "
	  "senders inside its organisation.",
	  DO_ALLOW_EXTERNAL },
	{ 7, 136, CAT_POLICY,
	  "(Microsoft) The recipient mail user only accepts mail from "
	  "senders inside its organisation.",
	  DO_ALLOW_EXTERNAL },
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
	  SAY_MS_ACCOUNT_BANNED,
	  DO_MS_RESTORE_ACCOUNT },
	{ 7, 502, CAT_REPUTATION,
	  SAY_MS_ACCOUNT_BANNED,
	  DO_MS_RESTORE_ACCOUNT },
	{ 7, 503, CAT_REPUTATION,
	  SAY_MS_ACCOUNT_BANNED,
	  DO_MS_RESTORE_ACCOUNT },
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
	  SAY_MS_RATE_LIMIT,
	  DO_MS_SNDS },
	{ 7, 651, CAT_REPUTATION,
	  SAY_MS_RATE_LIMIT,
	  DO_MS_SNDS },
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

_Static_assert(ARRAY_LEN(enhanced_subjects) == 8,
	       "enhanced subjects 0..7");

/* clang-format on */

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

size_t codes_enhanced_count(void)
{
	return ARRAY_LEN(enhanced_codes);
}

const struct enhanced_info *codes_enhanced_at(size_t i)
{
	return i < ARRAY_LEN(enhanced_codes) ? &enhanced_codes[i] : NULL;
}
