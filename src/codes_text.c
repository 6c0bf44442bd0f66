/*
 * codes_text.c - wording real servers use: big receivers, filtering
 * services, MTA defaults and DNSBL citations. patterns[] is scanned in
 * order and the first match wins, so the most specific wording comes
 * first; needles are matched case-insensitively (ASCII) as plain
 * substrings. tests/data/replies.tsv holds the real replies (with their
 * sources) they were written against; test_replies classifies every one.
 */
#include "smtpprobe/codes.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "codes_table.h"

/* The data tables below are laid out by hand; clang-format would pull
 * them apart. */
/* clang-format off */


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

#define GENERIC_EXPL \
	"The receiver refused the mail by one of its own rules, without " \
	"saying which (the code and the words name no specific cause)."
#define GENERIC_REMEDY \
	"You act: read the whole text for the rule, then ask the " \
	"receiver's postmaster (postmaster@ their domain, by another " \
	"channel) which rule matched and what gets you allowed."

#define NEXTHOP_EXPL \
	"A server on the way could not reach the next one (no route, a " \
	"timeout, a dropped connection) and reports it." 
#define NEXTHOP_REMEDY \
	"Nothing to fix in the message: the reporting server retries; if it " \
	"lasts, the receiving domain's admin must check that its MX hosts " \
	"are up and reachable on port 25."

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

#define IPBLOCK_EXPL \
	"The receiver blocks the sending IP address itself (on its own " \
	"block list or a reputation list it uses), whatever the message." 
#define IPBLOCK_REMEDY \
	"Look the IP up on the receiver's postmaster pages or the list it " \
	"names, stop whatever sent unwanted mail from it, then request " \
	"removal; on a shared IP, your provider does it."

#define HEADER_SIZE_EXPL \
	"The message's header is larger than the receiver accepts (too " \
	"many header lines, or too many bytes of them)."
