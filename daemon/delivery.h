/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What became of one attempt to deliver a message, for the outbox
 * (casewatchd(8), DELIVERY): accepted, try again later, or never. */
enum delivery {
	DELIVERY_SENT,  /* the server accepted it */
	DELIVERY_RETRY, /* a temporary failure: SMTP 4xx, HTTP 408, 429 or 5xx,
			 * a transport error, a timeout */
	DELIVERY_DEAD,  /* a permanent refusal: SMTP 5xx, any other HTTP 3xx or 4xx */
};
