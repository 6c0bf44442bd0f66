/*
 * codes_action.c - for every category: who acts first and the first
 * concrete step, whatever entry of the table gave the words. An entry's
 * remedy says more (a vendor's lookup page, a delisting form); this is the
 * one line that never lacks. See codes.h.
 */
#include "smtpprobe/codes.h"

#include "codes_table.h"

/* clang-format off */
static const struct codes_action actions[CAT__COUNT] = {
	[CAT_SUCCESS] = { ACT_NOBODY,
	  "Nothing: the server accepted the command." },
	[CAT_INTERMEDIATE] = { ACT_NOBODY,
	  "Nothing: the server waits for the rest of the command." },
	[CAT_MAILBOX_UNKNOWN] = { ACT_YOU,
	  "Check the address, letter by letter, with the recipient by "
	  "another channel (phone, another address)." },
	[CAT_MAILBOX_FULL] = { ACT_RECIPIENT,
	  "Tell the recipient by another channel to free space; resend "
	  "later." },
	[CAT_MAILBOX_DISABLED] = { ACT_RECIPIENT,
	  "Ask the recipient by another channel for an address that works; "
	  "only they (or their provider) can re-enable this one." },
	[CAT_BAD_ADDRESS] = { ACT_YOU,
	  "Correct the address the reply names (sender or recipient): one "
	  "@, no spaces, a domain that exists." },
	[CAT_DOMAIN_UNKNOWN] = { ACT_YOU,
	  "Check the domain after the @ for a typo; if it is right, the "
	  "domain's owner must publish its MX records (dig MX domain)." },
	[CAT_RELAY_DENIED] = { ACT_YOU,
	  "Send to the recipient domain's own MX hosts, or authenticate to "
	  "your provider's submission server (port 587)." },
	[CAT_AUTH_REQUIRED] = { ACT_YOU,
	  "Turn on SMTP authentication in the sending client (port 587 "
	  "with STARTTLS, or 465), with the account's credentials." },
	[CAT_AUTH_FAILED] = { ACT_YOU,
	  "Check the user name and password (or app password) of the "
	  "account; if they are right, ask your provider why it refuses "
	  "them." },
	[CAT_TLS_REQUIRED] = { ACT_YOU,
	  "Enable STARTTLS (or port 465) in the sending server or client." },
	[CAT_IP_BLOCKLISTED] = { ACT_PROVIDER,
	  "Look the sending IP up on the list the text names (or "
	  "https://mxtoolbox.com/blacklists.aspx), fix the cause, then "
	  "request delisting; on a shared IP, your provider does it." },
	[CAT_REPUTATION] = { ACT_PROVIDER,
	  "Check the IP and domain at the receiver's postmaster tools "
	  "(Google Postmaster Tools, Microsoft SNDS, Yahoo Sender Hub) and "
	  "send less, to engaged recipients only, until it recovers." },
	[CAT_SENDER_AUTH] = { ACT_YOU,
	  "Look up the From: domain's SPF, DKIM and DMARC records (dig TXT) "
	  "and make the sending server pass and align with them." },
	[CAT_REVERSE_DNS] = { ACT_PROVIDER,
	  "Ask whoever owns the sending IP (your provider or ISP) to set "
	  "its PTR record to a name that resolves back to the IP." },
	[CAT_HELO_REJECTED] = { ACT_YOU,
	  "Make the sending server's HELO/EHLO name its real, resolvable "
	  "host name (the PTR name of its IP)." },
	[CAT_GREYLISTED] = { ACT_NOBODY,
	  "Nothing: a real MTA retries and is let through; wait 5-15 "
	  "minutes." },
	[CAT_RATE_LIMITED] = { ACT_YOU,
	  "Send more slowly (fewer connections and messages per minute) and "
	  "let the queue retry later." },
	[CAT_CONTENT_REJECTED] = { ACT_YOU,
	  "Change what the text names (a link, an attachment, a header) and "
	  "resend; if it is a false positive, tell the receiver's "
	  "postmaster." },
	[CAT_MESSAGE_TOO_LARGE] = { ACT_YOU,
	  "Send a smaller message: share large files by a link instead of "
	  "attaching them." },
	[CAT_SERVICE_UNAVAILABLE] = { ACT_RECEIVER_ADMIN,
	  "Retry later; if it lasts, tell the receiver's postmaster by "
	  "another channel." },
	[CAT_STORAGE] = { ACT_RECEIVER_ADMIN,
	  "Retry later; the receiving server's admin must free disk space." },
	[CAT_ROUTING] = { ACT_RECEIVER_ADMIN,
	  "Retry later; if it lasts, the receiving domain's admin must fix "
	  "its MX hosts or routing (a loop, a host that does not answer)." },
	[CAT_PROTOCOL] = { ACT_YOU,
	  "Read the transcript (smtpprobe -v) for the command the server "
	  "refused, and fix the client that sent it." },
	[CAT_POLICY] = { ACT_RECEIVER_ADMIN,
	  "Ask the receiver's postmaster (postmaster@ their domain, by "
	  "another channel) which rule refused the mail and how to be "
	  "allowed." },
	[CAT_UNKNOWN] = { ACT_YOU,
	  "Read the full reply text for its reason; ask the receiver's "
	  "postmaster if it gives none." },
	[CAT_DNS] = { ACT_YOU,
	  "Check the resolver and the domain's records (dig MX domain); "
	  "retry if the failure was temporary." },
	[CAT_NETWORK] = { ACT_YOU,
	  "Check that outbound port 25 (or the port used) is open from this "
	  "network; many ISPs block it, then use your provider's relay." },
	[CAT_TLS] = { ACT_RECEIVER_ADMIN,
	  "Read the certificate facts (smtpprobe -v); the receiver's admin "
	  "must fix the certificate or the TLS setup." },
	[CAT_PROXY] = { ACT_YOU,
	  "Check the --proxy URL, user and password, and that the proxy "
	  "runs and lets this host connect to the mail host's port; a "
	  "probe without --proxy shows whether the proxy is the problem." },
};
/* clang-format on */

static const char *const actor_names[] = {
    [ACT_NOBODY] = "nobody",	   [ACT_YOU] = "you",
    [ACT_RECIPIENT] = "recipient", [ACT_RECEIVER_ADMIN] = "receiver_admin",
    [ACT_PROVIDER] = "provider",
};

const struct codes_action *codes_category_action(enum category c)
{
	return (unsigned)c < CAT__COUNT ? &actions[c] : &actions[CAT_UNKNOWN];
}

const char *codes_actor_name(enum codes_actor a)
{
	return (unsigned)a < ARRAY_LEN(actor_names) ? actor_names[a] : "you";
}