#define HEADER_SIZE_REMEDY \
	"You act: find what adds so many header fields (long To:/Cc: " \
	"lists, many Received: lines from a forwarding loop, custom X- " \
	"fields) and trim them; a smaller attachment does not help."

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
	  DO_RETRY_NOTHING },
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
	{ P2("from:", "domain is invalid"), PAT_ERR, CAT_BAD_ADDRESS,
	  SENDER_DOMAIN_EXPL, SENDER_DOMAIN_REMEDY },
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
	/* URI blocklists list domains found in the message body, not IPs. */
	{ P1("uribl"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The message links to a domain that a URI blocklist (URIBL, SURBL) "
	  "lists as a spam or phishing domain.",
	  "You act: find the listed link in the message (the text usually "
	  "names it), remove it, and check the domain at https://lookup.uribl.com "
	  "or https://www.surbl.org/surbl-analysis." },
	{ P1("surbl"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The message links to a domain that a URI blocklist (URIBL, SURBL) "
	  "lists as a spam or phishing domain.",
	  "You act: find the listed link in the message (the text usually "
	  "names it), remove it, and check the domain at https://lookup.uribl.com "
	  "or https://www.surbl.org/surbl-analysis." },
	{ P2("url", "blacklist"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The message links to a domain that a URI blocklist lists.",
	  "You act: remove the listed link from the message and check the "
	  "domain at https://lookup.uribl.com." },
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
	  SAY_BARRACUDA,
	  DO_BARRACUDA_DELIST },
	{ P2("barracuda", "reputation"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  SAY_BARRACUDA,
	  DO_BARRACUDA_DELIST },
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
	{ P1("unwanted messages"), PAT_ERR, CAT_REPUTATION, REP_EXPL,
	  REP_REMEDY },
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
	{ P1("poor reputation"), PAT_ERR, CAT_REPUTATION, REP_EXPL,
	  REP_REMEDY },
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
	{ P2("address", "blacklisted"), PAT_ERR, CAT_POLICY,
	  "The receiver lists the sender (or recipient) address itself as "
	  "refused.",
	  "You act: ask the receiver's postmaster by another channel to "
	  "remove the address from their list; send from another address "
	  "meanwhile." },
	{ P1("blacklist"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  DNSBL_EXPL, DNSBL_REMEDY },
	{ P1("black list"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  DNSBL_EXPL, DNSBL_REMEDY },
	{ P1("blocklist"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  DNSBL_EXPL, DNSBL_REMEDY },
	{ P1("block list"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  DNSBL_EXPL, DNSBL_REMEDY },

	/* Relaying */
	{ P1("no relaying"), PAT_ERR, CAT_RELAY_DENIED, RELAY_EXPL,
	  RELAY_REMEDY },
	{ P1("configured to relay"), PAT_ERR, CAT_RELAY_DENIED, RELAY_EXPL,
	  RELAY_REMEDY },
	{ P1("mail relay"), PAT_ERR, CAT_RELAY_DENIED, RELAY_EXPL,
	  RELAY_REMEDY },
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

	{ P1("open relay"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  "The receiver refuses the connecting IP because it has been seen as "
	  "(or listed as) an open relay.",
	  "Your admin acts: close the relay (relay only for authenticated "
	  "users and your own networks), then ask the receiver or the list "
	  "to delist the IP." },

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
	  SAY_SENDER_NULL_MX,
	  DO_FROM_ACCEPTS_MAIL },
	{ P2("sender address rejected", "nullmx"), PAT_ERR, CAT_BAD_ADDRESS,
	  SAY_SENDER_NULL_MX,
	  DO_FROM_ACCEPTS_MAIL },
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
	{ P1("spf check failed"), PAT_ERR, CAT_SENDER_AUTH, SPF_EXPL,
	  SPF_REMEDY },
	{ P1("unroutable sender"), PAT_ERR, CAT_BAD_ADDRESS,
	  SENDER_DOMAIN_EXPL, SENDER_DOMAIN_REMEDY },
	{ P1("unresolvable"), PAT_ERR, CAT_DOMAIN_UNKNOWN, DOMAIN_EXPL,
	  DOMAIN_REMEDY },
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
	{ P2("tls", "requires"), PAT_ERR, CAT_TLS_REQUIRED, TLSREQ_EXPL,
	  TLSREQ_REMEDY },
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
	/* Credentials of a relay service: the relay refuses this sender. */
	{ P2("credentials", "relay"), PAT_ERR, CAT_RELAY_DENIED, RELAY_EXPL,
	  RELAY_REMEDY },
	/* "Invalid userid or password": before the "userid" wording of
	 * unknown mailboxes */
	{ P2("invalid", "password"), PAT_ERR, CAT_AUTH_FAILED,
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

	{ P1("duplicate header"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The message repeats a header field that RFC 5322 allows once.",
	  "You act: fix the sending software (or the signing step) so that "
	  "the field appears once." },
	{ P1("header error"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The receiver found the message's header malformed.",
	  "You act: check the sending software's header fields (From:, "
	  "Date:, Message-ID:, encoded words) against RFC 5322." },
	{ P1("unauthenticated senders"), PAT_ERR, CAT_AUTH_REQUIRED,
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
	/* Sendmail's answer to a HELO/EHLO argument that is not a valid
	 * host name (srvrsmtp.c, 501 5.0.0); OpenSMTPD words its HELO check
	 * the same way. */
	{ P1("invalid domain name"), PAT_ERR, CAT_HELO_REJECTED,
	  HELO_EXPL, HELO_REMEDY },
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
	{ P2("helo", "invalid"), PAT_ERR, CAT_HELO_REJECTED,
	  HELO_EXPL, HELO_REMEDY },

	/* Reverse DNS */
	{ P1("cannot find your reverse hostname"), PAT_ERR, CAT_REVERSE_DNS,
	  "The sending IP has no reverse DNS (PTR) record at all.",
	  RDNS_REMEDY },
	{ P1("cannot find your hostname"), PAT_ERR, CAT_REVERSE_DNS,
	  "The sending IP's PTR name is missing or does not resolve back to "
	  "the same IP (Postfix's forward-confirmed reverse DNS check).",
	  RDNS_REMEDY },
	{ P1("name lookup failed"), PAT_ERR, CAT_REVERSE_DNS, RDNS_EXPL,
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
	/* The sending IP itself is blocked (after the reputation wording,
	 * which names the cause; before "spam", which would make it the
	 * message's fault). French receivers (Orange, SFR) say "adresse IP
	 * ... bloquee". */
	{ P2("ip address", "blocked"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  IPBLOCK_EXPL, IPBLOCK_REMEDY },
	{ P2("adresse ip", "bloqu"), PAT_ERR, CAT_IP_BLOCKLISTED,
	  IPBLOCK_EXPL, IPBLOCK_REMEDY },

	/* Rate limits */
	{ P1("rate that prevents additional messages"), PAT_ERR,
	  CAT_RATE_LIMITED, RCPT_RATE_EXPL, RCPT_RATE_REMEDY },
	{ P1("slower"), PAT_ERR, CAT_RATE_LIMITED, RATE_EXPL, RATE_REMEDY },
	{ P1("trop de connexions"), PAT_ERR, CAT_RATE_LIMITED, RATE_EXPL,
	  RATE_REMEDY },
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
	{ P1("relay limit"), PAT_ERR, CAT_RATE_LIMITED, RATE_EXPL, RATE_REMEDY },
	{ P1("sending limit"), PAT_ERR, CAT_RATE_LIMITED, RATE_EXPL,
	  RATE_REMEDY },
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
	{ P2("mailbox", "exceed"), PAT_ERR, CAT_MAILBOX_FULL, FULL_EXPL,
	  FULL_REMEDY },
	{ P1("pleine"), PAT_ERR, CAT_MAILBOX_FULL, FULL_EXPL, FULL_REMEDY },
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
	/* The sender's own account, not the recipient's */
	{ P1("sender account"), PAT_ERR, CAT_POLICY,
	  "The receiver (or your own provider) refuses the sending account: "
	  "it is disabled or not allowed to send from this domain.",
	  "You act: check that the sending account exists, is enabled and may "
	  "send as the From: and MAIL FROM addresses (ask your provider's "
	  "admin)." },
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
	{ P1("archivee"), PAT_ERR, CAT_MAILBOX_DISABLED,
	  DISABLED_EXPL, DISABLED_REMEDY },
	{ P1("frozen"), PAT_ERR, CAT_MAILBOX_DISABLED,
	  DISABLED_EXPL, DISABLED_REMEDY },
	{ P1("suspend"), PAT_ERR, CAT_MAILBOX_DISABLED,
	  DISABLED_EXPL, DISABLED_REMEDY },
	{ P2("account", "blocked"), PAT_ERR, CAT_MAILBOX_DISABLED,
	  DISABLED_EXPL, DISABLED_REMEDY },
	{ P2("account", "locked"), PAT_ERR, CAT_MAILBOX_DISABLED,
	  DISABLED_EXPL, DISABLED_REMEDY },
	{ P1(" locked"), PAT_ERR, CAT_MAILBOX_DISABLED,
	  DISABLED_EXPL, DISABLED_REMEDY },

	/* Domains, before "does not exist" */
	{ P1("domain is not reachable"), PAT_ERR, CAT_DOMAIN_UNKNOWN,
	  DOMAIN_EXPL, DOMAIN_REMEDY },
	{ P1("null mx"), PAT_ERR, CAT_DOMAIN_UNKNOWN,
	  SAY_RCPT_NULL_MX,
	  DO_ASK_OTHER_ADDRESS },
	{ P1("nullmx"), PAT_ERR, CAT_DOMAIN_UNKNOWN,
	  SAY_RCPT_NULL_MX,
	  DO_ASK_OTHER_ADDRESS },
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
	{ P1("no valid recipient"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
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
	/* Servers that call the mailbox a user id (Ipswitch IMail's
	 * "Invalid final delivery userid") */
	{ P2("invalid", "userid"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  UNKNOWN_EXPL, UNKNOWN_REMEDY },
	{ P1("invalid user"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
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
	  DO_CHECK_ROUTING },
	{ P1("unroutable address"), PAT_ERR, CAT_MAILBOX_UNKNOWN,
	  "The server found no way to deliver to this address: usually the "
	  "mailbox does not exist there.",
	  DO_CHECK_ROUTING },
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
	  SAY_ADDRESS_SYNTAX,
	  DO_FIX_ADDRESS_SYNTAX },
	{ P1("invalid address"), PAT_ERR, CAT_BAD_ADDRESS,
	  SAY_ADDRESS_SYNTAX,
	  DO_FIX_ADDRESS_SYNTAX },
	{ P1("malformed address"), PAT_ERR, CAT_BAD_ADDRESS,
	  SAY_ADDRESS_SYNTAX,
	  DO_FIX_ADDRESS_SYNTAX },

	/* The header block, not the message, is too big: Sendmail's
	 * MaxHeadersLength ("552 5.6.0 Headers too large", collect.c),
	 * Apache James's header-line limit ("552 Too many header lines").
	 * Before the size wording, whose remedy (a smaller attachment) does
	 * not help. */
	{ P1("headers too large"), PAT_ERR, CAT_CONTENT_REJECTED,
	  HEADER_SIZE_EXPL, HEADER_SIZE_REMEDY },
	{ P1("too many header lines"), PAT_ERR, CAT_CONTENT_REJECTED,
	  HEADER_SIZE_EXPL, HEADER_SIZE_REMEDY },

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
	{ P1("size exceeds"), PAT_ERR, CAT_MESSAGE_TOO_LARGE, SIZE_EXPL,
	  SIZE_REMEDY },

	/* A recipient's own block, before the content wording */
	{ P1("recipient preferences"), PAT_ERR, CAT_POLICY,
	  "The recipient's own settings refuse this mail (a block or a "
	  "contacts-only rule), not the server's policy.",
	  "The recipient acts: only they can allow you; ask them by another "
	  "channel." },
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
	{ P1("8-bit data in message header"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The message's header holds raw 8-bit bytes, which RFC 5322 does "
	  "not allow (non-ASCII header text must be encoded, RFC 2047).",
	  "You act: have the sending software encode non-ASCII header text "
	  "(RFC 2047 encoded-words) or send through SMTPUTF8." },
	{ P2("multiple", "headers"), PAT_ERR, CAT_CONTENT_REJECTED,
	  "The message repeats a header field that RFC 5322 allows once.",
	  "You act: fix the sending software so that the field appears "
	  "once." },
	{ P1("virus"), PAT_ERR, CAT_CONTENT_REJECTED,
	  SAY_MALWARE,
	  DO_SCAN_ATTACHMENT },
	{ P1("malware"), PAT_ERR, CAT_CONTENT_REJECTED,
	  SAY_MALWARE,
	  DO_SCAN_ATTACHMENT },
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
	{ P2("score", "limit"), PAT_ERR, CAT_CONTENT_REJECTED, SPAM_EXPL,
	  SPAM_REMEDY },
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
	/* Amazon SES refuses to send for an identity (sender, or in the
	 * sandbox any recipient) that the account has not verified: "Email
	 * address is not verified. The following identities failed the
	 * check in region ..." (SES developer guide, sending errors). */
	{ P1("address is not verified"), PAT_ERR, CAT_RELAY_DENIED,
	  "(Amazon SES) The sending account may only send from (and, while "
	  "in the SES sandbox, to) addresses and domains it has verified, "
	  "and this address is not one of them.",
	  "Verify the address or its domain in the SES console of the region "
	  "the reply names, or ask AWS for production access to mail "
	  "unverified recipients." },
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
	/* The connection to the next hop failed (a relay's report). */
	{ P1("no route to host"), PAT_ERR, CAT_ROUTING, NEXTHOP_EXPL,
	  NEXTHOP_REMEDY },
	{ P1("timed out"), PAT_ERR, CAT_ROUTING, NEXTHOP_EXPL, NEXTHOP_REMEDY },
	{ P1("connection expired"), PAT_ERR, CAT_ROUTING, NEXTHOP_EXPL,
	  NEXTHOP_REMEDY },
	{ P2("establish", "connection"), PAT_ERR, CAT_ROUTING, NEXTHOP_EXPL,
	  NEXTHOP_REMEDY },
	{ P1("service refused"), PAT_ERR, CAT_SERVICE_UNAVAILABLE, SVC_EXPL,
	  SVC_REMEDY },
	{ P1("system full"), PAT_ERR, CAT_STORAGE, SAY_NO_SPACE,
	  DO_RETRY_SPACE },
	{ P1("insufficient disk space"), PAT_ERR, CAT_STORAGE, SAY_NO_SPACE,
	  DO_RETRY_SPACE },
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
	  SAY_NO_SPACE,
	  DO_RETRY_SPACE },
	{ P1("disk full"), PAT_ERR, CAT_STORAGE,
	  SAY_NO_SPACE,
	  DO_RETRY_SPACE },

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
	  SAY_UNRECOGNIZED,
	  DO_ANNOUNCED_ONLY },
	{ P1("command not recognized"), PAT_ERR, CAT_PROTOCOL,
	  SAY_UNRECOGNIZED,
	  DO_ANNOUNCED_ONLY },
	{ P1("syntax error"), PAT_ERR, CAT_PROTOCOL,
	  "The server found a syntax error in the command.",
	  "Read the text for the argument it rejects and correct it." },

	/* Generic refusals (PAT_WEAK): weighed below a specific enhanced
	 * code or basic code, above a catch-all code's usual reading, so
	 * that "550 Access denied" is a policy and not a mailbox. */
#define W_POLICY (PAT_ERR | PAT_WEAK), CAT_POLICY, GENERIC_EXPL, GENERIC_REMEDY
	/* What was refused names the category: the sender is a policy, a
	 * recipient address most often does not exist. */
	{ P1("sender address rejected"), W_POLICY },
	{ P1("sender rejected"), W_POLICY },
	{ P1("policy"), W_POLICY },
	{ P1("access denied"), W_POLICY },
	{ P1("blocked"), W_POLICY },
	{ P1("bloque"), W_POLICY },
	{ P1("address rejected"), (PAT_ERR | PAT_WEAK), CAT_MAILBOX_UNKNOWN,
	  "The server refused the recipient address without saying why; "
	  "most often the mailbox does not exist.",
	  "You act: check the address with the recipient by another "
	  "channel; if it is right, ask their admin why it is refused." },
	{ P1("denied"), W_POLICY },
	{ P1("not allowed"), W_POLICY },
	{ P1("not permitted"), W_POLICY },
	{ P1("not authorized"), W_POLICY },
	{ P1("not authorised"), W_POLICY },
	{ P1("prohibited"), W_POLICY },
	{ P1("forbidden"), W_POLICY },
	{ P1("refused"), W_POLICY },
	{ P1("refuse"), W_POLICY },
	{ P1("rejected"), W_POLICY },
	{ P1("reject"), W_POLICY },
#undef W_POLICY
};

/* What a phrase is said of. "does not exist" after a mailbox is an
 * unknown mailbox, after a bare host name ("mx.example.org does not
 * exist") the domain; a generic "Rejected" right after a mail address
 * refuses that address (rule 6 of codes_table.h). The subject is the
 * token just before the phrase; these readings replace the pattern that
 * matched the phrase. */
enum subject_kind { SUBJECT_DOMAIN, SUBJECT_ADDRESS };

static const struct text_pattern domain_named = {
	P1("does not exist"), PAT_ERR, CAT_DOMAIN_UNKNOWN,
	"The server says the domain it names (the part after the @) does "
	"not exist.",
	DOMAIN_REMEDY
};

static const struct text_pattern address_named = {
	P1("rejected"), PAT_ERR | PAT_WEAK, CAT_MAILBOX_UNKNOWN,
	"The server refused the address it names without saying why; most "
	"often the mailbox does not exist.",
	"You act: check the address with the recipient by another channel; "
	"if it is right, ask their admin why it is refused."
};

static const struct subject_rule {
	const char *phrase; /* the first needle of the pattern it refines */
	enum subject_kind kind;
	const struct text_pattern *instead;
} subject_rules[] = {
	{ "does not exist", SUBJECT_DOMAIN, &domain_named },
	{ "doesn't exist", SUBJECT_DOMAIN, &domain_named },
	{ "rejected", SUBJECT_ADDRESS, &address_named },
};

/* clang-format on */

static int ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Where needle first occurs in hay, ignoring ASCII case; NULL if nowhere.
 * An empty needle never matches, so a broken table entry cannot match
 * everything. */
static const char *find_nocase(const char *hay, const char *needle)
{
	size_t i;

	if (!needle[0])
		return NULL;
	for (; *hay; hay++) {
		for (i = 0; needle[i]; i++) {
			if (!hay[i] ||
			    ascii_lower((unsigned char)hay[i]) !=
				ascii_lower((unsigned char)needle[i]))
				break;
		}
		if (!needle[i])
			return hay;
	}
	return NULL;
}

static int contains_nocase(const char *hay, const char *needle)
{
	return find_nocase(hay, needle) != NULL;
}

static int is_alpha(int c)
{
	c = ascii_lower(c);
	return c >= 'a' && c <= 'z';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* A character of a mail address or host name as servers print them. */
static int is_token_char(int c)
{
	return is_alpha(c) || is_digit(c) || c == '.' || c == '-' || c == '_' ||
	       c == '+' || c == '@' || c == '%' || c == '=';
}

/* A host name: two labels or more of letters, digits and hyphens, the
 * last one letters only (a top-level domain), no @. */
static int is_host_name(const char *t, size_t n)
{
	size_t i, label = 0, labels = 0, last = 0;
	int alpha_only = 1;

	if (n == 0 || t[0] == '.' || t[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)t[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			labels++;
			label = 0;
			alpha_only = 1;
			last = i + 1;
			continue;
		}
		if (!is_alpha(c) && !is_digit(c) && c != '-')
			return 0;
		if (!is_alpha(c))
			alpha_only = 0;
		label++;
	}
	return labels >= 1 && alpha_only && n - last >= 2;
}

/* local@domain: something on both sides of one @. */
static int is_mail_address(const char *t, size_t n)
{
	const char *at = memchr(t, '@', n);

	return at && at > t && (size_t)(at - t) < n - 1 &&
	       !memchr(at + 1, '@', n - (size_t)(at - t) - 1);
}

/* The words before a host name that make it the name of a mailbox
 * ("Mailbox john.smith does not exist") rather than a domain. */
static int names_a_mailbox(const char *text, const char *word_end)
{
	static const char *const words[] = {"user",    "mailbox", "recipient",
					    "account", "address", "local"};
	const char *p = word_end, *start;
	size_t i, n;

	while (p > text && p[-1] == ' ')
		p--;
	start = p;
	while (start > text && is_alpha((unsigned char)start[-1]))
		start--;
	n = (size_t)(p - start);
	for (i = 0; i < ARRAY_LEN(words); i++) {
		size_t k;

		if (strlen(words[i]) != n)
			continue;
		for (k = 0; k < n; k++)
			if (ascii_lower((unsigned char)start[k]) != words[i][k])
				break;
		if (k == n)
			return 1;
	}
	return 0;
}

/* Whether the token just before at (past spaces, quotes, brackets and a
 * colon) is of kind. */
static int subject_is(const char *text, const char *at, enum subject_kind kind)
{
	const char *end = at, *start;

	while (end > text && strchr(" \t:;,'\"<>[]()", end[-1]))
		end--;
	start = end;
	while (start > text && is_token_char((unsigned char)start[-1]))
		start--;
	if (start == end)
		return 0;
	switch (kind) {
	case SUBJECT_DOMAIN: {
		size_t n = (size_t)(end - start);

		/* a full stop after the host name ends a sentence */
		if (n && start[n - 1] == '.')
			n--;
		return is_host_name(start, n) && !names_a_mailbox(text, start);
	}
	case SUBJECT_ADDRESS:
		return is_mail_address(start, (size_t)(end - start));
	}
	return 0;
}

/* The reading of p's phrase that its subject in text calls for: p itself
 * unless a subject rule applies at one of the phrase's occurrences. */
static const struct text_pattern *by_subject(const struct text_pattern *p,
					     const char *text)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(subject_rules); i++) {
		const struct subject_rule *r = &subject_rules[i];
		const char *at;

		if (strcmp(p->needles[0], r->phrase) != 0 || p->needles[1])
			continue;
		for (at = find_nocase(text, r->phrase); at;
		     at = find_nocase(at + 1, r->phrase))
			if (subject_is(text, at, r->kind))
				return r->instead;
	}
	return p;
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

const struct text_pattern *codes_match_text_tier(const char *text,
						 enum reply_class cls, int weak)
{
	unsigned mask = class_mask(cls);
	size_t i, n;

	if (!text || !mask)
		return NULL;
	for (i = 0; i < ARRAY_LEN(patterns); i++) {
		const struct text_pattern *p = &patterns[i];

		if (!(p->classes & mask) || !p->needles[0] ||
		    !(p->classes & PAT_WEAK) != !weak)
			continue;
		for (n = 0; n < 3 && p->needles[n]; n++) {
			if (!contains_nocase(text, p->needles[n]))
				break;
		}
		if (n == 3 || !p->needles[n])
			return by_subject(p, text);
	}
	return NULL;
}

const struct text_pattern *codes_match_text(const char *text,
					    enum reply_class cls)
{
	const struct text_pattern *p = codes_match_text_tier(text, cls, 0);

	return p ? p : codes_match_text_tier(text, cls, 1);
}

size_t codes_pattern_count(void)
{
	return ARRAY_LEN(patterns);
}

const struct text_pattern *codes_pattern_at(size_t i)
{
	return i < ARRAY_LEN(patterns) ? &patterns[i] : NULL;
}
